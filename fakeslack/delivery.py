"""Slack's Events API delivery policy, as the fake applies it to every event it sends.

A delivery fails when the app answers with a status that is not 2xx, gives no answer within 3
seconds, or cannot be reached. A failed delivery is retried three times: at once, after a minute and
after five minutes, each retry with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`. Then it is
dropped. An answer carrying `X-Slack-No-Retry: 1` is not retried. If fewer than 5% of deliveries
succeed over an hour, Slack disables the app's event subscriptions and sends nothing more. More
than 30,000 events from one workspace in an hour rate-limits that workspace: Slack sends
`app_rate_limited` (not an event callback), and that minute's events are not delivered.

Every delay and window is multiplied by `DeliveryPolicy.time_scale`, so that a test lives through
an hour in seconds. The 3-second answer deadline is not scaled: it is the app's real deadline."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

#: Why Slack retries, as `X-Slack-Retry-Reason` says it.
HTTP_ERROR = "http_error"
HTTP_TIMEOUT = "http_timeout"
CONNECTION_FAILED = "connection_failed"
UNKNOWN_ERROR = "unknown_error"

#: What became of a delivery.
DELIVERED = "delivered"
REFUSED = "refused"  # failed with X-Slack-No-Retry: 1, so never retried
DROPPED = "dropped"  # failed, retried, and still failing: Slack gave up
NOT_SENT = "not sent"  # subscriptions disabled, or the workspace rate-limited
PENDING = "pending"


@dataclass(frozen=True)
class DeliveryPolicy:
    """Slack's numbers (the defaults); `time_scale` shrinks every delay and window for tests."""

    #: The wait before each retry, after the attempt before it failed, in Slack's seconds.
    retry_delays: tuple[float, ...] = (0.0, 60.0, 300.0)
    time_scale: float = 1.0
    #: How long Slack waits for an answer, in real seconds (not scaled).
    timeout: float = 3.0
    #: Under this share of successful attempts over `success_window`, subscriptions are disabled.
    minimum_success: float = 0.05
    success_window: float = 3600.0
    #: Events one workspace may be sent in an hour before it is rate-limited for a minute.
    hourly_limit: int = 30_000
    rate_limit_for: float = 60.0

    def real(self, slack_seconds: float) -> float:
        """Slack's `slack_seconds`, in the seconds this fake waits."""
        return slack_seconds * self.time_scale


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST of a delivery to the app."""

    retry_num: int | None
    retry_reason: str | None
    #: The app's status, None when it gave none (timeout, no connection).
    status: int | None
    #: Why it failed (`http_error`, `http_timeout`, `connection_failed`), None when it succeeded.
    failure: str | None
    no_retry: bool
    #: When it was sent (`time.monotonic()`), and how long the app took to answer.
    at: float
    seconds: float


@dataclass(slots=True)
class EventDelivery:
    """One event (or raw body) Slack set out to deliver over HTTP, with every attempt made."""

    event_id: str | None
    kind: str
    team_id: str
    attempts: list[Attempt] = field(default_factory=list)
    outcome: str = PENDING
    #: Why it was dropped or not sent.
    reason: str = ""

    @property
    def retries(self) -> list[Attempt]:
        return [a for a in self.attempts if a.retry_num is not None]


#: Sends `body` once with the extra headers (the retry headers), signed afresh: the app's status and
#: headers. Raises on a timeout or a connection that fails, as aiohttp does.
Send = Callable[[bytes, Mapping[str, str]], Awaitable[tuple[int, Mapping[str, str]]]]


class Deliverer:
    """Delivers with Slack's policy and records every delivery (`deliveries`). One per app: the
    workspaces of one fake Slack share it (subscriptions are the app's; rate limits are each
    workspace's)."""

    def __init__(self, policy: DeliveryPolicy, send: Send, spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task]):
        self.policy = policy
        self._send = send
        self._spawn = spawn
        #: The latest 1,000 deliveries (a soak's memory stays bounded), oldest first.
        self.deliveries: deque[EventDelivery] = deque(maxlen=1000)
        #: When subscriptions were disabled (`time.monotonic()`), None while they are enabled.
        self.disabled_at: float | None = None
        self._outcomes: deque[tuple[float, bool]] = deque()
        self._observed_since: float | None = None
        self._sent: dict[str, deque[float]] = {}
        self._limited_until: dict[str, float] = {}
        self._retrying: set[asyncio.Task] = set()

    @property
    def subscriptions_disabled(self) -> bool:
        return self.disabled_at is not None

    def enable_subscriptions(self) -> None:
        """Someone re-enabled the app's event subscriptions in its settings."""
        self.disabled_at = None
        self._outcomes.clear()
        self._observed_since = None

    def fill_hourly_allowance(self, team_id: str) -> None:
        """As if `team_id` had been sent its whole hour's allowance just now: its next event is over."""
        self._sent[team_id] = deque([time.monotonic()] * self.policy.hourly_limit)

    async def deliver(
        self,
        body: bytes,
        *,
        kind: str,
        team_id: str,
        event_id: str | None,
        rate_limited: Callable[[int], Awaitable[None]] | None = None,
    ) -> int:
        """Deliver `body`: the status of the first attempt (0 when it got none, or was not sent).
        Retries follow in the background. `rate_limited(minute)` sends `app_rate_limited` when this
        event is the one over the workspace's hourly allowance."""
        delivery = EventDelivery(event_id, kind, team_id)
        self.deliveries.append(delivery)
        if self.subscriptions_disabled:
            return self._not_sent(delivery, "subscriptions disabled")
        if rate_limited is not None and self._over_allowance(team_id):
            minute = int(time.time()) // 60 * 60
            if team_id not in self._limited_until or self._limited_until[team_id] <= time.monotonic():
                self._limited_until[team_id] = time.monotonic() + self.policy.real(self.policy.rate_limit_for)
                await rate_limited(minute)
            return self._not_sent(delivery, "rate limited")
        attempt = await self._attempt(delivery, body, None, None)
        if attempt.failure is not None and not attempt.no_retry:
            task = self._spawn(self._retry(delivery, body, attempt.failure))
            self._retrying.add(task)
            task.add_done_callback(self._retrying.discard)
        return attempt.status or 0

    def cancel_retries(self) -> None:
        """Slack shuts down (the test ends): retries not yet sent never will be."""
        for task in list(self._retrying):
            task.cancel()

    def _over_allowance(self, team_id: str) -> bool:
        if self._limited_until.get(team_id, 0.0) > time.monotonic():
            return True
        sent = self._sent.setdefault(team_id, deque())
        now = time.monotonic()
        while sent and sent[0] <= now - self.policy.real(3600.0):
            sent.popleft()
        if len(sent) >= self.policy.hourly_limit:
            return True
        sent.append(now)
        return False

    def _not_sent(self, delivery: EventDelivery, reason: str) -> int:
        delivery.outcome, delivery.reason = NOT_SENT, reason
        return 0

    async def _retry(self, delivery: EventDelivery, body: bytes, failure: str) -> None:
        try:
            for number, delay in enumerate(self.policy.retry_delays, start=1):
                await asyncio.sleep(self.policy.real(delay))
                if self.subscriptions_disabled:
                    delivery.outcome, delivery.reason = DROPPED, "subscriptions disabled"
                    return
                attempt = await self._attempt(delivery, body, number, failure)
                if attempt.failure is None or attempt.no_retry:
                    return
                failure = attempt.failure
            delivery.outcome, delivery.reason = DROPPED, f"{len(self.policy.retry_delays)} retries failed"
        except asyncio.CancelledError:
            if delivery.outcome == PENDING:
                delivery.outcome, delivery.reason = DROPPED, "Slack stopped before retrying"
            raise

    async def _attempt(
        self, delivery: EventDelivery, body: bytes, retry_num: int | None, reason: str | None
    ) -> Attempt:
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason or UNKNOWN_ERROR})
        started = time.monotonic()
        status: int | None = None
        no_retry = False
        try:
            async with asyncio.timeout(self.policy.timeout):
                status, answer_headers = await self._send(body, headers)
            no_retry = answer_headers.get("X-Slack-No-Retry") == "1"
            failure = None if 200 <= status < 300 else HTTP_ERROR
        except TimeoutError:
            failure = HTTP_TIMEOUT
        except aiohttp.ClientConnectionError:
            failure = CONNECTION_FAILED
        except aiohttp.ClientError:
            failure = UNKNOWN_ERROR
        attempt = Attempt(retry_num, reason, status, failure, no_retry, started, time.monotonic() - started)
        delivery.attempts.append(attempt)
        if failure is None:
            delivery.outcome = DELIVERED
        elif no_retry:
            delivery.outcome, delivery.reason = REFUSED, f"{status} with X-Slack-No-Retry"
        self._observe(failure is None)
        return attempt

    def _observe(self, succeeded: bool) -> None:
        """The success-rate check: under `minimum_success` over a whole window disables subscriptions."""
        now = time.monotonic()
        window = self.policy.real(self.policy.success_window)
        if self._observed_since is None:
            self._observed_since = now
        self._outcomes.append((now, succeeded))
        while self._outcomes and self._outcomes[0][0] < now - window:
            self._outcomes.popleft()
        if now - self._observed_since < window or self.subscriptions_disabled:
            return
        successes = sum(1 for _, ok in self._outcomes if ok)
        if successes < self.policy.minimum_success * len(self._outcomes):
            self.disabled_at = now
