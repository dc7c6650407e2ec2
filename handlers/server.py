"""The running app: HTTP routes (`/slack/events` with Slack's signature checked on the raw bytes,
OAuth, `/healthz`), Socket Mode, and the background work (the inbox worker, sweeps, scheduled checks,
retention) started and stopped together."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

import storage
from bot.config import DEFAULT_HOST, Settings
from handlers import edge
from handlers.backstage import Backstage
from handlers.listeners import events
from handlers.listeners.deliveries import Deliveries
from handlers.listeners.events import EVENT
from handlers.listeners.health import HealthProbe
from handlers.listeners.socket_mode import SocketModeReceiver
from handlers.runtime import Runtime, utc_now
from handlers.scheduled.leased import RETENTION, SWEEP, checks_lease, sweep_lease, under_lease
from handlers.scheduled.retention import purge
from handlers.scheduled.sweep import run_periodically, scheduled_checks, sweep
from handlers.slack.api import api_error
from handlers.slack.budget import reconciliation_interval
from handlers.worker.calls import CALL_CHECK, call_check_job
from handlers.worker.carry_out import action_job
from handlers.worker.judge import Judge
from handlers.worker.loop import Worker
from handlers.worker.queued import ACTION

T = TypeVar("T")
log = logging.getLogger(__name__)


EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
HEALTH_PATH = "/healthz"
#: What `/healthz` counts under `undecided`: events judged with only the members they prove, and
#: files `files.info` could not describe.
UNDECIDED_REASONS = ("members", "files")
#: On a refusal: Slack would only send the same request again (a 4xx is otherwise retried).
NO_RETRY = {"X-Slack-No-Retry": "1"}
#: How long a signed request is remembered against replays: Slack's signature is good for five
#: minutes either side of its timestamp, so a copy sent later is refused by the signature check.
REPLAY_WINDOW = timedelta(minutes=10)
#: What may not be parsed safely: too deep for Python's recursion (RecursionError), an integer too
#: long to read (ValueError) or too large for the database (OverflowError), a wrong type.
UNPARSEABLE = (ValueError, TypeError, AttributeError, KeyError, RecursionError, OverflowError)
#: How long a command's or a button's answer may take on the backstage, in seconds, before Slack is
#: answered without it: they answer from memory and the database in milliseconds, so one slower than
#: this waits on the database, and the asker is told so well within Slack's 3 seconds.
ANSWER_DEADLINE_S = 0.6
#: The answer to a command whose own answer did not come in time.
TOO_SLOW = (
    ":hourglass: Safe Contact's database is slow to answer just now, so this could not be confirmed in time. "
    "It may still be done once the database answers: check in a minute, and try again if it was not."
)


class SafeContactApp:
    """The running app: Bolt for requests, a worker for the inbox, timers for sweeps and checks."""

    def __init__(self, settings: Settings, runtime: Runtime, bolt: AsyncApp):
        self.settings = settings
        self.runtime = runtime
        self.bolt = bolt
        self.worker = Worker(
            runtime, {EVENT: Judge(runtime), ACTION: action_job(runtime), CALL_CHECK: call_check_job(runtime)}
        )
        self.inbox = events.InboxWriter(runtime, self.worker)
        self.deliveries = Deliveries(runtime, self._sweep_backstage)
        #: Where the background work, commands and buttons run once `start`ed: not on the loop that
        #: answers Slack (see `handlers.backstage`).
        self.backstage = Backstage()
        #: The cap on open connections, once `serve` listens (`handlers.edge`).
        self.connection_guard: edge.ConnectionGuard | None = None
        self.health_probe = HealthProbe(runtime)
        #: Checks Slack's signature before a body is parsed. None (no signing secret): nothing can be
        #: signed for this app, and every request is refused.
        self.verifier = SignatureVerifier(settings.signing_secret) if settings.signing_secret else None
        self.socket_mode: SocketModeReceiver | None = None
        #: The connections whose request is being answered (see `handlers.edge.ConnectionGuard`).
        self.answering: set[asyncio.BaseTransport] = set()
        self._stop = asyncio.Event()
        self._tasks: list[concurrent.futures.Future[None]] = []

    # -- HTTP -------------------------------------------------------------------------------------

    def web_app(self) -> web.Application:
        """`POST /slack/events` (everything Slack sends, signed), `GET /healthz`, and the OAuth routes
        when OAuth is configured. In Socket Mode Slack sends nothing over HTTP: `/slack/events` is
        not served (404), whatever it carries, so no forged request can reach the inbox."""
        middlewares = [refusals_say_no_retry, edge.answering_middleware(self.answering)]
        application = web.Application(client_max_size=1024 * 1024, middlewares=middlewares)
        if self.settings.socket_mode:
            application.router.add_post(EVENTS_PATH, self._not_served)
        else:
            application.router.add_post(EVENTS_PATH, self._handle_slack)
        application.router.add_get(HEALTH_PATH, self._health)
        if self.bolt.oauth_flow is not None:  # Bolt's OAuth flow answers both
            application.router.add_get(INSTALL_PATH, self._handle_install)
            application.router.add_get(OAUTH_REDIRECT_PATH, self._handle_oauth_redirect)
        return application

    async def _handle_slack(self, request: web.Request) -> web.StreamResponse:
        """Everything Slack sends. The body must arrive within `BODY_READ_TIMEOUT` (408, and the
        connection closed); the signature is checked first (401, nothing read); then a body that is
        not the object Slack's payloads are, nests too deep, or whose fields have the wrong types,
        gets 400 and is logged, instead of reaching Bolt, which would answer 500 and have Slack retry
        it. A signed request that is not an event callback is acted on once (see `_first_use`)."""
        if request.content.is_eof():  # the whole body came with the head (most requests): no wait, no timer
            body = await request.read()
        else:
            try:
                async with asyncio.timeout(edge.BODY_READ_TIMEOUT):
                    body = await request.read()
            except TimeoutError:
                return await _body_timed_out(request)
        text = _utf8(body)
        if text is None or not self._signed(text, request):  # no signing secret: nothing is signed
            return web.json_response({"ok": False, "error": "invalid signature"}, status=401, headers=NO_RETRY)
        if "X-Slack-Retry-Num" in request.headers:
            self.deliveries.retried()
        if request.content_type == "application/json" and text is not None:
            stored = await self._store_event_callback(text)
            if stored is not None:
                return stored
        try:
            bolt_request = _bolt_request(request, text)
            if not isinstance(bolt_request.body, dict):
                raise TypeError(f"a {type(bolt_request.body).__name__} body")
            if edge.may_nest_too_deep(text) and edge.too_deep(bolt_request.body):
                raise ValueError("nested too deep")
        except UNPARSEABLE as error:
            log.warning("a malformed request was refused: %s", type(error).__name__)
            return web.json_response({"ok": False, "error": "malformed request body"}, status=400)
        try:
            signature = request.headers.get("X-Slack-Signature", "")
            return await to_aiohttp_response(await self.dispatch(bolt_request, signature=signature))
        except UNPARSEABLE as error:
            log.warning("a malformed request was refused: %s", type(error).__name__)
            return web.json_response({"ok": False, "error": "malformed request body"}, status=400)

    def _first_use(self, signature: str) -> bool:
        """Whether this signed request is new: its signature (which covers its timestamp and body)
        is used once, in the database, so that a copy sent to any process within the signature's
        five minutes is not acted on again. Event callbacks do not come here: they are stored once
        by `event_id`. One cheap statement while Slack waits.

        When the database fails, the request is taken as new: the asker still gets the command's
        own answer ("could not do that just now"), and whatever it would do needs the database too."""
        try:
            with self.runtime.session() as session:
                return storage.use_once(
                    "request:" + signature, now=self.runtime.now(), lifetime=REPLAY_WINDOW, session=session
                )
        except Exception as error:
            log.warning("a request could not be checked against replays: %s", storage.database_failure(error))
            return True

    async def _store_event_callback(self, body: str) -> web.Response | None:
        """The short road for event callbacks (most of Slack's traffic): stored as sent, then 200;
        503 when the database fails, which Slack retries. `app_rate_limited` is handled here too.
        None for anything else, which Bolt handles."""
        try:
            parsed = json.loads(body)
            if edge.may_nest_too_deep(body) and edge.too_deep(parsed):
                raise ValueError("nested too deep")
        except (ValueError, RecursionError) as error:
            log.warning("a malformed request was refused: %s", type(error).__name__)
            return web.json_response({"ok": False, "error": "malformed request body"}, status=400)
        if isinstance(parsed, dict) and parsed.get("type") == "app_rate_limited":
            return web.Response(status=200 if self.deliveries.rate_limited_notice(parsed) else 400)
        if not isinstance(parsed, dict) or parsed.get("type") != "event_callback":
            return None
        problem = events.event_callback_problem(parsed)
        if problem is not None:
            log.warning("an event callback was refused: %s", problem)
            status = 200 if problem == events.NO_EVENT else 400
            return web.Response(status=status)
        try:
            await self.inbox.store(parsed, body)
        except storage.DatabaseError as error:  # Slack retries a 503: it must carry no X-Slack-No-Retry
            self.deliveries.refused(error)
            return web.Response(status=503)
        except Exception as error:  # not the database's doing: Slack retries a 500 too
            log.error("an event could not be stored: %s", type(error).__name__)
            return web.Response(status=500)
        self.deliveries.stored()
        return web.Response(status=200)

    async def _not_served(self, request: web.Request) -> web.Response:
        """`/slack/events` in Socket Mode: Slack's requests come over the WebSocket, never here."""
        error = "this app receives Slack's requests over Socket Mode"
        return web.json_response({"ok": False, "error": error}, status=404, headers=NO_RETRY)

    def _signed(self, body: str, request: web.Request) -> bool:
        """Slack's signature, and a fresh timestamp (a timestamp that is not a number is not fresh)."""
        headers = request.headers
        if self.verifier is None:  # no signing secret: nothing can be signed for this app
            return False
        try:
            return self.verifier.is_valid(
                body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
            )
        except ValueError:
            return False

    async def _handle_install(self, request: web.Request) -> web.Response:
        """The install (or, with `?connect=1`, connect) link: a state, and off to Slack's authorize page."""
        flow = self.bolt.oauth_flow
        if flow is None:  # the route is served only with OAuth configured
            raise web.HTTPNotFound()
        return await to_aiohttp_response(await flow.handle_installation(_bolt_request(request, "")))

    async def _handle_oauth_redirect(self, request: web.Request) -> web.Response:
        """Slack sends the browser back here: the state is checked, the code exchanged, tokens stored.
        On the backstage once it is started: the state's single use and the installation are written
        to the database, which must not hold up the loop that answers Slack."""
        flow = self.bolt.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        answer = await self._on_backstage(flow.handle_callback(_bolt_request(request, "")))
        return await to_aiohttp_response(answer)

    async def _health(self, request: web.Request) -> web.Response:
        """200 while the database answers a read, takes a write and deliveries are stored; 503 while
        they are refused (at once, without waiting for the database again), or the database does
        not answer within `HEALTH_DEADLINE_S`, or it takes no writes (a full disk, a locked inbox).
        The event loop never waits on the database itself: the probe runs in its own thread."""
        deliveries = self.deliveries.health()
        if self.deliveries.outage is not None:
            return web.json_response({"ok": False, "database": "refusing deliveries", **deliveries}, status=503)
        health = await self.health_probe.check()
        if not health.ok or health.inbox is None:
            return web.json_response({"ok": False, "database": health.state, **deliveries}, status=503)
        body = {
            "ok": True,
            "database": "ok",
            "pending": health.inbox.pending,
            "retrying": health.inbox.retrying,
            "teams": health.teams,
            # Events judged without every fact a rule needs, since this process started (see Runtime).
            "undecided": {reason: self.runtime.undecided[reason] for reason in UNDECIDED_REASONS},
            **deliveries,
            **self._connections_health(),
        }
        return web.json_response(body)

    def _connections_health(self) -> dict[str, int]:
        """Connections the edge closed to stay under its cap since the process started (`serve`
        only): a count that grows says slow or idle clients are crowding the port."""
        guard = self.connection_guard
        if guard is None:
            return {}
        return {"connections_closed": guard.evicted, "connections_refused": guard.refused}

    # -- the backstage --------------------------------------------------------------------------

    async def dispatch(self, request: AsyncBoltRequest, *, signature: str | None = None) -> BoltResponse:
        """Bolt's answer to a command, a button or a form (a replay of a signed one, by `signature`,
        gets a bare 200): run on the backstage once it is started (the replay check and the listeners
        read and write the database), and awaited for `ANSWER_DEADLINE_S` at most. Past it, Slack gets
        an answer that says the database is slow (a command) or a bare acknowledgement (a button, a
        form), and the listener goes on: what it does is done."""
        if self.backstage.loop is None:
            return await self._answer(request, signature)
        answer = asyncio.wrap_future(self.backstage.submit(self._answer(request, signature)))
        try:
            return await asyncio.wait_for(asyncio.shield(answer), ANSWER_DEADLINE_S)
        except TimeoutError:
            is_command = isinstance(request.body, dict) and "command" in request.body
            log.warning(
                "a %s was answered without its listener's answer: not ready within %s s",
                "command" if is_command else "request",
                ANSWER_DEADLINE_S,
            )
            if is_command:
                return BoltResponse(
                    status=200,
                    body=json.dumps({"response_type": "ephemeral", "text": TOO_SLOW}),
                    headers={"content-type": "application/json"},
                )
            return BoltResponse(status=200, body="")

    async def _answer(self, request: AsyncBoltRequest, signature: str | None) -> BoltResponse:
        """Bolt's answer, unless the signed request was acted on already (see `_first_use`)."""
        if signature is not None and not self._first_use(signature):
            log.warning("a replayed request was ignored: its signature and timestamp were used already")
            return BoltResponse(status=200, body="")
        return await self.bolt.async_dispatch(request)

    async def _sweep_backstage(self, teams: Iterable[str] | None = None) -> None:
        """`sweep`, on the backstage once it is started (for the sweep after an outage)."""
        await self._on_backstage(self.sweep(teams))

    async def _on_backstage(self, work: Coroutine[Any, Any, T]) -> T:
        """`work` run on the backstage once it is started (before, or without it, here)."""
        if self.backstage.loop is None:
            return await work
        return await self.backstage.run(work)

    # -- background work ------------------------------------------------------------------------

    async def start(self, *, background: bool = True) -> None:
        """Learn who the app is in its own workspace (with `SLACK_BOT_TOKEN`), then start the worker,
        the sweeps and the scheduled checks of every workspace it serves."""
        if self.settings.bot_token:
            identity = await self.runtime.api.identity()
            self.runtime.bot_user_id = identity.get("user_id", "")
            self.runtime.bot_id = identity.get("bot_id", "")
            self.runtime.team_id = identity.get("team_id", "")
            self.runtime.cache.home_team = self.runtime.team_id  # where programs without team_id belong
            self.runtime.bound[self.runtime.team_id] = self.runtime
        if not background:
            return
        # The worker, the sweeps, the checks and retention run on the backstage, and from now on so
        # do commands and buttons (`dispatch`): nothing they wait on can hold up an acknowledgement.
        self.backstage.start()
        self.inbox.worker_loop = self.backstage.loop
        timing = self.runtime.timing
        # The sweep timer looks often for a workspace whose sweep is due (a sweep interval after the
        # last one finished, in any process), so that sweeps keep their interval whichever process
        # makes them, and a dead process's is made by another soon after its lease runs out.
        sweep_poll = min(timing.tick_every, timing.sweep_every / 10)
        self._tasks = [
            self.backstage.submit(self.worker.run(self._stop)),
            self.backstage.submit(run_periodically(self._stop, sweep_poll, self.sweep_due, name="sweep")),
            self.backstage.submit(
                run_periodically(
                    self._stop,
                    timing.tick_every,
                    functools.partial(self.scheduled_checks, due_only=True),
                    name="scheduled checks",
                    first_delay=1.0,
                )
            ),
            self.backstage.submit(
                run_periodically(
                    self._stop,
                    timing.purge_every,
                    functools.partial(self.purge, due_only=True),
                    name="retention",
                    first_delay=60.0,
                )
            ),
        ]

    async def stop(self) -> None:
        if self.socket_mode is not None:
            await self.socket_mode.close_async()
            self.socket_mode = None
        # Then what commands and buttons left for after their answer ends: it may queue actions.
        backstage = self.backstage.loop is not None
        if backstage:
            with contextlib.suppress(TimeoutError):  # the backstage may be stuck on the database
                await asyncio.wait_for(self.backstage.run(self.runtime.followups.finish(timeout=30)), timeout=35)
            self.backstage.call(self._stop.set)
        else:
            await self.runtime.followups.finish(timeout=30)
            self._stop.set()
        self.runtime.wake.set()
        await self.deliveries.stop()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.wrap_future(task), timeout=10)
        self._tasks = []
        if backstage:
            self.inbox.worker_loop = None
            await asyncio.to_thread(self.backstage.stop)

    async def purge(self, *, due_only: bool = False) -> None:
        """The daily retention run (see `handlers.scheduled.retention`), by one process at a time;
        `due_only` (its timer): not within half a day of the last run, in whichever process."""
        every = self.runtime.timing.purge_every / 2 if due_only else None
        retention_days = self.settings.retention_days

        async def run() -> None:
            purge(self.runtime.engine, now=self.runtime.now(), retention_days=retention_days)

        await under_lease(self.runtime, RETENTION, run, due_every=every)

    async def sweep(self, teams: Iterable[str] | None = None) -> None:
        """Sweep every workspace now (as after an outage, or asked), or those of `teams`: each under
        its lease, so that one another process is sweeping is not swept twice at once. One failing
        workspace does not stop the others'."""
        for team in self.runtime.teams() if teams is None else teams:
            await self._sweep_leased(team, due_every=None)

    async def sweep_due(self, teams: Iterable[str] | None = None) -> None:
        """The sweep timer: sweep each workspace (of `teams`, or every one) whose last full sweep, by
        whichever process, finished a sweep interval ago or more, or never did. Of a workspace
        another process swept since this one last listed it, the listing is read from the database
        instead (no Web API call): each workspace is swept by one process per interval."""
        now = utc_now()
        with self.runtime.session() as session:
            known = storage.leases(SWEEP, session=session)
        for team in self.runtime.teams() if teams is None else teams:
            every = self.sweep_interval(team)
            lease = known.get(sweep_lease(team))
            finished = lease.finished_at if lease is not None else None
            if finished is not None and finished > now - timedelta(seconds=every):
                self._read_listing(team, finished)
            elif lease is None or not lease.held(now):  # held: being swept, by another process or this one
                await self._sweep_leased(team, due_every=every)

    def sweep_interval(self, team: str) -> float:
        """Seconds between the starts of two sweeps of a workspace: the configured interval, or, for
        a workspace too large to list within it under Slack's limits, as long as its sweep needs
        (in real seconds, on the budget's clock), so that a sweep never overlaps the next."""
        every = self.runtime.timing.sweep_every
        size = self.runtime.sizes.get(team)
        if size is None:
            return every
        scale = self.settings.slack_time_scale
        needed = reconciliation_interval(
            every / scale if scale else every, *size, distributed=self.settings.distributed
        )
        return needed * scale if scale else every

    async def _sweep_leased(self, team: str, *, due_every: float | None) -> None:
        bound = self.runtime.for_team(team)
        try:
            work = functools.partial(sweep, bound, team)
            finished = await under_lease(bound, sweep_lease(team), work, due_every=due_every)
        except Exception as error:
            log.warning("sweep of %s failed: %s", team, api_error(error))
            return
        if finished is not None:
            self.runtime.swept.add(team)
            self.runtime.listings[team] = finished

    def _read_listing(self, team: str, finished: datetime) -> None:
        """The workspace's listing as another process's sweep (finished at `finished`) stored it,
        unless this process holds that one or a later one already."""
        held = self.runtime.listings.get(team)
        if held is not None and held >= finished and team in self.runtime.swept:
            return
        self.runtime.cache.read_listing(team)
        self.runtime.listings[team] = finished
        self.runtime.swept.add(team)

    async def scheduled_checks(self, *, due_only: bool = False) -> None:
        """Each workspace's scheduled checks, by one process at a time; a workspace this process
        never listed (just installed) is swept first, or its listing read when another process swept
        it lately. `due_only` (their timer): not within half a tick of the last checks, in whichever
        process: of processes ticking at the same pace, the one ticking first after that does them,
        and keeps doing them while it lives."""
        every = self.runtime.timing.tick_every / 2 if due_only else None
        for team in self.runtime.teams():
            bound = self.runtime.for_team(team)
            try:
                if team not in self.runtime.swept:
                    await self.sweep_due([team])
                    if team not in self.runtime.swept:
                        continue  # another process is sweeping it: checked once its listing is stored
                checks = functools.partial(scheduled_checks, bound, team)
                await under_lease(bound, checks_lease(team), checks, due_every=every)
            except Exception as error:
                log.warning("scheduled checks of %s failed: %s", team, api_error(error))

    async def serve(self, port: int, host: str = DEFAULT_HOST) -> None:
        """Run until cancelled: HTTP on `host`:`port` (Bolt requests unless Socket Mode, and health),
        behind the edge's limits (`handlers.edge`)."""
        # No access log: a line per Slack request is noise (and cost) at Slack's rates; the app logs
        # what it decides.
        runner = web.AppRunner(self.web_app(), access_log=None, **edge.runner_options())
        await runner.setup()
        assert runner.server is not None  # made by setup()
        guard = edge.ConnectionGuard(runner.server, edge.connection_limit(), self.answering)
        self.connection_guard = guard
        try:
            await edge.GuardedSite(runner, host, port, guard).start()
        except edge.CannotListen:
            await runner.cleanup()
            raise
        try:
            await self.start()
            if self.settings.socket_mode:
                await self.connect_socket_mode()
                log.info("Safe Contact is connected over Socket Mode; health on port %d", port)
            else:
                log.info("Safe Contact is listening on %s port %d (%s)", host, port, EVENTS_PATH)
            await asyncio.Event().wait()
        finally:
            await self.stop()
            await runner.cleanup()

    async def connect_socket_mode(self) -> None:
        """Connect to Slack over Socket Mode with the app-level token (`stop` disconnects): events are
        stored by the same inbox writer as over HTTP before their ack; commands and buttons go to Bolt."""
        self.socket_mode = SocketModeReceiver(
            self.bolt,
            self.settings.app_token,
            self.inbox,
            api_url=self.settings.api_url,
            ping_interval=self.runtime.timing.socket_ping_every,
            deliveries=self.deliveries,
            dispatch=self.dispatch,
        )
        await self.socket_mode.connect_async()


