"""Things acted on at most once while they are valid: Slack's signed requests (a copy sent again
within the signature's five minutes is a replay) and the OAuth states browsers come back with.
One statement each, so that checking costs a request no more than one cheap write."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.statements import insert_for
from storage.tables import UsedOnceRow


def use_once(key: str, *, now: datetime, lifetime: timedelta, session: Session) -> bool:
    """True the first time `key` is used; False while an earlier use has not expired. One INSERT:
    another process using the same key at the same moment loses on the primary key. An expired
    row is taken over, so a key can be used again once its lifetime is over."""
    statement = insert_for(session, UsedOnceRow).values(key=key, expires_at=now + lifetime)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"expires_at": statement.excluded.expires_at},
        where=col(UsedOnceRow.expires_at) < now,
    )
    # RETURNING, not the row count: psycopg counts a conflict whose update was skipped as a row.
    return session.exec(statement.returning(col(UsedOnceRow.key))).first() is not None


def purge_used_once(now: datetime, *, session: Session) -> int:
    """Forget the uses that have expired (nothing can be replayed past them); how many went."""
    return session.exec(delete(UsedOnceRow).where(col(UsedOnceRow.expires_at) < now)).rowcount
