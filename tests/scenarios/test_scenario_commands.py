"""The slash commands end to end, for every role: what each may do, what everyone else is told
(and that it reveals nobody), and what Slack received when a command acted."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from builders import (
    ADMIN1,
    ADMIN2,
    ALERTS,
    DLC,
    GENERAL,
    GUARD1,
    GUARD2,
    MINOR1,
    MINOR2,
    MINOR3,
    NOW,
    PENDING,
    SESSION,
    STAFF1,
    STAFF2,
    STRANGER,
)

import storage
from bot.access import Command, refusal
from fakeslack.reference import check_call, find_reference_dir, scope_problems
from handlers.listeners.oauth import BOT_SCOPES, USER_SCOPES

ROLES = {
    "program-admin": ADMIN1,
    "dlc-admin": DLC,
    "staff": STAFF1,
    "staff-pending-check": PENDING,
    "minor": MINOR1,
    "guardian": GUARD1,
    "unknown-account": STRANGER,
}
ADMINS = {"program-admin", "dlc-admin"}
ALLOWED = {
    Command.STATUS: ADMINS | {"staff"},
    Command.LOCKDOWN: ADMINS,
    Command.UNLOCK: ADMINS,
    Command.CONSENT: ADMINS,
    Command.SESSION: ADMINS,
    Command.ROSTER: ADMINS,
    Command.REPORT: ADMINS,
    Command.HELP: set(ROLES),
}
TEXTS = {
    Command.STATUS: "",
    Command.LOCKDOWN: f"<#{SESSION}|session-1> a stranger joined",
    Command.UNLOCK: f"<#{SESSION}|session-1>",
    Command.CONSENT: f"<@{MINOR2}|jo> granted signed form on file",
    Command.SESSION: f"<#{SESSION}|session-1> 2026-07-07T14:00-04:00 16:00 Zoom 999",
    Command.ROSTER: "",
    Command.REPORT: "",
    Command.HELP: "",
}
MENTION = re.compile(r"<@U")


async def ask(world, command: Command | str, text: str = "", *, user: str, channel: str = GENERAL) -> dict:
    """What the asker is finally told: the command's answer, or what followed it through the
    response_url when the answer was only that the app is on it (see test_scenario_three_seconds)."""
    status, body = await world.slack.slash_command(str(command), text=text, user_id=user, channel_id=channel)
    assert status == 200, body
    assert body.get("response_type", "ephemeral") == "ephemeral"
    await world.app.runtime.followups.wait()
    followed = world.slack.responses_to(world.slack.deliveries[-1])
    assert all(m["response_type"] == "ephemeral" for m in followed)
    return followed[-1] if followed else body


def everything(answer: dict) -> str:
    return answer.get("text", "") + repr(answer.get("blocks") or [])


@pytest.mark.parametrize("command", list(Command), ids=[c.name.lower() for c in Command])
@pytest.mark.parametrize("role", list(ROLES))
async def test_each_command_for_each_role(world, command, role):
    user = ROLES[role]
    before = len(world.slack.calls)
    answer = await ask(world, command, TEXTS[command], user=user)
    await world.settle()
    if role in ALLOWED[command]:
        assert answer["text"] != refusal(command)
        return
    assert answer["text"] == refusal(command)
    assert not MENTION.search(everything(answer)), "a refusal names nobody"
    acted = {c.method for c in world.slack.calls[before:]}
    assert not acted & {"conversations.kick", "views.open", "files.completeUploadExternal", "chat.postMessage"}
    with storage.session_scope(world.engine) as session:
        assert storage.active_lockdown(SESSION, session=session) is None
        assert storage.consents_for(world.program.id, "jo@example.org", session=session) == []


async def test_help_lists_only_what_the_asker_may_use(world):
    admin = everything(await ask(world, Command.HELP, user=ADMIN1))
    minor = everything(await ask(world, Command.HELP, user=MINOR1))
    staff = everything(await ask(world, Command.HELP, user=STAFF1))
    assert all(c.value in admin for c in Command)
    assert "/minors-help" in minor and "/minors-status" not in minor and "/minors-lockdown" not in minor
    assert "/minors-status" in staff and "/minors-lockdown" not in staff
    assert "Report a concern" in minor


# -- /minors-status ----------------------------------------------------------------------------


async def test_status_of_a_session_channel_for_a_facilitator(world):
    await world.slack.user_joins(STRANGER, SESSION)
    await world.settle()
    answer = everything(await ask(world, Command.STATUS, f"<#{SESSION}|session-1>", user=STAFF1))
    assert f"<@{STAFF1}>" in answer and f"<@{STAFF2}>" in answer  # program adults present
    assert "active now: 2" in answer  # a live session: presence was counted
    assert f"Not on the roster: <@{STRANGER}>" in answer
    assert "`unauthorized-member` 1" in answer
    assert f"No recording consent on record: <@{MINOR2}>, <@{MINOR3}>" in answer


async def test_status_counts_only_active_adults_during_a_live_session(world):
    world.slack.set_presence(STAFF2, "away")
    answer = everything(await ask(world, Command.STATUS, f"<#{SESSION}>", user=ADMIN1))
    assert "active now: 1" in answer and "needs 1 more" in answer


async def test_status_without_a_channel_is_the_program_overview(world):
    answer = everything(await ask(world, Command.STATUS, user=DLC))
    assert "Splash 2026 Online" in answer and "Spaces in order:" in answer
    assert f"<#{SESSION}>" in answer and f"<#{GENERAL}>" in answer


async def test_status_of_a_channel_outside_the_program_and_bad_input(world):
    world.slack.add_channel("C0RANDOM01", name="random", members=["U0SAFEBOT1", STAFF1])
    answer = await ask(world, Command.STATUS, "<#C0RANDOM01|random>", user=STAFF1)
    assert "not a space of a program you facilitate" in answer["text"]
    bad = await ask(world, Command.STATUS, "<#C0RANDOM01|random> please", user=STAFF1)
    assert "Usage: `/minors-status [#channel]`" in bad["text"]
    unseen = await ask(world, Command.STATUS, "<#C0NOWHERE1>", user=STAFF1)
    assert "cannot see" in unseen["text"]


# -- /minors-lockdown and /minors-unlock -------------------------------------------------------


async def test_lockdown_closes_the_session_at_once_and_unlock_reopens_it(world):
    await world.slack.user_joins(STRANGER, SESSION)
    await world.settle()
    answer = await ask(world, Command.LOCKDOWN, f"<#{SESSION}|session-1> zoom-bombing", user=ADMIN1)
    assert ":lock:" in answer["text"] and "Removing 4" in answer["text"] and "2 program adult(s) stay" in answer["text"]
    await world.settle()
    members = set(world.slack.conversations[SESSION].members)
    assert members == {"U0SAFEBOT1", STAFF1, STAFF2}
    kicked = {c.params["user"] for c in world.slack.calls_to("conversations.kick")}
    assert kicked == {MINOR1, MINOR2, MINOR3, STRANGER}
    notice = [m for m in world.slack.posted(SESSION) if "has been closed" in m["text"]]
    assert len(notice) == 1 and "zoom-bombing" not in notice[0]["text"]  # the reason is for administrators
    [alert] = [m for m in world.alerts() if m["text"].startswith(":lock:")]
    assert "zoom-bombing" in alert["text"] and f"<@{ADMIN1}>" in alert["text"]
    assert f"Staying: <@{STAFF1}>, <@{STAFF2}>." in alert["text"]
    for guardian in (GUARD1, GUARD2):
        assert any("closed the session" in m["text"] for m in world.direct_messages(guardian))
    with storage.session_scope(world.engine) as session:
        [entry] = [e for e in storage.audit_entries(world.program.id, session=session) if e.action == "lockdown"]
    assert entry.actor == ADMIN1 and entry.detail["reason"] == "zoom-bombing"

    # While locked, anyone but the program's cleared adults is taken straight out again.
    await world.slack.user_joins(MINOR1, SESSION)
    await world.settle()
    assert MINOR1 not in world.slack.conversations[SESSION].members
    again = await ask(world, Command.LOCKDOWN, f"<#{SESSION}>", user=ADMIN2)
    assert "locked down already" in again["text"]

    answer = await ask(world, Command.UNLOCK, f"<#{SESSION}|session-1>", user=DLC)
    assert ":unlock:" in answer["text"] and "3 member(s)" in answer["text"]
    await world.settle()
    members = set(world.slack.conversations[SESSION].members)
    assert members == {"U0SAFEBOT1", STAFF1, STAFF2, MINOR1, MINOR2, MINOR3}  # the stranger stays out
    assert any("open again" in m["text"] for m in world.slack.posted(SESSION))
    assert any("open again" in m["text"] for m in world.direct_messages(GUARD1))
    with storage.session_scope(world.engine) as session:
        assert storage.active_lockdown(SESSION, session=session) is None
        actions = [e.action for e in storage.audit_entries(world.program.id, session=session)]
    assert actions.count("unlock") == 1


async def test_lockdown_without_a_channel_closes_the_one_it_is_run_in(world):
    answer = await ask(world, Command.LOCKDOWN, "", user=DLC, channel=SESSION)
    assert f"<#{SESSION}> is locked down" in answer["text"]


async def test_lockdown_where_slack_refuses_a_removal_tells_the_administrators(world):
    await world.slack.user_joins(STRANGER, SESSION)
    await world.settle()
    world.slack.fail_next("conversations.kick", error="restricted_action")
    await ask(world, Command.LOCKDOWN, f"<#{SESSION}>", user=ADMIN1)
    await world.settle()
    [alert] = [m for m in world.alerts() if m["text"].startswith(":lock:")]
    refused = [m for m in world.thread(alert) if "Slack refused to remove" in m["text"]]
    assert len(refused) == 1 and "a workspace admin must remove" in refused[0]["text"]


async def test_unlock_of_a_channel_that_is_not_locked(world):
    answer = await ask(world, Command.UNLOCK, f"<#{SESSION}>", user=ADMIN1)
    assert "is not locked down" in answer["text"]


# -- /minors-consent -----------------------------------------------------------------------------


async def test_consent_is_recorded_and_applies_to_the_next_recording(world):
    answer = await ask(world, Command.CONSENT, f"<@{MINOR2}|jo> granted signed form on file", user=ADMIN1)
    assert "granted" in answer["text"]
    await ask(world, Command.CONSENT, f"<@{MINOR3}> granted", user=ADMIN1)
    with storage.session_scope(world.engine) as session:
        [record] = storage.consents_for(world.program.id, "jo@example.org", session=session)
        entries = [e for e in storage.audit_entries(world.program.id, session=session) if e.action == "consent"]
    assert record.granted and record.recorded_by == ADMIN1 and record.note == "signed form on file"
    assert len(entries) == 2
    await world.slack.user_shares_file(STAFF1, SESSION, name="session.mp4", mimetype="video/mp4", filetype="mp4")
    await world.settle()
    assert world.alerts_for("recording-without-consent") == []
    await ask(world, Command.CONSENT, f"<@{MINOR2}> revoked parent called", user=DLC)
    await world.slack.user_shares_file(STAFF1, SESSION, name="again.mp4", mimetype="video/mp4", filetype="mp4")
    await world.settle()
    [alert] = world.alerts_for("recording-without-consent")
    assert f"<@{MINOR2}>" in alert["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "Name the minor", id="empty"),
        pytest.param(f"<@{MINOR2}> maybe", "neither granted nor revoked", id="bad-decision"),
        pytest.param("jo granted", "is not a person", id="not-a-mention"),
        pytest.param(f"<@{STAFF1}> granted", "is not a minor", id="not-a-minor"),
    ],
)
async def test_consent_bad_input_changes_nothing(world, text, expected):
    answer = await ask(world, Command.CONSENT, text, user=ADMIN1)
    assert expected in answer["text"]
    with storage.session_scope(world.engine) as session:
        assert not [e for e in storage.audit_entries(world.program.id, session=session) if e.action == "consent"]


# -- /minors-session -----------------------------------------------------------------------------


async def test_a_scheduled_session_reaches_the_guardians(world):
    answer = await ask(world, Command.SESSION, TEXTS[Command.SESSION], user=ADMIN1)
    assert "is scheduled" in answer["text"]
    with storage.session_scope(world.engine) as session:
        sessions = storage.get_program(world.program.id, session=session).sessions
    added = [s for s in sessions if s.access_info == "Zoom 999"]
    assert len(added) == 1 and added[0].start == NOW.replace(day=7, hour=18, minute=0) and len(sessions) == 2
    await world.app.scheduled_checks()
    await world.settle()
    for guardian in (GUARD1, GUARD2):
        assert any("Zoom 999" in m["text"] for m in world.direct_messages(guardian))


async def test_a_channel_given_a_session_from_slack_is_watched_as_a_program_space(world):
    """The program file does not list it; the session scheduled there makes it a session channel."""
    workshop = world.slack.add_channel("C0WORKSHP1", name="workshop", members=["U0SAFEBOT1", STAFF1, STAFF2])
    answer = await ask(world, Command.SESSION, f"<#{workshop}> 2026-07-07T14:00-04:00 16:00", user=ADMIN1)
    assert "is scheduled" in answer["text"]
    await world.slack.user_joins(STRANGER, workshop)
    await world.settle()
    assert [a for a in world.alerts_for("unauthorized-member") if workshop in a["text"]]


async def test_a_session_without_an_offset_is_in_the_askers_time_zone(world):
    await ask(world, Command.SESSION, f"<#{SESSION}> 2026-07-08T09:00 10:30", user=ADMIN1)
    with storage.session_scope(world.engine) as session:
        sessions = storage.get_program(world.program.id, session=session).sessions
    [added] = [s for s in sessions if s.start.day == 8]
    assert added.start.hour == 13 and added.end - added.start == timedelta(minutes=90)  # New York, EDT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"<#{SESSION}>", "Give the channel, the start and the end", id="missing-times"),
        pytest.param(f"<#{SESSION}> tomorrow 16:00", "is not a date and time", id="bad-start"),
        pytest.param(f"<#{SESSION}> 2026-07-07T14:00-04:00 13:00", "must end after it starts", id="backwards"),
        pytest.param(f"<#{SESSION}> 2026-07-01T14:00-04:00 15:00", "already ended", id="past"),
        pytest.param(f"<#{SESSION}> 2026-07-07T14:00-04:00 2026-07-09T14:00-04:00", "12 hours", id="too-long"),
        pytest.param("session-1 2026-07-07T14:00-04:00 16:00", "is not a channel", id="not-a-channel"),
    ],
)
async def test_session_bad_input_shows_the_usage_and_changes_nothing(world, text, expected):
    answer = await ask(world, Command.SESSION, text, user=ADMIN1)
    assert expected in answer["text"] and "Usage: `/minors-session" in answer["text"]
    with storage.session_scope(world.engine) as session:
        assert len(storage.get_program(world.program.id, session=session).sessions) == 1


# -- /minors-report ------------------------------------------------------------------------------


async def test_the_report_is_a_csv_in_the_administrators_dm(world):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    answer = await ask(world, Command.REPORT, "2026-07-01", user=ADMIN2)
    assert "1 incident(s)" in answer["text"]
    await world.settle()
    [(file, content)] = world.slack.uploaded(ADMIN2)
    assert file["name"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [r["rule"] for r in rows] == ["unauthorized-member"]
    assert "Stranger (U0STRANGER)" in rows[0]["summary"] and rows[0]["status"] == "open"
    later = await ask(world, Command.REPORT, "2026-08-01", user=ADMIN2)
    assert "0 incident(s)" in later["text"]
    bad = await ask(world, Command.REPORT, "last-week", user=ADMIN2)
    assert "Usage: `/minors-report" in bad["text"]


# -- what Slack received is real ------------------------------------------------------------------

REFERENCE = find_reference_dir()


@pytest.mark.skipif(REFERENCE is None, reason="Slack's method reference is not beside the project")
async def test_every_call_an_administrators_day_makes_is_a_real_method_with_its_required_arguments(world):
    await world.slack.user_joins(STRANGER, SESSION)
    await world.settle()
    for command, text in (
        (Command.STATUS, f"<#{SESSION}>"),
        (Command.SESSION, TEXTS[Command.SESSION]),
        (Command.CONSENT, TEXTS[Command.CONSENT]),
        (Command.LOCKDOWN, f"<#{SESSION}> a stranger"),
        (Command.UNLOCK, f"<#{SESSION}>"),
        (Command.ROSTER, ""),
        (Command.REPORT, ""),
    ):
        await ask(world, command, text, user=ADMIN1)
        await world.settle()
    await world.slack.open_home(ADMIN1)
    await world.settle()
    methods = {c.method for c in world.slack.calls}
    assert {"conversations.kick", "views.open", "views.publish", "files.completeUploadExternal"} <= methods
    problems = sorted({p for c in world.slack.calls for p in check_call(c.method, c.params, REFERENCE)})
    assert problems == []
    granted = {"bot": BOT_SCOPES, "user": USER_SCOPES}
    missing = sorted({p for c in world.slack.calls if c.ok for p in scope_problems(c, granted, REFERENCE)})
    assert missing == []


async def test_lockdown_of_a_channel_the_app_is_not_in_records_nothing(world):
    world.slack.add_channel("C0NOAPP001", name="no-app", members=[STAFF1, MINOR1])  # never seen: looked up
    await world.slack.user_leaves("U0SAFEBOT1", SESSION)  # the app was removed, and Slack said so
    await world.settle()
    for channel in ("C0NOAPP001", SESSION):
        answer = await ask(world, Command.LOCKDOWN, f"<#{channel}>", user=ADMIN1)
        assert "not a" in answer["text"] and ":lock:" not in answer["text"]
    await world.settle()
    assert world.slack.calls_to("conversations.kick") == []
    with storage.session_scope(world.engine) as session:
        assert storage.active_lockdown(SESSION, session=session) is None


async def test_a_lockdown_the_app_cannot_carry_out_yet_stands_and_is_carried_out_when_it_is_back(world):
    """The app was removed a moment ago and has not heard yet: the lockdown is recorded on what it
    knew, then Slack's member list shows it is out. The administrator is told at once, and the
    lockdown stands: invited back, the app removes everyone who may not stay."""
    world.slack.conversations[SESSION].members.remove("U0SAFEBOT1")
    status, body = await world.slack.slash_command(
        str(Command.LOCKDOWN), text=f"<#{SESSION}>", user_id=ADMIN1, channel_id=GENERAL
    )
    assert status == 200 and ":lock:" in body["text"]
    await world.settle()
    [told] = world.slack.responses_to(world.slack.deliveries[-1])
    assert "not a member" in told["text"] and "invite it back" in told["text"]
    assert any("cannot remove anyone" in m["text"] for m in world.slack.posted(ALERTS))
    await world.slack.user_joins(STRANGER, SESSION)  # unseen: the app is not there to hear it
    await world.slack.user_joins("U0SAFEBOT1", SESSION)
    await world.settle()
    assert set(world.slack.conversations[SESSION].members) == {"U0SAFEBOT1", STAFF1, STAFF2}


async def test_a_failing_database_still_gets_the_asker_an_answer(world):
    world.engine.dispose()
    world.app.runtime.engine = None  # every session now fails
    answer = await ask(world, Command.CONSENT, f"<@{MINOR2}> granted", user=ADMIN1)
    assert "could not do that just now" in answer["text"]
