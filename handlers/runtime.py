"""What the worker, the sweeps and the listeners share: the database, the Web API, the clock, and the
directory cache that lets a known conversation's events be judged without any Web API call."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

import storage
from bot.detectors.access_info import access_markers
from bot.model import DEFAULT_CALL_GRACE, Account, Conversation, Directory, Program
from handlers.slack.api import SlackApi

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def lease_holder() -> str:
    """This app's name on the leases it holds: its host and process, and a part of its own, so that
    two apps in one process (as in the tests) are two holders."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Timing:
    """How often the background work runs, in seconds (tests and the demo shorten them)."""

    sweep_every: float = 300.0
    tick_every: float = 30.0
    presence_every: float = 180.0
    poll_every: float = 1.0
    programs_ttl: float = 30.0
    #: How long the worker lets a burst of events gather between partial batches.
    gather: float = 0.01
    #: Items handed to the worker and held longer than this have their claim checked and renewed
    #: before they are dealt with (well within the 5-minute lease after which claims are taken back).
    recheck_handed: float = 60.0
    #: How long an inbox claim lasts without renewal (`storage.STALE_CLAIM`): the worker renews the
    #: claims of the items in hand every third of it, so a slow Slack never lets a live worker's
    #: items pass to another as a dead worker's.
    claim_lease: float = 300.0
    #: How long a lease on periodic work (a workspace's sweep, its scheduled checks, the retention
    #: run; see `handlers.scheduled.leased`) lasts without renewal: its holder renews it every third
    #: of it, and a process that dies holding one leaves its work to another after at most this long.
    lease: float = 60.0
    purge_every: float = 24 * 3600.0
    #: How often the Socket Mode connection is pinged and checked: a dropped socket is replaced
    #: within about this long.
    socket_ping_every: float = 10.0
    #: While deliveries are refused (the database is down): how often the database is tried again,
    #: and how often the log says how many deliveries were refused so far.
    probe_every: float = 5.0
    outage_summary_every: float = 60.0


