"""The event inbox: every Slack event is stored before Slack gets its 200, then claimed, processed
and completed by a worker. Duplicate deliveries are dropped by `event_id`; PostgreSQL workers in
several processes claim with `FOR UPDATE SKIP LOCKED`, so no two get the same item."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Integer, and_, bindparam, case, delete, func, literal, or_, update
from sqlmodel import Session, col, select

from storage.columns import SerializedJSON, UTCDateTime, as_utc
from storage.database import dump_json
from storage.statements import dialect_name, insert_for, insert_for_dialect, table_of
from storage.tables import InboxRow

#: The table itself: the inbox is the hot path, so its statements are Core statements on the table,
#: built once per database kind with bound parameters (no statement construction, no cache-key
#: computation per call), and run on a Core connection (`storage.connection_scope`) or a session.
INBOX = table_of(InboxRow)
#: What the hot statements run on: a Core connection (cheapest) or an ORM session.
Executor = Connection | Session
#: A claim older than this is taken to belong to a worker that died, and is claimed again.
STALE_CLAIM = timedelta(minutes=5)
#: How much of a failure's message is kept.
ERROR_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A claimed event. `attempts` counts this claim: 1 the first time it is processed."""

    id: int
    event_id: str | None
    team_id: str
    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 0


def enqueue_event(
    event_id: str | None,
    team_id: str,
    kind: str,
    payload: Mapping[str, Any],
    *,
    now: datetime,
    session: Session,
    due: datetime | None = None,
) -> bool:
    """Store an event for the worker, due at once or at `due` (a check that must wait). False when
    `event_id` is already stored: Slack redelivered it. Requests without an event id (commands,
    interactions) are always stored."""
    statement = insert_for(session, InboxRow).values(
        event_id=event_id,
        team_id=team_id or "",
        kind=kind,
        payload=dict(payload),
        received_at=now,
        available_at=due or now,
        status="pending",
        attempts=0,
    )
    inserted = statement.on_conflict_do_nothing(index_elements=["event_id"]).returning(InboxRow.id)
    return session.exec(inserted).first() is not None  # nothing returned: a duplicate


@dataclass(frozen=True, slots=True)
class Received:
    """An event as it arrived: its id (None for requests that have none), its workspace, the parsed
    body, and that body's JSON text, which is stored as it is (no second encoding)."""

    event_id: str | None
    team_id: str
    payload: Mapping[str, Any]
    text: str

    @classmethod
    def of(cls, event_id: str | None, team_id: str, payload: Mapping[str, Any]) -> Received:
        """For a payload that did not arrive as text (tests, tools)."""
        return cls(event_id, team_id, payload, dump_json(payload))


def enqueue_events(events: list[Received], kind: str, *, now: datetime, session: Executor) -> None:
    """Store many events in one statement; redeliveries (an `event_id` already stored) are dropped."""
    if not events:
        return
    rows = [_received_row(event, kind, now) for event in events]
    _execute(session, _insert(dialect_name(session), returning=False), rows)


def enqueue_claimed_events(
    events: list[Received], kind: str, worker_id: str, *, now: datetime, session: Executor
) -> list[InboxItem]:
    """Store events already claimed by `worker_id`, the worker of the process that received them: it
    deals with them from memory instead of claiming them back. Each needs an event id (redeliveries
    are told by it and left out). Returns the stored items, as `claim_events` would have, in order.
    If the worker's process dies, its claims are taken back as any dead worker's are."""
    if not events:
        return []
    claimed = {"status": "claimed", "claimed_by": worker_id, "claimed_at": now, "attempts": 1}
    rows = [_received_row(event, kind, now) | claimed for event in events]
    statement = _insert(dialect_name(session), returning=True)
    stored = {event_id: item_id for item_id, event_id in _execute(session, statement, rows)}
    items = []
    for event in events:
        item_id = stored.pop(event.event_id, None)  # popped: delivered twice in one batch, dealt with once
        if item_id is not None:
            items.append(InboxItem(item_id, event.event_id, event.team_id or "", kind, event.payload, attempts=1))
    return items


@cache
def _insert(dialect: str, *, returning: bool) -> Any:
    """INSERT into the inbox, skipping an event id already stored (a redelivery); with `returning`,
    it gives back the (id, event id) of each row stored. The payload comes as JSON text."""
    statement = (
        insert_for_dialect(dialect, INBOX)
        .values(payload=bindparam("payload", type_=SerializedJSON()))
        .on_conflict_do_nothing(index_elements=["event_id"])
    )
    return statement.returning(INBOX.c.id, INBOX.c.event_id) if returning else statement


