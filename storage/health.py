"""What `/healthz` asks of the database: whether it takes a write like an event's, and what the
inbox holds. A database that answers reads can still refuse every write (a full disk, a table
locked by a migration): the health check must write to tell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert

from storage.database import session_scope
from storage.inbox import INBOX, pending_count, retrying

#: The probe row's payload: larger than a page (4 KB on SQLite), so that it always needs a page of
#: its own, as the largest events do: a database with no room to grow has no room for the probe.
PROBE_PAYLOAD = {"health_probe": "x" * 4500}


@dataclass(frozen=True)
class InboxHealth:
    """What the inbox holds: items waiting for a worker, and those waiting to be tried again."""

    pending: int
    retrying: int
    latest_error: str | None


def write_probe(engine: Engine, *, now: datetime) -> None:
    """Write an inbox row the size of an event and delete it in the same transaction, committed: it
    takes the locks, the pages and the log space an event's write does, and leaves nothing behind
    (no worker can see it). Raises the database's error when it cannot."""
    table = INBOX
    with engine.begin() as connection:
        row = {"kind": "health probe", "team_id": "", "payload": PROBE_PAYLOAD, "received_at": now}
        inserted = connection.execute(insert(table).values(**row, available_at=now, status="done"))
        (probe_id,) = inserted.inserted_primary_key or (None,)
        connection.execute(delete(table).where(table.c.id == probe_id))


def inbox_health(engine: Engine) -> InboxHealth:
    """What the inbox holds, read in one session."""
    with session_scope(engine) as session:
        waiting, latest = retrying(session=session)
        return InboxHealth(pending_count(session=session), waiting, latest)
