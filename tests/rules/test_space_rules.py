"""private-space-without-dlc-admin, guardian-cannot-see, unauthorized-member,
session-needs-two-adults and uncleared-adult."""

from dataclasses import replace
from datetime import timedelta

import pytest
from builders import (
    ADMIN1,
    BOT,
    DLC,
    EXTERNAL,
    GENERAL,
    GUARD1,
    GUARD2,
    GUEST,
    HUDDLE_ACCESS,
    MINOR1,
    MINOR2,
    MINOR3,
    NOW,
    PENDING,
    SESSION,
    SESSION_WINDOW,
    STAFF1,
    STAFF2,
    STRANGER,
    accounts_for,
    im,
    mpim,
    person,
    private,
    program,
    public,
    situation,
    with_person,
)

from bot.model import Account, Conversation, ConversationKind
from bot.rules import rule_by_symbol


def breaches(symbol, s):
    return list(rule_by_symbol(symbol)(s))


# private-space-without-dlc-admin


@pytest.mark.parametrize(
    ("conversation", "fires"),
    [
        pytest.param(private(MINOR1, STAFF1, STAFF2), True, id="minor-no-dlc-admin"),
        pytest.param(private(MINOR1, ADMIN1), True, id="program-admin-is-not-dlc-admin"),
        pytest.param(private(MINOR1, MINOR2), True, id="minors-only"),
        pytest.param(private(MINOR1, STAFF1, DLC), False, id="dlc-admin-present"),
        pytest.param(private(STAFF1, STAFF2), False, id="no-minor"),
        pytest.param(public(MINOR1, STAFF1), False, id="public-channel"),
        pytest.param(mpim(MINOR1, STAFF1, STAFF2), False, id="group-dm-is-another-rule"),
        pytest.param(im(MINOR1, STAFF1), False, id="dm-is-another-rule"),
    ],
)
def test_private_space_without_dlc_admin(conversation, fires):
    found = breaches("private-space-without-dlc-admin", situation(conversation))
    assert bool(found) is fires
    if fires:
        assert found[0].remedy_users == (DLC,), "the DLC admin is the one to invite"


def test_private_space_without_dlc_admin_on_the_roster_has_no_one_to_invite():
    prog = program(roster=tuple(p for p in program().roster if p.slack_id != DLC))
    [breach] = breaches("private-space-without-dlc-admin", situation(private(MINOR1, STAFF1), prog=prog))
    assert breach.remedy_users == ()


# guardian-cannot-see


@pytest.mark.parametrize(
    ("conversation", "unseen", "invite"),
    [
        pytest.param(private(MINOR1, STAFF1, DLC), {MINOR1}, (GUARD1,), id="private-channel-without-guardian"),
        pytest.param(private(MINOR1, MINOR2, GUARD1, DLC), {MINOR2}, (GUARD2,), id="one-of-two-guardians"),
        pytest.param(mpim(MINOR1, MINOR2, STAFF1), {MINOR1, MINOR2}, (), id="group-dm-cannot-invite"),
    ],
)
def test_guardian_cannot_see_fires(conversation, unseen, invite):
    [breach] = breaches("guardian-cannot-see", situation(conversation))
    assert set(breach.people) == unseen
    assert breach.remedy_users == invite


@pytest.mark.parametrize(
    "conversation",
    [
        pytest.param(private(MINOR1, GUARD1, STAFF1, DLC), id="guardian-present"),
        pytest.param(private(MINOR2, MINOR3, GUARD2, DLC), id="one-guardian-covers-two"),
        pytest.param(public(MINOR1, STAFF1), id="public-channel-visible-to-guardians"),
        pytest.param(im(MINOR1, STAFF1), id="dm-covered-by-dm-rules"),
        pytest.param(private(STAFF1, STAFF2), id="no-minors"),
    ],
)
def test_guardian_cannot_see_silent(conversation):
    assert breaches("guardian-cannot-see", situation(conversation)) == []


