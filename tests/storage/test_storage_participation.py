"""Consents, acknowledgements, connected accounts and guardians' session notices."""

from dataclasses import replace
from datetime import timedelta

import pytest
from storage_samples import NOW, PROGRAM_ID, full_program

from bot.model import Consent
from storage import (
    acknowledged_users,
    connected_users,
    consents_for,
    get_program,
    guardians_informed,
    record_acknowledgement,
    record_connection,
    record_consent,
    record_guardian_notice,
    save_program,
    session_scope,
)


@pytest.fixture
def program_session(session):
    save_program(full_program(), session=session)
    save_program(full_program(id="other-program"), session=session)
    return session


def test_consents_are_kept_in_order(program_session):
    session = program_session
    granted = Consent(PROGRAM_ID, "jo@example.org", True, "U0ADMIN1", NOW, "signed form on file")
    revoked = Consent(PROGRAM_ID, "jo@example.org", False, "U0DLC1", NOW + timedelta(days=2), "parent called")
    record_consent(revoked, session=session)
    record_consent(replace(granted, minor_email="JO@Example.org"), session=session)
    record_consent(Consent("other-program", "jo@example.org", True, "U0ADMIN1", NOW), session=session)
    assert consents_for(PROGRAM_ID, "Jo@example.org", session=session) == [granted, revoked]
    assert consents_for(PROGRAM_ID, "alex@example.org", session=session) == []
    assert consents_for(PROGRAM_ID, "jo@example.org", session=session)[0].recorded_at.tzinfo is not None


def test_a_revoked_consent_overrides_the_roster(engine):
    with session_scope(engine) as session:
        save_program(full_program(), session=session)
        record_consent(Consent(PROGRAM_ID, "alex@example.org", False, "U0ADMIN1", NOW), session=session)
    with session_scope(engine) as session:
        alex = next(p for p in get_program(PROGRAM_ID, session=session).roster if p.email == "alex@example.org")
    assert alex.recording_consent is False


def test_acknowledgements(program_session):
    session = program_session
    assert record_acknowledgement(PROGRAM_ID, "U0MINOR1", now=NOW, session=session)
    assert not record_acknowledgement(PROGRAM_ID, "U0MINOR1", now=NOW + timedelta(days=1), session=session)
    assert record_acknowledgement(PROGRAM_ID, "U0STAFF1", now=NOW, session=session)
    assert record_acknowledgement("other-program", "U0MINOR2", now=NOW, session=session)
    assert acknowledged_users(PROGRAM_ID, session=session) == frozenset({"U0MINOR1", "U0STAFF1"})
    assert acknowledged_users("no-such-program", session=session) == frozenset()


def test_connections(program_session):
    session = program_session
    record_connection("T0TEAM0001", "U0MINOR1", now=NOW, session=session)
    record_connection("T0TEAM0001", "U0MINOR1", now=NOW + timedelta(days=1), session=session)
    record_connection("T0TEAM0001", "U0GUARD1", now=NOW, session=session)
    record_connection("T0OTHER001", "U0STAFF1", now=NOW, session=session)
    assert connected_users("T0TEAM0001", session=session) == frozenset({"U0MINOR1", "U0GUARD1"})
    assert connected_users("T0NOBODY01", session=session) == frozenset()


def test_guardians_informed_counts_only_delivered_notices(program_session):
    session = program_session
    first, second = (s.id for s in get_program(PROGRAM_ID, session=session).sessions)
    elsewhere = get_program("other-program", session=session).sessions[0].id
    record_guardian_notice(first, "Pat@Example.org", status="sent", now=NOW, session=session)
    record_guardian_notice(
        first, "robin@example.org", status="unreachable", now=NOW, detail="no account", session=session
    )
    record_guardian_notice(second, "robin@example.org", status="unreachable", now=NOW, session=session)
    record_guardian_notice(second, "robin@example.org", status="sent", now=NOW, session=session)
    record_guardian_notice(elsewhere, "pat@example.org", status="sent", now=NOW, session=session)
    assert guardians_informed(PROGRAM_ID, session=session) == {
        first: frozenset({"pat@example.org"}),
        second: frozenset({"robin@example.org"}),
    }


def test_a_delivered_notice_is_not_undone(program_session):
    session = program_session
    first = get_program(PROGRAM_ID, session=session).sessions[0].id
    record_guardian_notice(first, "pat@example.org", status="sent", now=NOW, session=session)
    record_guardian_notice(first, "pat@example.org", status="unreachable", now=NOW, session=session)
    assert guardians_informed(PROGRAM_ID, session=session) == {first: frozenset({"pat@example.org"})}


def test_an_unknown_notice_status_is_refused(program_session):
    first = get_program(PROGRAM_ID, session=program_session).sessions[0].id
    with pytest.raises(ValueError, match="delivered"):
        record_guardian_notice(first, "pat@example.org", status="delivered", now=NOW, session=program_session)


def test_removing_a_session_removes_its_notices(engine):
    with session_scope(engine) as session:
        save_program(full_program(), session=session)
        first, second = (s.id for s in get_program(PROGRAM_ID, session=session).sessions)
        record_guardian_notice(first, "pat@example.org", status="sent", now=NOW, session=session)
        record_guardian_notice(second, "pat@example.org", status="sent", now=NOW, session=session)
    with session_scope(engine) as session:
        program = get_program(PROGRAM_ID, session=session)
        save_program(full_program(sessions=program.sessions[1:]), session=session)
    with session_scope(engine) as session:
        assert guardians_informed(PROGRAM_ID, session=session) == {second: frozenset({"pat@example.org"})}