def _received_row(event: Received, kind: str, now: datetime) -> dict:
    return {
        "event_id": event.event_id,
        "team_id": event.team_id or "",
        "kind": kind,
        "payload": event.text,
        "received_at": now,
        "available_at": now,
        "status": "pending",
        "attempts": 0,
    }


def _execute(executor: Executor, statement: Any, parameters: Any) -> Any:
    if isinstance(executor, Session):
        return executor.exec(statement, params=parameters)
    return executor.execute(statement, parameters)


def claim_events(
    worker_id: str, limit: int, *, now: datetime, session: Executor, stale_after: timedelta = STALE_CLAIM
) -> list[InboxItem]:
    """Claim up to `limit` items, oldest first: pending ones that are due, and claims older than
    `stale_after` (their worker died). Commit promptly: on SQLite the claim holds the write lock."""
    parameters = {"now": now, "stale_before": as_utc(now) - stale_after, "limit": limit, "worker": worker_id}
    rows = _execute(session, _claim(dialect_name(session)), parameters)
    return sorted((InboxItem(*row) for row in rows), key=lambda item: item.id)


@cache
def _claim(dialect: str) -> Any:
    """One statement claims and returns the items (the worker's hot path: no separate select). On
    SQLite, transactions begin IMMEDIATE (see storage.database): one claimer at a time; on PostgreSQL,
    claimers skip each other's locked rows."""
    now = bindparam("now", type_=UTCDateTime())
    claimable = or_(
        and_(INBOX.c.status == "pending", INBOX.c.available_at <= now),
        and_(INBOX.c.status == "claimed", INBOX.c.claimed_at < bindparam("stale_before", type_=UTCDateTime())),
    )
    chosen = select(INBOX.c.id).where(claimable).order_by(INBOX.c.id).limit(bindparam("limit", type_=Integer()))
    if dialect == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    columns = (INBOX.c.id, INBOX.c.event_id, INBOX.c.team_id, INBOX.c.kind, INBOX.c.payload, INBOX.c.attempts)
    return (
        update(INBOX)
        .where(INBOX.c.id.in_(chosen.scalar_subquery()))
        .values(status="claimed", claimed_by=bindparam("worker"), claimed_at=now, attempts=INBOX.c.attempts + 1)
        .returning(*columns)
    )


def renew_claims(worker_id: str, item_ids: list[int], *, now: datetime, session: Executor) -> set[int]:
    """Renew `worker_id`'s claims on these items (their lease starts again at `now`); the ids it still
    held. An item another worker took (its lease ran out) or that is done is left alone."""
    statement = (
        update(INBOX)
        .where(INBOX.c.id.in_(item_ids), INBOX.c.status == "claimed", INBOX.c.claimed_by == worker_id)
        .values(claimed_at=now)
        .returning(INBOX.c.id)
    )
    return set(_execute(session, statement, None).scalars())


def claimants(*, session: Session) -> list[str]:
    """The workers holding claims now (a claim names its worker, `host:pid`)."""
    statement = select(InboxRow.claimed_by).where(InboxRow.status == "claimed").distinct()
    return sorted(w for w in session.exec(statement) if w)


def release_claims(worker_ids: list[str], *, now: datetime, session: Session) -> int:
    """Give back the claims of workers known to be dead, at once, instead of after the lease; how many."""
    if not worker_ids:
        return 0
    statement = (
        update(InboxRow)
        .where(col(InboxRow.status) == "claimed", col(InboxRow.claimed_by).in_(worker_ids))
        .values(status="pending", claimed_by=None, claimed_at=None, available_at=now)
        .execution_options(synchronize_session=False)
    )
    return session.exec(statement).rowcount


def complete_event(item_id: int, *, now: datetime, session: Executor, worker: str | None = None) -> bool:
    """Mark an item done. Its payload is dropped: it holds message text, which is not kept. With
    `worker`, only while the item is still that worker's claim; whether it was marked."""
    return bool(complete_events([item_id], now=now, session=session, worker=worker))


def complete_events(item_ids: list[int], *, now: datetime, session: Executor, worker: str | None = None) -> set[int]:
    """Mark items done in one statement (a batch of benign messages); the ids marked. With `worker`,
    an item another worker took meanwhile (its lease ran out) is left to that worker."""
    if worker is None:
        _execute(session, _COMPLETE, {"ids": item_ids, "now": now})
        return set(item_ids)
    return set(_execute(session, _COMPLETE_MINE, {"ids": item_ids, "now": now, "worker": worker}).scalars())


