"""The app's budget of Web API calls: Slack's rate limits, kept by the app before Slack has to refuse.

Slack limits each app per workspace and per method (docs.slack.dev/apis/web-api/rate-limits): each
method has a tier (Tier 1: 1+ calls a minute, Tier 2: 20+, Tier 3: 50+, Tier 4: 100+, with bursts),
and `chat.postMessage` allows one message a second per channel, with short bursts. Over the limit,
Slack answers 429 with `Retry-After`. An app distributed commercially outside the Slack Marketplace
(`SAFE_CONTACT_DISTRIBUTED=1`) may, since 2025, read `conversations.history` and
`conversations.replies` once a minute, 15 messages a page; an institution's own internal app keeps
Tier 3 for both.

`Budget` holds a token bucket per (workspace, method), per (workspace, channel) for posts: a minute's
calls at most, filled at the tier's rate. Every call takes a token first, waiting if there is none.
Two priorities share each bucket: a sweep's calls are background work (`in_background`), everything
else (commands, alerts, invitations, direct messages) is interactive, served first, and may use the
last tenth of the bucket that background work leaves alone; so an alert never waits behind a sweep's
queued calls to the same method. A 429 empties the bucket and pauses it for `Retry-After` seconds,
for every caller. The budget is per process: each process keeps its own.

`time_scale` runs Slack's clock faster in tests (0: no waiting at all)."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum

#: Calls a minute each tier allows (Slack's published floor).
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}

#: The tier of each method the app calls (Slack's method reference). Methods of the special tier
#: (`auth.test`, `chat.getPermalink`, `oauth.v2.access`) allow thousands an hour: not budgeted.
METHOD_TIERS: dict[str, int] = {
    "admin.barriers.create": 2,
    "admin.barriers.list": 2,
    "admin.barriers.update": 2,
    "chat.update": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.invite": 3,
    "conversations.kick": 3,
    "conversations.list": 2,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.replies": 3,
    "files.info": 4,
    "usergroups.users.list": 2,
    "users.getPresence": 3,
    "users.info": 4,
    "users.list": 2,
    "views.open": 4,
    "views.publish": 4,
    "views.update": 4,
}

#: `chat.postMessage`: one message a second in each channel; Slack allows short bursts (of this many).
POST_METHOD = "chat.postMessage"
POST_PER_SECOND = 1.0
POST_BURST = 5

#: A distributed install's history methods: once a minute, 15 messages a page.
DISTRIBUTED_HISTORY_METHODS = frozenset({"conversations.history", "conversations.replies"})
DISTRIBUTED_PAGE_SIZE = 15

#: The share of each bucket background work leaves for interactive calls.
INTERACTIVE_RESERVE = 0.1

#: Bucket levels this close to a whole token count as one (refills add up in small steps).
_ROUNDING = 1e-9


class Priority(IntEnum):
    """Who is waiting for a token; the lower goes first."""

    INTERACTIVE = 0
    BACKGROUND = 1


_priority: ContextVar[Priority] = ContextVar("slack_call_priority", default=Priority.INTERACTIVE)


@contextlib.contextmanager
def in_background() -> Iterator[None]:
    """The calls made within (and in the tasks started within) are background work: a sweep's."""
    token = _priority.set(Priority.BACKGROUND)
    try:
        yield
    finally:
        _priority.reset(token)


def current_priority() -> Priority:
    return _priority.get()


@dataclass(frozen=True, slots=True)
class Limit:
    """A bucket: the calls it holds at most, how many Slack seconds add one, and the tokens
    background work leaves for interactive calls."""

    burst: int
    per_second: float

    @property
    def reserve(self) -> int:
        return min(self.burst - 1, math.floor(self.burst * INTERACTIVE_RESERVE))


def limit_of(method: str, *, distributed: bool) -> Limit | None:
    """Slack's limit of `method` for this kind of install (None: not budgeted)."""
    if method == POST_METHOD:
        return Limit(burst=POST_BURST, per_second=POST_PER_SECOND)
    if distributed and method in DISTRIBUTED_HISTORY_METHODS:
        return Limit(burst=1, per_second=1 / 60)
    tier = METHOD_TIERS.get(method)
    if tier is None:
        return None
    return Limit(burst=TIER_PER_MINUTE[tier], per_second=TIER_PER_MINUTE[tier] / 60)


def seconds_for(calls: int, limit: Limit, *, background: bool = True) -> float:
    """The least Slack seconds `calls` calls of one bucket take, starting from a full bucket:
    those beyond the burst (less the interactive reserve, for background work) wait for the refill."""
    usable = limit.burst - (limit.reserve if background else 0)
    return max(0, calls - usable) / limit.per_second


#: Conversations, accounts and members a page of the listing methods holds (`api.PAGE_SIZE`).
LISTING_PAGE = 200


