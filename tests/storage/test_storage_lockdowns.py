"""Lockdowns and welcomes: one lockdown in force per channel, who was taken out, who was welcomed."""

from datetime import timedelta

import pytest
from storage_samples import NOW, PROGRAM_ID, full_program

from storage import (
    AlreadyLocked,
    active_lockdown,
    active_lockdowns,
    lift_lockdown,
    note_removed,
    record_welcome,
    save_program,
    session_scope,
    start_lockdown,
    welcomed_users,
)


@pytest.fixture
def program_session(session):
    save_program(full_program(), session=session)
    return session


def lock(session, channel="C0SESSION1", **changes):
    values = {"team_id": "T0TEAM0001", "actor": "U0ADMIN1", "reason": "zoom-bombing", "now": NOW, **changes}
    return start_lockdown(PROGRAM_ID, channel, session=session, **values)


def test_a_lockdown_is_in_force_until_lifted(program_session):
    session = program_session
    locked = lock(session)
    assert active_lockdown("C0SESSION1", session=session) == locked
    assert locked.in_force and locked.reason == "zoom-bombing" and locked.locked_by == "U0ADMIN1"
    lifted = lift_lockdown("C0SESSION1", actor="U0DLC1", now=NOW + timedelta(minutes=9), session=session)
    assert lifted is not None and not lifted.in_force and lifted.lifted_by == "U0DLC1"
    assert active_lockdown("C0SESSION1", session=session) is None
    assert lift_lockdown("C0SESSION1", actor="U0DLC1", now=NOW, session=session) is None


def test_one_lockdown_in_force_per_channel_and_a_lifted_one_can_be_followed_by_another(engine):
    with session_scope(engine) as session:
        save_program(full_program(), session=session)
        lock(session)
    with session_scope(engine) as session, pytest.raises(AlreadyLocked):
        lock(session, actor="U0ADMIN2")
    with session_scope(engine) as session:
        assert active_lockdown("C0SESSION1", session=session).locked_by == "U0ADMIN1"
        lift_lockdown("C0SESSION1", actor="U0ADMIN1", now=NOW, session=session)
        again = lock(session, actor="U0ADMIN2", now=NOW + timedelta(hours=1))
    with session_scope(engine) as session:
        assert [x.id for x in active_lockdowns(PROGRAM_ID, session=session)] == [again.id]


def test_removed_members_accumulate_without_repeats(program_session):
    session = program_session
    locked = lock(session)
    note_removed(locked.id, ["U0MINOR2", "U0MINOR1"], session=session)
    note_removed(locked.id, ["U0MINOR1", "U0GUARD1"], session=session)
    assert active_lockdown("C0SESSION1", session=session).removed == ("U0GUARD1", "U0MINOR1", "U0MINOR2")


def test_welcomes_are_recorded_once(program_session):
    session = program_session
    assert record_welcome(PROGRAM_ID, "U0MINOR1", now=NOW, session=session)
    assert not record_welcome(PROGRAM_ID, "U0MINOR1", now=NOW + timedelta(days=1), session=session)
    assert welcomed_users(PROGRAM_ID, session=session) == {"U0MINOR1": NOW}
    assert welcomed_users("no-such-program", session=session) == {}
