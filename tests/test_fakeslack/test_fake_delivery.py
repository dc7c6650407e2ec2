"""The fake delivers events with Slack's policy: a delivery that fails is retried three times, with
Slack's headers and delays, then dropped; `X-Slack-No-Retry: 1` stops the retries; an hour under 5%
success disables the subscriptions; a workspace over its hourly allowance gets `app_rate_limited`
and that minute's events are not delivered. A stand-in app answers as each test tells it to."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from stand_in import stand_in_app

from fakeslack import DeliveryPolicy, FakeSlack
from fakeslack.delivery import DELIVERED, DROPPED, NOT_SENT, REFUSED

#: Slack's delays, a thousand times shorter: 0, 60 ms, 300 ms.
FAST = DeliveryPolicy(time_scale=0.001)
EVENT = {"type": "team_join", "user": {"id": "U0NEW00001"}}


class StandIn:
    """An app whose answer to each request is `answer(request number)`: a status, and whether to
    add `X-Slack-No-Retry: 1`. It records every request's body and headers."""

    def __init__(self, answer: Callable[[int], tuple[int, bool]]):
        self.answer = answer
        self.received: list[tuple[dict, dict]] = []
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        text = await request.text()
        try:
            body = json.loads(text)
        except ValueError:
            body = {"raw": text}
        self.received.append((body, dict(request.headers)))
        await asyncio.sleep(self.delay)
        status, no_retry = self.answer(len(self.received))
        return web.Response(status=status, headers={"X-Slack-No-Retry": "1"} if no_retry else {})

    def retry_headers(self) -> list[tuple[str | None, str | None]]:
        return [(h.get("X-Slack-Retry-Num"), h.get("X-Slack-Retry-Reason")) for _, h in self.received]


@contextlib.asynccontextmanager
async def slack_and_app(answer, policy: DeliveryPolicy = FAST) -> AsyncIterator[tuple[FakeSlack, StandIn]]:
    app = StandIn(answer)
    slack = FakeSlack(delivery=policy)
    await slack.start()
    try:
        async with stand_in_app(slack, app.handle):
            yield slack, app
    finally:
        await slack.stop()


async def test_a_delivery_answered_200_is_sent_once():
    async with slack_and_app(lambda n: (200, False)) as (slack, app):
        assert await slack.deliver_event(EVENT) == 200
        await slack.flush()
        assert len(app.received) == 1 and app.retry_headers() == [(None, None)]
        [delivery] = slack.event_deliveries
        assert delivery.outcome == DELIVERED and delivery.kind == "team_join"


async def test_a_failing_delivery_is_retried_three_times_with_slacks_headers_then_dropped():
    async with slack_and_app(lambda n: (503, False)) as (slack, app):
        assert await slack.deliver_event(EVENT) == 503
        await slack.flush()
        assert app.retry_headers() == [(None, None), ("1", "http_error"), ("2", "http_error"), ("3", "http_error")]
        assert len({body["event_id"] for body, _ in app.received}) == 1  # the same event each time
        [delivery] = slack.event_deliveries
        assert delivery.outcome == DROPPED
        gaps = [b.at - a.at - a.seconds for a, b in zip(delivery.attempts, delivery.attempts[1:], strict=False)]
        assert gaps[0] < 0.05 and 0.055 <= gaps[1] < 0.25 and 0.29 <= gaps[2] < 0.6  # 0, 60 s and 300 s, scaled


async def test_a_retry_that_succeeds_ends_the_retries():
    async with slack_and_app(lambda n: (500, False) if n <= 2 else (200, False)) as (slack, app):
        await slack.deliver_event(EVENT)
        await slack.flush()
        assert [num for num, _ in app.retry_headers()] == [None, "1", "2"]
        assert slack.event_deliveries[0].outcome == DELIVERED


@pytest.mark.parametrize("status", [400, 401, 404, 500])
async def test_an_answer_with_no_retry_is_not_retried(status):
    async with slack_and_app(lambda n: (status, True)) as (slack, app):
        assert await slack.deliver_event(EVENT) == status
        await slack.flush()
        assert len(app.received) == 1
        assert slack.event_deliveries[0].outcome == REFUSED


async def test_a_4xx_without_no_retry_is_retried_like_any_failure():
    async with slack_and_app(lambda n: (400, False)) as (slack, app):
        assert await slack.deliver_body(b"{not json") == 400
        await slack.flush()
        assert [body for body, _ in app.received] == [{"raw": "{not json"}] * 4
        assert slack.event_deliveries[0].outcome == DROPPED


