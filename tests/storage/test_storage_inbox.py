"""The event inbox: dedupe by event id, claim, complete, fail and retry, stale claims, SKIP LOCKED."""

import threading
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select
from storage_samples import NOW

from storage import (
    InboxItem,
    Received,
    claim_events,
    complete_event,
    complete_events,
    connection_scope,
    enqueue_claimed_events,
    enqueue_event,
    enqueue_events,
    fail_event,
    forget_events,
    give_back_claims,
    pending_count,
    purge_inbox,
    release_claims,
    renew_claims,
    session_scope,
)
from storage.tables import InboxRow

PAYLOAD = {"event": {"type": "message", "channel": "C0GENERAL1", "text": "hello"}, "team_id": "T0TEAM0001"}


def enqueue(session, event_id, now=NOW, payload=PAYLOAD):
    return enqueue_event(event_id, "T0TEAM0001", "event", payload, now=now, session=session)


def test_a_redelivered_event_is_stored_once(engine):
    with session_scope(engine) as session:
        assert enqueue(session, "Ev01")
    with session_scope(engine) as session:
        assert not enqueue(session, "Ev01")  # Slack's retry of the same event
        assert enqueue(session, "Ev02")
        assert pending_count(session=session) == 2


def test_requests_without_an_event_id_are_always_stored(session):
    assert enqueue_event(None, "T0TEAM0001", "command", {"command": "/minors-help"}, now=NOW, session=session)
    assert enqueue_event(None, "T0TEAM0001", "command", {"command": "/minors-help"}, now=NOW, session=session)
    assert pending_count(session=session) == 2


def test_claim_then_complete(session):
    enqueue(session, "Ev01")
    enqueue(session, "Ev02", payload={"n": 2})
    items = claim_events("worker-1", 10, now=NOW, session=session)
    assert [i.event_id for i in items] == ["Ev01", "Ev02"]
    assert items[0] == InboxItem(items[0].id, "Ev01", "T0TEAM0001", "event", PAYLOAD, attempts=1)
    assert pending_count(session=session) == 0
    assert claim_events("worker-2", 10, now=NOW, session=session) == []
    complete_event(items[0].id, now=NOW, session=session)
    row = session.get(InboxRow, items[0].id, populate_existing=True)
    assert row.status == "done" and row.processed_at == NOW and row.payload == {}  # no message text kept
    assert not enqueue(session, "Ev01")  # still deduplicated after completion


def test_claims_respect_the_limit_and_order(session):
    for n in range(5):
        enqueue(session, f"Ev{n:02d}", now=NOW + timedelta(seconds=n))
    first = claim_events("worker-1", 2, now=NOW + timedelta(minutes=1), session=session)
    second = claim_events("worker-1", 2, now=NOW + timedelta(minutes=1), session=session)
    assert [i.event_id for i in first + second] == ["Ev00", "Ev01", "Ev02", "Ev03"]
    assert pending_count(session=session) == 1


def test_a_failure_is_retried_until_the_attempts_run_out(session):
    enqueue(session, "Ev01")
    for attempt in range(1, 4):
        (item,) = claim_events("worker-1", 10, now=NOW, session=session)
        assert item.attempts == attempt
        fail_event(item.id, f"boom {attempt}", now=NOW, session=session, max_attempts=3)
    row = session.get(InboxRow, item.id, populate_existing=True)
    assert (row.status, row.last_error, row.attempts) == ("failed", "boom 3", 3)
    assert row.processed_at == NOW and row.processed_at.tzinfo is UTC
    assert claim_events("worker-1", 10, now=NOW + timedelta(days=1), session=session) == []
    assert pending_count(session=session) == 0


def test_a_failure_waits_for_its_retry_time(session):
    enqueue(session, "Ev01")
    (item,) = claim_events("worker-1", 10, now=NOW, session=session)
    fail_event(item.id, "rate limited", now=NOW, session=session, retry_after=timedelta(seconds=30))
    assert pending_count(session=session) == 1
    assert claim_events("worker-1", 10, now=NOW + timedelta(seconds=29), session=session) == []
    (again,) = claim_events("worker-1", 10, now=NOW + timedelta(seconds=30), session=session)
    assert again.id == item.id and again.attempts == 2
    assert session.get(InboxRow, item.id, populate_existing=True).last_error == "rate limited"


