"""off-platform-contact, hazardous-activity and recording-without-consent over whole situations.
(The detectors' own corpora are in tests/detectors/.)"""

import pytest
from builders import (
    GUARD1,
    MINOR1,
    MINOR2,
    STAFF1,
    STAFF2,
    im,
    message,
    private,
    program,
    public,
    situation,
)

from bot.model import SharedFile
from bot.rules import rule_by_symbol


def breaches(symbol, s):
    return list(rule_by_symbol(symbol)(s))


CHANNEL = public(MINOR1, MINOR2, STAFF1, STAFF2)


@pytest.mark.parametrize(
    ("conversation", "sender", "text", "fires"),
    [
        pytest.param(CHANNEL, STAFF1, "text me at 617-555-0134 if you get stuck", True, id="staff-phone"),
        pytest.param(CHANNEL, MINOR1, "my snapchat is alex.cool22", True, id="minor-handle"),
        pytest.param(CHANNEL, STAFF1, "email me at sam.k@gmail.com", True, id="personal-email"),
        pytest.param(im(MINOR1, STAFF1), STAFF1, "whatsapp me: +44 20 7946 0958", True, id="in-a-dm"),
        pytest.param(CHANNEL, STAFF1, "email me at sam@mit.edu", False, id="institutional-email"),
        pytest.param(CHANNEL, STAFF1, "the session is on 2026-07-06 from 14:00-16:00", False, id="date-and-time"),
        pytest.param(public(STAFF1, STAFF2), STAFF1, "call me at 617-555-0134", False, id="adults-only"),
        pytest.param(public(MINOR1, MINOR2), MINOR1, "call me at 617-555-0134", False, id="minors-only"),
        pytest.param(im(MINOR1, GUARD1), GUARD1, "call me at 617-555-0134", False, id="own-guardian"),
    ],
)
def test_off_platform_contact(conversation, sender, text, fires):
    s = situation(conversation, message(conversation, sender, text))
    found = breaches("off-platform-contact", s)
    assert bool(found) is fires
    if fires:
        [breach] = found
        assert breach.people == (sender,)
        assert breach.subject == f"{conversation.id}:{sender}"
        assert text not in breach.evidence or len(text) < 30, "evidence is the match, not the message"


def test_off_platform_contact_institution_domains_come_from_the_program():
    s = situation(
        CHANNEL,
        message(CHANNEL, STAFF1, "write to sam@harvard.edu"),
        prog=program(institution_domains=("mit.edu", "harvard.edu")),
    )
    assert breaches("off-platform-contact", s) == []


@pytest.mark.parametrize(
    ("text", "undecided"),
    [
        pytest.param("Tonight, mix bleach and ammonia in your kitchen and see what happens", False, id="chemical"),
        pytest.param("use your dad's power drill at home for the chassis", True, id="tool-asks"),
    ],
)
def test_hazardous_activity_fires(text, undecided):
    s = situation(CHANNEL, message(CHANNEL, STAFF1, text))
    [breach] = breaches("hazardous-activity", s)
    assert breach.undecided is undecided
    assert breach.message_ts == "1751812200.000100"


@pytest.mark.parametrize(
    ("conversation", "text"),
    [
        pytest.param(CHANNEL, "we studied radiation in class today", id="talking-about-it"),
        pytest.param(public(STAFF1, STAFF2), "mix bleach and ammonia at home", id="no-minors-present"),
        pytest.param(CHANNEL, "", id="empty-message"),
    ],
)
def test_hazardous_activity_silent(conversation, text):
    assert breaches("hazardous-activity", situation(conversation, message(conversation, STAFF1, text))) == []


VIDEO = SharedFile(id="F1", name="session-3.mp4", mimetype="video/mp4", filetype="mp4")
PHOTO = SharedFile(id="F2", name="robot.png", mimetype="image/png", filetype="png")


@pytest.mark.parametrize(
    ("conversation", "files", "text", "without_consent"),
    [
        pytest.param(CHANNEL, (VIDEO,), "", {MINOR2}, id="video-minor-without-consent"),
        pytest.param(
            private(MINOR2, STAFF1),
            (),
            "recording: https://mit.zoom.us/rec/share/abcDEF123",
            {MINOR2},
            id="zoom-recording-link",
        ),
    ],
)
def test_recording_without_consent_fires(conversation, files, text, without_consent):
    s = situation(conversation, message(conversation, STAFF1, text, *files))
    [breach] = breaches("recording-without-consent", s)
    assert set(breach.people) == {STAFF1, *without_consent}
    assert MINOR1 not in breach.people, "Alex has consent on record"


@pytest.mark.parametrize(
    ("conversation", "files", "text"),
    [
        pytest.param(public(MINOR1, STAFF1), (VIDEO,), "", id="every-minor-consented"),
        pytest.param(CHANNEL, (PHOTO,), "our robot!", id="photo"),
        pytest.param(CHANNEL, (), "join at https://mit.zoom.us/j/123456789", id="join-link-is-not-a-recording"),
        pytest.param(public(STAFF1, STAFF2), (VIDEO,), "", id="no-minors"),
    ],
)
def test_recording_without_consent_silent(conversation, files, text):
    s = situation(conversation, message(conversation, STAFF1, text, *files))
    assert breaches("recording-without-consent", s) == []