def test_guardian_cannot_see_a_minor_whose_guardian_has_no_account():
    prog = with_person(program(), person("Kai", "minor", "U0MINOR4", email="kai@example.org"))
    prog = with_person(
        prog, person("Kris", "guardian", None, email="kris@example.org", guardian_of=["kai@example.org"])
    )
    [breach] = breaches("guardian-cannot-see", situation(prog=prog))
    assert breach.subject == "minor:kai@example.org"
    assert breach.people == ("U0MINOR4",)


def test_guardian_cannot_see_program_check_waits_for_the_directory():
    prog = with_person(program(), person("Kai", "minor", "U0MINOR4", email="kai@example.org"))
    assert breaches("guardian-cannot-see", situation(prog=prog, accounts=[])) == []
    assert breaches("guardian-cannot-see", situation(prog=prog)) != []


def test_guardian_without_slack_id_is_found_by_email():
    prog = program()
    roster = tuple(replace(p, slack_id=None) if p.slack_id == GUARD1 else p for p in prog.roster)
    prog = replace(prog, roster=roster)
    accounts = [*accounts_for(prog), Account(id="U0PATNEW", email="PAT@example.org")]
    s = situation(private(MINOR1, "U0PATNEW", DLC), prog=prog, accounts=accounts)
    assert breaches("guardian-cannot-see", s) == []


# unauthorized-member


@pytest.mark.parametrize(
    ("conversation", "strangers"),
    [
        pytest.param(public(MINOR1, STAFF1, STRANGER), {STRANGER}, id="unknown-account"),
        pytest.param(public(MINOR1, GUEST, EXTERNAL), {GUEST, EXTERNAL}, id="guest-and-external"),
        pytest.param(public(STAFF1, STRANGER, id=SESSION), {STRANGER}, id="session-channel"),
    ],
)
def test_unauthorized_member_fires(conversation, strangers):
    [breach] = breaches("unauthorized-member", situation(conversation))
    assert set(breach.people) == strangers


def test_unauthorized_member_names_the_kind_of_account():
    [breach] = breaches("unauthorized-member", situation(public(MINOR1, GUEST, EXTERNAL)))
    assert "(guest)" in breach.summary and "(external account)" in breach.summary


@pytest.mark.parametrize(
    ("conversation", "prog"),
    [
        pytest.param(public(MINOR1, STAFF1, GUARD1, DLC, BOT), program(), id="roster-and-bot"),
        pytest.param(public(MINOR1, STRANGER, id="C0ELSEWHERE"), program(), id="not-a-program-space"),
        pytest.param(mpim(MINOR1, STRANGER, STAFF1), program(), id="group-dm-is-not-a-space"),
    ],
)
def test_unauthorized_member_silent(conversation, prog):
    assert breaches("unauthorized-member", situation(conversation, prog=prog)) == []


def test_unauthorized_member_team_workspace_makes_every_channel_a_program_space():
    prog = program(team_id="T0TEAM0001")
    channel = Conversation(
        id="C0ANY",
        kind=ConversationKind.PRIVATE_CHANNEL,
        team_id="T0TEAM0001",
        members=frozenset({MINOR1, STRANGER}),
    )
    assert breaches("unauthorized-member", situation(channel, prog=prog)) != []
    assert breaches("unauthorized-member", situation(replace(channel, team_id="T0OTHER"), prog=prog)) == []


# session-needs-two-adults

OUTSIDE_WINDOW = NOW + timedelta(days=1)


#: The window's access information: a Zoom link (the session meets outside Slack) or its huddle.
OUTSIDE_SLACK, IN_SLACK = SESSION_WINDOW.access_info, HUDDLE_ACCESS


