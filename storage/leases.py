"""Leases on periodic work: of several processes on one database, one at a time holds a lease by
name (`sweep:T123`, `checks:T123`, `retention`), for a while unless it renews it; a lease its holder
stopped renewing (it died, or hangs) is taken over once it expires. Each is one statement, atomic on
SQLite and PostgreSQL alike: of two processes taking the same lease at the same moment one wins.

Clock skew: a lease's expiry is written with its holder's clock and compared with the taker's. A
taker whose clock runs ahead by `d` sees a lease end `d` early; a holder renews every third of its
lease, so a live holder's lease has at least two thirds of its length left on its own clock, and
skew up to about half the lease (30 s of the default minute) never hands a live holder's work to
another. A lease's `finished_at` is compared the same way: skew moves when work is next due by `d`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col

from storage.statements import insert_for, select_rows
from storage.tables import LeaseRow

#: The holder of a lease nobody holds.
NOBODY = ""


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease as stored: `holder` is empty when nobody holds it; `finished_at` is when its work last
    finished in full (None: never)."""

    name: str
    holder: str
    expires_at: datetime
    finished_at: datetime | None

    def held(self, now: datetime) -> bool:
        """Whether somebody holds it at `now` (it is neither released nor expired)."""
        return self.holder != NOBODY and self.expires_at > now


def take_lease(
    name: str,
    holder: str,
    *,
    now: datetime,
    lasting: timedelta,
    unless_finished_after: datetime | None = None,
    session: Session,
) -> bool:
    """Take the lease `name` for `holder` until `now + lasting`: True when taken. Not taken while
    another holds it, nor again by its own holder (it renews instead, see `renew_lease`); taken over
    once it expired. With `unless_finished_after`, not taken when its work last finished after that
    moment (it is not due yet). One INSERT ... ON CONFLICT DO UPDATE ... WHERE: two takers at once
    meet on the primary key, and the row's lock makes the second see the first's holder."""
    statement = insert_for(session, LeaseRow).values(
        name=name, holder=holder, expires_at=now + lasting, renewed_at=now, finished_at=None
    )
    free = or_(col(LeaseRow.holder) == NOBODY, col(LeaseRow.expires_at) <= now)
    if unless_finished_after is not None:
        free = free & or_(col(LeaseRow.finished_at).is_(None), col(LeaseRow.finished_at) <= unless_finished_after)
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "holder": statement.excluded.holder,
            "expires_at": statement.excluded.expires_at,
            "renewed_at": statement.excluded.renewed_at,
        },
        where=free,
    )
    # RETURNING, not the row count: psycopg counts a conflict whose update was skipped as a row.
    return session.exec(statement.returning(col(LeaseRow.name))).first() is not None


def renew_lease(name: str, holder: str, *, now: datetime, lasting: timedelta, session: Session) -> bool:
    """Extend `holder`'s lease to `now + lasting`: False when it is no longer `holder`'s (it expired
    and another took it over), and the work must stop."""
    statement = (
        update(LeaseRow)
        .where(col(LeaseRow.name) == name, col(LeaseRow.holder) == holder)
        .values(expires_at=now + lasting, renewed_at=now)
    )
    return session.exec(statement).rowcount > 0


def release_lease(name: str, holder: str, *, now: datetime, finished: bool, session: Session) -> bool:
    """Give the lease back, so another may take it at once; `finished`: its work was done in full
    (recorded as `finished_at`). False when it was no longer `holder`'s (nothing changes then)."""
    values: dict[str, object] = {"holder": NOBODY, "expires_at": now, "renewed_at": now}
    if finished:
        values["finished_at"] = now
    statement = update(LeaseRow).where(col(LeaseRow.name) == name, col(LeaseRow.holder) == holder).values(values)
    return session.exec(statement).rowcount > 0


def due_again(name: str, *, session: Session) -> None:
    """Forget when the lease's work last finished, so that it is due at once (a workspace that
    installed the app again must be swept again, whoever swept it last)."""
    session.exec(update(LeaseRow).where(col(LeaseRow.name) == name).values(finished_at=None))


def leases(prefix: str, *, session: Session) -> dict[str, Lease]:
    """The leases whose names start with `prefix` (every workspace's sweep: `sweep:`), by name: one
    read, so that a process finds which work is due without taking each lease."""
    rows = session.exec(select_rows(LeaseRow).where(col(LeaseRow.name).startswith(prefix, autoescape=True)))
    return {r.name: Lease(r.name, r.holder, r.expires_at, r.finished_at) for r in rows}
