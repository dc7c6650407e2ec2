"""Who may use each command, and how each command's text is read: table-driven, no Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from builders import ROSTER

from bot.access import Command, commands_for, may_use, refusal, stays_in_lockdown
from bot.commands import (
    UsageError,
    channel_id,
    parse_channel_and_rest,
    parse_consent,
    parse_session,
    parse_since,
    user_id,
)

BY_NAME = {p.name: p for p in ROSTER}
NOW = datetime(2026, 7, 6, 18, 30, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        pytest.param("Avery", set(Command), id="program-admin"),
        pytest.param("Dana", set(Command), id="dlc-admin"),
        pytest.param("Sam", {Command.STATUS, Command.HELP}, id="staff-cleared"),
        pytest.param("Pending", {Command.HELP}, id="staff-pending"),
        pytest.param("Alex", {Command.HELP}, id="minor"),
        pytest.param("Pat", {Command.HELP}, id="guardian"),
        pytest.param(None, {Command.HELP}, id="not-on-roster"),
    ],
)
def test_who_may_use_each_command(name, allowed):
    person = BY_NAME.get(name) if name else None
    assert {c for c in Command if may_use(person, c)} == allowed
    assert set(commands_for([person])) == allowed


def test_several_programs_give_the_union_of_their_rights():
    assert set(commands_for([BY_NAME["Alex"], BY_NAME["Sam"]])) == {Command.STATUS, Command.HELP}


def test_a_refusal_names_the_audience_and_nobody():
    text = refusal(Command.LOCKDOWN)
    assert "program and DLC administrators" in text and "<@" not in text


@pytest.mark.parametrize(
    ("name", "stays"),
    [("Avery", True), ("Sam", True), ("Pending", False), ("Alex", False), ("Pat", False), (None, False)],
)
def test_only_cleared_adults_stay_in_a_lockdown(name, stays):
    assert stays_in_lockdown(BY_NAME.get(name) if name else None) is stays


@pytest.mark.parametrize(
    ("token", "channel", "user"),
    [
        ("<#C0SESSION1|session-1>", "C0SESSION1", None),
        ("<#G0PRIVATE1>", "G0PRIVATE1", None),
        ("C0SESSION1", "C0SESSION1", None),
        ("<@U0MINOR1|alex>", None, "U0MINOR1"),
        ("<@W0GRID01>", None, "W0GRID01"),
        ("#session-1", None, None),
        ("@alex", None, None),
        ("C", None, None),
    ],
)
def test_mentions_and_ids(token, channel, user):
    assert channel_id(token) == channel
    assert user_id(token) == user


def test_a_channel_then_a_reason():
    assert parse_channel_and_rest("<#C0SESSION1|s> zoom  bombing", Command.LOCKDOWN) == ("C0SESSION1", "zoom bombing")
    assert parse_channel_and_rest("zoom bombing", Command.LOCKDOWN) == (None, "zoom bombing")
    with pytest.raises(UsageError, match="is not a channel"):
        parse_channel_and_rest("<#nonsense>", Command.LOCKDOWN)


def test_consent():
    request = parse_consent("<@U0MINOR2|jo> Granted form on file")
    assert (request.user_id, request.granted, request.note) == ("U0MINOR2", True, "form on file")
    assert parse_consent("<@U0MINOR2> revoked").granted is False
    with pytest.raises(UsageError, match=r"Usage: `/minors-consent @minor granted\|revoked \[note\]`"):
        parse_consent("<@U0MINOR2>")


@pytest.mark.parametrize(
    ("text", "start", "end", "access"),
    [
        pytest.param(
            "<#C0S1> 2026-07-07T14:00-04:00 16:00 Zoom 1 pass 2",
            datetime(2026, 7, 7, 18, 0, tzinfo=UTC),
            datetime(2026, 7, 7, 20, 0, tzinfo=UTC),
            "Zoom 1 pass 2",
            id="offset-and-clock-end",
        ),
        pytest.param(
            "<#C0S1> 2026-07-07T14:00 2026-07-07T15:30",
            datetime(2026, 7, 7, 18, 0, tzinfo=UTC),
            datetime(2026, 7, 7, 19, 30, tzinfo=UTC),
            "",
            id="askers-zone",
        ),
        pytest.param(
            "<#C0S1> 2026-12-07T14:00 15:00",
            datetime(2026, 12, 7, 19, 0, tzinfo=UTC),
            datetime(2026, 12, 7, 20, 0, tzinfo=UTC),
            "",
            id="winter-time",
        ),
        pytest.param(
            "<#C0S1> 2026-07-07 14:00 2026-07-07 15:30 Room 2",
            datetime(2026, 7, 7, 18, 0, tzinfo=UTC),
            datetime(2026, 7, 7, 19, 30, tzinfo=UTC),
            "Room 2",
            id="date-space-time",
        ),
        pytest.param(
            "<#C0S1> 2026-07-07T18:00Z 2026-07-07T19:00Z",
            datetime(2026, 7, 7, 18, 0, tzinfo=UTC),
            datetime(2026, 7, 7, 19, 0, tzinfo=UTC),
            "",
            id="utc",
        ),
    ],
)
def test_session_times(text, start, end, access):
    request = parse_session(text, zone=NEW_YORK, now=NOW)
    assert (request.channel, request.start, request.end, request.access_info) == ("C0S1", start, end, access)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<#C0S1> 2026-07-07T14:00", "Give the channel, the start and the end"),
        ("<#C0S1> 2026-07-07T14:00 25:00", "is not a time of day"),
        ("<#C0S1> 2026-07-07 16:00", "Give the channel, the start and the end"),
        ("<#C0S1> 14:00 16:00", "is not a date and time"),
        ("<#C0S1> 2026-07-06T10:00 11:00", "already ended"),
    ],
)
def test_session_refusals(text, reason):
    with pytest.raises(UsageError, match=reason):
        parse_session(text, zone=NEW_YORK, now=NOW)


@pytest.mark.parametrize(
    ("text", "since"),
    [("", None), ("2026-07-01", date(2026, 7, 1)), ("7d", date(2026, 6, 29)), ("30D", date(2026, 6, 6))],
)
def test_report_since(text, since):
    assert parse_since(text, today=date(2026, 7, 6)) == since


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "7d extra"])
def test_report_since_refusals(text):
    with pytest.raises(UsageError, match="Usage: `/minors-report"):
        parse_since(text, today=date(2026, 7, 6))
