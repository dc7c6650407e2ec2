"""access-info-shared over whole situations: where a live session's access information may be posted
(a program space of roster members, a family's DM) and where it is a leak (a channel that is no program
space, a conversation with someone not on the roster). The detector's corpus is in tests/detectors/."""

from dataclasses import replace
from datetime import timedelta

import pytest
from builders import (
    ADMIN1,
    BOT,
    EXTERNAL,
    GENERAL,
    GUARD1,
    GUARD2,
    GUEST,
    MINOR1,
    MINOR2,
    NOW,
    SESSION,
    SESSION_WINDOW,
    STAFF1,
    STAFF2,
    STRANGER,
    im,
    message,
    mpim,
    private,
    program,
    public,
    situation,
)

from bot.model import ConversationKind
from bot.rules import rule_by_symbol

LINK = "https://mit.zoom.us/j/81234567890"
ACCESS = f"Zoom <{LINK}?pwd=Ab12Cd34Ef|Join> Passcode: 482913"
WITH_ZOOM = program(sessions=(replace(SESSION_WINDOW, access_info=ACCESS),))
LOBBY = "C0LOBBY001"


def breaches(s):
    return list(rule_by_symbol("access-info-shared")(s))


def posted(conversation, text=f"tonight's link: {LINK}", *, sender=STAFF1, prog=WITH_ZOOM, **facts):
    return situation(conversation, message(conversation, sender, text), prog=prog, **facts)


FIRES = [
    pytest.param(public(STAFF1, MINOR1, STRANGER, id=GENERAL), STAFF1, "stranger", id="program-space-with-a-stranger"),
    pytest.param(public(STAFF1, MINOR1, GUEST, id=SESSION), STAFF1, "stranger", id="session-channel-with-a-guest"),
    pytest.param(private(STAFF1, EXTERNAL, id=GENERAL), STAFF1, "stranger", id="an-external-account"),
    pytest.param(public(STAFF1, STAFF2, MINOR1, id=LOBBY), STAFF1, "not a space", id="a-public-non-program-channel"),
    pytest.param(private(STAFF1, GUARD1, id=LOBBY), GUARD1, "not a space", id="a-private-non-program-channel"),
    pytest.param(im(STAFF1, STRANGER), STAFF1, "stranger", id="a-dm-with-a-stranger"),
    pytest.param(im(MINOR1, STRANGER), MINOR1, "stranger", id="a-minor-dm-with-a-stranger"),
    pytest.param(mpim(GUARD1, GUARD2, STRANGER), GUARD2, "stranger", id="a-group-dm-with-a-stranger"),
]


@pytest.mark.parametrize(("conversation", "sender", "why"), FIRES)
def test_a_link_where_outsiders_can_read_it_is_a_leak(conversation, sender, why):
    [breach] = breaches(posted(conversation, sender=sender))
    assert breach.people == (sender,)
    assert breach.subject == f"{conversation.id}:1751812200.000100", "each message is its own incident"
    assert (breach.channel, breach.message_ts) == (conversation.id, "1751812200.000100")
    assert f"<#{SESSION}>" in breach.summary and "2026-07-06T18:00" in breach.summary, "names the session"
    if why == "stranger":
        assert any(f"<@{u}>" in breach.summary for u in (STRANGER, GUEST, EXTERNAL))
    else:
        assert f"<#{LOBBY}>" in breach.summary and "not one of the program's spaces" in breach.summary
    if conversation.kind in (ConversationKind.IM, ConversationKind.MPIM):
        assert f"<#{conversation.id}>" not in breach.summary, "a DM is no channel to link to"


SILENT = [
    pytest.param(public(STAFF1, STAFF2, MINOR1, MINOR2, id=SESSION), STAFF1, id="session-channel-roster-only"),
    pytest.param(public(ADMIN1, STAFF1, GUARD1, MINOR1, BOT, id=GENERAL), ADMIN1, id="program-space-and-a-bot"),
    pytest.param(im(MINOR1, GUARD1), GUARD1, id="a-guardian-to-their-child"),
    pytest.param(im(STAFF1, GUARD2), STAFF1, id="staff-to-a-guardian"),
    pytest.param(mpim(STAFF1, MINOR1, GUARD1), STAFF1, id="a-roster-group-dm"),
]


@pytest.mark.parametrize(("conversation", "sender"), SILENT)
def test_a_link_among_the_programs_people_is_what_it_is_for(conversation, sender):
    assert breaches(posted(conversation, sender=sender)) == []


def test_a_program_space_known_only_in_part_with_no_outsider_proven_says_nothing():
    partial = replace(public(STAFF1, MINOR1, id=GENERAL), members_partial=True)
    assert breaches(posted(partial)) == []


def test_a_channel_that_is_no_program_space_is_a_leak_even_known_only_in_part():
    partial = replace(public(STAFF1, id=LOBBY), members_partial=True)
    assert len(breaches(posted(partial))) == 1


LEAKY = public(STAFF1, STRANGER, id=LOBBY)


@pytest.mark.parametrize(
    ("text", "prog", "now"),
    [
        pytest.param("join https://mit.zoom.us/j/91234567890", WITH_ZOOM, NOW, id="a-different-meeting"),
        pytest.param(f"last week's link: {LINK}", WITH_ZOOM, NOW + timedelta(hours=3), id="the-session-ended"),
        pytest.param("we meet in #session-1", program(), NOW, id="a-slack-channel-as-access-info"),
        pytest.param(
            "see you in <#C0SESSION1|session-1>",
            program(sessions=(replace(SESSION_WINDOW, access_info="<#C0SESSION1|session-1>"),)),
            NOW,
            id="a-slack-channel-mention-as-access-info",
        ),
        pytest.param("Can we go over problem 3 again?", WITH_ZOOM, NOW, id="benign"),
        pytest.param("", WITH_ZOOM, NOW, id="no-text"),
    ],
)
def test_no_leak_without_a_live_or_upcoming_sessions_secret(text, prog, now):
    assert breaches(posted(LEAKY, text, prog=prog, now=now)) == []


def test_an_upcoming_sessions_link_counts():
    upcoming = replace(SESSION_WINDOW, start=NOW + timedelta(days=2), end=NOW + timedelta(days=2, hours=2))
    prog = program(sessions=(replace(upcoming, access_info=ACCESS),))
    assert len(breaches(posted(LEAKY, prog=prog))) == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("code 482913", id="passcode"),
        pytest.param(f"<{LINK}?pwd=Ab12Cd34Ef|Join> Passcode: 482913", id="link-and-passcodes"),
    ],
)
def test_the_passcode_is_never_repeated(text):
    [breach] = breaches(posted(LEAKY, text))
    for secret in ("482913", "Ab12Cd34Ef", "81234567890"):
        assert secret not in breach.summary and secret not in breach.evidence
    assert "passcode" in breach.evidence
