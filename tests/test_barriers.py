"""The information-barrier check: which barrier separates the groups, and who is in the wrong one."""

from __future__ import annotations

import pytest
from builders import ADMIN1, ADMIN2, DLC, GUARD1, MINOR1, MINOR2, MINOR3, PENDING, STAFF1, STAFF2, accounts_for, program

from bot.barriers import Barrier, barrier_report
from bot.model import Directory


@pytest.mark.parametrize(
    ("barrier", "separates"),
    [
        pytest.param(
            Barrier("B1", "S0MIN", frozenset({"S0ADU"}), frozenset({"im", "mpim", "call"})), True, id="minors-first"
        ),
        pytest.param(
            Barrier("B1", "S0ADU", frozenset({"S0MIN", "S0X"}), frozenset({"im", "mpim", "call"})),
            True,
            id="adults-first",
        ),
        pytest.param(
            Barrier("B1", "S0MIN", frozenset({"S0ADU"}), frozenset({"im", "call"})), False, id="group-dms-allowed"
        ),
        pytest.param(
            Barrier("B1", "S0MIN", frozenset({"S0X"}), frozenset({"im", "mpim", "call"})), False, id="other-group"
        ),
    ],
)
def test_which_barrier_separates_the_groups(barrier, separates):
    assert barrier.separates("S0MIN", "S0ADU") is separates


def test_the_groups_members_are_checked_against_the_roster():
    prog = program()
    directory = Directory(prog, accounts_for(prog), complete=True)
    adults = frozenset({ADMIN1, ADMIN2, DLC, STAFF1, PENDING, GUARD1, MINOR3})
    members = {"S0MIN": frozenset({MINOR1, MINOR2, STAFF2}), "S0ADU": adults}
    barrier = Barrier("B1", "S0MIN", frozenset({"S0ADU"}), frozenset({"im", "mpim", "call"}))
    report = barrier_report(directory, [barrier], minors_group="S0MIN", adults_group="S0ADU", members=members)
    assert report.barrier == barrier
    assert [p.name for p in report.minors_outside_group] == ["Kim"]
    assert [p.name for p in report.adults_outside_group] == ["Lee"]
    assert [p.name for p in report.minors_in_adults_group] == ["Kim"]
    assert [p.name for p in report.adults_in_minors_group] == ["Lee"]
    assert [p.name for p in report.guardians_in_adults_group] == ["Pat"]
    assert not report.ok and len(report.problems) == 5


def test_a_clean_setup_passes_and_no_barrier_fails():
    prog = program()
    directory = Directory(prog, accounts_for(prog), complete=True)
    members = {
        "S0MIN": frozenset({MINOR1, MINOR2, MINOR3}),
        "S0ADU": frozenset({ADMIN1, ADMIN2, DLC, STAFF1, STAFF2, PENDING}),
    }
    barrier = Barrier("B1", "S0MIN", frozenset({"S0ADU"}), frozenset({"im", "mpim", "call"}))
    assert barrier_report(directory, [barrier], minors_group="S0MIN", adults_group="S0ADU", members=members).ok
    missing = barrier_report(directory, [], minors_group="S0MIN", adults_group="S0ADU", members=members)
    assert missing.problems == ["no information barrier separates the two groups for DMs, group DMs and calls"]