@web.middleware
async def refusals_say_no_retry(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every 4xx carries `X-Slack-No-Retry: 1`: Slack retries any failed delivery three times, and a
    refused one would be refused again. A 5xx (the database is down) goes without it: Slack should
    send that again. Slack sends to no other path, and a browser ignores the header."""
    try:
        response = await handler(request)
    except web.HTTPException as refusal:
        if 400 <= refusal.status < 500:
            refusal.headers.update(NO_RETRY)
        raise
    if 400 <= response.status < 500:
        response.headers.update(NO_RETRY)
    return response


def _bolt_request(request: web.Request, body: str) -> AsyncBoltRequest:
    """The request as Bolt takes it, with `body` (the text that was signed, read as UTF-8 whatever
    charset the Content-Type names: Bolt's adapter would decode it again by that charset, and an
    unknown one raised). The OAuth pages are GETs: whatever body one comes with is not read."""
    headers = cast(dict[str, str | Sequence[str]], request.headers)  # Bolt reads it as a mapping
    return AsyncBoltRequest(body=body, query=request.query_string, headers=headers)


async def _body_timed_out(request: web.Request) -> web.StreamResponse:
    """408 for a body that did not arrive in time, sent at once, and the connection closed: aiohttp
    would otherwise go on reading the rest of the body for its lingering time. Nothing is kept."""
    log.warning("a request body did not arrive within %.0f s: the connection was closed", edge.BODY_READ_TIMEOUT)
    response = web.json_response({"ok": False, "error": "request body timed out"}, status=408, headers=NO_RETRY)
    response.force_close()
    await response.prepare(request)
    await response.write_eof()
    if request.transport is not None:
        request.transport.close()
    return response


def _utf8(body: bytes) -> str | None:
    """The body as text. Slack signs text: a body that is not UTF-8 was not signed by Slack."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None
