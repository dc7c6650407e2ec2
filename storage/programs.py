"""Programs with their rosters, guardian links and session windows: saved whole, read back whole."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypedDict

from sqlmodel import Session, SQLModel, col

from bot.model import (
    DEFAULT_PHONE_REGIONS,
    BackgroundCheck,
    EnforcementMode,
    Person,
    Program,
    Role,
    SessionWindow,
    normalize_email,
)
from storage.channel_ids import channel_id_changes, with_current_ids
from storage.columns import as_utc
from storage.statements import select_rows
from storage.tables import ConsentRow, GuardianLinkRow, PersonRow, ProgramRow, SessionWindowRow


def save_program(program: Program, *, session: Session, now: datetime | None = None) -> None:
    """Create or replace `program`: its settings, roster, guardian links and sessions. People and
    sessions no longer listed are removed; saving the same program again changes nothing. Channels
    named by an id Slack has since replaced are saved by their new id."""
    now = now or datetime.now(UTC)
    program = with_current_ids(program, channel_id_changes(session=session))
    row = session.get(ProgramRow, program.id)
    if row is None:
        row = ProgramRow(
            id=program.id, name=program.name, alert_channel=program.alert_channel, created_at=now, updated_at=now
        )
        session.add(row)
    changed = _assign(row, _program_values(program))
    session.flush()  # the program row must exist before its roster refers to it
    changed = _save_roster(program, session) | changed
    changed = _save_guardian_links(program, session) | changed
    changed = _save_sessions(program, session) | changed
    if changed:
        row.updated_at = now
    session.flush()


def get_program(program_id: str, *, session: Session) -> Program | None:
    """The program with its roster; a minor's `recording_consent` is their latest consent record's,
    or the roster's when none was recorded."""
    row = session.get(ProgramRow, program_id, populate_existing=True)
    return None if row is None else _to_programs([row], session)[0]


def list_programs(*, session: Session) -> list[Program]:
    return _to_programs(session.exec(select_rows(ProgramRow).order_by(col(ProgramRow.id))).all(), session)


def programs_for_team(team_id: str, *, session: Session) -> list[Program]:
    """Programs that own the workspace `team_id` (their `team_id` setting)."""
    statement = select_rows(ProgramRow).where(ProgramRow.team_id == team_id).order_by(col(ProgramRow.id))
    return _to_programs(session.exec(statement).all(), session)


def _program_values(program: Program) -> dict[str, object]:
    return {
        "name": program.name,
        "dlc": program.dlc,
        "alert_channel": program.alert_channel,
        "institution_domains": list(program.institution_domains),
        "team_id": program.team_id,
        "channels": list(program.channels),
        "session_channels": list(program.session_channels),
        "safety_contact": program.safety_contact,
        "whole_workspace": program.whole_workspace,
        "allowed_contacts": list(program.allowed_contacts),
        "phone_regions": list(program.phone_regions),
        "mode": EnforcementMode(program.mode).value,
    }


def _assign(row: SQLModel, values: Mapping[str, object]) -> bool:
    """Set the attributes that differ; True when any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


class _PersonValues(TypedDict):
    """A roster entry's stored attributes besides its program and email (which identify it)."""

    position: int
    name: str
    role: str
    slack_id: str | None
    background_check: str | None
    recording_consent: bool


def _save_roster(program: Program, session: Session) -> bool:
    wanted = _roster_by_email(program.roster)
    existing = {r.email: r for r in session.exec(select_rows(PersonRow).where(PersonRow.program_id == program.id))}
    changed = False
    for email, stale in existing.items():
        if email not in wanted:
            session.delete(stale)
            changed = True
    for position, (email, person) in enumerate(wanted.items()):
        values: _PersonValues = {
            "position": position,
            "name": person.name,
            "role": Role(person.role).value,
            "slack_id": person.slack_id or None,
            "background_check": BackgroundCheck(person.background_check).value if person.background_check else None,
            "recording_consent": person.recording_consent,
        }
        row = existing.get(email)
        if row is None:
            session.add(PersonRow(program_id=program.id, email=email, **values))
            changed = True
        else:
            changed = _assign(row, values) | changed
    return changed


def _roster_by_email(roster: Iterable[Person]) -> dict[str, Person]:
    """The roster keyed by normalised email, in roster order. Email identifies a person in a program."""
    people: dict[str, Person] = {}
    for person in roster:
        email = normalize_email(person.email)
        if not email:
            raise ValueError(f"roster entry {person.name!r} has no email")
        if email in people:
            raise ValueError(f"email {email!r} is on the roster more than once")
        people[email] = person
    return people


