"""The HTTP edge: what any client on the network can do to the app before a signature is checked.

aiohttp on its own waits for ever for a body that never ends, keeps a connection that never sends a
request for an hour (its default keep-alive), and accepts connections until the process runs out of
file descriptors, when neither Slack's deliveries nor `/healthz` get in. Here every connection has a
few seconds to send its request's head, a body has a few seconds to arrive, and the number of
connections open at once is capped: past the cap, the oldest connection that is not being answered
(a slow or idle one) is closed to make room, so that a flood of slow clients cannot shut Slack out."""

from __future__ import annotations

import asyncio
import logging
import resource

from aiohttp import web

log = logging.getLogger(__name__)

#: Seconds a connection has to send a request's head (from opening, or from its previous answer),
#: and that an idle keep-alive connection is kept. Slack sends each request at once.
HEAD_AND_IDLE_TIMEOUT = 10.0
#: Seconds a request's body has to arrive once its head has. Slack's bodies are at most 1 MB, sent
#: at once; a body still arriving after this is a slow client's, and nothing of it is kept.
BODY_READ_TIMEOUT = 5.0
#: Seconds aiohttp goes on reading a refused request's body (its default is 10).
LINGERING_TIME = 2.0
#: The most connections open at once, whatever the file-descriptor limit allows.
MOST_CONNECTIONS = 1000
#: The share of the process's file descriptors connections may take: the rest is for the database,
#: the Web API's connections and files.
CONNECTIONS_SHARE = 0.5
#: The deepest JSON nesting accepted (objects and arrays within one another). Slack's payloads nest
#: a dozen levels at most; far deeper would exhaust Python's recursion limit later on.
MOST_NESTING = 64


def connection_limit() -> int:
    """How many connections may be open at once: `MOST_CONNECTIONS`, or half the process's
    file-descriptor limit if that is lower (at least 16)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MOST_CONNECTIONS
    return max(16, min(MOST_CONNECTIONS, int(soft * CONNECTIONS_SHARE)))


class CannotListen(Exception):
    """`HOST` and `PORT` name no address this machine can listen on (a typo, a port in use)."""


class _Refused(asyncio.Protocol):
    """A connection over the cap while every open one is being answered: closed at once."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class ConnectionGuard:
    """The protocol factory in front of aiohttp's server: at most `limit` connections at once.
    A connection over the cap closes the oldest open connection that has no request being handled
    (`answering`, kept by the `track_answering` middleware); if every one is being answered, the
    new connection is closed instead. Counts what it did (`evicted`, `refused`) for the logs."""

    def __init__(self, server: web.Server, limit: int, answering: set[asyncio.BaseTransport]):
        self.server = server
        self.limit = limit
        self.answering = answering
        self.evicted = 0
        self.refused = 0

    def __call__(self) -> asyncio.BaseProtocol:
        open_ones = [c for c in self.server.connections if c.transport is not None and not c.transport.is_closing()]
        if len(open_ones) >= self.limit:
            waiting = next((c for c in open_ones if c.transport not in self.answering), None)
            if waiting is None:
                self.refused += 1
                log.warning("a connection was refused: %d connections are open, all being answered", self.limit)
                return _Refused()
            self.evicted += 1
            log.warning("the oldest waiting connection was closed: %d connections are open", self.limit)
            waiting.force_close()
        return self.server()


class GuardedSite(web.TCPSite):
    """aiohttp's TCP site, with `ConnectionGuard` as its protocol factory."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, guard: ConnectionGuard):
        super().__init__(runner, host, port)
        self.guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                self.guard, self._host, self._port, backlog=self._backlog, reuse_address=self._reuse_address
            )
        except OSError as error:
            raise CannotListen(f"cannot listen on {self._host} port {self._port}: {error.strerror or error}") from error


def answering_middleware(answering: set[asyncio.BaseTransport]):
    """A middleware that keeps, in `answering`, the connections whose request is being handled: the
    guard closes only the others (a slow body is cut off by its own timeout)."""

    @web.middleware
    async def track_answering(request: web.Request, handler) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            answering.add(transport)
        try:
            return await handler(request)
        finally:
            if transport is not None:
                answering.discard(transport)

    return track_answering


def runner_options() -> dict:
    """The server's options: how long a connection may wait (`HEAD_AND_IDLE_TIMEOUT`) or linger. A handler is
    not cancelled when its client goes away (aiohttp's default): a command half carried out would
    leave its work half done, and Slack never hangs up before its own 3 seconds."""
    return {
        "keepalive_timeout": HEAD_AND_IDLE_TIMEOUT,
        "handler_cancellation": False,
        # After a refusal (413) aiohttp reads what is left of the body before closing: briefly.
        "lingering_time": LINGERING_TIME,
    }


def may_nest_too_deep(text: str, limit: int = MOST_NESTING) -> bool:
    """Whether JSON `text` could nest more than `limit` deep: each level opens with a brace or a
    bracket, so text with no more of them than `limit` cannot (counting is C-speed; walking the parsed
    value, `too_deep`, is Python-speed, a few microseconds on every delivery)."""
    return text.count("{") + text.count("[") > limit


def too_deep(value: object, limit: int = MOST_NESTING) -> bool:
    """Whether parsed JSON nests objects and arrays more than `limit` deep (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if depth > limit and isinstance(item, (dict, list)):
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
