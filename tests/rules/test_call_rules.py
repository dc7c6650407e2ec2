"""call-adult-minor, call-needs-two-adults and recording-without-consent over calls: where they fire,
where they must stay silent, and how the grace period keeps a ring from being contact."""

from datetime import timedelta

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
    NOW,
    PENDING,
    SESSION,
    STAFF1,
    STAFF2,
    STRANGER,
    call,
    program,
    situation,
)

from bot.engine import checked_scopes, evaluate
from bot.model import ConversationKind
from bot.rules import CALL_RULES, CATALOGUE, rule_by_symbol

DM = ConversationKind.IM


def breaches(symbol, s):
    return list(rule_by_symbol(symbol)(s))


def decided(symbol, s):
    return [b for b in breaches(symbol, s) if not b.undecided]


@pytest.mark.parametrize(
    ("participants", "kind"),
    [
        pytest.param((STAFF1, MINOR1), DM, id="staff-and-minor-in-a-dm"),
        pytest.param((ADMIN1, MINOR2), ConversationKind.MPIM, id="admin-and-minor-in-a-group-dm"),
        pytest.param((MINOR1, PENDING), None, id="uncleared-staff-somewhere-unknown"),
        pytest.param((MINOR1, STRANGER), None, id="unknown-account-counts-as-adult"),
        pytest.param((MINOR1, "U0NEVERSEEN"), None, id="account-not-in-directory"),
        pytest.param((MINOR1, GUARD2), DM, id="someone-elses-guardian"),
        pytest.param((MINOR1, STAFF1, BOT), DM, id="a-bot-is-nobody"),
    ],
)
def test_call_adult_minor_fires_for_one_minor_and_one_adult(participants, kind):
    found = decided("call-adult-minor", situation(call=call(*participants, kind=kind)))
    assert len(found) == 1
    assert set(found[0].people) == {p for p in participants if p != BOT}
    assert found[0].subject == "R0CALL0001"


def test_call_adult_minor_in_a_channel_names_it_and_warns_there():
    (found,) = decided(
        "call-adult-minor", situation(call=call(STAFF1, MINOR1, channel=SESSION, kind=ConversationKind.PUBLIC_CHANNEL))
    )
    assert found.channel == SESSION and f"<#{SESSION}>" in found.summary


def test_call_adult_minor_where_slack_does_not_say_still_fires_without_a_channel():
    (found,) = decided("call-adult-minor", situation(call=call(STAFF1, MINOR1)))
    assert found.channel is None and "does not say where" in found.summary


@pytest.mark.parametrize(
    "participants",
    [
        pytest.param((GUARD1, MINOR1), id="a-parent-with-their-own-child"),
        pytest.param((STAFF1,), id="a-caller-alone-ringing"),
        pytest.param((MINOR1,), id="a-minor-alone"),
        pytest.param((STAFF1, STAFF2, MINOR1), id="two-program-adults"),
        pytest.param((STAFF1, MINOR1, MINOR2), id="two-minors-one-adult-is-the-other-rule"),
        pytest.param((STAFF1, ADMIN1), id="adults-only"),
        pytest.param((), id="ended"),
    ],
)
def test_call_adult_minor_stays_silent(participants):
    assert breaches("call-adult-minor", situation(call=call(*participants, kind=DM))) == []


def test_a_ring_nobody_answers_long_is_not_contact_yet():
    """Within the grace period the breach is undecided: no alert, and an open incident stays open."""
    young = call(STAFF1, MINOR1, kind=DM, together=timedelta(seconds=10))
    (found,) = breaches("call-adult-minor", situation(call=young))
    assert found.undecided
    assert decided("call-adult-minor", situation(call=young, call_grace=timedelta(seconds=5)))


def test_the_grace_is_measured_from_when_the_people_came_together():
    at_grace = call(STAFF1, MINOR1, kind=DM, together=timedelta(seconds=30))
    assert decided("call-adult-minor", situation(call=at_grace))
    just_before = call(STAFF1, MINOR1, kind=DM, together=timedelta(seconds=29))
    assert not decided("call-adult-minor", situation(call=just_before))


