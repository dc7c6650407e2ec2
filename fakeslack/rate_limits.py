"""Slack's Web API rate limits, as the fake enforces them when it is given `RateLimits`.

Slack limits each app's calls per workspace and per method (docs.slack.dev/apis/web-api/rate-limits):
each method has a tier, Tier 1 at 1+ calls a minute, Tier 2 at 20+, Tier 3 at 50+, Tier 4 at 100+,
each allowing some bursts; `chat.postMessage` is special, one message a second per channel with short
bursts. A call over the limit is answered HTTP 429, `{"ok": false, "error": "ratelimited"}`, with
`Retry-After` saying in whole seconds when to try again.

The fake models each limit as a token bucket per (workspace, method), and for `chat.postMessage`
per (workspace, channel): it holds a minute's calls (Slack's bursts), fills at the tier's rate, and
each accepted call takes one token; a call finding less than one is refused. Slack publishes no
burst sizes, so a minute's worth is this fake's reading of "bursts allowed".

Since May 2025, an app distributed commercially outside the Slack Marketplace (a new install of one)
may call `conversations.history` and `conversations.replies` once a minute, 15 messages a page at
most and by default; Marketplace apps and an institution's own internal app keep Tier 3.
`RateLimits(distributed=True)` is such an install.

`time_scale` multiplies every period (a Slack minute lasts `60 * time_scale` real seconds), so that a
test lives through a 12-minute sweep in seconds; `Retry-After` stays in Slack's seconds."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Calls a minute each tier allows (the published floor: "1+", "20+", "50+", "100+").
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}

#: The tier of each method the fake answers, as Slack's method reference gives it. Methods of the
#: special tier other than `chat.postMessage` (`auth.test`, `chat.getPermalink`, `oauth.v2.access`)
#: allow thousands of calls an hour and are not limited here.
METHOD_TIERS: dict[str, int] = {
    "admin.barriers.create": 2,
    "admin.barriers.list": 2,
    "admin.barriers.update": 2,
    "api.test": 4,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.invite": 3,
    "conversations.join": 3,
    "conversations.kick": 3,
    "conversations.list": 2,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.replies": 3,
    "files.completeUploadExternal": 4,
    "files.getUploadURLExternal": 4,
    "files.info": 4,
    "team.info": 3,
    "usergroups.users.list": 2,
    "users.conversations": 3,
    "users.getPresence": 3,
    "users.info": 4,
    "users.list": 2,
    "users.lookupByEmail": 3,
    "views.open": 4,
    "views.publish": 4,
    "views.update": 4,
}

#: `chat.postMessage`: one message a second in each channel, a short burst of this many allowed.
POST_PER_SECOND = 1.0
POST_BURST = 5
POST_METHOD = "chat.postMessage"

#: What an app distributed outside the Marketplace may do with conversation history (May 2025).
DISTRIBUTED_HISTORY_METHODS = frozenset({"conversations.history", "conversations.replies"})
DISTRIBUTED_HISTORY_PER_MINUTE = 1
DISTRIBUTED_PAGE_LIMIT = 15


@dataclass(frozen=True, slots=True)
class Limit:
    """One bucket's size and how fast it fills, in Slack's seconds."""

    burst: float
    per_second: float


@dataclass(frozen=True)
class RateLimits:
    """Slack's limits for one kind of install; `time_scale` shrinks Slack's clock for tests."""

    time_scale: float = 1.0
    #: A commercially distributed app outside the Marketplace (Slack's 2025 history limits), not an
    #: institution's own internal app.
    distributed: bool = False

    def limit(self, method: str) -> Limit | None:
        """The limit of `method` (None: not limited here)."""
        if method == POST_METHOD:
            return Limit(burst=POST_BURST, per_second=POST_PER_SECOND)
        if self.distributed and method in DISTRIBUTED_HISTORY_METHODS:
            return Limit(burst=DISTRIBUTED_HISTORY_PER_MINUTE, per_second=DISTRIBUTED_HISTORY_PER_MINUTE / 60)
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return None
        per_minute = TIER_PER_MINUTE[tier]
        return Limit(burst=per_minute, per_second=per_minute / 60)

    def page_limit(self, method: str, asked: object) -> int | None:
        """The page size Slack gives a distributed install of `conversations.history` and `.replies`
        (at most 15, 15 unasked); None: the method's own."""
        if not (self.distributed and method in DISTRIBUTED_HISTORY_METHODS):
            return None
        try:
            return max(1, min(int(str(asked)), DISTRIBUTED_PAGE_LIMIT)) if asked else DISTRIBUTED_PAGE_LIMIT
        except ValueError:
            return DISTRIBUTED_PAGE_LIMIT


#: What a bucket refilled in many small steps may fall short of a whole token by.
_ROUNDING = 1e-9


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """The buckets of every (workspace, method) and (workspace, channel) the fake has been called on."""

    limits: RateLimits
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)

    def refused(self, team_id: str, method: str, params: dict) -> int | None:
        """Take a token for the call, or refuse it: the `Retry-After` (whole Slack seconds, at least
        one) until the bucket holds a token again. None: accepted."""
        limit = self.limits.limit(method)
        if limit is None or self.limits.time_scale <= 0:
            return None
        key = (team_id, method, str(params.get("channel") or "")) if method == POST_METHOD else (team_id, method)
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=limit.burst, updated=now)
        slack_elapsed = (now - bucket.updated) / self.limits.time_scale
        bucket.tokens = min(limit.burst, bucket.tokens + slack_elapsed * limit.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0 - _ROUNDING:
            bucket.tokens = max(0.0, bucket.tokens - 1.0)
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / limit.per_second))