class Wake(asyncio.Event):
    """`Runtime.wake`: waited for on the loop the worker runs on, and set from any thread (the inbox
    writer's, the HTTP loop's, the backstage's; see `handlers.backstage`). An `asyncio.Event` may be
    set only from its own loop's thread: from another, the setting is passed to that loop."""

    def __init__(self) -> None:
        super().__init__()
        self._waited_on: asyncio.AbstractEventLoop | None = None

    def set(self) -> None:
        loop = self._waited_on
        if loop is None or not loop.is_running() or _running_loop() is loop:
            super().set()
        else:
            loop.call_soon_threadsafe(super().set)

    async def wait(self) -> Literal[True]:
        self._waited_on = asyncio.get_running_loop()
        return await super().wait()

    def set_after(self, delay: float) -> None:
        """Set it `delay` seconds from now (something stored comes due then: a call's grace ends),
        so that the worker asks the database at that moment rather than at its next poll."""
        loop = self._waited_on or _running_loop()
        if loop is None or not loop.is_running():
            return  # nobody waits yet: the worker asks the database when it starts
        loop.call_soon_threadsafe(loop.call_later, max(0.0, delay), self.set)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class WorkspaceCache:
    """Programs and the workspace's accounts, kept in memory: the directory every event is judged
    with. Programs are reloaded after `programs_ttl` seconds (an import in another process);
    accounts are replaced by each sweep and patched by `team_join` and `user_change`."""

    def __init__(self, engine: storage.Engine, *, programs_ttl: float = 30.0, conversations_limit: int = 20_000):
        self._engine = engine
        self._ttl = programs_ttl
        self._conversations_ttl = programs_ttl
        #: Bounded: a workspace with more conversations than this reads the rest from the database.
        self._conversations_limit = conversations_limit
        self._conversations: dict[str, tuple[Conversation, float]] = {}
        self._programs: list[Program] | None = None
        self._loaded_at = 0.0
        self._accounts: dict[str, dict[str, Account]] = {}
        self._complete: set[str] = set()
        self._directories: dict[tuple[str, str], Directory] = {}
        #: By workspace, the access markers of its programs' live and upcoming sessions, by program
        #: id: made once per load of the programs, so a message anywhere costs a few substring checks.
        self._access: dict[str, dict[str, tuple[str, ...]]] = {}
        #: Accounts `users.info` could not read, by workspace: not asked again until the next sweep.
        self._unreadable: dict[str, set[str]] = {}
        #: The workspace of `SLACK_BOT_TOKEN` (set at start): the one a program without `team_id`
        #: belongs to. Empty (OAuth alone): such a program belongs to no workspace.
        self.home_team = ""

    def invalidate(self) -> None:
        self._programs = None
        self._directories.clear()
        self._access.clear()

    def conversation(self, conversation_id: str) -> Conversation | None:
        """The stored conversation, from memory when this process saw it within `conversations_ttl`
        seconds: a message in a known conversation is judged without a database read. Another
        process's change (on a shared database) is seen once the entry expires."""
        cached = self._conversations.get(conversation_id)
        if cached is not None and time.monotonic() - cached[1] < self._conversations_ttl:
            return cached[0]
        with storage.session_scope(self._engine) as session:
            stored = storage.get_conversation(conversation_id, session=session)
        if stored is not None:
            self.put_conversation(stored)
        return stored

    def forget_conversation(self, conversation_id: str) -> None:
        """A conversation this process knew by an id that is gone (Slack gave it a new one)."""
        self._conversations.pop(conversation_id, None)

    def put_conversation(self, conversation: Conversation) -> None:
        """Remember a conversation this process just stored."""
        if len(self._conversations) >= self._conversations_limit:
            self._conversations.pop(next(iter(self._conversations)))  # the oldest entry
        self._conversations[conversation.id] = (conversation, time.monotonic())

    def programs(self, team_id: str) -> list[Program]:
        """The programs of workspace `team_id`: those naming it, and in the bot token's own workspace
        those naming none (a program defined by its channels lives in the one workspace the app was
        given). Never another workspace's: its accounts must not match this program's roster."""
        if self._programs is None or self._programs_expired():
            with storage.session_scope(self._engine) as session:
                self._programs = storage.list_programs(session=session)
            self._loaded_at = time.monotonic()
            self._directories.clear()
            self._access.clear()
        return [p for p in self._programs if belongs_to(p, team_id, home_team=self.home_team)]

    def access_markers(self, team_id: str, now: datetime) -> dict[str, tuple[str, ...]]:
        """`bot.detectors.access_info.access_markers` of the workspace's programs, made at their
        load: a session that ends meanwhile keeps its markers until the next load (the rule itself
        checks that a session has not ended)."""
        markers = self._access.get(team_id)
        if markers is None or self._programs_expired():
            programs = self.programs(team_id)  # a reload forgets every workspace's markers
            markers = self._access[team_id] = access_markers(programs, now)
        return markers

    def _programs_expired(self) -> bool:
        return self._programs is None or time.monotonic() - self._loaded_at > self._ttl

    def accounts(self, team_id: str) -> dict[str, Account]:
        if team_id not in self._accounts:
            with storage.session_scope(self._engine) as session:
                self._accounts[team_id] = {a.id: a for a in storage.list_accounts(team_id, session=session)}
        return self._accounts[team_id]

    def replace_accounts(self, team_id: str, accounts: list[Account]) -> None:
        """A sweep listed the whole workspace: from now on a roster person without an account has none.
        External members, whom `users.list` never lists, are kept: each was read once with `users.info`."""
        known = self._accounts.get(team_id, {})
        listed = {a.id: a for a in accounts}
        kept = {i: a for i, a in known.items() if a.is_external and i not in listed}
        self._accounts[team_id] = {**listed, **kept}
        self._complete.add(team_id)
        self._unreadable.pop(team_id, None)
        self._forget_directories(team_id)

    def read_listing(self, team_id: str) -> None:
        """Another process swept the workspace: its accounts as that sweep stored them."""
        with storage.session_scope(self._engine) as session:
            accounts = storage.list_accounts(team_id, session=session)
        self.replace_accounts(team_id, accounts)

    def is_listed(self, team_id: str) -> bool:
        """Whether a sweep listed the workspace's accounts: an account missing then is not one of its own."""
        return team_id in self._complete

    def unknown(self, team_id: str, user_ids: Iterable[str]) -> list[str]:
        """Which of `user_ids` the workspace's directory has no account for (nor failed to read)."""
        accounts, unreadable = self.accounts(team_id), self._unreadable.get(team_id, set())
        return sorted(u for u in set(user_ids) if u not in accounts and u not in unreadable)

    def unreadable(self, team_id: str, user_id: str) -> None:
        self._unreadable.setdefault(team_id, set()).add(user_id)

    def put_account(self, team_id: str, account: Account) -> None:
        self.accounts(team_id)[account.id] = account
        self._forget_directories(team_id)

    def _forget_directories(self, team_id: str) -> None:
        for key in [k for k in self._directories if k[0] == team_id]:
            del self._directories[key]

    def workspace(self, team_id: str) -> Iterator[tuple[Program, Directory]]:
        """Each program watching the workspace, with its directory."""
        for program in self.programs(team_id):
            key = (team_id, program.id)
            directory = self._directories.get(key)
            if directory is None:
                accounts = self.accounts(team_id).values()
                directory = Directory(program, accounts, complete=team_id in self._complete)
                self._directories[key] = directory
            yield program, directory