def full_sweep_seconds(members: int, channels: int, *, distributed: bool = False, connected: int = 0) -> float:
    """How long, in Slack seconds, a full sweep of a workspace of `members` accounts and `channels`
    channels takes at least under the budget: `users.list` and `conversations.list` pages, one
    `conversations.members` call per channel (a channel of over 200 members needs a page more for
    each 200, which this leaves out), and a `conversations.list` per connected account. The sweep's
    steps run one after another, so their times add up."""
    member_pages = max(1, math.ceil(members / LISTING_PAGE))
    channel_pages = max(1, math.ceil(channels / LISTING_PAGE)) + connected
    calls = {"users.list": member_pages, "conversations.list": channel_pages, "conversations.members": channels}
    total = 0.0
    for method, count in calls.items():
        limit = limit_of(method, distributed=distributed)
        if limit is not None:
            total += seconds_for(count, limit)
    return total


def reconciliation_interval(
    every: float, members: int, channels: int, *, distributed: bool = False, connected: int = 0
) -> float:
    """The seconds between the starts of two full sweeps of a workspace: the configured `every`, or
    longer when one sweep needs longer under the budget (a sweep never overlaps the next)."""
    return max(every, full_sweep_seconds(members, channels, distributed=distributed, connected=connected))


class _Bucket:
    """One bucket's level and who waits for it. Guarded by the budget's lock: the backstage loop
    and the HTTP loop may call at once."""

    def __init__(self, limit: Limit, now: float):
        self.limit = limit
        self.tokens = float(limit.burst)
        self.updated = now
        self.paused_until = 0.0
        self.waiting: list[tuple[int, int]] = []
        self.sleepers: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def refill(self, now: float, scale: float) -> None:
        slack_elapsed = (now - self.updated) / scale
        self.tokens = min(float(self.limit.burst), self.tokens + slack_elapsed * self.limit.per_second)
        self.updated = now

    def wait(self, ticket: tuple[int, int], now: float, scale: float) -> float:
        """Real seconds until `ticket` may take a token (0: now). The first waiter in priority
        order goes first; background work needs the reserve left over."""
        if self.paused_until > now:
            return self.paused_until - now
        ahead = sum(1 for t in self.waiting if t < ticket)
        need = 1.0 + ahead + (self.limit.reserve if ticket[0] == Priority.BACKGROUND else 0)
        if ahead == 0 and self.tokens >= need - _ROUNDING:
            return 0.0
        return max(need - self.tokens, _ROUNDING) / self.limit.per_second * scale


class Budget:
    """The buckets of every (workspace, method) this process calls Slack on."""

    def __init__(
        self, *, distributed: bool = False, time_scale: float = 1.0, clock: Callable[[], float] = time.monotonic
    ):
        self.distributed = distributed
        self.time_scale = time_scale
        self._clock = clock
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._tickets = itertools.count()
        self._lock = threading.Lock()

    def page_size(self, method: str, default: int) -> int:
        """The page size to ask `method` for: Slack's 15 for a distributed install's history."""
        if self.distributed and method in DISTRIBUTED_HISTORY_METHODS:
            return min(default, DISTRIBUTED_PAGE_SIZE)
        return default

    def _bucket(self, team_id: str, method: str, channel: str) -> _Bucket | None:
        limit = limit_of(method, distributed=self.distributed)
        if limit is None or self.time_scale <= 0:
            return None
        key = (team_id, method, channel if method == POST_METHOD else "")
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(limit, self._clock())
        return bucket

    async def take(self, team_id: str, method: str, *, channel: str = "", priority: Priority | None = None) -> None:
        """Wait for a token of the (workspace, method) bucket, then take it. `priority` is the
        caller's context's unless given (background inside `in_background`)."""
        with self._lock:
            bucket = self._bucket(team_id, method, channel)
            if bucket is None:
                return
            ticket = (priority if priority is not None else current_priority(), next(self._tickets))
            heapq.heappush(bucket.waiting, ticket)
        loop = asyncio.get_running_loop()
        try:
            while True:
                with self._lock:
                    now = self._clock()
                    bucket.refill(now, self.time_scale)
                    delay = bucket.wait(ticket, now, self.time_scale)
                    if delay <= 0:
                        bucket.tokens = max(0.0, bucket.tokens - 1.0)
                        return
                    woken: asyncio.Future[None] = loop.create_future()
                    bucket.sleepers.append((loop, woken))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken, delay)
        finally:
            self._leave(bucket, ticket)

    def _leave(self, bucket: _Bucket, ticket: tuple[int, int]) -> None:
        """`ticket` has its token (or gave up): the others re-reckon their turn."""
        with self._lock:
            bucket.waiting.remove(ticket)
            heapq.heapify(bucket.waiting)
            sleepers, bucket.sleepers = bucket.sleepers, []
        _wake_all(sleepers)

    def pause(self, team_id: str, method: str, retry_after: float, *, channel: str = "") -> None:
        """Slack refused a call for its rate: the bucket is empty, and nobody calls the method in
        the workspace for `retry_after` Slack seconds."""
        with self._lock:
            bucket = self._bucket(team_id, method, channel)
            if bucket is None:
                return
            now = self._clock()
            bucket.refill(now, self.time_scale)
            bucket.tokens = 0.0
            bucket.paused_until = max(bucket.paused_until, now + retry_after * self.time_scale)
            sleepers, bucket.sleepers = bucket.sleepers, []
        _wake_all(sleepers)


def _wake_all(sleepers: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]) -> None:
    for loop, woken in sleepers:
        if not loop.is_closed():
            loop.call_soon_threadsafe(_wake, woken)


def _wake(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)
