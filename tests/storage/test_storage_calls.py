"""Live calls in storage, on SQLite and PostgreSQL: joins and leaves, a person's last call
remembered, a root's word, the sweep's repair, and ended calls forgotten."""

from datetime import UTC, datetime, timedelta

from bot.model import CallFeature, ConversationKind
from storage import get_call, join_call, leave_call, live_calls, note_root, purge_ended_calls, put_right

T = "T0TEAM"
T0 = datetime(2026, 7, 6, 18, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_joins_make_a_call_whose_grace_runs_from_the_last_change(session):
    assert join_call(T, "U1", "R1", now=at(0), session=session) == {"R1"}
    assert join_call(T, "U2", "R1", now=at(5), session=session) == {"R1"}
    call = get_call(T, "R1", session=session)
    assert call.participants == {"U1", "U2"} and call.since == at(5) and call.started_at == at(0)
    assert not call.ended and call.channel is None and call.kind is None


def test_joining_the_same_call_again_changes_nothing(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    assert join_call(T, "U1", "R1", now=at(9), session=session) == set()
    assert get_call(T, "R1", session=session).since == at(0)


def test_a_leave_needs_no_call_id_and_the_last_leave_ends_the_call(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    join_call(T, "U2", "R1", now=at(1), session=session)
    assert leave_call(T, "U1", now=at(10), session=session) == "R1"
    assert get_call(T, "R1", session=session).participants == {"U2"}
    assert leave_call(T, "U2", now=at(20), session=session) == "R1"
    ended = get_call(T, "R1", session=session)
    assert ended.ended and ended.participants == frozenset()
    assert leave_call(T, "U2", now=at(21), session=session) is None
    assert [c.id for c in live_calls(T, session=session)] == []


def test_joining_another_call_leaves_the_first(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    join_call(T, "U2", "R1", now=at(0), session=session)
    assert join_call(T, "U1", "R2", now=at(3), session=session) == {"R1", "R2"}
    assert get_call(T, "R1", session=session).participants == {"U2"}
    assert get_call(T, "R2", session=session).participants == {"U1"}


def test_workspaces_are_apart(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    join_call("T0OTHER", "U1", "R9", now=at(0), session=session)
    assert get_call(T, "R1", session=session).participants == {"U1"}
    assert [c.id for c in live_calls("T0OTHER", session=session)] == ["R9"]


def test_a_root_names_the_place_and_the_notes_and_puts_the_people_right(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    join_call(T, "U2", "R1", now=at(1), session=session)
    changed = note_root(
        T,
        "R1",
        channel="C1",
        kind=ConversationKind.PUBLIC_CHANNEL,
        root_ts="1.000",
        ended=None,
        recorded={CallFeature.TRANSCRIPT},
        participants={"U1", "U3"},
        now=at(30),
        session=session,
    )
    assert changed == {"R1"}
    call = get_call(T, "R1", session=session)
    assert call.participants == {"U1", "U3"} and call.channel == "C1" and call.in_channel
    assert call.recorded == {CallFeature.TRANSCRIPT} and call.root_ts == "1.000"


def test_reading_the_same_root_again_keeps_the_grace_clock(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    root = dict(channel="D1", kind=ConversationKind.IM, root_ts="1.0", ended=None, recorded=())
    note_root(T, "R1", **root, participants={"U1"}, now=at(40), session=session)
    assert get_call(T, "R1", session=session).since == at(0)


def test_an_ended_root_ends_the_call_once(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    root = dict(channel="C1", kind=ConversationKind.PUBLIC_CHANNEL, root_ts="1.0", recorded=())
    assert note_root(T, "R1", **root, ended=at(50), participants=None, now=at(60), session=session) == {"R1"}
    assert get_call(T, "R1", session=session).ended
    assert note_root(T, "R1", **root, ended=at(50), participants=None, now=at(61), session=session) == set()


def test_the_sweep_puts_right_what_events_missed(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    join_call(T, "U2", "R1", now=at(0), session=session)
    # U2's leave and U3's join were lost; U4 was never in one.
    changed = put_right(T, {"U1": "R1", "U2": None, "U3": "R1", "U4": None}, now=at(300), session=session)
    assert changed == {"R1"}
    assert get_call(T, "R1", session=session).participants == {"U1", "U3"}
    assert put_right(T, {"U1": "R1", "U3": "R1"}, now=at(301), session=session) == set()


def test_ended_calls_are_forgotten_after_a_while(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    leave_call(T, "U1", now=at(10), session=session)
    join_call(T, "U2", "R2", now=at(0), session=session)
    assert purge_ended_calls(at(11), session=session) == 1
    assert get_call(T, "R1", session=session) is None and get_call(T, "R2", session=session) is not None


def test_a_root_that_came_as_an_event_only_adds_who_the_events_missed(session):
    join_call(T, "U1", "R1", now=at(0), session=session)
    join_call(T, "U2", "R1", now=at(1), session=session)  # heard after the root was posted
    root = dict(channel="C1", kind=ConversationKind.PUBLIC_CHANNEL, root_ts="1.0", ended=None, recorded=())
    note_root(T, "R1", **root, participants={"U1", "U9"}, now=at(2), session=session, current=False)
    assert get_call(T, "R1", session=session).participants == {"U1", "U2", "U9"}
