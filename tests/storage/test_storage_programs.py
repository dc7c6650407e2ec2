"""Programs with their rosters, guardian links and sessions: saved whole, read back whole."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select
from storage_samples import NOW, PROGRAM_ID, ROSTER, SESSIONS, full_program

from bot.model import BackgroundCheck, Consent, EnforcementMode, Person, Role, SessionWindow
from storage import get_program, list_programs, programs_for_team, record_consent, save_program, session_scope
from storage.tables import GuardianLinkRow, PersonRow, ProgramRow, SessionWindowRow


def without_session_ids(program):
    return replace(program, sessions=tuple(replace(s, id=None) for s in program.sessions))


def save(engine, program, now=NOW):
    with session_scope(engine) as session:
        save_program(program, session=session, now=now)


def load(engine, program_id=PROGRAM_ID):
    with session_scope(engine) as session:
        return get_program(program_id, session=session)


def test_a_full_program_comes_back_as_it_was_saved(engine):
    program = full_program()
    save(engine, program)
    stored = load(engine)
    assert without_session_ids(stored) == program
    assert all(isinstance(s.id, int) for s in stored.sessions)
    assert stored.roster[-1].guardian_of == ("jo@example.org", "alex@example.org")
    assert stored.mode is EnforcementMode.OBSERVE and stored.roster[0].role is Role.PROGRAM_ADMIN
    assert stored.roster[3].background_check is BackgroundCheck.PENDING and stored.roster[3].slack_id is None


def test_session_times_come_back_aware_in_utc(engine):
    save(engine, full_program())
    first = load(engine).sessions[0]
    assert first.start == SESSIONS[0].start and first.start.tzinfo is UTC
    assert first.start.hour == 18 and first.end.tzinfo is UTC


def test_defaults_round_trip(engine):
    program = full_program(team_id=None, channels=(), session_channels=(), dlc="", safety_contact="", sessions=())
    program = replace(program, roster=(Person("Only", "only@mit.edu", Role.STAFF),), mode=EnforcementMode.ENFORCE)
    save(engine, program)
    assert load(engine) == program


def test_emails_are_stored_normalised(engine):
    shouting = Person("Alex", "  ALEX@Example.org ", Role.MINOR)
    parent = Person("Pat", "Pat@Example.org", Role.GUARDIAN, guardian_of=("Alex@EXAMPLE.org",))
    save(engine, full_program(roster=(shouting, parent), sessions=()))
    roster = load(engine).roster
    assert [p.email for p in roster] == ["alex@example.org", "pat@example.org"]
    assert roster[1].guardian_of == ("alex@example.org",) and roster[1].guards(roster[0])


def test_saving_twice_changes_nothing(engine):
    save(engine, full_program())
    once = load(engine)
    with session_scope(engine) as session:
        created = session.get(ProgramRow, PROGRAM_ID).updated_at
        person_ids = sorted(session.exec(select(PersonRow.id)).all())
    save(engine, full_program(), now=NOW + timedelta(days=1))
    assert load(engine) == once  # session ids included: they stay
    with session_scope(engine) as session:
        assert session.get(ProgramRow, PROGRAM_ID).updated_at == created  # nothing changed
        assert sorted(session.exec(select(PersonRow.id)).all()) == person_ids
        assert session.exec(select(func.count()).select_from(GuardianLinkRow)).one() == 3


def test_replacing_removes_what_is_no_longer_listed(engine):
    save(engine, full_program())
    jo_gone = tuple(p for p in ROSTER if p.name not in ("Jo Minor", "Robin Parent"))
    renamed = replace(jo_gone[0], name="Avery Renamed", slack_id="U0ADMIN9")
    newcomer = Person("Kim Minor", "kim@example.org", Role.MINOR)
    moved = replace(SESSIONS[1], end=SESSIONS[1].end + timedelta(minutes=30), access_info="new link")
    program = full_program(
        name="Splash Renamed", roster=(renamed, *jo_gone[1:], newcomer), sessions=(moved,), channels=("C0GENERAL1",)
    )
    save(engine, program, now=NOW + timedelta(hours=1))
    stored = load(engine)
    assert without_session_ids(stored) == program
    assert "jo@example.org" not in {p.email for p in stored.roster}
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(PersonRow)).one() == len(program.roster)
        assert session.exec(select(func.count()).select_from(GuardianLinkRow)).one() == 1
        assert session.exec(select(func.count()).select_from(SessionWindowRow)).one() == 1
        assert session.get(ProgramRow, PROGRAM_ID).updated_at == NOW + timedelta(hours=1)


def test_a_kept_session_keeps_its_id(engine):
    save(engine, full_program())
    first_id = load(engine).sessions[0].id
    save(engine, full_program(sessions=(SESSIONS[0],)))
    assert [s.id for s in load(engine).sessions] == [first_id]


def test_a_failed_transaction_stores_nothing(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        save_program(full_program(), session=session)
        raise RuntimeError("the import failed half way")
    assert load(engine) is None
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(PersonRow)).one() == 0


def test_a_failed_replacement_leaves_the_old_program(engine):
    save(engine, full_program())
    before = load(engine)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        save_program(full_program(roster=ROSTER[:2], sessions=()), session=session)
        raise RuntimeError("a later file was bad")
    assert load(engine) == before


def test_a_duplicate_email_is_refused(session):
    twice = (Person("A", "a@mit.edu", Role.STAFF), Person("B", "A@mit.edu", Role.STAFF))
    with pytest.raises(ValueError, match="more than once"):
        save_program(full_program(roster=twice), session=session)


def test_a_naive_session_time_is_refused(session):
    naive = SessionWindow("C0SESSION1", datetime(2026, 7, 6, 14), datetime(2026, 7, 6, 16))
    with pytest.raises(ValueError, match="naive"):
        save_program(full_program(sessions=(naive,)), session=session)


def test_unknown_program_is_none(session):
    assert get_program("nope", session=session) is None


def test_list_programs_and_programs_for_team(engine):
    save(engine, full_program(id="b-program", team_id="T0TEAM0001"))
    save(engine, full_program(id="a-program", team_id=None, sessions=()))
    save(engine, full_program(id="c-program", team_id="T0OTHER001", sessions=()))
    with session_scope(engine) as session:
        assert [p.id for p in list_programs(session=session)] == ["a-program", "b-program", "c-program"]
        team = programs_for_team("T0TEAM0001", session=session)
        assert [p.id for p in team] == ["b-program"] and len(team[0].roster) == len(ROSTER)
        assert len(team[0].sessions) == 2
        assert programs_for_team("T0NOBODY01", session=session) == []


def test_the_latest_consent_decides_recording_consent(engine):
    save(engine, full_program())
    alex, jo = "alex@example.org", "jo@example.org"

    def consent_of(email):
        return next(p for p in load(engine).roster if p.email == email).recording_consent

    assert consent_of(alex) is True and consent_of(jo) is False  # the roster's values
    with session_scope(engine) as session:
        record_consent(Consent(PROGRAM_ID, "JO@example.org", True, "U0ADMIN1", NOW), session=session)
        record_consent(Consent(PROGRAM_ID, alex, False, "U0ADMIN1", NOW + timedelta(minutes=1)), session=session)
        record_consent(Consent(PROGRAM_ID, alex, True, "U0ADMIN1", NOW - timedelta(days=1)), session=session)
    assert consent_of(jo) is True
    assert consent_of(alex) is False  # the older grant, recorded later, does not override


def test_reading_in_the_same_session_sees_the_save(session):
    save_program(full_program(), session=session)
    assert without_session_ids(get_program(PROGRAM_ID, session=session)) == full_program()
    save_program(full_program(roster=ROSTER[:1], sessions=()), session=session)
    assert get_program(PROGRAM_ID, session=session).roster == ROSTER[:1]


def test_importing_a_program_file_keeps_the_sessions_scheduled_from_slack(engine):
    program = full_program()
    scheduled = SessionWindow(
        channel="C0SESSION1",
        start=NOW + timedelta(days=3),
        end=NOW + timedelta(days=3, hours=2),
        access_info="Zoom 999",
        scheduled_by="U0ADMIN1",
    )
    with session_scope(engine) as session:
        save_program(replace(program, sessions=(*program.sessions, scheduled)), session=session)
    with session_scope(engine) as session:
        save_program(replace(program, sessions=program.sessions[:1]), session=session)  # the file, re-imported
    with session_scope(engine) as session:
        kept = get_program(PROGRAM_ID, session=session).sessions
    assert [(s.start, s.scheduled_by) for s in kept if s.scheduled_by] == [(scheduled.start, "U0ADMIN1")]
    assert len(kept) == 2  # the file's other session is gone, the one scheduled from Slack stays


def test_a_program_sharing_its_workspace_keeps_saying_so(engine):
    save(engine, full_program(team_id="T0TEAM0001", whole_workspace=False))
    assert load(engine).whole_workspace is False
    save(engine, full_program(team_id="T0TEAM0001"))
    assert load(engine).whole_workspace is True


def test_allowed_contacts_and_phone_regions_round_trip(engine):
    save(engine, full_program(allowed_contacts=("+16172531000", "office@mit.edu"), phone_regions=("GB", "US")))
    loaded = load(engine)
    assert loaded.allowed_contacts == ("+16172531000", "office@mit.edu") and loaded.phone_regions == ("GB", "US")
    save(engine, full_program())
    assert load(engine).allowed_contacts == () and load(engine).phone_regions == ("US",)
