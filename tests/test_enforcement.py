"""The planner: findings and open incidents in, actions out."""

from dataclasses import replace
from datetime import timedelta

import pytest
from builders import (
    ADMIN1,
    ADMIN2,
    DLC,
    GUARD1,
    MINOR1,
    MINOR2,
    NOW,
    SESSION,
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

from bot.enforcement import (
    Alert,
    Escalate,
    Invite,
    Record,
    Resolve,
    Update,
    Warn,
    administrators,
    describe,
    plan,
    plan_escalations,
)
from bot.engine import checked_scopes, evaluate
from bot.model import EnforcementMode, Incident, IncidentStatus
from bot.rules import CATALOGUE


def run(s, incidents=()):
    findings = evaluate(CATALOGUE, s)
    return plan(findings, incidents, checked=checked_scopes(CATALOGUE, s, findings), directory=s.directory)


def incident_from(finding, id=1, status=IncidentStatus.OPEN, opened_at=NOW, **changes):
    base = Incident(
        id=id,
        program_id="splash-2026",
        rule=finding.rule,
        subject=finding.subject,
        scope=finding.scope,
        severity=finding.severity,
        status=status,
        summary=finding.summary,
        opened_at=opened_at,
        people=finding.people,
        channel=finding.channel,
    )
    return replace(base, **changes)


def kinds(actions):
    return [type(a).__name__ for a in actions]


def test_dm_adult_minor_alerts_warns_the_adult_and_sends_the_minor_a_note():
    actions = run(situation(im(MINOR1, STAFF1)))
    assert kinds(actions) == ["Alert", "Warn", "Warn"]
    warn_adult, note_minor = actions[1], actions[2]
    assert warn_adult.users == (STAFF1,) and "not allowed" in warn_adult.text
    assert note_minor.users == (MINOR1,) and "not in trouble" in note_minor.text


def test_an_open_incident_is_not_alerted_twice():
    s = situation(im(MINOR1, STAFF1))
    [alert, *_] = run(s)
    assert run(s, [incident_from(alert.finding)]) == []


def test_an_acknowledged_incident_still_counts_as_open():
    s = situation(im(MINOR1, STAFF1))
    [alert, *_] = run(s)
    assert run(s, [incident_from(alert.finding, status=IncidentStatus.ACKNOWLEDGED)]) == []


def test_a_resolved_incident_does_not_stop_a_new_alert():
    s = situation(im(MINOR1, STAFF1))
    [alert, *_] = run(s)
    actions = run(s, [incident_from(alert.finding, status=IncidentStatus.RESOLVED)])
    assert kinds(actions)[0] == "Alert"


def test_a_condition_that_is_gone_resolves_its_incident():
    before = situation(private(MINOR1, STAFF1, GUARD1))
    [alert, invite] = run(before)
    assert isinstance(invite, Invite) and invite.user == DLC and invite.channel == "C0PRIVATE1"
    after = situation(private(MINOR1, STAFF1, GUARD1, DLC))
    [resolve] = run(after, [incident_from(alert.finding)])
    assert isinstance(resolve, Resolve) and resolve.incident.rule == "private-space-without-dlc-admin"


def test_incidents_of_other_scopes_are_left_alone():
    before = situation(private(MINOR1, STAFF1, GUARD1))
    [alert, _] = run(before)
    other_channel = situation(public(MINOR1, STAFF1, STAFF2))
    assert run(other_channel, [incident_from(alert.finding)]) == []


def test_undecided_does_not_resolve():
    # Live session, presence unknown: session-needs-two-adults cannot decide; its open incident stays.
    s_known = situation(public(MINOR1, STAFF1, STAFF2, id=SESSION), active_users=frozenset({STAFF1}))
    [alert, _warn] = run(s_known)
    s_unknown = situation(public(MINOR1, STAFF1, STAFF2, id=SESSION))
    assert run(s_unknown, [incident_from(alert.finding)]) == []


def test_a_changed_condition_updates_the_thread_and_invites_whoever_is_newly_needed():
    before = situation(private(MINOR1, STAFF1, DLC))
    [alert, invite] = run(before)
    assert invite.user == GUARD1
    after = situation(private(MINOR1, MINOR2, STAFF1, DLC))
    actions = run(after, [incident_from(alert.finding)])
    assert kinds(actions) == ["Update", "Invite", "Invite"]
    assert {a.user for a in actions[1:]} == {GUARD1, "U0GUARD2"}


def test_an_event_rule_puts_every_occurrence_in_the_thread_and_warns_again():
    channel = public(MINOR1, STAFF1, STAFF2)
    first = situation(channel, message(channel, STAFF1, "call me at 617-555-0134"))
    [alert, warn] = run(first)
    assert isinstance(warn, Warn) and warn.users == (STAFF1,)
    second = situation(channel, message(channel, STAFF1, "or 617-555-0199", ts="1751812300.000100"))
    assert kinds(run(second, [incident_from(alert.finding)])) == ["Update", "Warn"]


def test_event_rules_never_resolve_themselves():
    channel = public(MINOR1, STAFF1, STAFF2)
    [alert, _] = run(situation(channel, message(channel, STAFF1, "call me at 617-555-0134")))
    assert run(situation(channel, message(channel, STAFF1, "see you at 2pm")), [incident_from(alert.finding)]) == []


def test_hazard_replies_in_thread_naming_the_safety_contact():
    channel = public(MINOR1, STAFF1, STAFF2)
    actions = run(situation(channel, message(channel, STAFF1, "Tonight, mix bleach and ammonia in your kitchen")))
    assert kinds(actions) == ["Alert", "ThreadReply"]
    reply = actions[1]
    assert reply.thread_ts == "1751812200.000100" and "environment@mit.edu" in reply.text


def test_a_tool_question_is_asked_in_thread_without_an_alert():
    channel = public(MINOR1, STAFF1, STAFF2)
    actions = run(situation(channel, message(channel, STAFF1, "use your dad's power drill at home for this")))
    assert kinds(actions) == ["ThreadReply"]
    assert "check with environment@mit.edu" in actions[0].text


def test_reminder_rules_record_and_remind_without_alerting():
    s = situation(connected_users=frozenset(p.slack_id for p in program().roster) - {MINOR2})
    actions = [a for a in run(s) if a.finding.rule == "monitoring-not-connected"]
    assert kinds(actions) == ["Record", "Warn"]
    assert actions[1].users == (MINOR2,)


def test_session_rule_warns_the_channel():
    actions = run(situation(public(MINOR1, STAFF1, id=SESSION), active_users=frozenset({STAFF1})))
    [warn] = [a for a in actions if isinstance(a, Warn)]
    assert warn.channel == SESSION and not warn.users


def test_group_dm_warns_adults_and_notes_minors():
    actions = run(situation(mpim(MINOR1, STAFF1, STRANGER)))
    warns = [a for a in actions if isinstance(a, Warn)]
    assert {frozenset(w.users) for w in warns} == {frozenset({STAFF1, STRANGER}), frozenset({MINOR1})}


@pytest.mark.parametrize("scenario", ["dm", "private", "hazard"])
def test_observe_mode_only_tells_administrators(scenario):
    observe = program(mode=EnforcementMode.OBSERVE)
    channel = public(MINOR1, STAFF1, STAFF2)
    s = {
        "dm": situation(im(MINOR1, STAFF1), prog=observe),
        "private": situation(private(MINOR1, STAFF1), prog=observe),
        "hazard": situation(channel, message(channel, STAFF1, "mix bleach and ammonia at home tonight"), prog=observe),
    }[scenario]
    actions = run(s)
    assert actions and all(isinstance(a, Alert | Record | Update | Resolve) for a in actions)


def test_escalation_after_fifteen_minutes_unacknowledged_once():
    s = situation(im(MINOR1, STAFF1))
    [alert, *_] = run(s)
    admins = {"splash-2026": administrators(s.directory)}
    assert set(admins["splash-2026"]) == {ADMIN1, ADMIN2, DLC}
    fresh = incident_from(alert.finding, opened_at=NOW - timedelta(minutes=14))
    old = incident_from(alert.finding, opened_at=NOW - timedelta(minutes=15))
    assert plan_escalations([fresh], now=NOW, admins=admins) == []
    [escalate] = plan_escalations([old], now=NOW, admins=admins)
    assert isinstance(escalate, Escalate) and set(escalate.recipients) == {ADMIN1, ADMIN2, DLC}
    assert plan_escalations([replace(old, escalated_at=NOW)], now=NOW, admins=admins) == []
    assert plan_escalations([replace(old, status=IncidentStatus.ACKNOWLEDGED)], now=NOW, admins=admins) == []


def test_minor_incidents_do_not_escalate():
    s = situation(connected_users=frozenset())
    record = next(a for a in run(s) if isinstance(a, Record))
    old = incident_from(record.finding, opened_at=NOW - timedelta(hours=2))
    assert plan_escalations([old], now=NOW, admins={"splash-2026": (ADMIN1,)}) == []


def test_every_action_describes_itself_without_message_text():
    channel = public(MINOR1, STAFF1, STAFF2)
    secret = "call me at 617-555-0134"
    actions = run(situation(channel, message(channel, STAFF1, secret)))
    actions += run(situation(private(MINOR1, STAFF1)))
    for action in actions:
        line = describe(action)
        assert line and "617" not in line
    assert {type(a) for a in actions} == {Alert, Warn, Invite}
