"""Load: a soak of a few thousand events on loopback while the fake Slack fails a tenth of all Web API
calls at random (429s and 5xx). Afterwards every violation has exactly one alert, nothing is left
undone, and memory stopped growing."""

from __future__ import annotations

import asyncio
import gc
import itertools
import tracemalloc

from builders import ADMIN1, GENERAL, MINOR1, MINOR2, STAFF1, STAFF2
from sqlmodel import select

import storage
from storage.tables import InboxRow

BENIGN = 2000
VIOLATIONS = 50
CHECKPOINTS = 4
SAYING = "Can we go over problem 3 again on Tuesday at 3:30?"


async def test_a_soak_with_random_slack_failures_alerts_each_violation_once_in_bounded_memory(world):
    world.connect(MINOR1)
    adults = [f"U0SOAK{n:04d}" for n in range(VIOLATIONS)]
    for adult in adults:
        world.slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
    dms = [world.slack.add_dm(adult, MINOR1) for adult in adults]
    speakers = itertools.cycle([STAFF1, STAFF2, MINOR1, MINOR2, ADMIN1])
    plan = [("benign", next(speakers), GENERAL) for _ in range(BENIGN)]
    for i, (adult, dm) in enumerate(zip(adults, dms, strict=True)):
        plan.insert((i + 1) * BENIGN // VIOLATIONS, ("violation", adult, dm))
    world.slack.chaos(0.1, seed=7)
    tracemalloc.start()
    memory = []
    try:
        per_checkpoint = len(plan) // CHECKPOINTS
        for start in range(0, len(plan), per_checkpoint):
            chunk = plan[start : start + per_checkpoint]
            for batch in (chunk[i : i + 100] for i in range(0, len(chunk), 100)):
                await asyncio.gather(*(world.slack.user_says(who, where, SAYING) for _, who, where in batch))
                await world.app.worker.drain()
            gc.collect()
            memory.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
        world.slack.chaos(0)
    for _ in range(10):  # Slack recovered: whatever backed off comes due
        world.clock.advance(minutes=10)
        await world.settle()

    alerts = world.alerts_for("dm-adult-minor")
    assert len(alerts) == VIOLATIONS
    assert len({a["text"] for a in alerts}) == VIOLATIONS  # one each, none doubled
    with storage.session_scope(world.engine) as session:
        statuses = set(session.exec(select(InboxRow.status).distinct()).all())
    assert statuses <= {"done"}, statuses
    assert sum(1 for c in world.slack.calls if not c.ok) > 10  # the chaos really failed calls
    # A benign message in a known conversation makes no Web API call at all: the calls are the alerts'.
    assert len(world.slack.calls) < len(plan) // 4
    growth_late = memory[-1] - memory[-2]
    growth_early = memory[1] - memory[0]
    assert growth_late < max(2 * growth_early, 4 * 1024 * 1024), f"memory kept growing: {memory}"
