"""Incidents: one open per (program, rule, subject), transitions, timeline, escalation, evidence."""

import threading
import time
import uuid
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import select
from storage_samples import NOW, PROGRAM_ID, finding, full_program

from bot.model import IncidentEvent, IncidentStatus, Severity
from storage import (
    IncidentNotFound,
    InvalidTransition,
    acknowledge_incident,
    add_incident_event,
    create_engine_from_url,
    get_incident,
    incident_evidence,
    incident_timeline,
    incidents_since,
    incidents_to_escalate,
    mark_escalated,
    open_incident,
    open_incidents,
    purge_evidence,
    resolve_incident,
    save_program,
    session_scope,
    set_alert_message,
    update_incident,
)
from storage.tables import IncidentRow


@pytest.fixture
def program_session(session):
    save_program(full_program(sessions=()), session=session)
    return session


def test_opening_stores_the_finding(program_session):
    session = program_session
    incident, created = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    assert created
    assert incident == get_incident(incident.id, session=session)
    assert (incident.rule, incident.subject, incident.scope) == ("lone-adult-dm", "D0DIRECT01", "D0DIRECT01")
    assert incident.severity is Severity.HIGH and incident.status is IncidentStatus.OPEN
    assert incident.people == ("U0STAFF1", "U0MINOR1") and incident.channel == "D0DIRECT01"
    assert incident.opened_at == NOW and incident.opened_at.tzinfo is UTC
    assert incident_evidence(incident.id, session=session) == "call me at 555-0100"
    assert get_incident(99999, session=session) is None


def test_timestamps_come_back_aware(engine):
    with session_scope(engine) as session:
        save_program(full_program(sessions=()), session=session)
        incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
        acknowledge_incident(incident.id, actor="U0ADMIN1", now=NOW + timedelta(minutes=1), session=session)
    with session_scope(engine) as session:
        stored = get_incident(incident.id, session=session)
        events = incident_timeline(incident.id, session=session)
    assert stored.opened_at.tzinfo is UTC and stored.acknowledged_at.tzinfo is UTC
    assert stored.acknowledged_at == NOW + timedelta(minutes=1)
    assert all(e.at.tzinfo is UTC for e in events)


def test_one_open_incident_per_rule_and_subject(program_session):
    session = program_session
    first, created = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    again, created_again = open_incident(
        finding(summary="later"), program_id=PROGRAM_ID, now=NOW + timedelta(minutes=1), session=session
    )
    assert created and not created_again and again == first
    other_subject, created = open_incident(
        finding(subject="D0OTHER001"), program_id=PROGRAM_ID, now=NOW, session=session
    )
    other_rule, created_too = open_incident(
        finding(rule="contact-details"), program_id=PROGRAM_ID, now=NOW, session=session
    )
    assert created and created_too and len({first.id, other_subject.id, other_rule.id}) == 3


def test_an_acknowledged_incident_still_counts_as_open(program_session):
    session = program_session
    incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    acknowledge_incident(incident.id, actor="U0ADMIN1", now=NOW, session=session)
    again, created = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    assert not created and again.id == incident.id and again.status is IncidentStatus.ACKNOWLEDGED


def test_after_resolving_the_same_finding_opens_a_new_incident(program_session):
    session = program_session
    first, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    resolve_incident(first.id, actor=None, now=NOW + timedelta(minutes=5), session=session)
    second, created = open_incident(finding(), program_id=PROGRAM_ID, now=NOW + timedelta(minutes=6), session=session)
    third, created_again = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    assert created and second.id != first.id and third.id == second.id and not created_again
    resolve_incident(second.id, actor="U0ADMIN1", now=NOW + timedelta(minutes=7), session=session)
    fourth, created = open_incident(finding(), program_id=PROGRAM_ID, now=NOW + timedelta(minutes=8), session=session)
    assert created and fourth.id not in (first.id, second.id)


