"""The access-information detector: what identifies a session's meeting in its access information, and
a corpus of messages that give a meeting away and of messages that must not count (another meeting, a
number that only looks alike, a plain word that is also a passcode, a Slack channel)."""

from datetime import UTC, datetime, timedelta

import pytest
from builders import SESSION, program
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.detectors import access_info as access_info_module
from bot.detectors.access_info import (
    access_markers,
    meeting_access,
    open_sessions,
    revealed,
    sessions_revealed,
)
from bot.model import SessionWindow

ZOOM = "Join Zoom <https://mit.zoom.us/j/81234567890?pwd=Ab12Cd34Ef|mit.zoom.us/j/81234567890> Passcode: 482913"
ZOOM_PLAIN = "Zoom meeting: https://us02web.zoom.us/j/81234567890\nMeeting ID: 812 3456 7890\nPasscode: 4821"
MEET = "Google Meet: https://meet.google.com/abc-defg-hij?authuser=0"
TEAMS = (
    "Microsoft Teams: https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA2ZTk%40thread.v2/0?context=%7b%7d "
    "Meeting ID: 254 734 931 582 Passcode: Xy7Kp2"
)
WEBEX = (
    "Webex: https://mit.webex.com/mit/j.php?MTID=m3f0a1b2c4d5e6f7a8b9c0d1e2f3a4b5c "
    "Meeting number: 2634 123 4567 Meeting password: pQ7mX2vR"
)
WEBEX_ROOM = "Personal room: https://mit.webex.com/meet/sam.k"


@pytest.mark.parametrize(
    ("access_info", "links", "ids", "passcodes", "short"),
    [
        pytest.param(
            ZOOM, ("mit.zoom.us/j/81234567890",), ("81234567890",), ("Ab12Cd34Ef", "482913"), (), id="zoom-slack-link"
        ),
        pytest.param(ZOOM_PLAIN, ("us02web.zoom.us/j/81234567890",), ("81234567890",), (), ("4821",), id="zoom-plain"),
        pytest.param(MEET, ("meet.google.com/abc-defg-hij",), ("abc-defg-hij",), (), (), id="meet"),
        pytest.param(
            TEAMS,
            ("teams.microsoft.com/l/meetup-join/19%3ameeting_NjA2ZTk%40thread.v2/0",),
            ("254734931582",),
            ("Xy7Kp2",),
            (),
            id="teams",
        ),
        pytest.param(
            WEBEX, ("m3f0a1b2c4d5e6f7a8b9c0d1e2f3a4b5c",), ("26341234567",), ("pQ7mX2vR",), (), id="webex-launcher"
        ),
        pytest.param(WEBEX_ROOM, ("mit.webex.com/meet/sam.k",), (), (), (), id="webex-personal-room"),
        pytest.param("Password: tigers", (), (), (), ("tigers",), id="a-plain-word-passcode-is-short"),
    ],
)
def test_what_identifies_a_meeting(access_info, links, ids, passcodes, short):
    access = meeting_access(access_info)
    assert (access.links, access.meeting_ids, access.passcodes, access.short_passcodes) == (
        links,
        ids,
        passcodes,
        short,
    )


@pytest.mark.parametrize(
    "access_info",
    [
        pytest.param("#session-1", id="slack-channel-name"),
        pytest.param("<#C0SESSION1|session-1>", id="slack-channel-mention"),
        pytest.param("C0SESSION1", id="slack-channel-id"),
        pytest.param("https://mit-splash.slack.com/archives/C0SESSION1", id="slack-channel-link"),
        pytest.param("https://app.slack.com/huddle/T0TEAM0001/C0SESSION1", id="slack-huddle-link"),
        pytest.param("In person: room 4-231. Agenda at https://mit.edu/splash/agenda", id="agenda-link"),
        pytest.param("Zoom 123", id="no-link-no-number"),
        pytest.param("", id="empty"),
    ],
)
def test_what_is_no_secret(access_info):
    assert not meeting_access(access_info)
    assert meeting_access(access_info).markers == ()


