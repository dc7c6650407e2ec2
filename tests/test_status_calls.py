"""Live calls in status (pure): who is in each call, which calls each viewer may see (calls outside
the program's spaces are for administrators only), how a live session's two-adult check is
measured, and how it is written."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from builders import (
    ADMIN1,
    BOT,
    DLC,
    GUARD1,
    HUDDLE_ACCESS,
    MINOR1,
    MINOR2,
    NOW,
    PENDING,
    SESSION,
    SESSION_WINDOW,
    STAFF1,
    STAFF2,
    STRANGER,
    accounts_for,
    call,
    program,
    public,
)

from bot.model import ConversationKind, Directory, SessionWindow
from bot.status import (
    Measure,
    ProgramCalls,
    call_status,
    calls_in_spaces,
    program_calls,
    program_overview,
    session_check,
    space_status,
)
from handlers.slack.views import call_line, check_line, overview_blocks, running_for, space_lines

APP = "U0SAFEBOT1"
TEAM = "T0TEAM0001"
IN_SLACK = replace(SESSION_WINDOW, access_info=HUDDLE_ACCESS)


def directory(prog=None):
    prog = prog or program()
    return Directory(prog, accounts_for(prog), complete=True)


def person(uid, prog=None):
    found = directory(prog).person(uid)
    assert found is not None
    return found


SESSION_CALL = call(
    STAFF1, STAFF2, MINOR1, STRANGER, BOT, id="R0SESSION", channel=SESSION, kind=ConversationKind.PUBLIC_CHANNEL
)
DM_CALL = call(STAFF1, MINOR1, id="R0DM", channel="D0STAFFMIN", kind=ConversationKind.IM)
ADULTS_ONLY_GROUP_DM = call(STAFF1, STAFF2, id="R0ADULTS", channel="G0ADULTS", kind=ConversationKind.MPIM)
UNKNOWN_PLACE = call(MINOR2, STRANGER, id="R0UNKNOWN")
OTHER_CHANNEL = call(STAFF1, MINOR2, id="R0OTHER", channel="C0RANDOM01", kind=ConversationKind.PUBLIC_CHANNEL)
ENDED = replace(call(STAFF1, MINOR1, id="R0ENDED", channel="D0ENDED", kind=ConversationKind.IM), ended=True)
ALL_CALLS = (SESSION_CALL, DM_CALL, ADULTS_ONLY_GROUP_DM, UNKNOWN_PLACE, OTHER_CHANNEL, ENDED)


@pytest.mark.parametrize(
    ("access_info", "outside"),
    [
        pytest.param("Zoom 123 https://zoom.us/j/123", True, id="zoom-link"),
        pytest.param("<https://meet.google.com/abc-defg-hij|Meet>", True, id="meet-link-as-slack-writes-it"),
        pytest.param("Teams: HTTPS://teams.microsoft.com/l/meetup-join/1 passcode 2", True, id="teams-link"),
        pytest.param("https://evilslack.com/huddle", True, id="a-host-only-ending-like-slack"),
        pytest.param("https://slack.com@evil.example/j/1", True, id="slack-as-the-user-part-is-not-the-host"),
        pytest.param("https://slack.com.evil.example/j/1", True, id="slack-as-a-subdomain-of-another-host"),
        pytest.param("Zoom 123, passcode 456", True, id="a-meeting-described-without-a-link"),
        pytest.param("Join link and passcode, shared with guardians", True, id="a-meeting-elsewhere-in-words"),
        pytest.param("the channel's huddle", False, id="a-huddle-in-words"),
        pytest.param("#session-1", False, id="a-channel-by-name"),
        pytest.param("Join us in <#C0SESSION1>", False, id="a-channel-as-slack-writes-it"),
        pytest.param("Slack, this channel", False, id="slack-in-words"),
        pytest.param("https://app.slack.com:443/huddle/T1/C1", False, id="slack-with-a-port"),
        pytest.param("", False, id="nothing"),
        pytest.param(HUDDLE_ACCESS, False, id="slack-huddle-link"),
        pytest.param("https://slack.com/app_redirect?channel=C0SESSION1", False, id="slack-com"),
        pytest.param("<https://example.slack.com/archives/C0SESSION1>", False, id="workspace-link"),
        pytest.param("zoom.us/j/123", True, id="a-link-without-its-scheme-is-still-elsewhere"),
        pytest.param("https://", True, id="a-broken-link-does-not-point-to-slack"),
    ],
)
def test_a_session_runs_outside_slack_when_its_access_information_points_elsewhere(access_info, outside):
    window = SessionWindow(channel=SESSION, start=NOW, end=NOW + timedelta(hours=1), access_info=access_info)
    assert window.runs_outside_slack is outside


def test_a_calls_people_are_sorted_by_what_they_are_to_the_program():
    mixed = call(STAFF1, DLC, MINOR1, MINOR2, GUARD1, PENDING, STRANGER, BOT, channel=SESSION, recorded=("transcript",))
    mixed = replace(mixed, kind=ConversationKind.PUBLIC_CHANNEL, started_at=NOW - timedelta(minutes=65))
    status = call_status(program(), directory(), mixed, now=NOW, team_id=TEAM)
    assert status.program_adults == (DLC, STAFF1)
    assert status.minors == (MINOR1, MINOR2)
    assert status.other_roster == (GUARD1, PENDING)  # a guardian and an uncleared facilitator
    assert status.not_on_roster == (STRANGER,)  # the bot is nobody
    assert status.in_program_space and status.channel == SESSION and status.place == f"in <#{SESSION}>"
    assert status.running_for == timedelta(minutes=65) and {f.value for f in status.ai_notes} == {"transcript"}


@pytest.mark.parametrize(
    ("viewer", "in_spaces", "elsewhere"),
    [
        pytest.param(ADMIN1, {"R0SESSION"}, {"R0DM", "R0UNKNOWN", "R0OTHER"}, id="program-admin"),
        pytest.param(DLC, {"R0SESSION"}, {"R0DM", "R0UNKNOWN", "R0OTHER"}, id="dlc-admin"),
        pytest.param(STAFF1, {"R0SESSION"}, set(), id="staff-never-see-a-call-elsewhere"),
        pytest.param(STAFF2, {"R0SESSION"}, set(), id="staff-not-in-the-dm-either"),
        pytest.param(MINOR1, set(), set(), id="a-minor-sees-none"),
        pytest.param(GUARD1, set(), set(), id="a-guardian-sees-none"),
        pytest.param(None, set(), set(), id="not-on-the-roster"),
    ],
)
def test_what_each_viewer_may_see_of_the_live_calls(viewer, in_spaces, elsewhere):
    """Calls elsewhere with a roster minor (a DM, a place Slack did not say, a channel that is not
    the program's) are for administrators only; a call of adults only elsewhere, or one that ended,
    is nobody's business here."""
    prog = program(team_id=None)
    seen = program_calls(
        prog,
        directory(prog),
        ALL_CALLS,
        now=NOW,
        team_id=TEAM,
        viewer=None if viewer is None else person(viewer, prog),
    )
    assert {c.call_id for c in seen.in_spaces} == in_spaces
    assert {c.call_id for c in seen.elsewhere} == elsewhere


@pytest.mark.parametrize(
    ("window", "calls", "measure", "adults"),
    [
        pytest.param(SESSION_WINDOW, (SESSION_CALL,), Measure.BY_PRESENCE, None, id="outside-slack-even-with-a-huddle"),
        pytest.param(SESSION_WINDOW, (), Measure.BY_PRESENCE, None, id="outside-slack"),
        pytest.param(IN_SLACK, (SESSION_CALL,), Measure.IN_CALL, (STAFF1, STAFF2), id="in-slack-with-its-huddle"),
        pytest.param(IN_SLACK, (), Measure.NO_CALL, None, id="in-slack-no-huddle-yet"),
        pytest.param(IN_SLACK, (OTHER_CHANNEL,), Measure.NO_CALL, None, id="a-huddle-elsewhere-is-not-its-call"),
    ],
)
def test_how_a_live_sessions_two_adult_check_is_measured(window, calls, measure, adults):
    prog = program(team_id=None)
    statuses = [call_status(prog, directory(prog), c, now=NOW, team_id=TEAM) for c in calls]
    check = session_check(window, statuses)
    assert check.measure is measure and check.adults_in_call == adults


def space_of(window, calls, members=(APP, STAFF1, STAFF2, MINOR1), **facts):
    prog = program(sessions=(window,))
    found = calls_in_spaces(prog, directory(prog), calls, now=NOW, team_id=TEAM)
    return space_status(
        prog, directory(prog), public(*members, id=SESSION), now=NOW, app_user=APP, calls=found, **facts
    )


def test_a_session_in_its_huddle_counts_the_program_adults_in_the_call():
    one_adult = call(STAFF1, MINOR1, MINOR2, channel=SESSION, kind=ConversationKind.PUBLIC_CHANNEL)
    status = space_of(IN_SLACK, [one_adult])
    assert status.call is not None and status.call.program_adults == (STAFF1,)
    assert status.check is not None and status.check.measure is Measure.IN_CALL
    assert status.adults_needed == 1, "two adults are members, one is in the call"
    both = space_of(IN_SLACK, [SESSION_CALL])
    assert both.adults_needed == 0 and both.check is not None and both.check.adults_in_call == (STAFF1, STAFF2)


def test_a_session_in_slack_before_its_huddle_counts_members_and_one_outside_slack_counts_presence():
    waiting = space_of(IN_SLACK, [])
    assert waiting.check is not None and waiting.check.measure is Measure.NO_CALL and waiting.adults_needed == 0
    zoom = space_of(SESSION_WINDOW, [SESSION_CALL], active_users=frozenset({STAFF1}))
    assert zoom.check is not None and zoom.check.measure is Measure.BY_PRESENCE and zoom.adults_needed == 1
    later = space_of(IN_SLACK, [SESSION_CALL], members=(APP, STAFF1, MINOR1))
    assert later.check is not None and later.adults_needed == 0  # in the call: the measure is who is in it


def test_the_overview_lists_its_live_windows_checks_and_the_calls_it_was_given():
    prog = program(sessions=(IN_SLACK,))
    calls = program_calls(prog, directory(prog), ALL_CALLS, now=NOW, team_id=TEAM, viewer=person(ADMIN1, prog))
    overview = program_overview(prog, directory(prog), [], now=NOW, calls=calls)
    [check] = overview.live_checks
    assert check.window == IN_SLACK and check.measure is Measure.IN_CALL
    assert overview.calls == calls
    quiet = program_overview(prog, directory(prog), [], now=NOW + timedelta(days=1))
    assert quiet.live_checks == () and quiet.calls == ProgramCalls()


# -- how it is written --------------------------------------------------------------------------


def test_a_call_line_says_where_how_long_who_and_the_ai_notes():
    status = call_status(program(), directory(), SESSION_CALL, now=NOW, team_id=TEAM)
    line = call_line(status)
    assert f"in <#{SESSION}> for 2 min" in line
    assert f"program adults 2 (<@{STAFF1}>, <@{STAFF2}>)" in line and f"minors 1 (<@{MINOR1}>)" in line
    assert f"others, not on the roster 1 (<@{STRANGER}>)" in line and "AI notes off" in line
    noted = call_status(
        program(), directory(), replace(DM_CALL, recorded=frozenset(SESSION_CALL.recorded)), now=NOW, team_id=TEAM
    )
    assert "in a direct message" in call_line(noted)
    recorded = call_status(
        program(), directory(), call(STAFF1, MINOR1, recorded=("summary", "transcript")), now=NOW, team_id=TEAM
    )
    assert "AI notes on (summary, transcript)" in call_line(recorded) and "Slack does not say where" in call_line(
        recorded
    )


@pytest.mark.parametrize(
    ("minutes", "written"),
    [
        (0.5, "for less than a minute"),
        (4, "for 4 min"),
        (65, "for 1 h 05 min"),
        (None, "since a time Slack did not say"),
    ],
)
def test_how_long_a_call_has_run(minutes, written):
    assert running_for(None if minutes is None else timedelta(minutes=minutes)) == written


def test_ids_from_slack_are_written_inert():
    """A participant id comes from a huddle's event or root: whatever arrived, it is no markup."""
    hostile = call("U1><!channel", MINOR1, channel="C1><!here", kind=ConversationKind.PUBLIC_CHANNEL)
    line = call_line(call_status(program(), directory(), hostile, now=NOW, team_id=TEAM))
    assert "<!channel" not in line and "<!here" not in line
    assert "<@U1&gt;&lt;!channel>" in line and "<#C1&gt;&lt;!here>" in line


def test_status_says_which_measure_a_live_session_used():
    assert "measured in the call, 2 program adult(s) in it" in check_line(
        session_check(IN_SLACK, [call_status(program(), directory(), SESSION_CALL, now=NOW, team_id=TEAM)])
    )
    assert "by presence (the session runs outside Slack)" in check_line(session_check(SESSION_WINDOW, []))
    assert "no call running yet" in check_line(session_check(IN_SLACK, []))
    lines = "\n".join(space_lines(space_of(IN_SLACK, [SESSION_CALL])))
    assert "measured in the call" in lines and ":telephone_receiver: Live call" in lines


def test_the_overview_shows_calls_elsewhere_under_their_own_heading():
    prog = program(team_id=None)
    for viewer, shown in ((ADMIN1, True), (STAFF1, False)):
        calls = program_calls(prog, directory(prog), ALL_CALLS, now=NOW, team_id=TEAM, viewer=person(viewer, prog))
        text = json.dumps(overview_blocks(program_overview(prog, directory(prog), [], now=NOW, calls=calls)))
        assert f"in <#{SESSION}>" in text
        assert ("Calls elsewhere with the program" in text) is shown
        assert ("in a direct message" in text) is shown
