"""Socket Mode on the fake Slack, as Slack documents it and as slack_sdk's clients speak it:
`apps.connections.open` (with an app-level `xapp-` token) hands out a one-time WebSocket URL on the
fake's own server; a connection gets `{"type": "hello"}`; each delivery is an envelope
(`envelope_id`, `type` events_api | slash_commands | interactive, `payload`,
`accepts_response_payload`, and for events `retry_attempt` and `retry_reason`) that the app
acknowledges with `{"envelope_id", "payload"?}`. An event not acknowledged within `ack_timeout`
(a lost ack, a socket that dropped) is sent again with `retry_attempt` one higher and
`retry_reason` "timeout", on whichever connection is open by then, up to 3 retries as over HTTP.
`disconnect` sends Slack's disconnect message (refresh_requested, warning, link_disabled); `drop`
cuts every socket without a closing handshake, as a network failure does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

#: Slack retries an event delivery three times, then drops it.
MAX_RETRIES = 3
#: Envelope types; only events are retried (a command or a button press times out for the person).
EVENTS_API, SLASH_COMMANDS, INTERACTIVE = "events_api", "slash_commands", "interactive"
#: Interactive payloads whose ack may carry a response (errors for a modal, options).
ANSWERED_INTERACTIONS = ("view_submission", "block_suggestion")


@dataclass(frozen=True, slots=True)
class Ack:
    """An acknowledgement as the fake received it."""

    envelope_id: str
    payload: dict | None
    at: float = field(default_factory=time.monotonic)


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    request: web.Request
    number: int
    #: Told to go away (refresh_requested, link_disabled): no new envelope is sent on it.
    leaving: bool = False


class SocketModeServer:
    """The app's Socket Mode connections to the fake Slack, and what went over them."""

    def __init__(self, app_id: str, *, ack_timeout: float = 3.0, connect_timeout: float = 15.0):
        self.app_id = app_id
        #: How long Slack waits for an ack (3 seconds), and for the app to be connected at all.
        self.ack_timeout, self.connect_timeout = ack_timeout, connect_timeout
        #: How long an old connection stays open after `refresh_requested`, for the app to move.
        self.refresh_grace = 2.0
        #: Every envelope sent, redeliveries included, oldest first.
        self.sent: list[dict] = []
        self.acks: list[Ack] = []
        #: The next `lose_acks` acks are lost on the way (Slack never sees them, and redelivers).
        self.lose_acks = 0
        self.lost_acks: list[Ack] = []
        #: Connections ever opened (hello sent), and the disconnect reasons sent.
        self.opened = 0
        self.disconnects: list[str] = []
        self.base_url = ""
        self._open: list[Connection] = []
        self._tickets: set[str] = set()
        self._waiting: dict[str, asyncio.Future[Ack]] = {}
        self._closing: set[asyncio.Task] = set()

    # -- connecting -------------------------------------------------------------------------------

    def new_url(self) -> str:
        """What `apps.connections.open` answers: a WebSocket URL good for one connection."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return f"{self.base_url}link/?ticket={ticket}&app_id={self.app_id}"

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """The WebSocket endpoint: a ticket from `apps.connections.open`, then hello and envelopes.
        Pings are answered with pongs carrying the same data (slack_sdk measures with them)."""
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid or used ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.opened += 1
        connection = Connection(ws, request, self.opened)
        self._open.append(connection)
        hello = {
            "type": "hello",
            "num_connections": len(self._open),
            "debug_info": {"host": f"fake-applink-{connection.number}", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        try:
            await ws.send_json(hello)
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._received(message.data)
        except (ConnectionError, RuntimeError):
            pass  # dropped
        finally:
            self._open.remove(connection)
        return ws

    def _received(self, text: str) -> None:
        """An ack, on any connection (slack_sdk acks on its newest one, whichever brought the envelope)."""
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            return
        payload = message.get("payload")
        ack = Ack(message["envelope_id"], payload if isinstance(payload, dict) else None)
        if self.lose_acks > 0:
            self.lose_acks -= 1
            self.lost_acks.append(ack)
            return
        self.acks.append(ack)
        future = self._waiting.pop(ack.envelope_id, None)
        if future is not None and not future.done():
            future.set_result(ack)

    @property
    def connected(self) -> int:
        """Open connections that are not leaving."""
        return sum(1 for c in self._open if not c.leaving and not c.ws.closed)

    async def wait_connected(self, *, at_least: int = 1, opened: int = 0, timeout: float | None = None) -> None:
        """Wait until the app has `at_least` connections open, and (`opened`) has opened that many in all."""
        deadline = time.monotonic() + (self.connect_timeout if timeout is None else timeout)
        while self.connected < at_least or self.opened < opened:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the app did not connect over Socket Mode ({self.opened} opened)")
            await asyncio.sleep(0.01)

    # -- delivering -------------------------------------------------------------------------------

    async def deliver(
        self, kind: str, payload: dict, *, retry_attempt: int | None = None, retry_reason: str | None = None
    ) -> Ack | None:
        """Send one envelope and wait for its ack. An event not acked in time is sent again, with
        the next `retry_attempt` and `retry_reason` "timeout", up to `MAX_RETRIES`; None when Slack
        gave up (the event is lost, or the person saw a timeout)."""
        attempt = retry_attempt or 0
        reason = retry_reason or ""
        while True:
            ack = await self._attempt(self._envelope(kind, payload, attempt, reason))
            if ack is not None or kind != EVENTS_API or attempt >= MAX_RETRIES:
                return ack
            attempt, reason = attempt + 1, "timeout"

    def _envelope(self, kind: str, payload: dict, attempt: int, reason: str) -> dict:
        if kind == SLASH_COMMANDS:
            answers = True
        elif kind == INTERACTIVE:
            answers = payload.get("type") in ANSWERED_INTERACTIONS
        else:
            answers = False
        envelope = {
            "envelope_id": str(uuid.uuid4()),
            "type": kind,
            "payload": payload,
            "accepts_response_payload": answers,
        }
        if kind == EVENTS_API:
            envelope.update(retry_attempt=attempt, retry_reason=reason)
        return envelope

    async def _attempt(self, envelope: dict) -> Ack | None:
        connection = await self._connection()
        if connection is None:
            return None
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        self._waiting[envelope["envelope_id"]] = future
        self.sent.append(envelope)
        try:
            try:
                await connection.ws.send_str(json.dumps(envelope))
            except (ConnectionError, RuntimeError):
                connection.leaving = True  # the socket went away under it: tried again on the next one
                return None
            return await asyncio.wait_for(asyncio.shield(future), timeout=self.ack_timeout)
        except TimeoutError:
            return None
        finally:
            self._waiting.pop(envelope["envelope_id"], None)

    async def _connection(self) -> Connection | None:
        """The newest connection not told to leave; waits for the app to (re)connect."""
        deadline = time.monotonic() + self.connect_timeout
        while time.monotonic() < deadline:
            for connection in reversed(self._open):
                if not connection.leaving and not connection.ws.closed:
                    return connection
            await asyncio.sleep(0.01)
        return None

    # -- going away -------------------------------------------------------------------------------

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's disconnect message on every open connection. After `refresh_requested` the old
        connection stays usable for `refresh_grace` seconds while the app opens a new one, then is
        closed; after `link_disabled` (Socket Mode turned off for the app) it is closed at once;
        `warning` only warns."""
        self.disconnects.append(reason)
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-applink"}}
        for connection in list(self._open):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await connection.ws.send_json(message)
            if reason == "warning":
                continue
            connection.leaving = True
            grace = self.refresh_grace if reason == "refresh_requested" else 0.0
            task = asyncio.get_running_loop().create_task(self._close_later(connection, grace))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _close_later(self, connection: Connection, grace: float) -> None:
        await asyncio.sleep(grace)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await connection.ws.close()

    def drop(self) -> int:
        """Cut every open socket at once, with no closing handshake (a network failure, a load
        balancer restart); the number cut."""
        dropped = 0
        for connection in list(self._open):
            connection.leaving = True
            transport = connection.request.transport
            if transport is not None:
                transport.abort()
                dropped += 1
        return dropped

    async def close(self) -> None:
        """Close every connection (the fake is stopping)."""
        for task in list(self._closing):
            task.cancel()
        for connection in list(self._open):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await connection.ws.close()