FIRES = [
    pytest.param(ZOOM, "join here: https://mit.zoom.us/j/81234567890", ("join link", "meeting ID"), id="zoom-link"),
    pytest.param(ZOOM, "<https://mit.zoom.us/j/81234567890?pwd=Ab12Cd34Ef|Join>", None, id="zoom-slack-wrapped"),
    pytest.param(ZOOM, "mit.zoom.us/j/81234567890", None, id="zoom-no-scheme"),
    pytest.param(ZOOM, "http://mit.zoom.us/j/81234567890/", None, id="zoom-other-scheme-trailing-slash"),
    pytest.param(ZOOM, "it's zoom.us/j/81234567890 tonight", ("meeting ID",), id="zoom-other-subdomain"),
    pytest.param(ZOOM, "Meeting ID 812 3456 7890", ("meeting ID",), id="meeting-id-spaced"),
    pytest.param(ZOOM, "id 812-3456-7890", ("meeting ID",), id="meeting-id-dashes"),
    pytest.param(ZOOM, "id 812.3456.7890!", ("meeting ID",), id="meeting-id-dots"),
    pytest.param(ZOOM, "81234567890", ("meeting ID",), id="meeting-id-run"),
    pytest.param(ZOOM, "the code is 482913", ("passcode",), id="passcode-alone"),
    pytest.param(ZOOM, "pwd=Ab12Cd34Ef", ("passcode",), id="zoom-pwd-alone"),
    pytest.param(ZOOM_PLAIN, "812 3456 7890, code 4821", ("meeting ID", "passcode"), id="short-passcode-with-id"),
    pytest.param(MEET, "hop on meet.google.com/abc-defg-hij", ("join link", "meeting ID"), id="meet-link"),
    pytest.param(MEET, "code abc-defg-hij", ("meeting ID",), id="meet-code"),
    pytest.param(
        TEAMS,
        "<https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA2ZTk%40thread.v2/0?context=%7b%7d|Join Teams>",
        ("join link",),
        id="teams-link",
    ),
    pytest.param(TEAMS, "Meeting ID: 254 734 931 582", ("meeting ID",), id="teams-id"),
    pytest.param(WEBEX, "https://mit.webex.com/mit/j.php?MTID=m3f0a1b2c4d5e6f7a8b9c0d1e2f3a4b5c", None, id="webex"),
    pytest.param(WEBEX, "number 2634 123 4567 pw pQ7mX2vR", ("meeting ID", "passcode"), id="webex-number"),
    pytest.param(WEBEX_ROOM, "mit.webex.com/meet/sam.k", ("join link",), id="webex-room"),
]

SILENT = [
    pytest.param(ZOOM, "join https://mit.zoom.us/j/91234567890", id="another-zoom-meeting"),
    pytest.param(ZOOM, "https://mit.zoom.us/j/812345678901", id="a-longer-meeting-number"),
    pytest.param(ZOOM, "order 812 555 0134 ships", id="a-number-with-the-same-start"),
    pytest.param(ZOOM, "call 0812 3456 78901", id="the-number-inside-a-longer-one"),
    pytest.param(ZOOM, "my score was 14829137", id="the-passcode-inside-a-longer-number"),
    pytest.param(ZOOM, "https://mit.zoom.us/rec/share/abcDEF123", id="a-recording-link"),
    pytest.param(ZOOM_PLAIN, "room 4821 at 3pm", id="a-short-passcode-alone"),
    pytest.param(MEET, "https://meet.google.com/xyz-abcd-efg", id="another-meet"),
    pytest.param(WEBEX, "https://mit.webex.com/mit/j.php?MTID=m0000aaaa", id="another-webex-meeting-same-launcher"),
    pytest.param(WEBEX_ROOM, "mit.webex.com/meet/sam.kim", id="another-personal-room"),
    pytest.param("Password: tigers", "go tigers!", id="a-plain-word-passcode"),
    pytest.param("#session-1", "see you in #session-1", id="a-slack-channel"),
    pytest.param(ZOOM, "", id="no-text"),
    pytest.param(ZOOM, "Can we go over problem 3 again?", id="benign"),
]


@pytest.mark.parametrize(("access_info", "text", "kinds"), FIRES)
def test_a_message_that_gives_the_meeting_away(access_info, text, kinds):
    found = revealed(meeting_access(access_info), text)
    assert found, "the meeting is given away"
    if kinds is not None:
        assert found == kinds


@pytest.mark.parametrize(("access_info", "text"), SILENT)
def test_a_message_that_does_not(access_info, text):
    assert revealed(meeting_access(access_info), text) == ()