def test_a_stale_claim_is_claimed_again(session):
    enqueue(session, "Ev01")
    (item,) = claim_events("worker-that-dies", 10, now=NOW, session=session)
    assert claim_events("worker-2", 10, now=NOW + timedelta(minutes=4), session=session) == []
    (again,) = claim_events("worker-2", 10, now=NOW + timedelta(minutes=6), session=session)
    assert again.id == item.id and again.attempts == 2
    row = session.get(InboxRow, item.id, populate_existing=True)
    assert (row.claimed_by, row.claimed_at) == ("worker-2", NOW + timedelta(minutes=6))
    short = claim_events("worker-3", 10, now=NOW + timedelta(minutes=7), session=session, stale_after=timedelta(0))
    assert [i.id for i in short] == [item.id]


def test_done_and_failed_items_are_purged(session):
    for event_id in ("Ev01", "Ev02", "Ev03"):
        enqueue(session, event_id)
    done, failed, _claimed = claim_events("worker-1", 10, now=NOW, session=session)
    complete_event(done.id, now=NOW, session=session)
    fail_event(failed.id, "bad payload", now=NOW, session=session, max_attempts=1)
    enqueue(session, "Ev04")
    assert purge_inbox(NOW, session=session) == 0
    assert purge_inbox(NOW + timedelta(days=1), session=session) == 2
    assert pending_count(session=session) == 1
    assert session.get(InboxRow, done.id, populate_existing=True) is None


def test_events_stored_as_claimed_come_back_as_items_and_no_other_worker_gets_them(engine):
    """The inbox writer's hand-over: stored already claimed by its process's worker, which deals
    with them from memory; a redelivery (stored before, or twice in one batch) is left out."""
    with connection_scope(engine) as connection:
        enqueue_events([Received.of("Ev00", "T0TEAM0001", PAYLOAD)], "event", now=NOW, session=connection)
    batch = [
        Received.of("Ev00", "T0TEAM0001", PAYLOAD),
        Received.of("Ev01", "T0TEAM0001", {"n": 1}),
        Received("Ev02", "", {"n": 2}, '{"n":  2}'),  # stored as sent
    ]
    with connection_scope(engine) as connection:
        items = enqueue_claimed_events([*batch, batch[1]], "event", "worker-1", now=NOW, session=connection)
    assert [(i.event_id, i.team_id, i.payload, i.attempts) for i in items] == [
        ("Ev01", "T0TEAM0001", {"n": 1}, 1),
        ("Ev02", "", {"n": 2}, 1),
    ]
    with session_scope(engine) as session:
        rows = {i.id: session.get(InboxRow, i.id) for i in items}
        assert {(r.status, r.claimed_by, r.claimed_at, r.attempts) for r in rows.values()} == {
            ("claimed", "worker-1", NOW, 1)
        }
        assert rows[items[0].id].payload == {"n": 1}  # stored whole, for a worker that must redo it
        raw = session.connection().execute(text("SELECT payload FROM inbox WHERE event_id = 'Ev02'")).scalar()
        assert raw in ('{"n":  2}', {"n": 2})  # the text as sent (SQLite), or PostgreSQL's json of it
        assert [i.event_id for i in claim_events("worker-2", 10, now=NOW, session=session)] == ["Ev00"]
    with connection_scope(engine) as connection:
        complete_events([items[0].id], now=NOW, session=connection)
    with session_scope(engine) as session:  # the worker stops: what it did not finish is anyone's
        assert release_claims(["worker-1"], now=NOW, session=session) == 1
        (again,) = claim_events("worker-2", 10, now=NOW, session=session)
        assert (again.event_id, again.payload, again.attempts) == ("Ev02", {"n": 2}, 2)


def test_the_hot_statements_run_on_a_session_and_on_a_connection_alike(engine):
    for scope in (session_scope, connection_scope):
        with scope(engine) as executor:
            received = Received.of(f"Ev-{scope.__name__}", "T0TEAM0001", PAYLOAD)
            enqueue_events([received], "event", now=NOW, session=executor)
            (item,) = claim_events("worker-1", 10, now=NOW, session=executor)
            complete_events([item.id], now=NOW, session=executor)
    with session_scope(engine) as session:
        assert pending_count(session=session) == 0
        assert {r.status for r in session.exec(select(InboxRow))} == {"done"}