def belongs_to(program: Program, team_id: str, *, home_team: str) -> bool:
    """Whether `program` is workspace `team_id`'s: it names it, or it names none and `team_id` is
    the bot token's workspace."""
    if program.team_id:
        return program.team_id == team_id
    return bool(team_id) and team_id == home_team


class FollowUps:
    """What is left to do once Slack has the app's answer to a command, a button or a form: the Web
    API calls, and the answer they make (posted to the response_url, or shown with views.update).
    Slack waits 3 seconds for an answer, and one call can take longer. Each follow-up is a task kept
    here, so that none is garbage-collected half-way, `finish` lets them end before the app stops,
    and the tests can wait for them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[object, object, None], *, name: str) -> None:
        task = asyncio.get_running_loop().create_task(self._logged(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _logged(work: Coroutine[object, object, None], name: str) -> None:
        try:
            await work
        except Exception:  # each follow-up tells its asker itself; this is the last resort
            log.exception("a follow-up (%s) failed", name)

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for the follow-ups under way, and for those they start; True when there were any.
        With `timeout`, stop waiting after that many seconds."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        waited = False
        while self._tasks:
            waited = True
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                break
            await asyncio.wait(set(self._tasks), timeout=left)
        return waited

    async def finish(self, timeout: float) -> None:
        """Let the follow-ups under way end (for at most `timeout` seconds), then cancel the rest."""
        await self.wait(timeout)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


@dataclass
class Runtime:
    """The app's moving parts, built once by `create_app`. `api`, `bot_user_id`, `bot_id` and `team_id`
    are one workspace's: `for_team` gives the runtime bound to another workspace the app is installed
    in (sharing everything else), so that each workspace is served with its own bot token."""

    engine: storage.Engine
    api: SlackApi
    cache: WorkspaceCache
    seal: storage.TokenSeal
    timing: Timing = field(default_factory=Timing)
    clock: Callable[[], datetime] = utc_now
    bot_user_id: str = ""
    bot_id: str = ""
    team_id: str = ""
    #: Whether people can connect their accounts (OAuth configured): without it nobody is reminded to.
    connect_enabled: bool = False
    #: Where a person connects their account (`/slack/install?connect=1`), when the public address is known.
    connect_base_url: str = ""
    #: Runtimes bound to each workspace, shared by all of them (see `for_team`).
    bound: dict[str, Runtime] = field(default_factory=dict, repr=False)
    #: Workspaces whose listing this process holds since it started: it swept them, or read what
    #: another process's sweep stored (a newly installed one is swept at once).
    swept: set[str] = field(default_factory=set)
    #: When the sweep whose listing this process holds finished, by workspace: a later one (another
    #: process's) is read from the database.
    listings: dict[str, datetime] = field(default_factory=dict)
    #: Who this process is when it holds a lease on periodic work (see `handlers.scheduled.leased`).
    holder: str = field(default_factory=lambda: lease_holder())
    #: When each live session's presence was last counted (monotonic seconds), by (program, window).
    presence_checked: dict[tuple[str, str], float] = field(default_factory=dict)
    #: Set when the listener stores an event, so the worker starts at once instead of at its next poll.
    wake: Wake = field(default_factory=Wake)
    #: Events this process judged without every fact a rule needed, by reason ("members": only the
    #: members the event proves; "files": a file `files.info` could not describe; "huddle": a huddle
    #: event or root that could not be read). In `/healthz`.
    undecided: Counter[str] = field(default_factory=Counter)
    #: Each swept workspace's size (accounts, conversations), for the interval its sweeps need.
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: How long a call's people must be together before the call rules judge it.
    call_grace: timedelta = DEFAULT_CALL_GRACE
    #: The work commands, buttons and forms leave for after their answer (shared by every workspace).
    followups: FollowUps = field(default_factory=FollowUps, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def session(self) -> AbstractContextManager[storage.Session]:
        return storage.session_scope(self.engine)

    def connection(self) -> AbstractContextManager[storage.Connection]:
        """A Core transaction, for the inbox's hot statements (no ORM session needed)."""
        return storage.connection_scope(self.engine)

    def for_team(self, team_id: str) -> Runtime:
        """This runtime bound to workspace `team_id`'s bot: the token given at start for its own
        workspace, else the one stored when the workspace installed the app. A workspace with neither
        gets this runtime as it is (its calls fail as Slack's `not_authed`, and are reported)."""
        if not team_id or team_id == self.team_id:
            return self
        bound = self.bound.get(team_id)
        if bound is not None:
            return bound
        with storage.session_scope(self.engine) as session:
            installed = storage.installation(team_id, seal=self.seal, session=session)
        if installed is None:
            return self
        bound = replace(
            self,
            api=self.api.for_team(installed.bot_token, team_id),
            bot_user_id=installed.bot_user_id,
            bot_id=installed.bot_id,
            team_id=team_id,
        )
        self.bound[team_id] = bound
        return bound

    def forget_team(self, team_id: str) -> None:
        """A workspace uninstalled the app or reinstalled it: its bound runtime is out of date."""
        self.bound.pop(team_id, None)

    def teams(self) -> list[str]:
        """Every workspace the app serves: its own token's, and each that installed it."""
        with storage.session_scope(self.engine) as session:
            installed = storage.installed_teams(session=session)
        return list(dict.fromkeys([t for t in (self.team_id, *installed) if t]))

    def connect_url(self, team_id: str) -> str | None:
        """The link that connects a person's account in `team_id`, or None when it cannot be offered."""
        if not self.connect_enabled or not self.connect_base_url:
            return None
        return f"{self.connect_base_url.rstrip('/')}/slack/install?connect=1&team={team_id}"

    def user_api(self, team_id: str, user_id: str) -> SlackApi | None:
        """The Web API through a connected account's token, or None when it never connected (or its
        stored token cannot be opened with this deployment's key, which is logged)."""
        try:
            with storage.session_scope(self.engine) as session:
                token = storage.user_token(team_id, user_id, seal=self.seal, session=session)
        except storage.TokenSealError as error:
            log.warning("the stored token of %s in %s cannot be read: %s", user_id, team_id, error)
            return None
        return self.api.as_user(token) if token else None
