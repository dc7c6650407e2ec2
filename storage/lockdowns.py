"""Lockdowns: channels closed by an administrator, who did it and why, and who was taken out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.model import Lockdown
from storage.statements import select_rows
from storage.tables import LockdownRow


class AlreadyLocked(Exception):
    """The channel is locked down already."""


def start_lockdown(
    program_id: str, channel: str, *, team_id: str, actor: str, reason: str, now: datetime, session: Session
) -> Lockdown:
    """Record a lockdown in force; AlreadyLocked when one is in force for the channel already."""
    row = LockdownRow(
        program_id=program_id, team_id=team_id, channel=channel, locked_by=actor, reason=reason, locked_at=now
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise AlreadyLocked(channel) from None
    return _lockdown(row)


def note_removed(lockdown_id: int, users: Iterable[str], *, session: Session) -> None:
    """Remember roster members taken out of the channel, so that reopening brings them back."""
    row = session.get(LockdownRow, lockdown_id, populate_existing=True)
    if row is not None:
        row.removed = sorted(set(row.removed) | set(users))
        session.add(row)
        session.flush()


def active_lockdown(channel: str, *, session: Session) -> Lockdown | None:
    statement = select_rows(LockdownRow).where(LockdownRow.channel == channel, col(LockdownRow.lifted_at).is_(None))
    row = session.exec(statement).first()
    return None if row is None else _lockdown(row)


def active_lockdowns(program_id: str, *, session: Session) -> list[Lockdown]:
    statement = (
        select_rows(LockdownRow)
        .where(LockdownRow.program_id == program_id, col(LockdownRow.lifted_at).is_(None))
        .order_by(col(LockdownRow.locked_at))
    )
    return [_lockdown(row) for row in session.exec(statement)]


def lift_lockdown(channel: str, *, actor: str, now: datetime, session: Session) -> Lockdown | None:
    """End the channel's lockdown; the lifted lockdown, or None when none was in force."""
    statement = select_rows(LockdownRow).where(LockdownRow.channel == channel, col(LockdownRow.lifted_at).is_(None))
    row = session.exec(statement).first()
    if row is None:
        return None
    row.lifted_by, row.lifted_at = actor, now
    session.add(row)
    session.flush()
    return _lockdown(row)


def _lockdown(row: LockdownRow) -> Lockdown:
    assert row.id is not None
    return Lockdown(
        id=row.id,
        program_id=row.program_id,
        channel=row.channel,
        locked_by=row.locked_by,
        locked_at=row.locked_at,
        reason=row.reason,
        team_id=row.team_id,
        removed=tuple(row.removed),
        lifted_by=row.lifted_by,
        lifted_at=row.lifted_at,
    )