@pytest.mark.postgres
def test_concurrent_claimers_skip_each_others_items(postgres_engine):
    with session_scope(postgres_engine) as session:
        for n in range(10):
            enqueue(session, f"Ev{n:02d}")
    with session_scope(postgres_engine) as first:
        mine = claim_events("worker-1", 5, now=NOW, session=first)
        with session_scope(postgres_engine) as second:
            # Without SKIP LOCKED this would wait for `first`; fail fast instead of hanging.
            second.connection().execute(text("SET LOCAL lock_timeout = '2s'"))
            theirs = claim_events("worker-2", 10, now=NOW, session=second)
    assert len(mine) == 5 and len(theirs) == 5
    assert not {i.id for i in mine} & {i.id for i in theirs}


def test_many_workers_claim_every_item_exactly_once(engine):
    """PostgreSQL skips locked rows; SQLite's IMMEDIATE transactions let one claimer in at a time."""
    with session_scope(engine) as session:
        for n in range(120):
            enqueue(session, f"Ev{n:03d}")
    claimed: dict[str, list[int]] = {}
    errors: list[Exception] = []

    def work(worker_id):
        ids = claimed.setdefault(worker_id, [])
        try:
            while items := claim_and_complete(engine, worker_id):
                ids.extend(item.id for item in items)
        except Exception as error:  # e.g. "database is locked": collected, as a thread's would be lost
            errors.append(error)

    workers = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    every = [item_id for ids in claimed.values() for item_id in ids]
    assert len(every) == 120 and len(set(every)) == 120


def claim_and_complete(engine, worker_id):
    with session_scope(engine) as session:
        items = claim_events(worker_id, 3, now=NOW, session=session)
        for item in items:
            complete_event(item.id, now=NOW, session=session)
    return items


def test_a_worker_renews_only_the_claims_it_still_holds(session):
    for n in range(3):
        enqueue(session, f"Ev{n:02d}")
    mine = claim_events("worker-1", 10, now=NOW, session=session)
    (taken,) = claim_events("worker-2", 1, now=NOW + timedelta(minutes=6), session=session)  # its lease ran out
    complete_event(mine[2].id, now=NOW, session=session)
    later = NOW + timedelta(minutes=7)
    assert renew_claims("worker-1", [i.id for i in mine], now=later, session=session) == {mine[1].id}
    assert taken.id == mine[0].id
    assert session.get(InboxRow, mine[1].id, populate_existing=True).claimed_at == later
    assert session.get(InboxRow, taken.id, populate_existing=True).claimed_by == "worker-2"


def test_items_that_changed_nothing_are_forgotten_and_a_late_redelivery_is_judged_again(engine):
    with connection_scope(engine) as connection:
        items = enqueue_claimed_events(
            [Received.of("Ev01", "T0TEAM0001", PAYLOAD)], "event", "w", now=NOW, session=connection
        )
        forget_events([i.id for i in items], session=connection)
    with session_scope(engine) as session:
        assert session.get(InboxRow, items[0].id) is None  # nothing of the message is kept
        assert enqueue(session, "Ev01")  # Slack's late retry is stored again, to be judged again


def test_only_the_worker_holding_a_claim_completes_fails_forgets_or_gives_it_back(session):
    for n in range(4):
        enqueue(session, f"Ev{n:02d}")
    mine = claim_events("worker-1", 10, now=NOW, session=session)
    taken = claim_events("worker-2", 10, now=NOW + timedelta(minutes=6), session=session)  # the lease ran out
    assert [i.id for i in taken] == [i.id for i in mine]
    ids = [i.id for i in mine]
    assert not complete_event(ids[0], now=NOW, session=session, worker="worker-1")
    assert not fail_event(ids[1], "boom", now=NOW, session=session, worker="worker-1")
    assert forget_events([ids[2]], session=session, worker="worker-1") == set()
    assert give_back_claims("worker-1", [ids[3]], now=NOW, session=session) == set()
    rows = [session.get(InboxRow, i, populate_existing=True) for i in ids]
    assert {(row.status, row.claimed_by) for row in rows} == {("claimed", "worker-2")}  # all still theirs
    assert complete_events(ids[:2], now=NOW, session=session, worker="worker-2") == set(ids[:2])
    assert give_back_claims("worker-2", ids[2:], now=NOW, session=session) == set(ids[2:])
    assert pending_count(session=session) == 2
    assert {i.id for i in claim_events("worker-3", 10, now=NOW, session=session)} == set(ids[2:])  # due at once