def test_acknowledge_then_resolve(program_session):
    session = program_session
    incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    acknowledged = acknowledge_incident(incident.id, actor="U0ADMIN1", now=NOW + timedelta(minutes=2), session=session)
    assert acknowledged.status is IncidentStatus.ACKNOWLEDGED and acknowledged.is_open
    assert (acknowledged.acknowledged_by, acknowledged.acknowledged_at) == ("U0ADMIN1", NOW + timedelta(minutes=2))
    resolved = resolve_incident(incident.id, actor="U0DLC1", now=NOW + timedelta(minutes=3), session=session)
    assert resolved.status is IncidentStatus.RESOLVED and not resolved.is_open
    assert (resolved.resolved_by, resolved.resolved_at) == ("U0DLC1", NOW + timedelta(minutes=3))
    assert resolved.acknowledged_by == "U0ADMIN1"
    assert get_incident(incident.id, session=session) == resolved


def test_resolving_an_open_incident_automatically(program_session):
    session = program_session
    incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    resolved = resolve_incident(incident.id, actor=None, now=NOW, session=session, detail="a second adult joined")
    assert resolved.status is IncidentStatus.RESOLVED and resolved.resolved_by is None
    assert incident_timeline(incident.id, session=session)[-1] == IncidentEvent(
        incident.id, NOW, "resolved", None, "a second adult joined"
    )


def test_invalid_transitions_are_refused(program_session):
    session = program_session
    incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    acknowledge_incident(incident.id, actor="U0ADMIN1", now=NOW, session=session)
    with pytest.raises(InvalidTransition, match="is acknowledged; it cannot become acknowledged"):
        acknowledge_incident(incident.id, actor="U0ADMIN2", now=NOW, session=session)
    resolve_incident(incident.id, actor="U0ADMIN1", now=NOW, session=session)
    with pytest.raises(ValueError, match="is resolved; it cannot become acknowledged"):
        acknowledge_incident(incident.id, actor="U0ADMIN1", now=NOW, session=session)
    with pytest.raises(ValueError, match="is resolved; it cannot become resolved"):
        resolve_incident(incident.id, actor="U0ADMIN1", now=NOW, session=session)
    with pytest.raises(IncidentNotFound):
        resolve_incident(99999, actor="U0ADMIN1", now=NOW, session=session)
    assert get_incident(incident.id, session=session).acknowledged_by == "U0ADMIN1"
    assert [e.kind for e in incident_timeline(incident.id, session=session)] == ["opened", "acknowledged", "resolved"]


def test_the_timeline_records_every_step(program_session):
    session = program_session
    incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    add_incident_event(
        incident.id, kind="repeated", actor="U0STAFF1", detail="again", now=NOW + timedelta(1), session=session
    )
    assert mark_escalated(incident.id, now=NOW + timedelta(minutes=15), session=session)
    acknowledge_incident(incident.id, actor="U0ADMIN1", now=NOW + timedelta(minutes=20), session=session)
    resolve_incident(incident.id, actor="U0ADMIN2", now=NOW + timedelta(minutes=30), session=session)
    timeline = incident_timeline(incident.id, session=session)
    assert timeline == [
        IncidentEvent(incident.id, NOW, "opened", None, "An adult and a minor alone in a DM"),
        IncidentEvent(incident.id, NOW + timedelta(minutes=15), "escalated", None, ""),
        IncidentEvent(incident.id, NOW + timedelta(minutes=20), "acknowledged", "U0ADMIN1", ""),
        IncidentEvent(incident.id, NOW + timedelta(minutes=30), "resolved", "U0ADMIN2", ""),
        IncidentEvent(incident.id, NOW + timedelta(days=1), "repeated", "U0STAFF1", "again"),
    ]
    with pytest.raises(IncidentNotFound):
        add_incident_event(99999, kind="repeated", now=NOW, session=session)


