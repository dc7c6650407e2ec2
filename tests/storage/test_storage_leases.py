"""Leases on periodic work: taken by one holder at a time, renewed, lost to expiry, released, and
taken by exactly one of several holders racing for it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from storage import due_again, leases, release_lease, renew_lease, session_scope, take_lease

NOW = datetime(2026, 7, 6, 14, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def take(engine, holder, *, at=NOW, name="sweep:T1", **options) -> bool:
    with session_scope(engine) as session:  # its own transaction, as each process's would be
        return take_lease(name, holder, now=at, lasting=MINUTE, session=session, **options)


def stored(engine, name="sweep:T1"):
    with session_scope(engine) as session:
        return leases(name, session=session)[name]


def test_a_lease_is_held_by_one_holder_until_it_expires(engine):
    assert take(engine, "a")
    assert not take(engine, "b", at=NOW + timedelta(seconds=59))
    assert not take(engine, "a", at=NOW + timedelta(seconds=30)), "its holder renews; it does not take it twice"
    assert take(engine, "b", at=NOW + MINUTE), "expired: taken over"
    lease = stored(engine)
    assert lease.holder == "b" and lease.held(NOW + MINUTE) and not lease.held(NOW + 2 * MINUTE)


def test_a_renewed_lease_is_kept_and_a_lost_one_cannot_be_renewed(engine):
    assert take(engine, "a")
    with session_scope(engine) as session:
        assert renew_lease("sweep:T1", "a", now=NOW + timedelta(seconds=40), lasting=MINUTE, session=session)
    assert not take(engine, "b", at=NOW + timedelta(seconds=90)), "renewed at 40 s: held until 100 s"
    assert take(engine, "b", at=NOW + timedelta(seconds=100))
    with session_scope(engine) as session:  # a's renewal came too late: b holds it now
        assert not renew_lease("sweep:T1", "a", now=NOW + timedelta(seconds=101), lasting=MINUTE, session=session)
        assert not release_lease("sweep:T1", "a", now=NOW + timedelta(seconds=101), finished=True, session=session)
    lease = stored(engine)
    assert lease.holder == "b" and lease.finished_at is None


def test_a_released_lease_is_free_at_once_and_records_when_its_work_finished(engine):
    assert take(engine, "a")
    with session_scope(engine) as session:
        assert release_lease("sweep:T1", "a", now=NOW + timedelta(seconds=5), finished=True, session=session)
    assert stored(engine).finished_at == NOW + timedelta(seconds=5)
    assert not stored(engine).held(NOW + timedelta(seconds=5))
    due = NOW + timedelta(minutes=5, seconds=5)
    # Not due again for five minutes after it finished, whoever asks.
    soon = NOW + timedelta(minutes=5)
    assert not take(engine, "b", at=soon, unless_finished_after=soon - 5 * MINUTE)
    assert take(engine, "b", at=due, unless_finished_after=due - 5 * MINUTE)
    with session_scope(engine) as session:  # failed work is released without being recorded as finished
        assert release_lease("sweep:T1", "b", now=due, finished=False, session=session)
    assert stored(engine).finished_at == NOW + timedelta(seconds=5)
    assert take(engine, "c", at=due, unless_finished_after=None)


def test_work_made_due_again_is_taken_whenever_it_last_finished(engine):
    assert take(engine, "a")
    with session_scope(engine) as session:
        release_lease("sweep:T1", "a", now=NOW, finished=True, session=session)
        due_again("sweep:T1", session=session)
    assert take(engine, "b", at=NOW + timedelta(seconds=1), unless_finished_after=NOW - 5 * MINUTE)


def test_leases_are_listed_by_prefix_each_on_its_own(engine):
    assert take(engine, "a", name="sweep:T1")
    assert take(engine, "a", name="sweep:T2")
    assert take(engine, "b", name="checks:T1"), "another lease: held by another holder at the same time"
    assert take(engine, "b", name="sweep_T3"), "an underscore in a prefix is no wildcard"
    with session_scope(engine) as session:
        assert sorted(leases("sweep:", session=session)) == ["sweep:T1", "sweep:T2"]


def test_of_holders_racing_for_a_lease_exactly_one_wins(engine):
    """Eight holders in eight threads, each its own connection and transaction, at the same moment:
    for a new lease (they meet on the primary key) and then for the expired one (on its row)."""
    for at in (NOW, NOW + 2 * MINUTE):
        start = threading.Barrier(8)
        won: list[str] = []

        def race(holder: str, at: datetime = at, start: threading.Barrier = start, won: list[str] = won) -> None:
            start.wait()
            if take(engine, holder, at=at):
                won.append(holder)

        threads = [threading.Thread(target=race, args=(f"holder-{n}",)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1, won
        assert stored(engine).holder == won[0]
