"""Channel ids Slack replaced (a private channel shared with Slack Connect): what was stored under the
old id moves to the new one, and a program naming the old id is read, and saved, with the new one.
Also a lockdown's alert and the people Slack refused to remove."""

from __future__ import annotations

from datetime import timedelta

import pytest
from storage_samples import NOW, PROGRAM_ID, finding, full_program

from bot.model import Conversation, ConversationKind
from storage import (
    channel_id_changes,
    get_conversation,
    get_lockdown,
    get_program,
    move_channel,
    note_refused,
    open_incident,
    open_incidents,
    replaced_ids,
    resolve_incident,
    save_conversation,
    save_program,
    set_lockdown_alert,
    start_lockdown,
)

OLD, NEW = "G0PRIVATE1", "C0PRIVATE1"


@pytest.fixture
def program_session(session):
    save_program(full_program(channels=("C0GENERAL1", OLD)), session=session)
    return session


def lock(session, channel=OLD):
    return start_lockdown(
        PROGRAM_ID, channel, team_id="T0TEAM0001", actor="U0ADMIN1", reason="", now=NOW, session=session
    )


def test_the_conversation_its_open_incidents_and_its_lockdown_move_to_the_new_id(program_session):
    session = program_session
    members = frozenset({"U0STAFF1", "U0MINOR1"})
    save_conversation(Conversation(OLD, ConversationKind.PRIVATE_CHANNEL, members, name="project"), session=session)
    open_incident(finding("private-space-without-dlc-admin", OLD), program_id=PROGRAM_ID, now=NOW, session=session)
    open_incident(
        finding("hazardous-activity", f"{OLD}:1751812201.000001", scope=OLD, channel=OLD),
        program_id=PROGRAM_ID,
        now=NOW,
        session=session,
    )
    settled, _ = open_incident(finding("guardian-cannot-see", OLD), program_id=PROGRAM_ID, now=NOW, session=session)
    resolve_incident(settled.id, actor=None, now=NOW, detail="", session=session)
    locked = lock(session)

    moved = move_channel(OLD, NEW, team_id="T0TEAM0001", now=NOW, session=session)

    assert moved.conversation and moved.incidents == 2 and moved.lockdowns == 1
    assert get_conversation(OLD, session=session) is None
    assert get_conversation(NEW, session=session) == Conversation(
        NEW, ConversationKind.PRIVATE_CHANNEL, members, name="project"
    )
    now_open = {i.rule: i for i in open_incidents(PROGRAM_ID, scope=NEW, session=session)}
    assert now_open["private-space-without-dlc-admin"].subject == NEW
    assert now_open["hazardous-activity"].subject == f"{NEW}:1751812201.000001"
    assert now_open["hazardous-activity"].channel == NEW
    assert open_incidents(PROGRAM_ID, scope=OLD, session=session) == []
    assert get_lockdown(locked.id, session=session).channel == NEW


def test_a_program_naming_the_old_id_is_read_and_saved_with_the_new_one(program_session):
    session = program_session
    move_channel(OLD, NEW, team_id="T0TEAM0001", now=NOW, session=session)
    assert get_program(PROGRAM_ID, session=session).channels == ("C0GENERAL1", NEW)
    save_program(full_program(channels=(OLD,), alert_channel=OLD), session=session)  # the file, not updated
    program = get_program(PROGRAM_ID, session=session)
    assert program.channels == (NEW,) and program.alert_channel == NEW
    assert replaced_ids(full_program(channels=(OLD,)), channel_id_changes(session=session)) == [("channels", OLD)]


def test_changes_follow_one_another_and_recording_one_twice_changes_nothing(program_session):
    session = program_session
    move_channel(OLD, NEW, team_id="T0TEAM0001", now=NOW, session=session)
    move_channel(OLD, NEW, team_id="T0TEAM0001", now=NOW + timedelta(minutes=1), session=session)
    move_channel(NEW, "C0LATER001", team_id="T0TEAM0001", now=NOW, session=session)
    assert channel_id_changes(session=session) == {OLD: "C0LATER001", NEW: "C0LATER001"}
    assert get_program(PROGRAM_ID, session=session).channels == ("C0GENERAL1", "C0LATER001")


def test_a_conversation_stored_under_both_ids_keeps_the_new_one(program_session):
    session = program_session
    save_conversation(Conversation(OLD, ConversationKind.PRIVATE_CHANNEL, frozenset({"U0STAFF1"})), session=session)
    save_conversation(Conversation(NEW, ConversationKind.PRIVATE_CHANNEL, frozenset({"U0DLC1"})), session=session)
    move_channel(OLD, NEW, team_id="T0TEAM0001", now=NOW, session=session)
    assert get_conversation(OLD, session=session) is None
    assert get_conversation(NEW, session=session).members == {"U0DLC1"}


def test_a_lockdowns_alert_and_whom_slack_refused_to_remove(program_session):
    session = program_session
    locked = lock(session, "C0SESSION1")
    set_lockdown_alert(locked.id, channel="C0ALERTS01", text=":lock: locked", session=session)
    note_refused(locked.id, ["U0MINOR1"], session=session)
    set_lockdown_alert(locked.id, channel="C0ALERTS01", ts="1751812201.000001", session=session)
    note_refused(locked.id, ["U0MINOR2", "U0MINOR1"], session=session)
    stored = get_lockdown(locked.id, session=session)
    assert (stored.alert_channel, stored.alert_text, stored.alert_ts) == (
        "C0ALERTS01",
        ":lock: locked",
        "1751812201.000001",
    )
    assert stored.refused == ("U0MINOR1", "U0MINOR2")