def test_escalation_happens_once_and_only_while_unacknowledged(program_session):
    session = program_session
    late, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    recent, _ = open_incident(
        finding(subject="D0OTHER001"), program_id=PROGRAM_ID, now=NOW + timedelta(minutes=14), session=session
    )
    seen, _ = open_incident(finding(subject="D0SEEN0001"), program_id=PROGRAM_ID, now=NOW, session=session)
    acknowledge_incident(seen.id, actor="U0ADMIN1", now=NOW, session=session)
    cutoff = NOW + timedelta(minutes=1)
    assert [i.id for i in incidents_to_escalate(cutoff, session=session)] == [late.id]
    assert mark_escalated(late.id, now=NOW + timedelta(minutes=15), session=session)
    assert not mark_escalated(late.id, now=NOW + timedelta(minutes=16), session=session)
    assert not mark_escalated(seen.id, now=NOW + timedelta(minutes=16), session=session)
    assert incidents_to_escalate(cutoff, session=session) == []
    assert get_incident(late.id, session=session).escalated_at == NOW + timedelta(minutes=15)
    assert get_incident(recent.id, session=session).escalated_at is None
    with pytest.raises(IncidentNotFound):
        mark_escalated(99999, now=NOW, session=session)


def test_the_alert_message_is_remembered(program_session):
    session = program_session
    incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    set_alert_message(incident.id, channel="C0ALERTS01", ts="1751820000.000100", session=session)
    stored = get_incident(incident.id, session=session)
    assert (stored.alert_channel, stored.alert_ts) == ("C0ALERTS01", "1751820000.000100")
    with pytest.raises(IncidentNotFound):
        set_alert_message(99999, channel="C0ALERTS01", ts="1.2", session=session)


def test_an_update_brings_people_and_summary_up_to_date(program_session):
    session = program_session
    incident, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    later = finding(people=("U0STAFF1", "U0MINOR1", "U0OTHER1"), summary="Now three", evidence="")
    updated = update_incident(incident.id, later, now=NOW + timedelta(minutes=1), session=session)
    assert updated.people == ("U0STAFF1", "U0MINOR1", "U0OTHER1")
    assert get_incident(incident.id, session=session).summary == "Now three"
    assert incident_evidence(incident.id, session=session) == "call me at 555-0100"  # kept: no new evidence
    assert [e.kind for e in incident_timeline(incident.id, session=session)] == ["opened", "updated"]
    with pytest.raises(IncidentNotFound):
        update_incident(99999, later, now=NOW, session=session)


def test_open_incidents_by_program_and_scope(program_session):
    session = program_session
    save_program(full_program(id="other-program", sessions=()), session=session)
    a, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    b, _ = open_incident(
        finding(rule="unauthorized-member", subject="C0GENERAL1:U0X", scope="C0GENERAL1"),
        program_id=PROGRAM_ID,
        now=NOW - timedelta(minutes=1),
        session=session,
    )
    c, _ = open_incident(finding(subject="D0GONE0001"), program_id=PROGRAM_ID, now=NOW, session=session)
    resolve_incident(c.id, actor=None, now=NOW, session=session)
    elsewhere, _ = open_incident(finding(), program_id="other-program", now=NOW, session=session)
    assert [i.id for i in open_incidents(PROGRAM_ID, session=session)] == [b.id, a.id]
    assert [i.id for i in open_incidents(PROGRAM_ID, scope="C0GENERAL1", session=session)] == [b.id]
    assert [i.id for i in open_incidents("other-program", session=session)] == [elsewhere.id]


