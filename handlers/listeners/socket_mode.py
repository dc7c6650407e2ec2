"""Socket Mode: Slack's requests over a WebSocket opened with the app-level token, instead of POSTs.

Built on Bolt's own adapter (slack_sdk's aiohttp `SocketModeClient`, which asks
`apps.connections.open` for a URL, answers pings, and reconnects by itself after a `disconnect`
message or a dropped socket). Events take the same road as over HTTP: validated, stored by the
`InboxWriter` (group commit, one row per `event_id`), and only then acknowledged; an event that
cannot be stored (the database is down) is not acknowledged, so Slack sends it again. They do not
go through Bolt, whose authorization would acknowledge an event of an installation it has no bot
for without storing it, and which drops the app's own events. Slash commands and interactive
payloads go through Bolt as over HTTP, acknowledged (with the listener's answer) after it."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

import storage
from handlers.listeners import events
from handlers.listeners.deliveries import Deliveries
from handlers.slack.api import web_client

log = logging.getLogger(__name__)

#: The envelope type of an Events API delivery.
EVENTS_API = "events_api"


class SocketModeReceiver(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, with events stored by the inbox writer before their ack."""

    def __init__(
        self,
        bolt: AsyncApp,
        app_token: str,
        inbox: events.InboxWriter,
        *,
        api_url: str,
        ping_interval: float = 10.0,
        deliveries: Deliveries | None = None,
        dispatch: Callable[[AsyncBoltRequest], Awaitable[BoltResponse]] | None = None,
    ):
        # `apps.connections.open` goes to `SLACK_API_URL`, like every other Web API call.
        super().__init__(bolt, app_token, web_client=web_client("", api_url), ping_interval=ping_interval)
        self.inbox = inbox
        #: Counts what the deliveries went through, and handles a database outage as over HTTP.
        self.deliveries = deliveries
        #: How Bolt answers a command or a button: by default on this loop; the app's runs it on its
        #: backstage with a deadline (`SafeContactApp.dispatch`), as over HTTP.
        self.dispatch = dispatch or bolt.async_dispatch

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        if req.type != EVENTS_API:
            started = time.time()
            bolt_request = AsyncBoltRequest(mode="socket_mode", body=req.payload, headers=build_headers(req))
            await send_async_response(client, req, await self.dispatch(bolt_request), started)
            return
        if req.retry_attempt and self.deliveries is not None:
            self.deliveries.retried()
        if await self.store(req.payload):
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

    async def store(self, body: object) -> bool:
        """Store one event callback; whether to acknowledge it. A payload that is not an event
        callback the inbox can store is logged and acknowledged (Slack would only send it again)."""
        if isinstance(body, dict) and body.get("type") == "app_rate_limited" and self.deliveries is not None:
            if not self.deliveries.rate_limited_notice(body):
                log.warning("an app_rate_limited notice was refused: a malformed team or minute")
            return True
        problem = events.event_callback_problem(body)
        if problem is not None or not isinstance(body, dict):
            log.warning("an event callback was refused: %s", problem)
            return True
        try:
            await self.inbox.store(body)
        except storage.DatabaseError as error:  # not acknowledged, so Slack sends it again
            if self.deliveries is not None:
                self.deliveries.refused(error)
            else:
                log.warning("an event could not be stored: %s", storage.database_failure(error))
            return False
        except Exception as error:  # not the database's doing: not acknowledged either
            log.error("an event could not be stored: %s", type(error).__name__)
            return False
        if self.deliveries is not None:
            self.deliveries.stored()
        return True
