"""The audit log: every administrator action (import, lockdown, consent, roster change, resolve),
kept for the compliance record."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col

from bot.model import AuditEntry
from storage.statements import select_rows
from storage.tables import AuditRow


def record_audit(entry: AuditEntry, *, session: Session) -> int:
    """Append an entry; its id."""
    row = AuditRow(at=entry.at, actor=entry.actor, action=entry.action, program_id=entry.program_id)
    row.detail = dict(entry.detail)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def audit_entries(
    program_id: str | None = None, *, session: Session, since: datetime | None = None
) -> list[AuditEntry]:
    """Entries oldest first: all of them, or one program's; only those at or after `since` when given."""
    statement = select_rows(AuditRow)
    if program_id is not None:
        statement = statement.where(AuditRow.program_id == program_id)
    if since is not None:
        statement = statement.where(col(AuditRow.at) >= since)
    statement = statement.order_by(col(AuditRow.at), col(AuditRow.id))
    return [
        AuditEntry(
            at=row.at, actor=row.actor, action=row.action, program_id=row.program_id, detail=row.detail, id=row.id
        )
        for row in session.exec(statement)
    ]


def imported_files(*, session: Session) -> dict[str, str]:
    """The file each program was last imported from (as the import named it), where it was recorded."""
    statement = select_rows(AuditRow).where(AuditRow.action == "import").order_by(col(AuditRow.at), col(AuditRow.id))
    files: dict[str, str] = {}
    for row in session.exec(statement):
        file = (row.detail or {}).get("file")
        if row.program_id and isinstance(file, str) and file:
            files[row.program_id] = file
    return files
