"""Lockdowns: channels closed by an administrator, who did it and why, who was taken out, the
lockdown's alert, and whom Slack refused to remove."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
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


def note_refused(lockdown_id: int, users: Iterable[str], *, session: Session) -> None:
    """Remember accounts Slack refused to remove: the lockdown's alert names them."""
    row = session.get(LockdownRow, lockdown_id, populate_existing=True)
    if row is not None:
        row.refused = [*row.refused, *(u for u in dict.fromkeys(users) if u not in row.refused)]
        session.add(row)
        session.flush()


def set_lockdown_alert(
    lockdown_id: int, *, channel: str, text: str | None = None, ts: str | None = None, session: Session
) -> None:
    """Where the lockdown's alert goes and what it says (when the lockdown starts), and its `ts`
    once it is posted."""
    row = session.get(LockdownRow, lockdown_id, populate_existing=True)
    if row is not None:
        row.alert_channel = channel
        if text is not None:
            row.alert_text = text
        if ts is not None:
            row.alert_ts = ts
        session.add(row)
        session.flush()


def get_lockdown(lockdown_id: int, *, session: Session) -> Lockdown | None:
    row = session.get(LockdownRow, lockdown_id, populate_existing=True)
    return None if row is None else _lockdown(row)


def move_lockdowns(old_channel: str, new_channel: str, *, session: Session) -> int:
    """A channel's id changed: the lockdown in force there, and lockdowns alerting there, follow it.
    How many lockdowns in force moved."""
    moved = session.exec(
        update(LockdownRow)
        .where(col(LockdownRow.channel) == old_channel, col(LockdownRow.lifted_at).is_(None))
        .values(channel=new_channel)
    ).rowcount
    session.exec(
        update(LockdownRow).where(col(LockdownRow.alert_channel) == old_channel).values(alert_channel=new_channel)
    )
    return int(moved or 0)


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
        alert_channel=row.alert_channel,
        alert_text=row.alert_text,
        alert_ts=row.alert_ts,
        refused=tuple(row.refused),
    )