async def test_no_answer_within_3_seconds_is_a_timeout_and_is_retried():
    policy = DeliveryPolicy(time_scale=0.001, timeout=0.2)
    async with slack_and_app(lambda n: (200, False), policy) as (slack, app):
        app.delay = 0.5
        assert await slack.deliver_event(EVENT) == 0
        app.delay = 0.0
        await slack.flush()
        assert app.retry_headers()[:2] == [(None, None), ("1", "http_timeout")]
        assert slack.event_deliveries[0].outcome == DELIVERED


async def test_an_app_that_cannot_be_reached_is_retried_then_dropped():
    async with slack_and_app(lambda n: (200, False)) as (slack, _):
        slack.events_url = "http://127.0.0.1:9/slack/events"  # nothing listens on the discard port
        assert await slack.deliver_event(EVENT) == 0
        await slack.flush()
        [delivery] = slack.event_deliveries
        assert [a.failure for a in delivery.attempts] == ["connection_failed"] * 4
        assert [a.retry_reason for a in delivery.retries] == ["connection_failed"] * 3
        assert delivery.outcome == DROPPED


async def test_an_hour_under_5_percent_success_disables_the_subscriptions():
    # An hour is 0.36 s here; retries are not what is tested, so they come at once.
    policy = DeliveryPolicy(time_scale=0.0001, retry_delays=(0.0, 0.0, 0.0))
    async with slack_and_app(lambda n: (500, False), policy) as (slack, app):
        for _ in range(30):
            await slack.deliver_event(EVENT)
            await asyncio.sleep(0.02)
            if slack.subscriptions_disabled:
                break
        await slack.flush()
        assert slack.subscriptions_disabled
        sent = len(app.received)
        assert await slack.deliver_event(EVENT) == 0
        assert len(app.received) == sent
        last = slack.event_deliveries[-1]
        assert last.outcome == NOT_SENT and last.reason == "subscriptions disabled"
        slack.enable_subscriptions()
        await slack.deliver_event(EVENT)
        assert len(app.received) == sent + 1


async def test_a_few_failures_among_successes_disable_nothing():
    policy = DeliveryPolicy(time_scale=0.0001, retry_delays=(0.0, 0.0, 0.0))
    async with slack_and_app(lambda n: (500, False) if n % 10 == 0 else (200, False), policy) as (slack, _):
        for _ in range(40):
            await slack.deliver_event(EVENT)
            await asyncio.sleep(0.01)
        await slack.flush()
        assert not slack.subscriptions_disabled


async def test_over_the_hourly_allowance_slack_sends_app_rate_limited_and_drops_that_minutes_events():
    policy = DeliveryPolicy(time_scale=0.001, hourly_limit=3)  # a minute is 60 ms here
    async with slack_and_app(lambda n: (200, False), policy) as (slack, app):
        statuses = [await slack.deliver_event(EVENT) for _ in range(5)]
        assert statuses == [200, 200, 200, 0, 0]
        bodies = [body for body, _ in app.received]
        assert [b["type"] for b in bodies] == ["event_callback"] * 3 + ["app_rate_limited"]
        notice = bodies[-1]
        assert set(notice) == {"token", "type", "team_id", "minute_rate_limited", "api_app_id"}
        assert notice["team_id"] == slack.team_id and notice["minute_rate_limited"] % 60 == 0
        assert [d.reason for d in slack.event_deliveries if d.outcome == NOT_SENT] == ["rate limited"] * 2


async def test_a_full_allowance_rate_limits_the_next_event():
    async with slack_and_app(lambda n: (200, False)) as (slack, app):
        slack.fill_hourly_allowance()
        assert await slack.deliver_event(EVENT) == 0
        assert [json.dumps(b["type"]) for b, _ in app.received] == ['"app_rate_limited"']


async def test_retries_not_yet_sent_are_abandoned_when_slack_stops():
    async with slack_and_app(lambda n: (500, False), DeliveryPolicy()) as (slack, app):  # Slack's real delays
        await slack.deliver_event(EVENT)
        await asyncio.sleep(0.05)
    assert len(app.received) == 2  # the first attempt and the immediate retry; a minute is too long
    assert slack.event_deliveries[0].outcome == DROPPED
