"""A stateful stand-in for Slack over real HTTP: its Web API on a local port (answering as Slack does,
with visibility, paging, errors and 429s, and given `rate_limits`, Slack's tiers per workspace and
method: `fakeslack.rate_limits`), and the Events API, slash commands and button presses delivered
to an app's URL, signed as Slack signs them, or with `socket_mode` on, as envelopes over
the app's Socket Mode WebSocket (`fakeslack.socket_mode`). Events over HTTP are delivered with Slack's
policy (retries, drops, disabled subscriptions, rate limits: `fakeslack.delivery`). The tests and
`safe-contact demo` use it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import random
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import aiohttp
from aiohttp import web

from fakeslack import grid_api  # noqa: F401  (its methods register themselves in METHODS)
from fakeslack.changes import ChannelChanges
from fakeslack.delivery import Deliverer, DeliveryPolicy, EventDelivery
from fakeslack.enterprise import Installation
from fakeslack.huddles import Huddles
from fakeslack.mrkdwn import Shown, read
from fakeslack.not_people import NotPeople
from fakeslack.rate_limits import RateLimiter, RateLimits
from fakeslack.socket_mode import EVENTS_API, INTERACTIVE, SLASH_COMMANDS, SocketModeServer
from fakeslack.web_api import METHODS, Caller
from fakeslack.workspace import SLACKBOT_ID, Channel, SlackError, User, Workspace

__all__ = [
    "SLACKBOT_ID",
    "Call",
    "Channel",
    "Delivery",
    "DeliveryPolicy",
    "EventDelivery",
    "FakeSlack",
    "RateLimits",
    "User",
]

#: How long Slack waits for the app to answer a slash command, a button, a shortcut or a modal's
#: submission. Later, the person is shown "operation_timeout" and whatever the app answers is dropped.
ACK_DEADLINE = 3.0
#: What a delivery the app did not answer in time yields instead of the app's status and body.
TIMED_OUT = 0
OPERATION_TIMEOUT = {"ok": False, "error": "operation_timeout"}
#: A trigger_id opens one modal, within 3 seconds of the interaction that brought it.
TRIGGER_LIFETIME = 3.0
#: A response_url takes up to 5 messages within 30 minutes of the interaction that brought it.
RESPONSE_URL_LIFETIME = 30 * 60.0
RESPONSE_URL_USES = 5


@dataclass(frozen=True, slots=True)
class Call:
    """One Web API call as the fake received it; `params` has JSON arguments (blocks) parsed."""

    method: str
    params: dict
    token: str | None
    ok: bool
    error: str | None = None
    #: When the fake received it (`time.monotonic()`): latency benchmarks measure up to here.
    at: float = field(default_factory=time.monotonic)


@dataclass
class Delivery:
    """One slash command or interaction Slack sent the app, and when the app answered it."""

    #: The command ("/minors-lockdown") or the interaction's type ("block_actions", "view_submission").
    kind: str
    #: When it was sent (`time.monotonic()`).
    sent_at: float
    response_url: str | None = None
    trigger_id: str = ""
    #: Seconds from sending to the app's answer; None while it has not answered.
    answered_after: float | None = None
    #: The app's HTTP status, once it answered.
    status: int | None = None
    #: Slack stopped waiting: the person saw "operation_timeout", and a later answer was dropped.
    timed_out: bool = False


@dataclass
class _Hook:
    """A response_url or a trigger_id handed out with a delivery: when, and how often it was used."""

    issued: float
    uses: int = 0
    #: What was posted to a response_url, oldest first.
    messages: list[dict] = field(default_factory=list)


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None
    times: int


#: The user scope each kind of conversation's message events need (Slack's event reference).
HISTORY_SCOPES = {"private_channel": "groups:history", "im": "im:history", "mpim": "mpim:history"}


@dataclass
class FakeSlack(ChannelChanges, Huddles, NotPeople):
    """One workspace with one installed app. Setup methods (`add_*`) change state silently; the
    things people do (`user_says`, `user_joins`, ...) change it and deliver what Slack would."""

    signing_secret: str = "fake-signing-secret"
    team_id: str = "T0TEAM0001"
    bot_user_id: str = "U0SAFEBOT1"
    bot_token: str = "xoxb-fake-bot-token"
    app_id: str = "A0SAFE0001"
    #: The app-level token (`xapp-`), for `apps.connections.open`.
    app_token: str = field(default="xapp-1-A0SAFE0001-fake-app-token", repr=False)
    #: The app's Socket Mode switch: on, everything is delivered over its WebSocket (`sockets`),
    #: waiting for it to connect; off, POSTed to `events_url`.
    socket_mode: bool = False
    client_id: str = "1111.2222"
    client_secret: str = field(default="fake-client-secret", repr=False)
    #: The Enterprise Grid org the workspace belongs to (None: a workspace on its own), and whether
    #: the app is installed at org level rather than in the workspace.
    enterprise_id: str | None = None
    is_enterprise_install: bool = False
    events_url: str = ""
    calls: list[Call] = field(default_factory=list)
    responses: list[dict] = field(default_factory=list)
    #: Called (once) with a call Slack accepted, before the answer leaves: lets a test kill the app
    #: after Slack has done what it asked, the worst moment for a crash.
    after_accepting: dict[str, Callable[[Call], None]] = field(default_factory=dict)
    #: Which installation an event names in its one `authorizations` entry. Slack picks one of those
    #: that can see the event, arbitrarily, even where the bot is a member: None picks at random
    #: (reproducibly, from `authorization_seed`); "bot" or "user" prefers that kind when it can see
    #: the event; a user id names that person (who must be able to see it).
    authorization: str | None = None
    authorization_seed: int = 0
    #: The Events API deliveries the fake made, as sent (the latest 1,000: a soak stays bounded).
    envelopes: deque[dict] = field(default_factory=lambda: deque(maxlen=1000))
    #: The commands and interactions delivered to the app, with when each was answered (the latest 1,000).
    deliveries: deque[Delivery] = field(default_factory=lambda: deque(maxlen=1000))
    #: Seconds each Web API call (and each post to a response_url) takes, as on a slow day at Slack.
    latency: float = 0.0
    #: Seconds by method, where it differs from `latency` ("response_url" for posts to one).
    latencies: dict[str, float] = field(default_factory=dict)
    #: Seconds by method between Slack carrying a call out and answering it: a slow answer to a post
    #: Slack already made. The message is in the conversation's history meanwhile, and stays there if
    #: the app gives up waiting (a timeout): a retry that does not look first posts it twice.
    answer_latencies: dict[str, float] = field(default_factory=dict)
    ack_deadline: float = ACK_DEADLINE
    trigger_lifetime: float = TRIGGER_LIFETIME
    response_url_lifetime: float = RESPONSE_URL_LIFETIME
    #: How events are delivered over HTTP: Slack's retries, drops and limits, delays scaled for tests.
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    #: Each called with every Web API answer as it leaves (method name, JSON body, errors included):
    #: lets a test hold the answers to Slack's reference.
    answer_watchers: list[Callable[[str, dict], None]] = field(default_factory=list)
    #: What Slack made of each message and view the app sent (accepted ones), oldest first: whom
    #: it notified and the links it showed (`fakeslack/mrkdwn.py`). The latest 1,000.
    shown: deque[Shown] = field(default_factory=lambda: deque(maxlen=1000))
    #: Also deliver Slackbot's edits of a huddle's root as `message_changed` (Slack does not reliably).
    huddle_root_updates_as_events: bool = False
    #: Slack's per-workspace, per-method rate limits (`fakeslack.rate_limits`), for the install kind
    #: and on the time scale given; None (the default): no call is ever refused for its rate.
    rate_limits: RateLimits | None = None

    def __post_init__(self) -> None:
        self.workspace = Workspace(self.team_id, self.bot_user_id)
        self.workspace.installation = Installation(
            self.team_id, self.enterprise_id, org_level=self.is_enterprise_install
        )
        self.workspace.users[self.bot_user_id] = User(
            self.bot_user_id, name="Safe Contact", is_bot=True, team_id=self.team_id
        )
        self._tokens: dict[str, Caller] = {}
        if self.bot_token:
            self._tokens[self.bot_token] = Caller(self.bot_user_id, is_bot=True, team_id=self.team_id)
        #: Every workspace this Slack holds, by team id (`add_team` adds more; they share the server).
        self._workspaces: dict[str, Workspace] = {self.team_id: self.workspace}
        self._revoked: set[str] = set()
        self._failures: dict[str, list[_Failure]] = {}
        self._limiter = RateLimiter(self.rate_limits) if self.rate_limits is not None else None
        self._chaos_rate, self._chaos = 0.0, random.Random(0)
        self._choices = random.Random(self.authorization_seed)
        self._oauth_codes: dict[str, dict] = {}
        self._event_ids = itertools.count(1)
        self._triggers: dict[str, _Hook] = {}
        self._response_urls: dict[str, _Hook] = {}
        self._deliveries: set[asyncio.Task] = set()
        self._deliverer = Deliverer(self.delivery, self._send_signed, self._spawn)
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.base_url = ""
        self.sockets = SocketModeServer(self.app_id)

    # -- the server ----------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        application = web.Application()
        application.router.add_route("*", "/api/{method}", self._serve_method)
        application.router.add_post("/response/{n}", self._serve_response_url)
        application.router.add_post("/upload/{file_id}", self._serve_upload)
        application.router.add_get("/files/{file_id}/{name}", self._serve_file)
        application.router.add_get("/link/", self.sockets.serve)
        self._runner = web.AppRunner(application, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/api/"
        self.workspace.base_url = f"http://127.0.0.1:{port}/"
        self.sockets.base_url = f"ws://127.0.0.1:{port}/"
        self._client = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        self._deliverer.cancel_retries()
        await self.flush()
        await self.sockets.close()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _serve_method(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        arrived = time.monotonic()
        arguments: dict[str, object] = dict(request.query)  # a JSON body's values are any JSON
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                arguments.update(body if isinstance(body, dict) else {})
            else:
                arguments.update(dict(parse_qsl((await request.read()).decode(), keep_blank_values=True)))
        given = arguments.pop("token", None)
        token = _bearer(request.headers.get("Authorization", "")) or (given if isinstance(given, str) else None)
        params = {k: _parsed(k, v) for k, v in arguments.items()}
        await self._take_time(name)
        failure = self._take_failure(name)
        if failure is not None:
            self.calls.append(Call(name, params, token, ok=False, error=failure.error, at=arrived))
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return self._answer(name, {"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        retry_after = self._over_limit(name, token, params)
        if retry_after is not None:
            self.calls.append(Call(name, params, token, ok=False, error="ratelimited", at=arrived))
            headers = {"Retry-After": str(retry_after)}
            return self._answer(name, {"ok": False, "error": "ratelimited"}, status=429, headers=headers)
        try:
            if name == "oauth.v2.access":  # authenticated by the app's client id and secret, not a token
                answer = {"ok": True, **self._oauth_access(params, request.headers.get("Authorization", ""))}
            elif name == "apps.connections.open":  # the app-level token, not a workspace's
                answer = {"ok": True, **self._connections_open(token, request.method)}
            else:
                caller = self._caller(token)
                method = METHODS.get(name)
                if method is None:
                    raise SlackError("unknown_method")
                if name in ("views.open", "views.push"):
                    self._exchange_trigger(params, arrived)
                limited = self._as_limited(name, params)
                answer = {"ok": True, **method(self._workspaces[caller.team_id], caller, limited)}
        except SlackError as error:
            self.calls.append(Call(name, params, token, ok=False, error=error.code, at=arrived))
            return self._answer(name, {"ok": False, "error": error.code})
        self.calls.append(Call(name, params, token, ok=True, at=arrived))
        self._show(name, params)
        hook = self.after_accepting.pop(name, None)
        if hook is not None:
            hook(self.calls[-1])
        self._after(name, params, answer)
        if self.answer_latencies.get(name, 0.0) > 0:
            await asyncio.sleep(self.answer_latencies[name])
        return self._answer(name, answer)

    def _over_limit(self, name: str, token: str | None, params: dict) -> int | None:
        """The `Retry-After` of a call over its workspace's limit for the method (None: within it)."""
        if self._limiter is None:
            return None
        caller = self._tokens.get(token or "")
        if caller is None or token in self._revoked:
            return None  # refused for its token, not its rate
        return self._limiter.refused(caller.team_id, name, params)

    def _as_limited(self, name: str, params: dict) -> dict:
        """The arguments as Slack reads them under the install's limits: a distributed install's
        history pages cut to 15 messages (`Call.params` keeps what the app asked)."""
        page_limit = None if self._limiter is None else self._limiter.limits.page_limit(name, params.get("limit"))
        return params if page_limit is None else {**params, "limit": page_limit}

    def _answer(self, name: str, body: dict, *, status: int = 200, headers: dict | None = None) -> web.Response:
        response = web.json_response(body, status=status, headers=headers)
        for watcher in self.answer_watchers:
            watcher(name, json.loads(response.text or "{}"))
        return response

    async def _serve_response_url(self, request: web.Request) -> web.Response:
        """A message posted to a response_url: up to 5 of them, within 30 minutes of the delivery
        that brought the URL (later ones get a 404, and nobody sees them)."""
        arrived = time.monotonic()
        message = await request.json()
        await self._take_time("response_url")
        hook = self._response_urls.get(request.match_info["n"])
        if hook is None:
            return web.json_response({"ok": False, "error": "invalid_url"}, status=404)
        if arrived - hook.issued > self.response_url_lifetime:
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        if hook.uses >= RESPONSE_URL_USES:
            return web.json_response({"ok": False, "error": "used_url"}, status=404)
        hook.uses += 1
        hook.messages.append(message)
        self.responses.append(message)
        self._show("response_url", message if isinstance(message, dict) else {})
        return web.json_response({"ok": True})

    async def _take_time(self, method: str) -> None:
        delay = self.latencies.get(method, self.latency)
        if delay > 0:
            await asyncio.sleep(delay)

    def _exchange_trigger(self, params: dict, arrived: float) -> None:
        """A trigger_id opens one modal, and only within 3 seconds of being handed out (judged
        when the call reached Slack)."""
        hook = self._triggers.get(str(params.get("trigger_id") or ""))
        if hook is None:
            raise SlackError("invalid_trigger_id")
        if hook.uses:
            raise SlackError("exchanged_trigger_id")
        if arrived - hook.issued > self.trigger_lifetime:
            raise SlackError("expired_trigger_id")
        hook.uses += 1

    async def _serve_upload(self, request: web.Request) -> web.Response:
        """The upload URL `files.getUploadURLExternal` hands out: the file's bytes, POSTed."""
        file = self.workspace.files.get(request.match_info["file_id"])
        if file is None:
            return web.Response(status=404, text="file not found")
        file["content"] = await request.read()
        file["size"] = len(file["content"])
        return web.Response(text=f"OK - {file['size']}")

    async def _serve_file(self, request: web.Request) -> web.Response:
        """A file's `url_private`: its bytes to a valid token of the workspace, a 404 to anyone else."""
        try:
            self._caller(_bearer(request.headers.get("Authorization", "")))
        except SlackError:
            return web.Response(status=404, text="Not Found")
        file = self.workspace.files.get(request.match_info["file_id"])
        if file is None or file.get("content") is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=file["content"], content_type="application/octet-stream")

    def _connections_open(self, token: str | None, http_method: str) -> dict:
        """`apps.connections.open`: a WebSocket URL for an app-level token; the errors of the method
        reference, and `not_allowed_token_type` for a bot or user token."""
        if http_method != "POST":
            raise SlackError("insecure_request")
        if not token:
            raise SlackError("missing_args")
        if token in self._tokens:
            raise SlackError("not_allowed_token_type")
        if token != self.app_token or token in self._revoked:
            raise SlackError("invalid_auth")
        return {"url": self.sockets.new_url()}

    def _caller(self, token: str | None) -> Caller:
        if not token:
            raise SlackError("not_authed")
        if token in self._revoked:
            raise SlackError("token_revoked")
        caller = self._tokens.get(token)
        if caller is None:
            raise SlackError("invalid_auth")
        return caller

    def chaos(self, rate: float, *, seed: int = 0) -> None:
        """From now on, fail `rate` of all Web API calls at random: half with 429 (`Retry-After: 0`),
        half with a 5xx, as a bad day at Slack. `chaos(0)` ends it."""
        self._chaos_rate, self._chaos = rate, random.Random(seed)

    def _take_failure(self, name: str) -> _Failure | None:
        if self._chaos_rate and self._chaos.random() < self._chaos_rate:
            if self._chaos.random() < 0.5:
                return _Failure("ratelimited", 429, 0, 1)
            return _Failure("internal_error", self._chaos.choice((500, 502, 503)), None, 1)
        queue = self._failures.get(name)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _show(self, name: str, params: dict) -> None:
        """Record what Slack shows of an accepted call's text, parsed as Slack parses mrkdwn."""
        shown = read(name, params)
        if shown is not None:
            self.shown.append(shown)

    def notified(self, channel: str | None = None) -> list[Shown]:
        """What the app's messages and views in `channel` (all, without it) notified or linked."""
        return [s for s in self.shown if channel is None or s.channel == channel]

    def _after(self, name: str, params: dict, answer: dict) -> None:
        """What Slack announces after a call: an invitation is a member joining, a removal one leaving."""
        if name == "conversations.invite":
            channel = self.workspace.conversations[answer["channel"]["id"]]
            for user in str(params["users"]).split(","):
                self._later(self._member_event("member_joined_channel", user, channel))
        if name == "conversations.kick":
            channel = self.workspace.conversations[params["channel"]]
            self._later(self._member_event("member_left_channel", params["user"], channel))

    # -- setup (no events) ----------------------------------------------------------------------

    @property
    def users(self) -> dict[str, User]:
        return self.workspace.users

    @property
    def conversations(self) -> dict[str, Channel]:
        return self.workspace.conversations

    def messages(self, channel: str) -> list[dict]:
        return self.workspace.history.get(channel, [])

    def add_user(self, user_id: str, *, name: str = "", email: str = "", **attributes: object) -> User:
        user = User(user_id, name=name or user_id, email=email, team_id=self.team_id, **attributes)  # type: ignore[arg-type]
        self.workspace.users[user_id] = user
        return user

    def add_external_user(self, user_id: str, *, team_id: str, name: str = "", email: str = "") -> User:
        """A person of another organisation (Slack Connect): their own `team_id`, in no `users.list`
        of this workspace, readable with `users.info` once they share a conversation with the caller."""
        user = User(user_id, name=name or user_id, email=email, team_id=team_id)
        self.workspace.users[user_id] = user
        return user

    def add_shared_channel(
        self, channel_id: str, *, name: str, host_team: str, members: Iterable[str] = (), private: bool = False
    ) -> str:
        """A Slack Connect channel hosted by another organisation (`host_team`), with people of both.
        Its events carry the host's `team_id` at the top (as Slack's shared-channel payloads do) and
        this workspace's in `authorizations`; files shared in it arrive as their id only."""
        self.add_channel(channel_id, name=name, private=private, members=members)
        self.workspace.conversations[channel_id].host_team = host_team
        return channel_id

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        private: bool = False,
        members: Iterable[str] = (),
        is_archived: bool = False,
    ) -> str:
        channel = Channel(channel_id, name=name, is_private=private, members=list(members), is_archived=is_archived)
        self.workspace.conversations[channel_id] = channel
        self.workspace.history.setdefault(channel_id, [])
        return channel_id

    def add_dm(self, a: str, b: str) -> str:
        return self.workspace.dm(a, b).id

    def add_group_dm(self, members: list[str]) -> str:
        return self.workspace.group_dm(list(members)).id

    def set_presence(self, user_id: str, presence: str) -> None:
        self.workspace.user(user_id).presence = presence

    def connect_user(self, user_id: str, *, scopes: Iterable[str] | None = None) -> str:
        """The user authorised the app: a user token, and their DMs' events from now on (with
        `scopes`, only the events those scopes deliver)."""
        token = f"xoxp-fake-{user_id.lower()}"
        granted = None if scopes is None else frozenset(scopes)
        self._tokens[token] = Caller(user_id, is_bot=False, team_id=self.team_id, scopes=granted)
        self._revoked.discard(token)
        return token

    def add_usergroup(self, group_id: str, *, name: str, users: list[str]) -> None:
        """An identity-provider group of the Enterprise Grid org."""
        self.workspace.usergroups[group_id] = {"id": group_id, "name": name, "users": list(users)}

    def org_admin_token(self, user_id: str) -> str:
        """A token of an Enterprise Grid org admin who installed the app at org level (admin.* methods)."""
        token = f"xoxp-fake-org-admin-{user_id.lower()}"
        self._tokens[token] = Caller(user_id, is_bot=False, team_id=self.team_id, is_org_admin=True)
        return token

    def connected(self, *, scope: str | None = None) -> list[str]:
        """Members who connected their account (with `scope`: through a token granted it)."""
        return [
            c.user_id
            for t, c in self._tokens.items()
            if not c.is_bot
            and not c.is_org_admin
            and c.team_id == self.team_id
            and t not in self._revoked
            and (scope is None or c.scopes is None or scope in c.scopes)
        ]

    def add_team(self, team_id: str, *, bot_user_id: str = "U0SAFEBOT2") -> FakeSlack:
        """Another workspace on the same Slack (same server, same app): its own people, channels and,
        once it installs the app, its own bot token. Drive it through the returned object."""
        other = FakeSlack(
            signing_secret=self.signing_secret,
            team_id=team_id,
            bot_user_id=bot_user_id,
            bot_token="",
            app_id=self.app_id,
            client_id=self.client_id,
            client_secret=self.client_secret,
            enterprise_id=self.enterprise_id,
            is_enterprise_install=self.is_enterprise_install,
            events_url=self.events_url,
            app_token=self.app_token,
            socket_mode=self.socket_mode,
            calls=self.calls,
            responses=self.responses,
            envelopes=self.envelopes,
            deliveries=self.deliveries,
            ack_deadline=self.ack_deadline,
        )
        other._tokens, other._revoked, other._failures = self._tokens, self._revoked, self._failures
        other._limiter = self._limiter  # one Slack: each workspace's buckets are keyed by its team id
        other._triggers, other._response_urls = self._triggers, self._response_urls
        other._oauth_codes, other._workspaces, other._event_ids = self._oauth_codes, self._workspaces, self._event_ids
        other._deliveries, other._client, other.base_url = self._deliveries, self._client, self.base_url
        other.sockets = self.sockets
        other._deliverer = self._deliverer  # one app: one delivery record, one subscription
        other.workspace.base_url = self.workspace.base_url
        self._workspaces[team_id] = other.workspace
        return other

    def approve(self, authorize_url: str, user_id: str) -> tuple[str, str]:
        """`user_id` approves the app on Slack's authorize page at `authorize_url` (what the app's
        install link led to): the `code` and `state` Slack sends the browser back with."""
        query = parse_qs(urlsplit(authorize_url).query)
        if query.get("client_id", [""])[0] != self.client_id:
            raise ValueError("the authorize URL names another app")
        if self.workspace.user(user_id).is_bot:
            raise ValueError("a bot cannot approve an app")
        code = f"{next(self._event_ids)}.fake-code"
        self._oauth_codes[code] = {
            "team_id": self.team_id,
            "user_id": user_id,
            "scope": query.get("scope", [""])[0],
            "user_scope": query.get("user_scope", [""])[0],
        }
        return code, query.get("state", [""])[0]

    def _oauth_access(self, params: dict, authorization: str) -> dict:
        """`oauth.v2.access`: a code approved once, exchanged once, for the tokens it grants. The app
        names itself with HTTP Basic authentication (as slack_sdk does) or in the arguments."""
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if authorization.lower().startswith("basic "):
            try:
                client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
            except ValueError:
                raise SlackError("invalid_client_id") from None
        if client_id != self.client_id:
            raise SlackError("invalid_client_id")
        if client_secret != self.client_secret:
            raise SlackError("bad_client_secret")
        grant = self._oauth_codes.pop(str(params.get("code") or ""), None)
        if grant is None:
            raise SlackError("invalid_code")
        team = self._workspaces[grant["team_id"]]
        answer: dict = {
            "app_id": self.app_id,
            "team": None if team.installation.org_level else {"id": team.team_id, "name": f"Workspace {team.team_id}"},
            "enterprise": team.installation.enterprise(),
            "is_enterprise_install": team.installation.org_level,
            "authed_user": {"id": grant["user_id"]},
        }
        if grant["scope"]:
            token = f"xoxb-fake-{team.team_id.lower()}-{next(self._event_ids)}"
            self._tokens[token] = Caller(team.bot_user_id, is_bot=True, team_id=team.team_id)
            answer.update(access_token=token, token_type="bot", scope=grant["scope"], bot_user_id=team.bot_user_id)
        if grant["user_scope"]:
            token = f"xoxp-fake-{grant['user_id'].lower()}-{next(self._event_ids)}"
            scopes = frozenset(s for s in grant["user_scope"].split(",") if s)
            self._tokens[token] = Caller(grant["user_id"], is_bot=False, team_id=team.team_id, scopes=scopes)
            answer["authed_user"].update(access_token=token, token_type="user", scope=grant["user_scope"])
        return answer

    def fail_next(
        self,
        method: str,
        *,
        error: str = "internal_error",
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail as given (429 with `Retry-After`, a 5xx, or an
        `ok: false` error with status 200)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._failures.setdefault(method, []).append(_Failure(error, status, retry_after, times))

    def add_file(self, user_id: str, name: str, content: bytes) -> dict:
        """A file `user_id` uploaded (say, into a modal's file input): its object as Slack gives it."""
        file_id = self.workspace.new_id("F")
        url = f"{self.workspace.base_url}files/{file_id}/{name}"
        self.workspace.files[file_id] = {
            "id": file_id,
            "name": name,
            "title": name,
            "size": len(content),
            "user": user_id,
            "content": content,
            "shared": False,
        }
        return {"id": file_id, "name": name, "url_private": url, "url_private_download": url, "size": len(content)}

    def uploaded(self, channel: str) -> list[tuple[dict, bytes]]:
        """Files the app shared in `channel` (a user id means the app's DM with them), with their bytes."""
        channel = self.add_dm(self.bot_user_id, channel) if channel.startswith(("U", "W")) else channel
        return [
            (f, f["content"] or b"")
            for f in self.workspace.files.values()
            if f.get("channel") == channel and f["user"] == self.bot_user_id
        ]

    # -- what the app did -------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        self.calls.clear()

    def views(self, method: str = "views.open") -> list[dict]:
        """The views the app sent with `method` (views.open, views.publish, views.update), oldest first."""
        return [c.params["view"] for c in self.calls_to(method) if c.ok]

    def responses_to(self, delivery: Delivery) -> list[dict]:
        """What the app posted to the delivery's response_url (accepted posts only), oldest first."""
        hook = self._response_urls.get((delivery.response_url or "").rsplit("/", 1)[-1])
        return list(hook.messages) if hook is not None else []

    def home_of(self, user_id: str) -> dict | None:
        """The Home tab last published for `user_id`."""
        published = [
            c.params["view"] for c in self.calls_to("views.publish") if c.ok and c.params["user_id"] == user_id
        ]
        return published[-1] if published else None

    def posted(self, channel: str | None = None) -> list[dict]:
        """Messages the app posted, as stored (with their conversation and ts), oldest first."""
        found: list[dict] = []
        for channel_id, history in self.workspace.history.items():
            if channel is not None and channel_id != channel:
                continue
            found.extend({**m, "channel": channel_id} for m in history if m.get("user") == self.bot_user_id)
        return sorted(found, key=lambda m: m["ts"])

    # -- what people do ---------------------------------------------------------------------------

    async def user_says(
        self,
        user: str,
        channel: str,
        text: str,
        *,
        files: list[dict] | None = None,
        thread_ts: str | None = None,
        authorization: str | None = None,
    ) -> dict:
        conversation = self.workspace.conversation(channel)
        team = self._team_of(user)
        message: dict[str, object] = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": self.workspace.new_ts(),
            "team": team,
        }
        if conversation.is_ext_shared:  # Slack Connect: whose organisation the sender is from
            message.update(user_team=team, source_team=team)
        if files:
            message.update(subtype="file_share", files=files)
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.workspace.history[channel].append(message)
        event = {**message, "channel": channel, "event_ts": message["ts"], "channel_type": conversation.channel_type}
        if files and conversation.is_ext_shared:  # files in Slack Connect channels: read them with files.info
            event["files"] = [_id_only(f) for f in files]
        await self._deliver_in(conversation, event, sender=user, authorization=authorization)
        return message

    async def user_shares_file(
        self,
        user: str,
        channel: str,
        *,
        name: str,
        mimetype: str,
        filetype: str,
        text: str = "",
        authorization: str | None = None,
        subtype: str | None = None,
    ) -> dict:
        file_id = self.workspace.new_id("F")
        file = {"id": file_id, "name": name, "title": name, "mimetype": mimetype, "filetype": filetype}
        if subtype is not None:  # a clip recorded in Slack: "slack_audio", "slack_video"
            file["subtype"] = subtype
        self.workspace.files[file_id] = {**file, "size": 0, "user": user, "content": None, "shared": True}
        self.workspace.files[file_id]["channel"] = channel
        return await self.user_says(user, channel, text, files=[file], authorization=authorization)

    def _team_of(self, user_id: str) -> str:
        user = self.workspace.users.get(user_id)
        return user.team_id if user is not None and user.team_id else self.team_id

    async def user_edits(self, user: str, channel: str, ts: str, text: str) -> None:
        conversation = self.workspace.conversation(channel)
        message = next(m for m in self.workspace.history[channel] if m["ts"] == ts)
        previous = dict(message)
        message.update(text=text, edited={"user": user, "ts": self.workspace.new_ts()})
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": channel,
            "channel_type": conversation.channel_type,
            "message": dict(message),
            "previous_message": previous,
            "ts": message["edited"]["ts"],
            "event_ts": message["edited"]["ts"],
        }
        await self._deliver_in(conversation, event, sender=user)

    async def user_joins(self, user: str, channel: str) -> None:
        conversation = self.workspace.conversation(channel)
        if user not in conversation.members:
            conversation.members.append(user)
        await self._send(self._member_event("member_joined_channel", user, conversation))

    async def user_leaves(self, user: str, channel: str) -> None:
        conversation = self.workspace.conversation(channel)
        event = self._member_event("member_left_channel", user, conversation)  # the bot leaving still hears it
        if user in conversation.members:
            conversation.members.remove(user)
        await self._send(event)

    async def create_channel(
        self, channel_id: str, *, name: str, creator: str, private: bool = False, members: Iterable[str] = ()
    ) -> None:
        self.add_channel(channel_id, name=name, private=private, members=list(dict.fromkeys([creator, *members])))
        self.workspace.conversations[channel_id].creator = creator
        if not private:  # private channels are announced to their members only (the app is not one yet)
            info = {"id": channel_id, "name": name, "created": int(time.time()), "creator": creator}
            await self._send({"type": "channel_created", "channel": info})

    async def rename_channel(self, channel_id: str, name: str) -> None:
        conversation = self.workspace.conversation(channel_id)
        conversation.name = name
        kind = "group" if conversation.is_private else "channel"
        info = {"id": channel_id, "name": name, "created": conversation.created}
        await self._lifecycle(conversation, {"type": f"{kind}_rename", "channel": info})

    async def archive_channel(self, channel_id: str, *, by: str = "") -> None:
        conversation = self.workspace.conversation(channel_id)
        conversation.is_archived = True
        kind = "group" if conversation.is_private else "channel"
        await self._lifecycle(conversation, {"type": f"{kind}_archive", "channel": channel_id, "user": by})

    async def unarchive_channel(self, channel_id: str, *, by: str = "") -> None:
        conversation = self.workspace.conversation(channel_id)
        conversation.is_archived = False
        kind = "group" if conversation.is_private else "channel"
        await self._lifecycle(conversation, {"type": f"{kind}_unarchive", "channel": channel_id, "user": by})

    async def new_user(self, user_id: str, *, name: str = "", email: str = "", **attributes: object) -> None:
        user = self.add_user(user_id, name=name, email=email, **attributes)
        await self._send({"type": "team_join", "user": user.as_slack()})

    async def change_user(self, user_id: str, **changes: object) -> None:
        user = self.workspace.user(user_id)
        for key, value in changes.items():
            setattr(user, key, value)
        await self._send({"type": "user_change", "user": user.as_slack()})

    async def revoke_tokens(self, user_ids: list[str]) -> None:
        for token, caller in self._tokens.items():
            if caller.user_id in user_ids and not caller.is_bot:
                self._revoked.add(token)
        await self._send({"type": "tokens_revoked", "tokens": {"oauth": list(user_ids), "bot": []}})

    async def uninstall(self) -> None:
        await self._send({"type": "app_uninstalled"})
        self._revoked.update(t for t, c in self._tokens.items() if c.team_id == self.team_id)

    # -- deliveries -------------------------------------------------------------------------------

    def envelope(
        self,
        event: dict,
        *,
        authorizations: list[dict] | None = None,
        event_id: str | None = None,
        conversation: Channel | None = None,
    ) -> dict:
        """An Events API delivery of `event`. In a Slack Connect channel the top-level `team_id` is
        the host organisation's, not this workspace's: only `authorizations` names the installation."""
        if conversation is None and isinstance(event.get("channel"), str):
            conversation = self.workspace.conversations.get(event["channel"])
        shared = conversation is not None and conversation.is_ext_shared
        outer_team = conversation.host_team if conversation is not None and shared else self.team_id
        context = self.workspace.installation.envelope_context()
        if shared:  # the host organisation's team (and org, which the fake does not model)
            context["team_id"] = outer_team
            context.pop("enterprise_id", None)
        return {
            "token": "fake-verification-token",
            **context,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev0FAKE{next(self._event_ids):06d}",
            "event_time": int(time.time()),
            "authorizations": authorizations or [self._authorization(self.bot_user_id)],
            "is_ext_shared_channel": shared,
            "event_context": f"4-fake-{outer_team}-{event.get('channel') or ''}",
        }

    def _authorization(self, user_id: str) -> dict:
        return self.workspace.installation.authorization(user_id, is_bot=user_id == self.bot_user_id)

    def _observer(self, conversation: Channel, authorization: str | None = None) -> str | None:
        """Whose installation Slack names for a message in `conversation`: one of those that can see
        it, arbitrarily. The bot can where it is a member; a member who connected their account can
        in a private channel, DM or group DM (the app's user events: `message.groups`, `.im`,
        `.mpim`; public channels need `channels:history`, which the app does not ask people for).
        None: nobody the app installed as can see it."""
        bot = [self.bot_user_id] if self.bot_user_id in conversation.members else []
        # A user event comes only through a token granted the history scope of its kind of
        # conversation (`message.groups` needs `groups:history`): Slack's event reference.
        connected = set(self.connected(scope=HISTORY_SCOPES.get(conversation.kind)))
        users = [m for m in conversation.members if m in connected] if conversation.kind != "public_channel" else []
        wanted = self.authorization if authorization is None else authorization
        if wanted is not None and wanted not in ("bot", "user"):
            if wanted not in bot + users:
                raise ValueError(f"{wanted} cannot see {conversation.id}: Slack would not name them")
            return wanted
        preferred = {"bot": bot, "user": users}.get(wanted or "", [])
        candidates = preferred or bot + users
        return self._choices.choice(candidates) if candidates else None

    async def _deliver_in(
        self, conversation: Channel, event: dict, *, sender: str, authorization: str | None = None
    ) -> int | None:
        observer = self._observer(conversation, authorization)
        if observer is None:
            return None
        return await self.deliver_event(event, authorizations=[self._authorization(observer)])

    def _member_event(self, kind: str, user: str, conversation: Channel) -> dict | None:
        if self.bot_user_id not in conversation.members and user != self.bot_user_id:
            return None  # the app hears joins and leaves only in channels it is in
        return {
            "type": kind,
            "user": user,
            "channel": conversation.id,
            "channel_type": "G" if conversation.is_private else "C",
            "team": self.team_id,
            "event_ts": self.workspace.new_ts(),
        }

    async def _lifecycle(self, conversation: Channel, event: dict) -> None:
        if not conversation.is_private or self.bot_user_id in conversation.members:
            await self._send(event)

    async def _send(self, event: dict | None) -> int | None:
        return None if event is None else await self.deliver_event(event)

    def _later(self, event: dict | None) -> None:
        """Deliver after the current Web API answer, as Slack does (the app must not wait on itself)."""
        if event is None:
            return
        self._spawn(self.deliver_event(event))

    def _spawn(self, delivery: Coroutine[Any, Any, object]) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(delivery)
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)
        return task

    async def flush(self) -> bool:
        """Wait for deliveries Slack owes the app, retries included; True when there were any."""
        pending = list(self._deliveries)
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        return bool(pending)

    async def deliver_event(
        self,
        event: dict,
        *,
        authorizations: list[dict] | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> int:
        """One Events API delivery. In Socket Mode sent as an envelope (200 once acknowledged,
        redeliveries included; 408 if Slack gave up). Over HTTP POSTed to `events_url` with Slack's
        policy: the app's status on the first attempt (0: no answer, or not sent); retries follow on
        their own, and `event_deliveries` records them. With `retry_num`, the test makes a redelivery
        by hand: sent once, as given."""
        envelope = self.envelope(event, authorizations=authorizations, event_id=event_id)
        self.envelopes.append(envelope)
        if self.socket_mode:
            ack = await self.sockets.deliver(EVENTS_API, envelope, retry_attempt=retry_num, retry_reason=retry_reason)
            return 200 if ack is not None else 408
        body = json.dumps(envelope).encode()
        if retry_num is not None:
            headers = self.signed_headers(body, content_type="application/json")
            headers.update(
                {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_timeout"}
            )
            status, _ = await self.send_raw(body, headers)
            return status
        return await self._deliverer.deliver(
            body,
            kind=str(event.get("type") or ""),
            team_id=self.team_id,
            event_id=envelope["event_id"],
            rate_limited=self._send_rate_limited,
        )

    async def deliver_body(self, body: bytes, *, kind: str = "raw") -> int:
        """Deliver exactly `body` (JSON, signed) as an Events API delivery over HTTP, with Slack's
        policy: for bodies Slack would not send, to see what the app's answer makes Slack do."""
        return await self._deliverer.deliver(body, kind=kind, team_id=self.team_id, event_id=None)

    async def _send_rate_limited(self, minute: int) -> None:
        """Slack's notice that this workspace's events are rate-limited from `minute` (epoch seconds)."""
        payload = {
            "token": "fake-verification-token",
            "type": "app_rate_limited",
            "team_id": self.team_id,
            "minute_rate_limited": minute,
            "api_app_id": self.app_id,
        }
        await self._deliverer.deliver(
            json.dumps(payload).encode(), kind="app_rate_limited", team_id=self.team_id, event_id=None
        )

    @property
    def event_deliveries(self) -> deque[EventDelivery]:
        """The events delivered over HTTP with Slack's policy (the latest 1,000), oldest first, with
        their attempts and what became of each."""
        return self._deliverer.deliveries

    @property
    def subscriptions_disabled(self) -> bool:
        """Whether Slack disabled the app's event subscriptions (under 5% success over an hour)."""
        return self._deliverer.subscriptions_disabled

    def enable_subscriptions(self) -> None:
        """An administrator turned the app's event subscriptions back on."""
        self._deliverer.enable_subscriptions()

    def fill_hourly_allowance(self) -> None:
        """As if this workspace had been sent its hour's 30,000 events: the next one is rate-limited."""
        self._deliverer.fill_hourly_allowance(self.team_id)

    async def slash_command(self, command: str, *, text: str = "", user_id: str, channel_id: str) -> tuple[int, object]:
        conversation = self.workspace.conversations.get(channel_id)
        form = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "team_domain": "fake",
            "channel_id": channel_id,
            "channel_name": conversation.name if conversation else "",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            **self.workspace.installation.command_context(),
            "response_url": self._response_url(),
            "trigger_id": self._trigger_id(),
        }
        return await self._post_form(form, kind=command, response_url=form["response_url"], trigger=form["trigger_id"])

    async def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str,
        *,
        channel_id: str = "",
        message_ts: str = "",
        in_home: bool = False,
    ) -> tuple[int, object]:
        """A button pressed on one of the app's messages, or (`in_home`) on its Home tab, which has
        no channel, message or response URL."""
        payload: dict = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "api_app_id": self.app_id,
            "token": "fake-verification-token",
            "team": {"id": self.team_id, "domain": "fake"},
            **self.workspace.installation.interaction_context(),
            "trigger_id": self._trigger_id(),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
        if in_home:
            home = self.home_of(user_id) or {"type": "home", "blocks": []}
            payload["container"] = {"type": "view", "view_id": "V0FAKEHOME"}
            payload["view"] = {**home, "id": "V0FAKEHOME", "team_id": self.team_id, "state": {"values": {}}}
        else:
            payload["channel"] = {"id": channel_id}
            payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel_id}
            payload["message"] = {"type": "message", "ts": message_ts, "user": self.bot_user_id}
            payload["response_url"] = self._response_url()
        return await self._post_interaction(payload)

    async def message_shortcut(self, user_id: str, callback_id: str, *, channel_id: str, message_ts: str):
        """Someone chose the app's shortcut from a message's menu."""
        message = next((m for m in self.messages(channel_id) if m["ts"] == message_ts), {"ts": message_ts})
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "trigger_id": self._trigger_id(),
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "team": {"id": self.team_id, "domain": "fake"},
            **self.workspace.installation.interaction_context(),
            "channel": {"id": channel_id, "name": self.workspace.conversations[channel_id].name},
            "message": {k: v for k, v in message.items() if k in ("type", "user", "ts", "text", "thread_ts")},
            "message_ts": message_ts,
            "response_url": self._response_url(),
            "action_ts": str(time.time()),
            "token": "fake-verification-token",
        }
        return await self._post_interaction(payload)

    async def submit_view(self, user_id: str, view: dict, values: dict) -> tuple[int, object]:
        """Someone pressed a modal's submit button with `values` ({block_id: {action_id: value}})."""
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "fake"},
            **self.workspace.installation.interaction_context(),
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "api_app_id": self.app_id,
            "token": "fake-verification-token",
            "trigger_id": self._trigger_id(),
            "view": {
                **view,
                "id": self.workspace.new_id("V"),
                "team_id": self.team_id,
                "state": {"values": values},
                "hash": "1.fake",
            },
            "response_urls": [],
        }
        return await self._post_interaction(payload)

    async def open_home(self, user_id: str) -> int:
        """Someone opened the app's Home tab."""
        event = {"type": "app_home_opened", "user": user_id, "channel": "D0FAKEHOME", "tab": "home"}
        return await self.deliver_event({**event, "event_ts": self.workspace.new_ts()})

    def _response_url(self) -> str:
        n = str(next(self._event_ids))
        self._response_urls[n] = _Hook(time.monotonic())
        return self.base_url.replace("/api/", f"/response/{n}")

    def _trigger_id(self) -> str:
        trigger = f"{next(self._event_ids)}.fake.trigger"
        self._triggers[trigger] = _Hook(time.monotonic())
        return trigger

    async def _post_interaction(self, payload: dict) -> tuple[int, object]:
        form = {"payload": json.dumps(payload)}
        kind, url, trigger = payload["type"], payload.get("response_url"), payload.get("trigger_id", "")
        return await self._post_form(form, kind=kind, response_url=url, trigger=trigger)

    async def _post_form(self, form: dict, *, kind: str, response_url: str | None, trigger: str) -> tuple[int, object]:
        """A slash command (its fields) or an interaction (`payload`, JSON), and the app's answer,
        waited for as Slack does: up to `ack_deadline` seconds. POSTed form-encoded: past the deadline
        the person sees "operation_timeout" (`TIMED_OUT` and `OPERATION_TIMEOUT` are returned), and
        the app's late answer is recorded, then dropped. In Socket Mode sent as an envelope whose
        ack's payload is the answer (408 if never acked within the socket's `ack_timeout`)."""
        delivery = Delivery(kind, time.monotonic(), response_url, trigger)
        self.deliveries.append(delivery)
        if self.socket_mode:
            if "payload" in form:
                ack = await self.sockets.deliver(INTERACTIVE, json.loads(form["payload"]))
            else:
                ack = await self.sockets.deliver(SLASH_COMMANDS, dict(form))
            if ack is None:
                delivery.timed_out = True
                return 408, None
            delivery.answered_after, delivery.status = time.monotonic() - delivery.sent_at, 200
            if isinstance(ack.payload, dict):
                self._show("answer", ack.payload)
            return 200, ack.payload if ack.payload is not None else ""
        body = urlencode(form).encode()
        headers = self.signed_headers(body, content_type="application/x-www-form-urlencoded")

        async def answered() -> tuple[int, object]:
            status, answer = await self.send_raw(body, headers)
            delivery.answered_after, delivery.status = time.monotonic() - delivery.sent_at, status
            if status == 200 and isinstance(answer, dict):
                self._show("answer", answer)
            return status, answer

        task = asyncio.get_running_loop().create_task(answered())
        done, _ = await asyncio.wait({task}, timeout=self.ack_deadline)
        if task in done:
            return task.result()
        delivery.timed_out = True
        self._deliveries.add(task)  # `flush` waits for the app to finish all the same
        task.add_done_callback(self._deliveries.discard)
        return TIMED_OUT, dict(OPERATION_TIMEOUT)

    def signed_headers(
        self, body: bytes, *, content_type: str = "application/json", timestamp: int | None = None
    ) -> dict:
        timestamp = int(time.time()) if timestamp is None else timestamp
        # Slack signs the bytes it sends (which need not be valid text, in a test of bad input).
        base = f"v0:{timestamp}:".encode() + body
        signature = "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
        }

    async def send_raw(self, body: bytes, headers: dict) -> tuple[int, object]:
        """POST exactly `body` with `headers` to the app; its status and body (JSON when it is)."""
        status, _, answer = await self._post(body, headers)
        return status, answer

    async def _send_signed(self, body: bytes, extra: Mapping[str, str]) -> tuple[int, Mapping[str, str]]:
        """One attempt of a delivery: signed now (a retry is signed afresh), with `extra` headers."""
        status, headers, _ = await self._post(body, {**self.signed_headers(body), **extra})
        return status, headers

    async def _post(self, body: bytes, headers: dict) -> tuple[int, Mapping[str, str], object]:
        if not self.events_url:
            raise RuntimeError("set FakeSlack.events_url to the app's /slack/events address first")
        assert self._client is not None, "start() the fake first"
        async with self._client.post(self.events_url, data=body, headers=headers) as response:
            text = await response.text()
            try:
                answer = json.loads(text) if text else text
            except ValueError:
                answer = text
            return response.status, response.headers, answer


def _id_only(file: dict) -> dict:
    """A file as Slack Connect channels' events carry it: its id, and a note to ask `files.info`."""
    return {
        "id": file["id"],
        "mode": "file_access",
        "file_access": "check_file_info",
        "created": 0,
        "timestamp": 0,
        "user": "",
    }


def _bearer(header: str) -> str | None:
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _parsed(key: str, value: object) -> object:
    """Block Kit and view arguments arrive as JSON text in form bodies; record them as objects."""
    if key in ("blocks", "attachments", "view", "metadata") and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