@pytest.mark.parametrize(
    "access", [pytest.param(OUTSIDE_SLACK, id="outside-slack"), pytest.param(IN_SLACK, id="in-slack")]
)
@pytest.mark.parametrize(
    ("members", "facts", "fires_outside", "fires_in_slack"),
    [
        pytest.param({MINOR1, STAFF1}, {"now": OUTSIDE_WINDOW}, True, True, id="one-adult-member"),
        pytest.param({MINOR1, STAFF1, PENDING}, {"now": OUTSIDE_WINDOW}, True, True, id="uncleared-does-not-count"),
        pytest.param({MINOR1, STAFF1, GUARD1}, {"now": OUTSIDE_WINDOW}, True, True, id="guardian-does-not-count"),
        pytest.param({MINOR1, STAFF1, STRANGER}, {"now": OUTSIDE_WINDOW}, True, True, id="stranger-does-not-count"),
        pytest.param({MINOR1, STAFF1, STAFF2}, {"now": OUTSIDE_WINDOW}, False, False, id="two-adult-members"),
        pytest.param({MINOR1, STAFF1, DLC}, {"now": OUTSIDE_WINDOW}, False, False, id="staff-and-dlc-admin"),
        # In a live window presence counts only where the session meets outside Slack: in Slack the
        # huddle is the measure (call-needs-two-adults), and Lee being away from Slack is no breach.
        pytest.param(
            {MINOR1, STAFF1, STAFF2}, {"active_users": frozenset({STAFF1, MINOR1})}, True, False, id="live-one-active"
        ),
        pytest.param(
            {MINOR1, STAFF1, STAFF2}, {"active_users": frozenset({STAFF1, STAFF2})}, False, False, id="live-two-active"
        ),
        pytest.param({MINOR1, STAFF1, STAFF2}, {"active_users": frozenset()}, True, False, id="live-nobody-active"),
        pytest.param({MINOR1, STAFF1}, {}, True, True, id="live-presence-unknown-but-too-few-members"),
        pytest.param(
            {MINOR1, STAFF1}, {"active_users": frozenset({STAFF1})}, True, True, id="live-too-few-members-either-way"
        ),
    ],
)
def test_session_needs_two_adults(members, facts, fires_outside, fires_in_slack, access):
    window = replace(SESSION_WINDOW, access_info=access)
    s = situation(public(*members, id=SESSION), prog=program(sessions=(window,)), **facts)
    found = [b for b in breaches("session-needs-two-adults", s) if not b.undecided]
    assert bool(found) is (fires_outside if access == OUTSIDE_SLACK else fires_in_slack)


def test_a_session_in_slack_during_its_window_is_not_undecided_for_want_of_presence():
    window = replace(SESSION_WINDOW, access_info=IN_SLACK)
    s = situation(public(MINOR1, STAFF1, STAFF2, id=SESSION), prog=program(sessions=(window,)))
    assert breaches("session-needs-two-adults", s) == []


def test_session_needs_two_adults_does_not_guess_presence():
    s = situation(public(MINOR1, STAFF1, STAFF2, id=SESSION))
    [breach] = breaches("session-needs-two-adults", s)
    assert breach.undecided


def test_session_needs_two_adults_only_in_session_channels():
    assert breaches("session-needs-two-adults", situation(public(MINOR1, id=GENERAL))) == []


# uncleared-adult


@pytest.mark.parametrize(
    ("conversation", "fires"),
    [
        pytest.param(public(MINOR1, PENDING, STAFF1), True, id="pending-staff-with-minor"),
        pytest.param(im(MINOR1, PENDING), True, id="pending-staff-in-dm"),
        pytest.param(public(PENDING, STAFF1), False, id="no-minor"),
        pytest.param(public(MINOR1, STAFF1, GUARD1), False, id="cleared-and-guardian"),
        pytest.param(public(MINOR1, STRANGER), False, id="stranger-is-another-rule"),
    ],
)
def test_uncleared_adult(conversation, fires):
    found = breaches("uncleared-adult", situation(conversation))
    assert bool(found) is fires
    if fires:
        assert found[0].people == (PENDING,)
