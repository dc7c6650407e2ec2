"""The pure parts behind the commands: a space's status, the program overview, roster edits from
Slack, and the incident record's rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from builders import (
    ADMIN1,
    DLC,
    GENERAL,
    GUARD1,
    MINOR1,
    MINOR2,
    NOW,
    PENDING,
    ROSTER,
    SESSION,
    STAFF1,
    STAFF2,
    STRANGER,
    accounts_for,
    private,
    program,
    public,
)

from bot.model import Directory, Incident, IncidentStatus, Severity
from bot.report import INCIDENT_COLUMNS, incident_rows, readable
from bot.roster import remove_person, replace_roster, upsert_person
from bot.status import program_overview, space_status

APP = "U0SAFEBOT1"


def directory(prog=None):
    prog = prog or program()
    return Directory(prog, accounts_for(prog), complete=True)


def incident(rule="unauthorized-member", scope=GENERAL, status=IncidentStatus.OPEN, **changes):
    values = dict(
        id=1,
        program_id="splash-2026",
        rule=rule,
        subject=f"{scope}:x",
        scope=scope,
        severity=Severity.HIGH,
        status=status,
        summary=f"<@{STRANGER}> is in <#{scope}|general> but not on the roster.",
        opened_at=NOW,
        people=(STRANGER,),
        channel=scope,
    )
    return Incident(**{**values, **changes})


def status_of(conversation, **facts):
    prog = program()
    return space_status(prog, directory(prog), conversation, now=NOW, app_user=APP, **facts)


def test_a_live_session_in_order():
    conversation = public(APP, STAFF1, STAFF2, MINOR1, id=SESSION)
    status = status_of(
        conversation, active_users=frozenset({STAFF1, STAFF2}), acknowledged=frozenset({STAFF1, STAFF2, MINOR1})
    )
    assert status.live_session is not None and status.active_adults == (STAFF1, STAFF2)
    assert status.adults_needed == 0 and status.in_order and status.gaps == []


def test_a_live_session_with_one_active_adult_and_an_intruder():
    conversation = public(APP, STAFF1, STAFF2, MINOR1, MINOR2, STRANGER, id=SESSION)
    status = status_of(conversation, active_users=frozenset({STAFF1}), incidents=[incident(scope=SESSION)])
    assert status.adults_needed == 1
    assert status.not_on_roster == (STRANGER,)
    assert status.minors_without_consent == (MINOR2,)  # Alex's release is on file
    assert status.open_incidents == {"unauthorized-member": 1}
    assert "needs 1 more program adult(s)" in status.gaps and not status.in_order


def test_a_private_space_needs_a_dlc_admin_and_the_minors_guardians():
    conversation = private(APP, STAFF1, MINOR1, MINOR2, GUARD1)
    status = status_of(conversation, acknowledged=frozenset({STAFF1, MINOR1, MINOR2, GUARD1}))
    assert status.needs_dlc_admin and status.minors_without_guardian == (MINOR2,)
    assert not status.is_session_channel and status.adults_needed == 0
    with_dlc = status_of(private(APP, STAFF1, DLC, MINOR1, GUARD1), acknowledged=frozenset({STAFF1, DLC}))
    assert not with_dlc.needs_dlc_admin and with_dlc.minors_without_guardian == ()


def test_an_uncleared_adult_does_not_count_and_the_app_itself_is_not_a_member_to_report():
    status = status_of(public(APP, STAFF1, PENDING, id=SESSION))
    assert status.program_adults == (STAFF1,) and status.adults_needed == 1
    assert APP not in status.not_acknowledged and status.app_is_member
    assert not status_of(public(STAFF1, STAFF2, id=SESSION)).app_is_member


def test_connection_is_unknown_until_configured():
    assert status_of(public(APP, STAFF1)).not_connected is None
    assert status_of(public(APP, STAFF1, MINOR1), connected=frozenset({STAFF1})).not_connected == (MINOR1,)


def test_the_overview_counts_coverage_and_lists_what_is_coming():
    prog = program()
    spaces = [status_of(public(APP, STAFF1, STAFF2, MINOR1, id=SESSION)), status_of(public(APP, STRANGER))]
    overview = program_overview(
        prog,
        directory(prog),
        spaces,
        now=NOW - timedelta(hours=1),
        incidents=[incident(), incident(id=2, status=IncidentStatus.RESOLVED)],
        acknowledged=frozenset({MINOR1, STAFF1}),
        connected=frozenset({MINOR1}),
    )
    members = len([p for p in ROSTER if p.slack_id])
    assert overview.coverage.members == members
    assert (overview.coverage.acknowledged, overview.coverage.connected) == (2, 1)
    assert overview.open_incidents == {"unauthorized-member": 1}
    assert [s.channel for s in overview.upcoming] == [SESSION]
    assert overview.spaces_in_order == 0  # nobody acknowledged in the session; a stranger in general


# -- roster edits ---------------------------------------------------------------------------------


def test_adding_and_updating_a_person():
    added = upsert_person(ROSTER, {"name": "Quinn", "email": "Quinn@Example.org", "role": "minor"})
    assert added.ok and added.added == ("quinn@example.org",) and len(added.roster) == len(ROSTER) + 1
    cleared = upsert_person(
        ROSTER, {"name": "Pending", "email": "pending@mit.edu", "role": "staff", "background_check": "cleared"}
    )
    assert cleared.updated == ("pending@mit.edu",) and len(cleared.roster) == len(ROSTER)
    assert next(p for p in cleared.roster if p.email == "pending@mit.edu").is_program_adult


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        pytest.param({"name": "Q", "email": "nope", "role": "minor"}, "email", "'nope' is not an email", id="email"),
        pytest.param({"name": "Q", "email": "q@x.org", "role": "wizard"}, "role", "'wizard'", id="role"),
        pytest.param({"name": "Q", "email": "q@x.org", "role": "guardian"}, "guardian_of", "must name", id="no-minor"),
        pytest.param(
            {"name": "Q", "email": "q@x.org", "role": "guardian", "guardian_of": "nobody@x.org"},
            "guardian_of",
            "not a minor on this roster",
            id="unknown-minor",
        ),
        pytest.param(
            {"name": "Alex", "email": "alex@example.org", "role": "staff"},
            "role",
            "Pat would be a guardian of nobody",
            id="orphans-a-guardian",
        ),
        pytest.param({"name": "", "email": "q@x.org", "role": "staff"}, "name", "name is empty", id="no-name"),
    ],
)
def test_a_bad_person_is_refused_by_field(values, field, words):
    change = upsert_person(ROSTER, values)
    assert not change.ok and words in change.problems[field] and change.roster == ROSTER


def test_removing_a_person():
    assert remove_person(ROSTER, "LEE@mit.edu").removed == ("lee@mit.edu",)
    assert "not on the roster" in remove_person(ROSTER, "who@x.org").problems["remove"]
    assert "Pat" in remove_person(ROSTER, "alex@example.org").problems["remove"]


def test_replacing_the_roster_from_a_csv():
    text = (
        "name,email,role,background_check\nAvery,avery@mit.edu,program_admin,cleared\nZed,zed@mit.edu,staff,cleared\n"
    )
    change = replace_roster(ROSTER, text, source="new.csv")
    assert change.ok and change.added == ("zed@mit.edu",) and "alex@example.org" in change.removed
    bad = replace_roster(ROSTER, "name,email,role\nA,a@x.org,wizard\n", source="new.csv")
    assert bad.problems["csv"].startswith("new.csv:2: role 'wizard'")
    assert "the roster is empty" in replace_roster(ROSTER, "name,email,role\n", source="e.csv").problems["csv"]


# -- the incident record --------------------------------------------------------------------------


def test_incident_rows_name_people_and_keep_the_record():
    prog = program()
    resolved = incident(
        id=2,
        status=IncidentStatus.RESOLVED,
        acknowledged_by=ADMIN1,
        acknowledged_at=NOW + timedelta(minutes=3),
        resolved_at=NOW + timedelta(minutes=9),
        opened_at=NOW - timedelta(days=1),
    )
    rows = incident_rows(prog, directory(prog), [incident(), resolved])
    assert [r["incident"] for r in rows] == ["2", "1"] and set(rows[0]) == set(INCIDENT_COLUMNS)
    assert rows[0]["acknowledged_by"] == f"Avery ({ADMIN1})" and rows[0]["resolved_by"] == "Safe Contact"
    assert rows[1]["summary"] == f"{STRANGER} is in #general but not on the roster."
    assert readable(f"<@{MINOR1}> and <@U0NOBODY>", directory(prog)) == f"Alex ({MINOR1}) and U0NOBODY"


def test_an_unknown_program_member_has_no_name_to_show():
    prog = replace(program(), roster=())
    assert readable(f"<@{MINOR1}>", Directory(prog, [])) == MINOR1
