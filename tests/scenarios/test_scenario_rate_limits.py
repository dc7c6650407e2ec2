"""The app within Slack's rate limits: against a fake Slack enforcing the tiers (on a clock fifty
times faster), a sweep of a workspace of hundreds of channels keeps to the budget (no 429 fails
it), takes little more than the least time the limits allow, reads the program's spaces and the
conversations with its minors first, and an alert made while it runs does not wait behind it."""

from __future__ import annotations

import asyncio

import pytest
from builders import ALERTS, GENERAL, MINOR1, SESSION, STRANGER
from scenario_world import BOT_USER, TEAM, start_world, stop_world, until

import storage
from bot.model import Conversation, ConversationKind
from fakeslack import Call, RateLimits
from handlers.scheduled.sweep import sweep

SCALE = 0.02  # a Slack minute in 1.2 s: a Tier 4 call each 12 ms once the burst is spent
CHANNELS = 400
PEOPLE = 500
BULK_MEMBERS = 5


async def tiered_world(tmp_path, *, scale: float, channels: int):
    """The scenario world, its fake Slack enforcing the tiers on a clock `1 / scale` times faster
    (the app's budget on the same), with `PEOPLE` more accounts and `channels` more channels."""
    limits = RateLimits(time_scale=scale)
    world, runner = await start_world(tmp_path, sweep=False, rate_limits=limits, slack_time_scale=scale)
    for n in range(PEOPLE):
        world.slack.add_user(f"U0BULK{n:04d}", name=f"Bulk {n}", email=f"bulk{n}@example.org")
    for n in range(channels):
        members = [f"U0BULK{(n + k) % PEOPLE:04d}" for k in range(BULK_MEMBERS)]
        world.slack.add_channel(f"C0BULK{n:04d}", name=f"bulk-{n}", members=members)
    return world, runner


@pytest.fixture
async def tiered(tmp_path):
    world, runner = await tiered_world(tmp_path, scale=SCALE, channels=CHANNELS)
    yield world
    await stop_world(world, runner)


#: Slower, for the alert: a Tier 4 call each 30 ms, well apart from the app's own reaction time.
ALERT_SCALE = 0.05


@pytest.fixture
async def slowly_tiered(tmp_path):
    world, runner = await tiered_world(tmp_path, scale=ALERT_SCALE, channels=150)
    yield world
    await stop_world(world, runner)


def rate_limit_floors(calls: list[Call], limits: RateLimits) -> dict[str, float]:
    """The least real seconds Slack's limits allow each method's `calls` (accepted ones) to take,
    from full buckets: the calls beyond its burst, at its rate. Posts are limited per channel, and
    a sweep's (one notice to each guardian) stay within each channel's burst."""
    floors = {}
    for method in {c.method for c in calls} - {"chat.postMessage"}:
        limit = limits.limit(method)
        made = sum(1 for c in calls if c.method == method and c.ok)
        if limit is not None:
            floors[method] = max(0, made - limit.burst) / limit.per_second * limits.time_scale
    return floors


async def test_a_sweep_keeps_to_slacks_tiers_within_a_tenth_of_the_floor(tiered):
    start = len(tiered.slack.calls)
    report = await sweep(tiered.app.runtime, TEAM)
    made = tiered.slack.calls[start:]
    assert report.conversations >= CHANNELS
    assert [c for c in made if c.error == "ratelimited"] == []
    members = [c for c in made if c.method == "conversations.members"]
    assert len(members) >= CHANNELS
    floors = rate_limit_floors(made, tiered.slack.rate_limits or RateLimits())
    floor = sum(floors.values())  # the sweep's steps run one after another
    paced = [c for c in made if floors.get(c.method)]
    span = paced[-1].at - made[0].at  # from its first call to the last one the limits held back
    assert floor > 2.0  # the limits, not the work, set the pace here
    assert span <= 1.1 * floor, f"the sweep's calls took {span:.2f} s; the limits allow {floor:.2f} s"


async def test_a_sweep_reads_program_spaces_then_conversations_with_minors_first(tiered):
    with storage.session_scope(tiered.engine) as session:  # where the minor was seen last time
        minors_channel = Conversation(
            id="C0BULK0399", kind=ConversationKind.PUBLIC_CHANNEL, members=frozenset({MINOR1})
        )
        storage.save_conversation(minors_channel, session=session)
    tiered.slack.conversations["C0BULK0399"].members.append(MINOR1)
    start = len(tiered.slack.calls)
    await sweep(tiered.app.runtime, TEAM)
    order = [c.params["channel"] for c in tiered.slack.calls[start:] if c.method == "conversations.members"]
    assert set(order[:2]) == {GENERAL, SESSION}
    assert order.index("C0BULK0399") < order.index("C0BULK0000")


NEW_CHANNEL = "C0NEWONE01"


async def test_an_alert_during_a_sweep_does_not_wait_behind_its_queued_calls(slowly_tiered):
    """A message in a private channel with a minor and no DLC administrator, which the app never
    saw: the worker reads it (`conversations.info`, then `conversations.members`, which the sweep's
    readers are queued on, one Tier 4 interval apart) and alerts. Its read is not queued behind
    theirs: it follows its `conversations.info` within less than two of the sweep's intervals
    (behind the queue, it would wait one interval for each reader). No call is refused."""
    world = slowly_tiered
    await sweep(world.app.runtime, TEAM)  # the workspace as the app knows it; its budget spent
    world.slack.add_channel(NEW_CHANNEL, name="new-one", private=True, members=[BOT_USER, MINOR1, STRANGER])
    start = len(world.slack.calls)
    running = asyncio.create_task(sweep(world.app.runtime, TEAM))
    await until(lambda: sum(c.method == "conversations.members" for c in world.slack.calls[start:]) > 20)
    await world.slack.user_says(STRANGER, NEW_CHANNEL, "hi, I am new here")
    await world.settle()
    assert not running.done(), "the sweep ended before the alert was made"
    calls = world.slack.calls
    asked = next(c for c in calls if c.method == "conversations.info" and c.params["channel"] == NEW_CHANNEL)
    read = next(
        c
        for c in calls
        if c.at > asked.at and c.method == "conversations.members" and c.params["channel"] == NEW_CHANNEL
    )
    alerted = next(
        i for i, c in enumerate(calls) if c.method == "chat.postMessage" and c.params.get("channel") == ALERTS
    )
    await running
    interval = 60 / 100 * ALERT_SCALE  # Tier 4, on the fake's clock
    paced = [c.at for c in calls[start:] if c.method == "conversations.members" and c.params["channel"] != NEW_CHANNEL]
    assert (paced[60] - paced[40]) / 20 > 0.8 * interval  # the sweep's reads are paced by the budget
    assert read.at - asked.at < 2 * interval, f"the alert's read waited {read.at - asked.at:.3f} s"
    assert sum(c.method == "conversations.members" for c in calls[alerted:]) > 20  # the sweep went on after it
    assert [c for c in calls[start:] if c.error == "ratelimited"] == []
    assert world.alerts_for("private-space-without-dlc-admin")