def _save_guardian_links(program: Program, session: Session) -> bool:
    wanted: dict[tuple[str, str], int] = {}
    for person in program.roster:
        for minor in person.guardian_of:
            wanted.setdefault((normalize_email(person.email), normalize_email(minor)), len(wanted))
    statement = select_rows(GuardianLinkRow).where(GuardianLinkRow.program_id == program.id)
    existing = {(r.guardian_email, r.minor_email): r for r in session.exec(statement)}
    changed = False
    for key, stale in existing.items():
        if key not in wanted:
            session.delete(stale)
            changed = True
    for (guardian, minor), position in wanted.items():
        row = existing.get((guardian, minor))
        if row is None:
            session.add(
                GuardianLinkRow(program_id=program.id, guardian_email=guardian, minor_email=minor, position=position)
            )
            changed = True
        else:
            changed = _assign(row, {"position": position}) | changed
    return changed


def _save_sessions(program: Program, session: Session) -> bool:
    """Sessions are matched on (channel, start) so their ids, which guardian notices refer to, stay.
    A session scheduled from Slack is kept when a program file that does not list it is imported."""
    wanted = {(s.channel, as_utc(s.start)): s for s in program.sessions}
    statement = select_rows(SessionWindowRow).where(SessionWindowRow.program_id == program.id)
    existing = {(r.channel, r.start): r for r in session.exec(statement)}
    changed = False
    for key, stale in existing.items():
        if key not in wanted and stale.scheduled_by is None:
            session.delete(stale)
            changed = True
    for (channel, start), window in wanted.items():
        row = existing.get((channel, start))
        if row is None:
            session.add(
                SessionWindowRow(
                    program_id=program.id,
                    channel=channel,
                    start=start,
                    end=window.end,
                    access_info=window.access_info,
                    scheduled_by=window.scheduled_by,
                )
            )
            changed = True
        else:
            values = {"end": window.end, "access_info": window.access_info, "scheduled_by": window.scheduled_by}
            changed = _assign(row, values) | changed
    return changed


def _to_programs(rows: Sequence[ProgramRow], session: Session) -> list[Program]:
    """Build programs with everything they hold, in a few queries however many programs there are."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    people: dict[str, list[PersonRow]] = defaultdict(list)
    roster = select_rows(PersonRow).where(col(PersonRow.program_id).in_(ids)).order_by(col(PersonRow.position))
    for person in session.exec(roster):
        people[person.program_id].append(person)
    guarded: dict[tuple[str, str], list[str]] = defaultdict(list)
    links = (
        select_rows(GuardianLinkRow)
        .where(col(GuardianLinkRow.program_id).in_(ids))
        .order_by(col(GuardianLinkRow.position))
    )
    for link in session.exec(links):
        guarded[link.program_id, link.guardian_email].append(link.minor_email)
    sessions: dict[str, list[SessionWindow]] = defaultdict(list)
    windows = (
        select_rows(SessionWindowRow)
        .where(col(SessionWindowRow.program_id).in_(ids))
        .order_by(col(SessionWindowRow.start), col(SessionWindowRow.channel), col(SessionWindowRow.id))
    )
    for window in session.exec(windows):
        sessions[window.program_id].append(_to_session_window(window))
    consents = _latest_consents(ids, session)
    changes = channel_id_changes(session=session)  # rows saved before Slack replaced an id
    return [
        with_current_ids(
            _to_program(
                row,
                roster=[
                    _to_person(p, guarded[row.id, p.email], consents.get((row.id, p.email), p.recording_consent))
                    for p in people[row.id]
                ],
                sessions=sessions[row.id],
            ),
            changes,
        )
        for row in rows
    ]


def _latest_consents(program_ids: list[str], session: Session) -> dict[tuple[str, str], bool]:
    statement = (
        select_rows(ConsentRow)
        .where(col(ConsentRow.program_id).in_(program_ids))
        .order_by(col(ConsentRow.recorded_at), col(ConsentRow.id))
    )
    return {(c.program_id, c.minor_email): c.granted for c in session.exec(statement)}


def _to_program(row: ProgramRow, *, roster: list[Person], sessions: list[SessionWindow]) -> Program:
    return Program(
        id=row.id,
        name=row.name,
        alert_channel=row.alert_channel,
        institution_domains=tuple(row.institution_domains),
        dlc=row.dlc,
        team_id=row.team_id,
        channels=tuple(row.channels),
        session_channels=tuple(row.session_channels),
        safety_contact=row.safety_contact,
        whole_workspace=row.whole_workspace,
        allowed_contacts=tuple(row.allowed_contacts or ()),
        phone_regions=tuple(row.phone_regions or DEFAULT_PHONE_REGIONS),
        mode=EnforcementMode(row.mode),
        roster=tuple(roster),
        sessions=tuple(sessions),
    )


def _to_person(row: PersonRow, guardian_of: list[str], recording_consent: bool) -> Person:
    return Person(
        name=row.name,
        email=row.email,
        role=Role(row.role),
        slack_id=row.slack_id,
        guardian_of=tuple(guardian_of),
        background_check=BackgroundCheck(row.background_check) if row.background_check else None,
        recording_consent=recording_consent,
    )


def _to_session_window(row: SessionWindowRow) -> SessionWindow:
    return SessionWindow(
        channel=row.channel,
        start=row.start,
        end=row.end,
        access_info=row.access_info,
        id=row.id,
        scheduled_by=row.scheduled_by,
    )