@pytest.mark.parametrize(
    ("participants", "adults"),
    [
        pytest.param((STAFF1, MINOR1, MINOR2), 1, id="one-adult-two-minors"),
        pytest.param((STAFF1, PENDING, MINOR1), 1, id="an-uncleared-adult-does-not-count"),
        pytest.param((STAFF1, STRANGER, MINOR1), 1, id="a-stranger-does-not-count"),
        pytest.param((STAFF1, GUARD1, MINOR1, MINOR2), 1, id="a-guardian-is-not-a-program-adult"),
        pytest.param((GUARD1, MINOR1, MINOR2), 0, id="a-parent-with-someone-elses-child"),
        pytest.param((MINOR1, MINOR2), 0, id="minors-alone-together"),
        pytest.param((MINOR1, MINOR2, MINOR3), 0, id="three-minors"),
    ],
)
def test_call_needs_two_adults_fires(participants, adults):
    found = decided("call-needs-two-adults", situation(call=call(*participants, kind=DM)))
    assert len(found) == 1 and f"{adults} program adult(s)" in found[0].summary
    assert set(found[0].people) == set(participants)


@pytest.mark.parametrize(
    "participants",
    [
        pytest.param((STAFF1, STAFF2, MINOR1, MINOR2), id="two-program-adults"),
        pytest.param((ADMIN1, DLC, MINOR1), id="an-admin-and-a-dlc-admin"),
        pytest.param((GUARD2, MINOR2, MINOR3), id="a-family"),
        pytest.param((GUARD1, MINOR1), id="a-parent-and-child"),
        pytest.param((STAFF1, GUARD1, MINOR1), id="a-tutor-with-the-child-and-their-parent"),
        pytest.param((STAFF1, GUARD2, MINOR2, MINOR3), id="a-tutor-with-two-children-and-their-parent"),
        pytest.param((STAFF1, STAFF2), id="no-minor"),
        pytest.param((STAFF1, MINOR1), id="one-to-one-is-the-critical-rule"),
        pytest.param((MINOR1,), id="one-minor-ringing"),
    ],
)
def test_call_needs_two_adults_stays_silent(participants):
    assert breaches("call-needs-two-adults", situation(call=call(*participants, kind=DM))) == []


def test_a_session_huddle_with_one_adult_warns_in_its_channel():
    session_call = call(STAFF1, MINOR1, MINOR2, channel=SESSION, kind=ConversationKind.PUBLIC_CHANNEL)
    (found,) = decided("call-needs-two-adults", situation(call=session_call))
    assert found.channel == SESSION


def test_a_recorded_call_with_a_minor_without_consent():
    recorded = call(STAFF1, STAFF2, MINOR1, MINOR2, kind=DM, recorded=("transcript",))
    (found,) = breaches("recording-without-consent", situation(call=recorded))
    assert MINOR2 in found.people and MINOR1 not in found.people  # Alex has consent on record
    assert "transcript" in found.summary


@pytest.mark.parametrize(
    "recorded",
    [
        pytest.param(call(STAFF1, STAFF2, MINOR1, MINOR2, kind=DM), id="not-recorded"),
        pytest.param(call(STAFF1, STAFF2, MINOR1, kind=DM, recorded=("summary",)), id="every-minor-consented"),
        pytest.param(call(STAFF1, STAFF2, kind=DM, recorded=("notetaking",)), id="no-minor"),
    ],
)
def test_a_recorded_call_stays_silent(recorded):
    assert breaches("recording-without-consent", situation(call=recorded)) == []


def test_a_call_situation_runs_only_the_call_rules_under_the_calls_scope():
    s = situation(call=call(STAFF1, MINOR1, kind=DM))
    findings = evaluate(CATALOGUE, s)
    assert {f.rule for f in findings} == {"call-adult-minor"}
    assert {f.scope for f in findings} == {"call:R0CALL0001"}
    assert {rule.symbol for rule in CALL_RULES} == {
        "call-adult-minor",
        "call-needs-two-adults",
        "recording-without-consent",
    }


def test_an_ended_call_settles_its_condition_rules_and_a_young_one_does_not():
    ended = situation(call=call(kind=DM))
    assert ("call-adult-minor", "call:R0CALL0001") in checked_scopes(CATALOGUE, ended, evaluate(CATALOGUE, ended))
    young = situation(call=call(STAFF1, MINOR1, kind=DM, together=timedelta(seconds=1)))
    assert ("call-adult-minor", "call:R0CALL0001") not in checked_scopes(CATALOGUE, young, evaluate(CATALOGUE, young))


def test_the_program_without_sessions_judges_calls_the_same():
    s = situation(call=call(STAFF1, MINOR1, kind=DM), prog=program(sessions=(), session_channels=()), now=NOW)
    assert decided("call-adult-minor", s)