def test_incidents_since(program_session):
    session = program_session
    save_program(full_program(id="other-program", sessions=()), session=session)
    old, _ = open_incident(
        finding(subject="D0OLD00001"), program_id=PROGRAM_ID, now=NOW - timedelta(days=8), session=session
    )
    new, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    resolve_incident(new.id, actor=None, now=NOW, session=session)
    other, _ = open_incident(finding(), program_id="other-program", now=NOW - timedelta(days=1), session=session)
    since = NOW - timedelta(days=7)
    assert [i.id for i in incidents_since(PROGRAM_ID, since, session=session)] == [new.id]
    assert [i.id for i in incidents_since(None, since, session=session)] == [other.id, new.id]
    assert [i.id for i in incidents_since(None, NOW - timedelta(days=30), session=session)] == [
        old.id,
        other.id,
        new.id,
    ]


def test_evidence_is_truncated(program_session):
    session = program_session
    incident, _ = open_incident(finding(evidence="x" * 2000), program_id=PROGRAM_ID, now=NOW, session=session)
    evidence = incident_evidence(incident.id, session=session)
    assert len(evidence) == 500 and evidence.endswith("…")


def test_evidence_is_purged_after_the_retention_period(program_session):
    session = program_session
    old, _ = open_incident(
        finding(subject="D0OLD00001"), program_id=PROGRAM_ID, now=NOW - timedelta(days=400), session=session
    )
    new, _ = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)
    cutoff = NOW - timedelta(days=365)
    assert purge_evidence(cutoff, session=session) == 1
    assert purge_evidence(cutoff, session=session) == 0
    assert incident_evidence(old.id, session=session) == ""
    assert incident_evidence(new.id, session=session) == "call me at 555-0100"
    assert get_incident(old.id, session=session).summary == old.summary  # the incident itself stays


def test_an_incident_for_an_unknown_program_is_an_error(session):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        open_incident(finding(), program_id="no-such-program", now=NOW, session=session)


@pytest.mark.postgres
def test_two_processes_opening_the_same_incident_make_one(postgres_engine, postgres_schema_url):
    """The second opener's look finds nothing (the first has not committed), its insert waits on the
    unique index, then fails; it must return the first's incident, not raise and not duplicate."""
    with session_scope(postgres_engine) as session:
        save_program(full_program(sessions=()), session=session)
    waiter_name = f"race_{uuid.uuid4().hex[:8]}"
    waiter_engine = create_engine_from_url(
        postgres_schema_url.update_query_dict({"application_name": waiter_name}).render_as_string(hide_password=False)
    )
    results = {}

    def open_in(name, engine):
        with session_scope(engine) as session:
            results[name] = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session)

    try:
        with session_scope(postgres_engine) as first:
            results["first"] = open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=first)
            second = threading.Thread(target=open_in, args=("second", waiter_engine))
            second.start()
            wait_until_blocked_on_a_lock(postgres_engine, waiter_name)
        second.join(timeout=30)
        assert not second.is_alive()
    finally:
        waiter_engine.dispose()
    (first_incident, first_created), (second_incident, second_created) = results["first"], results["second"]
    assert first_created and not second_created and second_incident == first_incident
    with session_scope(postgres_engine) as session:
        assert session.exec(select(func.count()).select_from(IncidentRow)).one() == 1


def wait_until_blocked_on_a_lock(engine, application_name, timeout=10.0):
    deadline = time.monotonic() + timeout
    query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND wait_event_type = 'Lock'")
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query, {"name": application_name}).scalar():
                return
        time.sleep(0.02)
    raise AssertionError(f"{application_name} never waited on a lock")


@pytest.mark.postgres
def test_many_threads_opening_at_once_make_one(postgres_engine):
    with session_scope(postgres_engine) as session:
        save_program(full_program(sessions=()), session=session)
    barrier = threading.Barrier(6)
    results, errors = [], []

    def race():
        try:
            barrier.wait(timeout=10)
            with session_scope(postgres_engine) as session:
                results.append(open_incident(finding(), program_id=PROGRAM_ID, now=NOW, session=session))
        except Exception as error:  # collected: a thread's exception would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=race) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len({incident.id for incident, _ in results}) == 1
    assert sum(created for _, created in results) == 1
