"""Incidents and their timelines: `open -> acknowledged -> resolved` (or straight to resolved), one
open incident per (program, rule, subject), safe when several processes open the same one at once."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.model import Finding, Incident, IncidentEvent, IncidentStatus, Severity
from storage.columns import as_utc
from storage.statements import select_rows
from storage.tables import EVIDENCE_LIMIT, IncidentEventRow, IncidentRow

OPEN = IncidentStatus.OPEN.value
ACKNOWLEDGED = IncidentStatus.ACKNOWLEDGED.value
RESOLVED = IncidentStatus.RESOLVED.value


class IncidentNotFound(LookupError):
    """No incident has that id."""


class InvalidTransition(ValueError):
    """The incident's status does not allow the change (e.g. acknowledging a resolved incident)."""


def open_incident(finding: Finding, *, program_id: str, now: datetime, session: Session) -> tuple[Incident, bool]:
    """The open incident for the finding's (rule, subject) and False if there is one, else a new
    incident and True. When two processes race, the partial unique index lets one insert win; the
    other rolls back to its savepoint and returns the winner's incident."""
    existing = _open_row(program_id, finding.rule, finding.subject, session)
    if existing is not None:
        return _to_incident(existing), False
    row = IncidentRow(
        program_id=program_id,
        rule=finding.rule,
        subject=finding.subject,
        scope=finding.scope,
        severity=int(finding.severity),
        status=OPEN,
        summary=finding.summary,
        people=list(finding.people),
        channel=finding.channel,
        evidence=truncate_evidence(finding.evidence),
        opened_at=as_utc(now),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        winner = _open_row(program_id, finding.rule, finding.subject, session)
        if winner is None:  # not a lost race (e.g. an unknown program): a real error
            raise
        return _to_incident(winner), False
    if row.id is None:  # the flush inserted it: the database has given it its id
        raise RuntimeError("the new incident has no id after being inserted")
    _add_event(row.id, kind="opened", actor=None, detail=finding.summary, now=now, session=session)
    return _to_incident(row), True


def truncate_evidence(text: str) -> str:
    """The evidence kept: at most EVIDENCE_LIMIT characters, marked when cut."""
    text = text or ""
    return text if len(text) <= EVIDENCE_LIMIT else text[: EVIDENCE_LIMIT - 1] + "…"


def get_incident(incident_id: int, *, session: Session) -> Incident | None:
    row = _row(incident_id, session)
    return None if row is None else _to_incident(row)


def incident_evidence(incident_id: int, *, session: Session) -> str | None:
    """The stored evidence (empty once purged); None for an unknown incident."""
    row = _row(incident_id, session)
    return None if row is None else row.evidence


def open_incidents(program_id: str, *, session: Session, scope: str | None = None) -> list[Incident]:
    """Incidents not yet resolved, oldest first; only those of `scope` when given."""
    statement = select_rows(IncidentRow).where(IncidentRow.program_id == program_id, IncidentRow.status != RESOLVED)
    if scope is not None:
        statement = statement.where(IncidentRow.scope == scope)
    statement = statement.order_by(col(IncidentRow.opened_at), col(IncidentRow.id))
    return [_to_incident(row) for row in session.exec(statement)]


def incidents_since(program_id: str | None, since: datetime, *, session: Session) -> list[Incident]:
    """Incidents opened at or after `since`, oldest first, for one program or (None) for all."""
    statement = select_rows(IncidentRow).where(col(IncidentRow.opened_at) >= since)
    if program_id is not None:
        statement = statement.where(IncidentRow.program_id == program_id)
    statement = statement.order_by(col(IncidentRow.opened_at), col(IncidentRow.id))
    return [_to_incident(row) for row in session.exec(statement)]


def incidents_to_escalate(opened_before: datetime, *, session: Session) -> list[Incident]:
    """Open, unacknowledged, never-escalated incidents opened before `opened_before`."""
    statement = (
        select_rows(IncidentRow)
        .where(
            IncidentRow.status == OPEN,
            col(IncidentRow.escalated_at).is_(None),
            col(IncidentRow.opened_at) < opened_before,
        )
        .order_by(col(IncidentRow.opened_at), col(IncidentRow.id))
    )
    return [_to_incident(row) for row in session.exec(statement)]


def acknowledge_incident(incident_id: int, *, actor: str, now: datetime, session: Session) -> Incident:
    """open -> acknowledged. Raises InvalidTransition from any other status."""
    values = {"acknowledged_at": now, "acknowledged_by": actor}
    return _transition(incident_id, {OPEN}, ACKNOWLEDGED, values, actor=actor, now=now, session=session)


def resolve_incident(
    incident_id: int, *, actor: str | None, now: datetime, session: Session, detail: str = ""
) -> Incident:
    """open or acknowledged -> resolved; `actor` None means the app saw the condition gone."""
    values = {"resolved_at": now, "resolved_by": actor}
    return _transition(
        incident_id, {OPEN, ACKNOWLEDGED}, RESOLVED, values, actor=actor, now=now, session=session, detail=detail
    )


def _transition(
    incident_id: int,
    allowed_from: Collection[str],
    to: str,
    values: Mapping[str, object],
    *,
    actor: str | None,
    now: datetime,
    session: Session,
    detail: str = "",
) -> Incident:
    # One conditional UPDATE: of two administrators clicking at once, exactly one succeeds.
    statement = (
        update(IncidentRow)
        .where(col(IncidentRow.id) == incident_id, col(IncidentRow.status).in_(allowed_from))
        .values(status=to, **values)
    )
    if session.exec(statement).rowcount == 0:
        row = _row(incident_id, session)
        if row is None:
            raise IncidentNotFound(f"no incident {incident_id}")
        raise InvalidTransition(f"incident {incident_id} is {row.status}; it cannot become {to}")
    _add_event(incident_id, kind=to, actor=actor, detail=detail, now=now, session=session)
    return _to_incident(_existing_row(incident_id, session))


def mark_escalated(incident_id: int, *, now: datetime, session: Session) -> bool:
    """Record that an open, unacknowledged incident was escalated. True only for the call that
    escalated it, so that of several processes exactly one sends the escalation."""
    statement = (
        update(IncidentRow)
        .where(
            col(IncidentRow.id) == incident_id,
            col(IncidentRow.status) == OPEN,
            col(IncidentRow.escalated_at).is_(None),
        )
        .values(escalated_at=now)
    )
    if session.exec(statement).rowcount == 0:
        _existing_row(incident_id, session)
        return False
    _add_event(incident_id, kind="escalated", actor=None, detail="", now=now, session=session)
    return True


def update_incident(incident_id: int, finding: Finding, *, now: datetime, session: Session) -> Incident:
    """Bring an open incident's people and summary up to date with a later finding, on its timeline."""
    row = _existing_row(incident_id, session)
    row.people = list(finding.people)
    row.summary = finding.summary
    if finding.evidence:
        row.evidence = truncate_evidence(finding.evidence)
    session.add(row)
    session.flush()
    _add_event(incident_id, kind="updated", actor=None, detail=finding.summary, now=now, session=session)
    return _to_incident(row)


def set_alert_message(incident_id: int, *, channel: str, ts: str, session: Session) -> None:
    """Remember the incident's alert message, whose thread takes every later update."""
    statement = update(IncidentRow).where(col(IncidentRow.id) == incident_id).values(alert_channel=channel, alert_ts=ts)
    if session.exec(statement).rowcount == 0:
        raise IncidentNotFound(f"no incident {incident_id}")


def add_incident_event(
    incident_id: int, *, kind: str, actor: str | None = None, detail: str = "", now: datetime, session: Session
) -> IncidentEvent:
    _existing_row(incident_id, session)
    return _add_event(incident_id, kind=kind, actor=actor, detail=detail, now=now, session=session)


def incident_timeline(incident_id: int, *, session: Session) -> list[IncidentEvent]:
    statement = (
        select_rows(IncidentEventRow)
        .where(IncidentEventRow.incident_id == incident_id)
        .order_by(col(IncidentEventRow.at), col(IncidentEventRow.id))
    )
    return [
        IncidentEvent(incident_id=row.incident_id, at=row.at, kind=row.kind, actor=row.actor, detail=row.detail)
        for row in session.exec(statement)
    ]


def move_incidents(old_channel: str, new_channel: str, *, session: Session) -> int:
    """A channel's id changed: its open incidents follow it (their scope, channel, alert channel, and
    subjects naming it, as `C1` or `C1:…`), so that a later check of the channel settles them and
    opens no second incident. Resolved ones stay as they were recorded. How many moved."""
    statement = select_rows(IncidentRow).where(
        IncidentRow.status != RESOLVED,
        (col(IncidentRow.scope) == old_channel)
        | (col(IncidentRow.channel) == old_channel)
        | (col(IncidentRow.alert_channel) == old_channel),
    )
    moved = 0
    for row in session.exec(statement).all():
        subject = _moved_subject(row.subject, old_channel, new_channel)
        if subject != row.subject and _open_row(row.program_id, row.rule, subject, session) is None:
            row.subject = subject  # (one already open under the new id keeps it: this one stays as it was)
        row.scope = new_channel if row.scope == old_channel else row.scope
        row.channel = new_channel if row.channel == old_channel else row.channel
        row.alert_channel = new_channel if row.alert_channel == old_channel else row.alert_channel
        session.add(row)
        session.flush()
        moved += 1
    return moved


def _moved_subject(subject: str, old_channel: str, new_channel: str) -> str:
    if subject == old_channel:
        return new_channel
    if subject.startswith(old_channel + ":"):
        return new_channel + subject[len(old_channel) :]
    return subject


def purge_evidence(older_than: datetime, *, session: Session) -> int:
    """Blank the evidence of incidents opened before the retention cutoff; how many were purged."""
    statement = (
        update(IncidentRow)
        .where(col(IncidentRow.opened_at) < older_than, col(IncidentRow.evidence) != "")
        .values(evidence="")
        .execution_options(synchronize_session=False)
    )
    return session.exec(statement).rowcount


def _add_event(
    incident_id: int, *, kind: str, actor: str | None, detail: str, now: datetime, session: Session
) -> IncidentEvent:
    row = IncidentEventRow(incident_id=incident_id, at=as_utc(now), kind=kind, actor=actor, detail=detail)
    session.add(row)
    session.flush()
    return IncidentEvent(incident_id=incident_id, at=row.at, kind=kind, actor=actor, detail=detail)


def _open_row(program_id: str, rule: str, subject: str, session: Session) -> IncidentRow | None:
    statement = select_rows(IncidentRow).where(
        IncidentRow.program_id == program_id,
        IncidentRow.rule == rule,
        IncidentRow.subject == subject,
        IncidentRow.status != RESOLVED,
    )
    return session.exec(statement).first()


def _row(incident_id: int, session: Session) -> IncidentRow | None:
    return session.exec(select_rows(IncidentRow).where(IncidentRow.id == incident_id)).first()


def _existing_row(incident_id: int, session: Session) -> IncidentRow:
    row = _row(incident_id, session)
    if row is None:
        raise IncidentNotFound(f"no incident {incident_id}")
    return row


def _to_incident(row: IncidentRow) -> Incident:
    assert row.id is not None
    return Incident(
        id=row.id,
        program_id=row.program_id,
        rule=row.rule,
        subject=row.subject,
        scope=row.scope,
        severity=Severity(row.severity),
        status=IncidentStatus(row.status),
        summary=row.summary,
        opened_at=row.opened_at,
        people=tuple(row.people),
        channel=row.channel,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        escalated_at=row.escalated_at,
        alert_channel=row.alert_channel,
        alert_ts=row.alert_ts,
    )
