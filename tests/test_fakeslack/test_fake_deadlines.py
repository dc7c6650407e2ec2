"""The fake keeps Slack's clocks: a slow Web API when asked for one, the 3 seconds Slack waits for an
app to answer a command or an interaction, trigger_ids that open one modal within 3 seconds, and
response_urls that take 5 messages within 30 minutes. The three-second scenarios rely on these."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from stand_in import bot, error_of, stand_in_app

from fakeslack import OPERATION_TIMEOUT, TIMED_OUT, FakeSlack

BOT = "U0SAFEBOT1"
ADMIN = "U0PERSON1"
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}


@pytest.fixture
async def slack():
    fake = FakeSlack(bot_user_id=BOT)
    await fake.start()
    fake.add_user(ADMIN, name="Person 1")
    fake.add_channel("C0MINE0001", name="mine", members=[BOT, ADMIN])
    yield fake
    await fake.stop()


@contextlib.asynccontextmanager
async def app_taking(slack: FakeSlack, seconds: float):
    """A stand-in app that answers every delivery after `seconds`; what it received, as sent."""
    received: list[dict] = []

    async def deliveries(request: web.Request) -> web.Response:
        form = {k: v[0] for k, v in parse_qs((await request.read()).decode()).items()}
        received.append(json.loads(form["payload"]) if "payload" in form else form)
        await asyncio.sleep(seconds)
        return web.json_response({"text": "done"})

    async with stand_in_app(slack, deliveries):
        yield received


async def post(url: str, message: dict) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as client, client.post(url, json=message) as response:
        return response.status, await response.json()


async def test_every_call_takes_the_latency_and_a_method_can_take_its_own(slack):
    slack.latency, slack.latencies = 0.3, {"users.getPresence": 0.6}
    started = time.monotonic()
    await bot(slack).auth_test()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    await bot(slack).users_getPresence(user=ADMIN)
    assert time.monotonic() - started >= 0.6
    assert slack.calls[-1].at < started + 0.6  # recorded as received when it arrived, not when answered


async def test_an_answer_within_the_deadline_is_the_answer(slack):
    async with app_taking(slack, 0.0):
        status, body = await slack.slash_command("/minors-help", user_id=ADMIN, channel_id="C0MINE0001")
    assert status == 200 and body == {"text": "done"}
    [delivery] = slack.deliveries
    assert delivery.kind == "/minors-help" and not delivery.timed_out and delivery.status == 200
    assert delivery.answered_after is not None and delivery.answered_after < 1


async def test_an_app_slower_than_the_deadline_times_out_and_its_late_answer_is_dropped(slack):
    slack.ack_deadline = 0.3
    async with app_taking(slack, 0.8):
        started = time.monotonic()
        status, body = await slack.block_action(ADMIN, "a", "1", channel_id="C0MINE0001", message_ts="1.1")
        waited = time.monotonic() - started
        assert (status, body) == (TIMED_OUT, OPERATION_TIMEOUT)
        assert 0.3 <= waited < 0.8  # the person sees the timeout at the deadline, not when the app answers
        [delivery] = slack.deliveries
        assert delivery.timed_out and delivery.kind == "block_actions" and delivery.answered_after is None
        await slack.flush()  # the app goes on: its answer comes, late
    assert delivery.answered_after is not None and delivery.answered_after >= 0.8 and delivery.status == 200


async def test_a_trigger_id_opens_one_modal_within_three_seconds(slack):
    slack.trigger_lifetime = 0.3
    async with app_taking(slack, 0.0) as received:
        for _ in range(3):
            await slack.slash_command("/minors-roster", user_id=ADMIN, channel_id="C0MINE0001")
    first, second, third = (r["trigger_id"] for r in received)
    client = bot(slack)
    assert (await client.views_open(trigger_id=first, view=MODAL))["ok"]
    assert await error_of(client.views_open(trigger_id=first, view=MODAL)) == "exchanged_trigger_id"
    assert await error_of(client.views_open(trigger_id="1.2.nothing", view=MODAL)) == "invalid_trigger_id"
    await asyncio.sleep(0.35)
    assert await error_of(client.views_open(trigger_id=second, view=MODAL)) == "expired_trigger_id"
    slack.trigger_lifetime, slack.latency = 3.0, 0.5
    # Judged when the call reaches Slack: a slow answer does not expire a trigger that was in time.
    assert (await client.views_open(trigger_id=third, view=MODAL))["ok"]


async def test_a_response_url_takes_five_messages_within_thirty_minutes(slack):
    async with app_taking(slack, 0.0) as received:
        await slack.slash_command("/minors-status", user_id=ADMIN, channel_id="C0MINE0001")
        await slack.slash_command("/minors-status", user_id=ADMIN, channel_id="C0MINE0001")
    first, second = (r["response_url"] for r in received)
    for n in range(5):
        assert await post(first, {"text": f"answer {n}"}) == (200, {"ok": True})
    assert await post(first, {"text": "one too many"}) == (404, {"ok": False, "error": "used_url"})
    assert [m["text"] for m in slack.responses_to(slack.deliveries[0])] == [f"answer {n}" for n in range(5)]
    slack.response_url_lifetime = 0.0
    await asyncio.sleep(0.01)
    assert await post(second, {"text": "too late"}) == (404, {"ok": False, "error": "expired_url"})
    assert slack.responses_to(slack.deliveries[1]) == []


async def test_posting_to_a_response_url_takes_the_latency_too(slack):
    slack.latencies = {"response_url": 0.4}
    async with app_taking(slack, 0.0) as received:
        await slack.slash_command("/minors-status", user_id=ADMIN, channel_id="C0MINE0001")
    started = time.monotonic()
    await post(received[0]["response_url"], {"text": "late"})
    assert time.monotonic() - started >= 0.4
