"""dm-adult-minor, dm-between-minors and group-dm-with-minor: where they fire and where they must not."""

import pytest
from builders import (
    ADMIN1,
    BOT,
    DLC,
    GUARD1,
    GUARD2,
    MINOR1,
    MINOR2,
    MINOR3,
    PENDING,
    STAFF1,
    STAFF2,
    STRANGER,
    im,
    mpim,
    private,
    situation,
)

from bot.rules import rule_by_symbol


def breaches(symbol, s):
    return list(rule_by_symbol(symbol)(s))


@pytest.mark.parametrize(
    ("conversation", "people"),
    [
        pytest.param(im(STAFF1, MINOR1), {STAFF1, MINOR1}, id="staff-and-minor"),
        pytest.param(im(MINOR2, ADMIN1), {ADMIN1, MINOR2}, id="admin-and-minor"),
        pytest.param(im(MINOR1, DLC), {DLC, MINOR1}, id="dlc-admin-and-minor"),
        pytest.param(im(MINOR1, PENDING), {PENDING, MINOR1}, id="uncleared-staff-and-minor"),
        pytest.param(im(MINOR1, STRANGER), {STRANGER, MINOR1}, id="unknown-account-counts-as-adult"),
        pytest.param(im(MINOR1, "U0NEVERSEEN"), {"U0NEVERSEEN", MINOR1}, id="account-not-in-directory"),
        pytest.param(im(MINOR1, GUARD2), {GUARD2, MINOR1}, id="someone-elses-guardian"),
    ],
)
def test_dm_adult_minor_fires(conversation, people):
    [breach] = breaches("dm-adult-minor", situation(conversation))
    assert set(breach.people) == people
    assert breach.subject == conversation.id


@pytest.mark.parametrize(
    "conversation",
    [
        pytest.param(im(MINOR1, GUARD1), id="own-guardian"),
        pytest.param(im(MINOR2, GUARD2), id="guardian-of-two-minors"),
        pytest.param(im(STAFF1, STAFF2), id="two-adults"),
        pytest.param(im(MINOR1, MINOR2), id="two-minors-is-another-rule"),
        pytest.param(im(MINOR1, BOT), id="minor-and-a-bot"),
        pytest.param(im(MINOR1, "USLACKBOT"), id="minor-and-slackbot"),
        pytest.param(mpim(MINOR1, STAFF1, STAFF2), id="group-dm-is-another-rule"),
        pytest.param(private(MINOR1, STAFF1), id="private-channel-is-not-a-dm"),
    ],
)
def test_dm_adult_minor_silent(conversation):
    assert breaches("dm-adult-minor", situation(conversation)) == []


def test_dm_adult_minor_needs_a_conversation():
    assert breaches("dm-adult-minor", situation()) == []


@pytest.mark.parametrize(
    ("conversation", "fires"),
    [
        pytest.param(im(MINOR1, MINOR2), True, id="two-minors"),
        pytest.param(im(MINOR2, MINOR3), True, id="siblings-still-private"),
        pytest.param(im(MINOR1, STAFF1), False, id="minor-and-adult"),
        pytest.param(im(STAFF1, STAFF2), False, id="two-adults"),
        pytest.param(im(MINOR1, STRANGER), False, id="minor-and-unknown"),
        pytest.param(mpim(MINOR1, MINOR2, MINOR3), False, id="group-dm"),
    ],
)
def test_dm_between_minors(conversation, fires):
    found = breaches("dm-between-minors", situation(conversation))
    assert bool(found) is fires
    if fires:
        assert set(found[0].people) == set(conversation.members)


@pytest.mark.parametrize(
    ("conversation", "fires"),
    [
        pytest.param(mpim(MINOR1, STAFF1, STAFF2), True, id="minor-with-two-staff"),
        pytest.param(mpim(MINOR1, MINOR2, MINOR3), True, id="minors-only"),
        pytest.param(mpim(MINOR1, GUARD1, STAFF1), True, id="guardian-does-not-excuse-staff"),
        pytest.param(mpim(MINOR1, MINOR2, GUARD1), True, id="guardian-of-one-minor-only"),
        pytest.param(mpim(MINOR1, STRANGER, BOT), True, id="minor-stranger-and-bot"),
        pytest.param(mpim(MINOR2, MINOR3, GUARD2), False, id="one-family"),
        pytest.param(mpim(MINOR1, GUARD1, BOT), False, id="minor-guardian-and-a-bot"),
        pytest.param(mpim(STAFF1, STAFF2, ADMIN1), False, id="adults-only"),
        pytest.param(im(MINOR1, STAFF1), False, id="one-to-one-dm"),
        pytest.param(private(MINOR1, STAFF1, STAFF2), False, id="private-channel"),
    ],
)
def test_group_dm_with_minor(conversation, fires):
    found = breaches("group-dm-with-minor", situation(conversation))
    assert bool(found) is fires
    if fires:
        assert MINOR1 in found[0].people or MINOR2 in found[0].people
        assert BOT not in found[0].people


@pytest.mark.parametrize(
    ("conversation", "opening"),
    [
        pytest.param(mpim(MINOR1, STAFF1, STAFF2), "Minor <@U0MINOR1> is in a group DM with", id="one-minor"),
        pytest.param(mpim(MINOR1, MINOR2, STAFF1), "Minors <@U0MINOR1>", id="two-minors"),
    ],
)
def test_the_group_dm_summary_reads_as_english(conversation, opening):
    [breach] = breaches("group-dm-with-minor", situation(conversation))
    assert breach.summary.startswith(opening)
    assert (" are in a group DM" in breach.summary) is opening.startswith("Minors")
