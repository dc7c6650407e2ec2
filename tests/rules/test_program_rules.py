"""unverified-admin-account, too-few-program-admins, guardian-not-informed, conduct-not-acknowledged
and monitoring-not-connected: rules about the program as a whole."""

from dataclasses import replace
from datetime import timedelta

import pytest
from builders import (
    ADMIN1,
    ADMIN2,
    GUARD1,
    GUARD2,
    MINOR1,
    MINOR2,
    NOW,
    SESSION_WINDOW,
    STAFF1,
    accounts_for,
    person,
    program,
    situation,
    with_person,
    without_person,
)

from bot.model import Account
from bot.rules import rule_by_symbol


def breaches(symbol, s):
    return list(rule_by_symbol(symbol)(s))


# unverified-admin-account


def test_unverified_admin_account_silent_when_everyone_uses_the_institution():
    assert breaches("unverified-admin-account", situation()) == []


@pytest.mark.parametrize(
    ("email", "account_email", "fires"),
    [
        pytest.param("sam.k@gmail.com", None, True, id="roster-email-personal"),
        pytest.param("sam@notmit.edu", None, True, id="lookalike-domain"),
        pytest.param("sam@mit.edu", "sam.k@gmail.com", True, id="account-email-changed"),
        pytest.param("sam@math.mit.edu", None, False, id="subdomain"),
        pytest.param("Sam@MIT.EDU", "SAM@mit.edu", False, id="case-insensitive"),
    ],
)
def test_unverified_admin_account(email, account_email, fires):
    prog = without_person(program(), "U0NEWSTAFF")
    prog = with_person(prog, person("New", "staff", "U0NEWSTAFF", email=email.lower()))
    accounts = accounts_for(prog)
    if account_email:
        accounts = [a for a in accounts if a.id != "U0NEWSTAFF"] + [Account(id="U0NEWSTAFF", email=account_email)]
    found = breaches("unverified-admin-account", situation(prog=prog, accounts=accounts))
    assert bool(found) is fires
    if fires:
        assert found[0].subject == f"person:{email.lower()}"


def test_unverified_admin_account_ignores_minors_and_guardians():
    # Minors' and guardians' emails are personal by nature (example.org in the builders).
    assert all("minor" not in b.summary for b in breaches("unverified-admin-account", situation()))


# too-few-program-admins


def test_too_few_program_admins_silent_with_two():
    assert breaches("too-few-program-admins", situation()) == []


def test_too_few_program_admins_with_one():
    [breach] = breaches("too-few-program-admins", situation(prog=without_person(program(), ADMIN2)))
    assert breach.people == (ADMIN1,)


def test_too_few_program_admins_counts_accounts_not_roster_lines():
    prog = program()
    roster = tuple(replace(p, slack_id=None) if p.slack_id == ADMIN2 else p for p in prog.roster)
    prog = replace(prog, roster=roster)
    accounts = [a for a in accounts_for(prog) if a.id != ADMIN2]
    assert breaches("too-few-program-admins", situation(prog=prog, accounts=accounts)) != []
    # Before the workspace was listed, an admin known only by email might still have an account.
    assert breaches("too-few-program-admins", situation(prog=prog, accounts=[], complete=False)) == []


@pytest.mark.parametrize("gone", ["missing", "deactivated"], ids=["not-in-listing", "deactivated"])
def test_a_roster_slack_id_without_a_live_account_is_no_account(gone):
    accounts = [a for a in accounts_for(program()) if a.id != ADMIN2]
    if gone == "deactivated":
        accounts.append(Account(id=ADMIN2, email="blake@mit.edu", deleted=True))
    [breach] = breaches("too-few-program-admins", situation(accounts=accounts, complete=True))
    assert breach.people == (ADMIN1,)


# guardian-not-informed


def test_guardian_not_informed_lists_the_guardians_not_reached():
    s = situation(guardians_informed={SESSION_WINDOW.id: frozenset({"pat@example.org"})})
    [breach] = breaches("guardian-not-informed", s)
    assert breach.subject == f"session:{SESSION_WINDOW.id}"
    assert breach.people == (GUARD2,)


def test_guardian_not_informed_silent_when_all_were_sent():
    informed = frozenset({"pat@example.org", "robin@example.org"})
    assert breaches("guardian-not-informed", situation(guardians_informed={SESSION_WINDOW.id: informed})) == []


def test_guardian_not_informed_ignores_past_sessions():
    assert breaches("guardian-not-informed", situation(now=SESSION_WINDOW.end + timedelta(minutes=1))) == []


# conduct-not-acknowledged


@pytest.mark.parametrize(
    ("active", "acknowledged", "expected"),
    [
        pytest.param({MINOR1, STAFF1}, {STAFF1}, {MINOR1}, id="one-active-not-acknowledged"),
        pytest.param({MINOR1}, {MINOR1}, set(), id="acknowledged"),
        pytest.param(set(), set(), set(), id="nobody-active-yet"),
        pytest.param({"U0STRANGER"}, set(), set(), id="not-on-roster"),
    ],
)
def test_conduct_not_acknowledged(active, acknowledged, expected):
    s = situation(active_participants=frozenset(active), acknowledged_users=frozenset(acknowledged))
    assert {b.people[0] for b in breaches("conduct-not-acknowledged", s)} == expected


@pytest.mark.parametrize(
    ("welcomed_ago", "reminded"),
    [
        pytest.param(None, True, id="never-welcomed"),
        pytest.param(timedelta(minutes=5), False, id="welcomed-just-now"),
        pytest.param(timedelta(hours=23, minutes=59), False, id="welcomed-within-a-day"),
        pytest.param(timedelta(hours=24), True, id="welcomed-a-day-ago"),
    ],
)
def test_conduct_not_acknowledged_waits_a_day_after_the_welcome(welcomed_ago, reminded):
    welcomed = {} if welcomed_ago is None else {MINOR1: NOW - welcomed_ago}
    s = situation(active_participants=frozenset({MINOR1}), welcomed=welcomed)
    assert bool(breaches("conduct-not-acknowledged", s)) is reminded


# monitoring-not-connected


def test_monitoring_not_connected_lists_everyone_not_connected():
    everyone = {p.slack_id for p in program().roster}
    s = situation(connected_users=frozenset(everyone - {MINOR2, GUARD1}))
    assert {b.people[0] for b in breaches("monitoring-not-connected", s)} == {MINOR2, GUARD1}


def test_monitoring_not_connected_does_not_guess():
    assert breaches("monitoring-not-connected", situation(connected_users=None)) == []


def test_monitoring_not_connected_silent_when_all_connected():
    everyone = frozenset(p.slack_id for p in program().roster)
    assert breaches("monitoring-not-connected", situation(connected_users=everyone)) == []


def test_program_rules_do_not_run_on_a_conversation():
    from builders import public

    from bot.engine import evaluate
    from bot.rules import CATALOGUE

    s = situation(public(MINOR1, GUARD2, ADMIN1), now=NOW, connected_users=frozenset())
    assert not {f.rule for f in evaluate(CATALOGUE, s)} & {
        "monitoring-not-connected",
        "too-few-program-admins",
    }