@pytest.mark.parametrize(("access_info", "text", "kinds"), FIRES)
def test_the_quick_check_passes_every_message_that_gives_a_meeting_away(access_info, text, kinds):
    """The workspace-wide substring check must never hide a leak from the rule."""
    prog = program(sessions=(window(access_info),))
    [markers] = access_markers([prog], NOW).values()
    assert any(m in text for m in markers)


NOW = datetime(2026, 7, 6, 18, 30, tzinfo=UTC)


def window(access_info, *, start=NOW - timedelta(minutes=30), hours=2.0):
    return SessionWindow(channel=SESSION, start=start, end=start + timedelta(hours=hours), access_info=access_info)


def test_only_live_and_upcoming_sessions_count():
    live, upcoming = window(ZOOM), window(MEET, start=NOW + timedelta(days=1))
    ended = window(TEAMS, start=NOW - timedelta(hours=3))
    channel_only = window("#session-1")
    prog = program(sessions=(live, upcoming, ended, channel_only))
    assert [s for s, _ in open_sessions(prog, NOW)] == [live, upcoming]
    assert sessions_revealed(prog, "Meeting ID: 254 734 931 582", NOW) == []
    assert sessions_revealed(prog, "meet.google.com/abc-defg-hij", NOW) == [(upcoming, ("join link", "meeting ID"))]


def test_programs_without_a_secret_left_have_no_markers():
    secret = program(id="secret", sessions=(window(ZOOM),))
    ended = program(id="ended", sessions=(window(ZOOM, start=NOW - timedelta(days=1)),))
    channels = program(id="channels", sessions=(window("#session-1"),))
    assert list(access_markers([secret, ended, channels], NOW)) == ["secret"]


# -- the quick checks change no verdict -------------------------------------------------------------

#: The quick checks, switched off by answering "yes": `revealed` must then say exactly the same.
GATES = ("may_reveal", "_may_name")
#: Pieces of the meetings above as people write them, and of texts that only look alike. A meeting
#: number is written in groups of at least three digits first, as every service shows it.
PIECES = """https://mit.zoom.us/j/81234567890 zoom.us/j/81234567890 mit.zoom.us/j/81234567890?pwd=Ab12Cd34Ef
<https://mit.zoom.us/j/81234567890|join> 812 3456 7890 812-3456-7890 812.3456.7890 81234567890 8123 456 7890
482913 Ab12Cd34Ef 4821 meet.google.com/abc-defg-hij abc-defg-hij 254 734 931 582 Xy7Kp2 2634 123 4567 pQ7mX2vR
m3f0a1b2c4d5e6f7a8b9c0d1e2f3a4b5c mit.webex.com/meet/sam.k 812 555 0134 91234567890 14829137 room 4-231 the
code is Passcode: ID 0 1 2 7 8 9 ( ) # @ <#C0SESSION1|session-1>""".split()  # noqa: SIM905
ACCESS_INFOS = [ZOOM, ZOOM_PLAIN, MEET, TEAMS, WEBEX, WEBEX_ROOM]


def gated_to(answer: bool, access_info: str, text: str) -> tuple[str, ...]:
    with pytest.MonkeyPatch.context() as patched:
        for gate in GATES:
            patched.setattr(access_info_module, gate, lambda *_: answer)
        return revealed(meeting_access(access_info), text)


@st.composite
def message_text(draw) -> str:
    pieces = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=10))
    return "".join(piece + draw(st.sampled_from(["", " ", ", ", "\n", ": ", "/", "."])) for piece in pieces)


@pytest.mark.parametrize(("access_info", "text"), [c.values[:2] for c in FIRES + SILENT])
def test_the_quick_checks_change_no_verdict_on_the_corpus(access_info, text):
    assert revealed(meeting_access(access_info), text) == gated_to(True, access_info, text)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(ACCESS_INFOS), message_text())
def test_the_quick_checks_change_no_verdict_on_generated_text(access_info, text):
    assert revealed(meeting_access(access_info), text) == gated_to(True, access_info, text)


def test_switching_the_quick_checks_reaches_the_detector():
    """The comparisons above mean something only if the patched checks are the ones `revealed` calls."""
    assert revealed(meeting_access(ZOOM), "mit.zoom.us/j/81234567890") and not gated_to(
        False, ZOOM, "mit.zoom.us/j/81234567890"
    )
