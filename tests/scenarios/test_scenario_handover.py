"""While the worker's loop runs, the events this process receives are stored claimed by its worker and
handed to it in memory (no claim, no second reading of the payload). Each is still dealt with once;
a queued alert never waits behind a flood of them; a stopping worker gives back what it holds."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import timedelta

from builders import GENERAL, STAFF1, STRANGER
from scenario_world import TEAM, until
from sqlmodel import select

import storage
from handlers.listeners.events import EVENT
from storage.tables import InboxRow


def flood(world, count: int) -> list[storage.InboxItem]:
    """`count` benign channel messages, stored as the inbox writer stores them for a running worker."""
    events = []
    for n in range(count):
        message = {"type": "message", "user": STAFF1, "text": f"see you at {n % 12 + 1}", "channel": GENERAL,
                   "ts": world.slack.workspace.new_ts(), "channel_type": "channel"}  # fmt: skip
        envelope = world.slack.envelope(message, event_id=f"Ev0FLOOD{n:05d}")
        events.append(storage.Received.of(envelope["event_id"], TEAM, envelope))
    with world.app.runtime.connection() as connection:
        return storage.enqueue_claimed_events(
            events, EVENT, world.app.worker.name, now=world.clock(), session=connection
        )


def statuses(world, *, flood_only: bool = False) -> dict[str, int]:
    """How many inbox items are in each status (of the flood's alone, with `flood_only`)."""
    with storage.session_scope(world.engine) as session:
        rows = session.exec(select(InboxRow)).all()
    flooded = (r for r in rows if not flood_only or (r.event_id or "").startswith("Ev0FLOOD"))
    return dict(Counter(row.status for row in flooded))


def event_rows(world) -> list[InboxRow]:
    with storage.session_scope(world.engine) as session:
        return [r for r in session.exec(select(InboxRow)) if r.kind == EVENT]


async def test_events_received_while_the_worker_runs_are_each_dealt_with_once(world):
    before = len(event_rows(world))
    stop = asyncio.Event()
    task = asyncio.create_task(world.app.worker.run(stop))
    try:
        await asyncio.sleep(0)  # the loop is running: the writer hands events over from now on
        await asyncio.gather(*(world.slack.user_says(STAFF1, GENERAL, f"see you at {n}") for n in range(150)))
        await world.slack.user_joins(STRANGER, GENERAL)
        await until(lambda: world.alerts_for("unauthorized-member"))
        await until(lambda: set(statuses(world)) == {"done"})
    finally:
        stop.set()
        await task
    assert len(world.alerts_for("unauthorized-member")) == 1
    events = event_rows(world)
    assert len(events) == before + 1  # the join is kept as done; the 150 benign messages are forgotten
    assert {r.attempts for r in events} == {1}  # none was claimed a second time
    assert {r.claimed_by for r in events} == {None} and all(r.payload == {} for r in events)


async def test_a_queued_alert_does_not_wait_behind_a_flood_of_handed_over_events(world):
    worker = world.app.worker
    worker.hand_over(flood(world, 500))
    await world.slack.user_joins(STRANGER, GENERAL)  # stored for any worker: this one's loop is not running
    await worker.run_once()  # the join, and a share of the flood
    await worker.run_once()  # the alert the join queued
    assert len(world.alerts_for("unauthorized-member")) == 1
    assert statuses(world, flood_only=True).get("claimed", 0) >= 300  # most of the flood still waits in memory


async def test_a_stopping_worker_gives_back_what_it_was_handed(world):
    worker = world.app.worker
    worker.hand_over(flood(world, 300))
    stop = asyncio.Event()
    stop.set()
    await worker.run(stop)
    assert statuses(world, flood_only=True) == {"pending": 300}
    await world.settle()  # any worker (here, the next run) deals with them
    assert statuses(world, flood_only=True) == {}  # judged benign, and forgotten


async def test_an_item_held_past_its_lease_and_taken_by_another_worker_is_not_done_twice(world):
    """A long backlog: handed-over items wait while their 5-minute lease runs out, and another
    process takes some as a dead worker's. This worker checks its claims before dealing with them."""
    worker = world.app.worker
    worker.hand_over(flood(world, 50))
    with storage.session_scope(world.engine) as session:
        later = world.clock() + timedelta(minutes=6)
        taken = storage.claim_events("another-host:1", 20, now=later, session=session)
    assert len(taken) == 20
    world.app.runtime.timing = replace(world.app.runtime.timing, recheck_handed=0.0)
    await worker.run_once()
    assert statuses(world, flood_only=True) == {"claimed": 20}  # the other 30 were judged and forgotten
    with storage.session_scope(world.engine) as session:
        assert storage.claimants(session=session) == ["another-host:1"]