def forget_events(item_ids: list[int], *, session: Executor, worker: str | None = None) -> set[int]:
    """Delete items that were dealt with and changed nothing (benign messages, in one statement).
    Nothing of them is kept, and their event ids are not needed: a second delivery of one would only
    be judged again. Cheaper for the database than marking them done (about a third less written).
    With `worker`, only items still claimed by it; the ids deleted."""
    if worker is None:
        _execute(session, _FORGET, {"ids": item_ids})
        return set(item_ids)
    return set(_execute(session, _FORGET_MINE, {"ids": item_ids, "worker": worker}).scalars())


def give_back_claims(worker_id: str, item_ids: list[int], *, now: datetime, session: Executor) -> set[int]:
    """Give back these claims of `worker_id`, due at once (a round that failed half-way): another
    round or worker takes them now instead of after the lease. The ids given back."""
    if not item_ids:
        return set()
    return set(_execute(session, _GIVE_BACK, {"ids": item_ids, "now": now, "worker": worker_id}).scalars())


_IDS: Any = bindparam("ids", expanding=True)
_MINE = and_(INBOX.c.status == "claimed", INBOX.c.claimed_by == bindparam("worker"))
_FORGET = delete(INBOX).where(INBOX.c.id.in_(_IDS))
_FORGET_MINE = delete(INBOX).where(INBOX.c.id.in_(_IDS), _MINE).returning(INBOX.c.id)
_COMPLETE = (
    update(INBOX)
    .where(INBOX.c.id.in_(_IDS))
    .values(status="done", processed_at=bindparam("now", type_=UTCDateTime()), payload={}, claimed_by=None)
)
_COMPLETE_MINE = _COMPLETE.where(_MINE).returning(INBOX.c.id)
_GIVE_BACK = (
    update(INBOX)
    .where(INBOX.c.id.in_(_IDS), _MINE)
    .values(status="pending", claimed_by=None, claimed_at=None, available_at=bindparam("now", type_=UTCDateTime()))
    .returning(INBOX.c.id)
)


def fail_event(
    item_id: int,
    error: str,
    *,
    now: datetime,
    session: Session,
    max_attempts: int = 5,
    retry_after: timedelta = timedelta(0),
    worker: str | None = None,
) -> bool:
    """Record a failed attempt: back to pending (due after `retry_after`) until `max_attempts`
    attempts were made, then `failed` for good. With `worker`, only while the item is still that
    worker's claim (one another worker took is theirs to finish); whether it was recorded."""
    exhausted = col(InboxRow.attempts) >= max_attempts
    mine = (col(InboxRow.status) == "claimed", col(InboxRow.claimed_by) == worker) if worker is not None else ()
    result = session.exec(
        update(InboxRow)
        .where(col(InboxRow.id) == item_id, *mine)
        .values(
            status=case((exhausted, "failed"), else_="pending"),
            processed_at=case((exhausted, literal(now, UTCDateTime())), else_=None),
            available_at=as_utc(now) + retry_after,
            claimed_by=None,
            claimed_at=None,
            last_error=(error or "")[:ERROR_LIMIT],
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def pending_count(*, session: Session) -> int:
    """Items waiting for a worker (claimed ones not included)."""
    return session.exec(select(func.count()).select_from(InboxRow).where(InboxRow.status == "pending")).one()


def retrying(*, session: Session) -> tuple[int, str | None]:
    """Items that failed at least once and wait to be tried again, and the latest of their errors."""
    waiting = (InboxRow.status == "pending", col(InboxRow.last_error).is_not(None))
    count = session.exec(select(func.count()).select_from(InboxRow).where(*waiting)).one()
    latest = session.exec(
        select(InboxRow.last_error).where(*waiting).order_by(col(InboxRow.available_at).desc()).limit(1)
    ).first()
    return count, latest


def purge_inbox(older_than: datetime, *, session: Session) -> int:
    """Delete done and failed items processed before `older_than` (Slack retries come within
    minutes, so the event ids they hold are needed no longer); how many were deleted."""
    statement = delete(InboxRow).where(
        col(InboxRow.status).in_(("done", "failed")), col(InboxRow.processed_at) < older_than
    )
    return session.exec(statement.execution_options(synchronize_session=False)).rowcount
