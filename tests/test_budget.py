"""The app's Web API budget (`handlers.slack.budget`): a bucket per workspace and method sized by the
method's tier and the install's kind, interactive calls before a sweep's, a 429 pausing the bucket
for everyone, and the time a full sweep needs under it. The scenarios drive it against the tiered
fake (`tests/scenarios/test_scenario_rate_limits.py`); here its rules one at a time."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from fakeslack.reference import find_reference_dir, method_reference
from handlers.slack.budget import (
    METHOD_TIERS,
    Budget,
    Priority,
    current_priority,
    full_sweep_seconds,
    in_background,
    limit_of,
    reconciliation_interval,
)

#: Tokens come slowly enough on this clock that the order of grants is the order of the queue.
SCALE = 0.01


async def drain(budget: Budget, team: str, method: str, *, priority: Priority = Priority.INTERACTIVE) -> None:
    limit = limit_of(method, distributed=budget.distributed)
    assert limit is not None
    for _ in range(limit.burst):
        await budget.take(team, method, priority=priority)


async def test_interactive_calls_go_before_the_queued_background_ones():
    budget = Budget(time_scale=SCALE)  # Tier 2: a token each 30 ms
    await drain(budget, "T1", "users.list")
    granted: list[str] = []

    async def take(name: str, priority: Priority) -> None:
        await budget.take("T1", "users.list", priority=priority)
        granted.append(name)

    sweep = [asyncio.create_task(take(f"sweep-{n}", Priority.BACKGROUND)) for n in range(4)]
    await asyncio.sleep(0)  # the sweep's calls are queued first
    alert = asyncio.create_task(take("alert", Priority.INTERACTIVE))
    await asyncio.gather(alert, *sweep)
    assert granted[0] == "alert"
    assert granted[1:] == [f"sweep-{n}" for n in range(4)]


async def test_background_work_leaves_a_tenth_of_the_bucket_to_interactive_calls():
    budget = Budget(time_scale=0.1)  # slow enough that no token comes back while the reserve is taken
    limit = limit_of("conversations.members", distributed=False)
    assert limit is not None and limit.reserve == 10
    for _ in range(limit.burst - limit.reserve):
        await asyncio.wait_for(budget.take("T1", "conversations.members", priority=Priority.BACKGROUND), 0.05)
    background = asyncio.create_task(budget.take("T1", "conversations.members", priority=Priority.BACKGROUND))
    for _ in range(limit.reserve):  # at once: the reserve is theirs
        await asyncio.wait_for(budget.take("T1", "conversations.members"), 0.05)
    assert not background.done()
    await asyncio.wait_for(background, 10)  # the bucket refills past the reserve within a second or so


async def test_each_workspace_and_method_has_a_bucket_of_its_own():
    budget = Budget(time_scale=1.0)  # Slack's own clock: a drained bucket would hold a call for seconds
    await drain(budget, "T1", "users.list")
    await asyncio.wait_for(budget.take("T2", "users.list"), 0.05)
    await asyncio.wait_for(budget.take("T1", "conversations.list"), 0.05)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(budget.take("T1", "users.list"), 0.05)


async def test_posts_are_budgeted_per_channel():
    budget = Budget(time_scale=1.0)
    for _ in range(5):
        await asyncio.wait_for(budget.take("T1", "chat.postMessage", channel="C1"), 0.05)
    await asyncio.wait_for(budget.take("T1", "chat.postMessage", channel="C2"), 0.05)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(budget.take("T1", "chat.postMessage", channel="C1"), 0.05)


async def test_a_429_pauses_the_bucket_for_everyone_for_its_retry_after():
    moment = [0.0]
    budget = Budget(time_scale=1.0, clock=lambda: moment[0])
    budget.pause("T1", "conversations.members", 30)
    assert not await _takes_at_once(budget, "T1", "conversations.members")  # an interactive call too
    moment[0] = 29.0
    assert not await _takes_at_once(budget, "T1", "conversations.members")
    assert await _takes_at_once(budget, "T2", "conversations.members")  # another workspace's
    moment[0] = 30.5
    assert await _takes_at_once(budget, "T1", "conversations.members")


async def _takes_at_once(budget: Budget, team: str, method: str) -> bool:
    try:
        await asyncio.wait_for(budget.take(team, method), 0.05)
    except TimeoutError:
        return False
    return True


async def test_without_a_time_scale_nothing_waits():
    budget = Budget(time_scale=0)
    for _ in range(500):
        await asyncio.wait_for(budget.take("T1", "users.list"), 0.05)


def test_a_distributed_install_reads_history_once_a_minute_fifteen_a_page():
    internal, distributed = Budget(), Budget(distributed=True)
    assert limit_of("conversations.history", distributed=False).burst == 50  # type: ignore[union-attr]
    assert limit_of("conversations.history", distributed=True).per_second == 1 / 60  # type: ignore[union-attr]
    assert limit_of("conversations.replies", distributed=True).burst == 1  # type: ignore[union-attr]
    assert (internal.page_size("conversations.history", 200), distributed.page_size("conversations.history", 200)) == (
        200,
        15,
    )
    assert distributed.page_size("users.list", 200) == 200


def test_the_install_kind_and_slacks_clock_are_settings():
    assert Settings.from_env({}).distributed is False
    assert Settings.from_env({"SAFE_CONTACT_DISTRIBUTED": "1"}).distributed is True
    with pytest.raises(ValueError, match="SAFE_CONTACT_DISTRIBUTED"):
        Settings.from_env({"SAFE_CONTACT_DISTRIBUTED": "perhaps"})
    assert Settings.from_env({}).slack_time_scale == 1.0
    assert Settings.from_env({"SAFE_CONTACT_SLACK_TIME_SCALE": "0.01"}).slack_time_scale == 0.01
    for wrong in ("fast", "2", "-1"):
        with pytest.raises(ValueError, match="SAFE_CONTACT_SLACK_TIME_SCALE"):
            Settings.from_env({"SAFE_CONTACT_SLACK_TIME_SCALE": wrong})


def test_a_sweeps_calls_are_background_work_only_within():
    assert current_priority() is Priority.INTERACTIVE
    with in_background():
        assert current_priority() is Priority.BACKGROUND
    assert current_priority() is Priority.INTERACTIVE


def test_a_full_sweep_of_5000_members_and_1000_channels_needs_over_nine_minutes():
    # Beyond the bursts background work may use (a tenth left to interactive calls): users.list,
    # 25 pages, 7 over Tier 2's 18 at 20 a minute; conversations.list, 5 pages, within it;
    # conversations.members, 1,000 calls, 910 over Tier 4's 90 at 100 a minute.
    assert full_sweep_seconds(5000, 1000) == pytest.approx(7 * 3 + 910 * 0.6)
    assert full_sweep_seconds(300, 40) == 0.0  # a small workspace fits in the bursts


def test_the_reconciliation_interval_is_never_shorter_than_a_sweep():
    assert reconciliation_interval(300, 300, 40) == 300
    assert reconciliation_interval(300, 5000, 1000) == pytest.approx(567)
    assert reconciliation_interval(300, 5000, 1000) > full_sweep_seconds(5000, 1000) - 1e-9


@pytest.mark.parametrize("method", sorted(METHOD_TIERS))
def test_the_budget_knows_each_methods_tier_as_slacks_reference_gives_it(method):
    reference_dir = find_reference_dir()
    if reference_dir is None:
        pytest.skip("Slack's method reference is not beside the project")
    assert (method_reference(method, reference_dir) or {}).get("rate_limits") == f"t{METHOD_TIERS[method]}"


def test_a_workspace_too_large_for_the_interval_is_swept_as_often_as_its_sweep_allows(tmp_path):
    """The sweep timer's interval is the configured one, or a large workspace's sweep time under the
    budget (on the budget's clock), so that a sweep never overlaps the next."""
    import storage
    from bot.config import Settings
    from handlers import create_app

    engine = storage.create_engine_from_url(f"sqlite:///{tmp_path / 'size.db'}")
    storage.migrate(engine)
    for scale in (1.0, 0.01):
        app = create_app(Settings(bot_token="xoxb-size", signing_secret="s", slack_time_scale=scale), engine=engine)
        every = app.runtime.timing.sweep_every
        assert app.sweep_interval("T0NEVERSWEPT") == every
        app.runtime.sizes["T0SMALL"] = (300, 20)
        assert app.sweep_interval("T0SMALL") == every
        large = (5000, 1000) if scale == 1.0 else (500_000, 100_000)  # on a fast clock, a larger one
        app.runtime.sizes["T0LARGE"] = large
        expected = reconciliation_interval(every / scale, *large) * scale
        assert app.sweep_interval("T0LARGE") == pytest.approx(expected) and expected > every
    engine.dispose()
