"""The fake enforces Slack's rate limits when given `RateLimits`: per workspace and per method, by
the method's tier, `chat.postMessage` per channel, a 429 with `Retry-After` beyond them, and the
2025 history limits for a distributed install. Over real HTTP, through aiohttp (no client library
retrying for us)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from fakeslack import FakeSlack, RateLimits
from fakeslack.rate_limits import METHOD_TIERS, POST_METHOD
from fakeslack.reference import find_reference_dir, method_reference
from fakeslack.web_api import METHODS

BOT = "U0SAFEBOT1"


async def start(limits: RateLimits | None) -> FakeSlack:
    fake = FakeSlack(bot_user_id=BOT, rate_limits=limits)
    await fake.start()
    fake.add_user("U0PERSON1", name="Person 1")
    fake.add_channel("C0MINE0001", name="mine", members=[BOT, "U0PERSON1"])
    fake.add_channel("C0OTHER001", name="other", members=[BOT])
    for n in range(40):
        fake.workspace.history["C0MINE0001"].append(
            {"type": "message", "user": "U0PERSON1", "text": "hi", "ts": f"17518122{n:02d}.000001"}
        )
    return fake


async def call(
    fake: FakeSlack, method: str, token: str | None = None, **arguments: object
) -> tuple[int, dict, str | None]:
    """One call as Slack receives it: the HTTP status, the JSON body and `Retry-After`."""
    headers = {"Authorization": f"Bearer {token or fake.bot_token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(fake.base_url + method, data={k: str(v) for k, v in arguments.items()}, headers=headers) as answer,
    ):
        return answer.status, await answer.json(), answer.headers.get("Retry-After")


async def test_a_tier_2_method_is_refused_with_retry_after_beyond_its_minute():
    fake = await start(RateLimits())
    try:
        answers = [await call(fake, "users.list") for _ in range(21)]
        assert all(status == 200 and body["ok"] for status, body, _ in answers[:20])
        status, body, retry_after = answers[20]
        assert (status, body) == (429, {"ok": False, "error": "ratelimited"})
        assert retry_after == "3"  # Tier 2: 20 a minute, one every 3 seconds
        assert fake.calls[-1].error == "ratelimited"
    finally:
        await fake.stop()


async def test_limits_are_per_method_and_per_workspace():
    fake = await start(RateLimits())
    other = fake.add_team("T0OTHER001")
    other.add_user("U0THEIRS01", name="Theirs")
    theirs = other.connect_user("U0THEIRS01")
    try:
        for _ in range(20):
            await call(fake, "users.list")
        assert (await call(fake, "users.list"))[0] == 429
        assert (await call(fake, "conversations.list"))[0] == 200  # another method, another bucket
        assert (await call(fake, "users.list", theirs))[0] == 200  # another workspace, another bucket
    finally:
        await fake.stop()


async def test_a_tier_refills_at_its_rate_on_the_time_scale():
    fake = await start(RateLimits(time_scale=0.1))  # a Slack minute in 6 s: a Tier 2 call each 0.3 s
    try:
        answers = await asyncio.gather(*(call(fake, "users.list") for _ in range(25)))
        refused = [retry_after for status, _, retry_after in answers if status == 429]
        assert refused and all(r is not None and int(r) >= 1 for r in refused)
        await asyncio.sleep(max(int(r or 0) for r in refused) * 0.1 + 0.05)  # Retry-After is in Slack's seconds
        assert (await call(fake, "users.list"))[0] == 200
    finally:
        await fake.stop()


async def test_posting_is_one_a_second_per_channel_after_a_short_burst():
    fake = await start(RateLimits())
    try:
        answers = [await call(fake, POST_METHOD, channel="C0MINE0001", text="x") for _ in range(6)]
        assert [a[0] for a in answers] == [200] * 5 + [429]
        assert answers[-1][2] == "1"
        assert (await call(fake, POST_METHOD, channel="C0OTHER001", text="x"))[0] == 200
    finally:
        await fake.stop()


async def test_a_distributed_install_reads_history_once_a_minute_fifteen_messages_a_page():
    fake = await start(RateLimits(distributed=True))
    try:
        status, body, _ = await call(fake, "conversations.history", channel="C0MINE0001", limit=200)
        assert status == 200 and len(body["messages"]) == 15 and body["has_more"]
        assert fake.calls[-1].params["limit"] == "200"  # the log keeps what the app asked
        status, _, retry_after = await call(fake, "conversations.history", channel="C0MINE0001")
        assert status == 429 and retry_after == "60"
        ts = body["messages"][0]["ts"]
        assert (await call(fake, "conversations.replies", channel="C0MINE0001", ts=ts))[0] == 200
        assert (await call(fake, "conversations.replies", channel="C0MINE0001", ts=ts))[0] == 429
    finally:
        await fake.stop()


async def test_an_internal_app_reads_history_at_tier_3_with_full_pages():
    fake = await start(RateLimits())
    try:
        answers = [await call(fake, "conversations.history", channel="C0MINE0001", limit=200) for _ in range(51)]
        assert all(status == 200 and len(body["messages"]) == 40 for status, body, _ in answers[:50])
        assert answers[50][0] == 429
    finally:
        await fake.stop()


async def test_without_rate_limits_nothing_is_refused_for_its_rate():
    fake = await start(None)
    try:
        assert {(await call(fake, "users.list"))[0] for _ in range(60)} == {200}
    finally:
        await fake.stop()


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_has_the_tier_slacks_reference_gives_it(method):
    reference_dir = find_reference_dir()
    if reference_dir is None:
        pytest.skip("Slack's method reference is not beside the project")
    reference = method_reference(method, reference_dir)
    tier = (reference or {}).get("rate_limits")
    if method == POST_METHOD or tier not in ("t1", "t2", "t3", "t4"):
        assert method not in METHOD_TIERS  # the special tier: chat.postMessage alone is limited
    else:
        assert METHOD_TIERS.get(method) == int(tier[1])
