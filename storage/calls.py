"""Live calls (Slack huddles): who is in which call now, and what the app knows of each call (where it
runs, since when its people are the ones it has, its AI notes, when it ended). Kept so that a restart
loses nothing; put right from Slack's own state at each sweep."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col

from bot.model import Call, CallFeature, ConversationKind
from storage.columns import as_utc
from storage.statements import insert_for, select_rows
from storage.tables import CallParticipantRow, CallRow


def join_call(team_id: str, user_id: str, call_id: str, *, now: datetime, session: Session) -> set[str]:
    """`user_id` is in `call_id` now (and so in no other call). The calls whose people changed: this
    one, and the one they were in before, if any; none when they were in it already."""
    now = as_utc(now)
    before = session.get(CallParticipantRow, (team_id, user_id), populate_existing=True)
    if before is not None and before.call_id == call_id:
        return set()
    changed = {call_id}
    if before is not None:
        changed.add(before.call_id)
        session.delete(before)
        session.flush()
        _people_changed(team_id, before.call_id, now=now, session=session)
    _ensure_call(team_id, call_id, now=now, session=session)
    session.add(CallParticipantRow(team_id=team_id, user_id=user_id, call_id=call_id, joined_at=now))
    session.flush()
    # A call someone joins is live (again), and its grace runs from now.
    session.execute(
        update(CallRow)
        .where(col(CallRow.team_id) == team_id, col(CallRow.call_id) == call_id)
        .values(since=now, ended_at=None)
    )
    return changed


def leave_call(team_id: str, user_id: str, *, now: datetime, session: Session) -> str | None:
    """`user_id` is in no call now: the call they left, or None when they were in none. A call nobody
    is left in has ended."""
    before = session.get(CallParticipantRow, (team_id, user_id), populate_existing=True)
    if before is None:
        return None
    call_id = before.call_id
    session.delete(before)
    session.flush()
    _people_changed(team_id, call_id, now=as_utc(now), session=session)
    return call_id


def note_root(
    team_id: str,
    call_id: str,
    *,
    channel: str,
    kind: ConversationKind | None,
    root_ts: str,
    ended: datetime | None,
    recorded: Collection[CallFeature],
    participants: Collection[str] | None,
    now: datetime,
    session: Session,
    current: bool = True,
) -> set[str]:
    """What a call's root says: where it runs, its AI notes, whether it ended and, with
    `participants`, who is in it (Slack's own list, which puts right what the app pieced together
    from events). A root read just now is `current`: its list is the call's. One that came as an event
    may be older than the joins and leaves heard since: its list only adds who the events missed.
    The calls whose people changed."""
    now = as_utc(now)
    # A call is timed from when the app learned of it (its grace, and how long status says it has run),
    # whatever clock the root's `date_start` is on; the audits of past calls use the root's own times.
    _ensure_call(team_id, call_id, now=now, session=session)
    session.execute(
        update(CallRow)
        .where(col(CallRow.team_id) == team_id, col(CallRow.call_id) == call_id)
        .values(
            channel=channel,
            kind=kind.value if kind else None,
            root_ts=root_ts or None,
            recorded=sorted(f.value for f in recorded),
        )
    )
    if ended is not None:
        return {call_id} if _end(team_id, call_id, now=as_utc(ended), session=session) else set()
    if participants is None:
        return set()
    if not current:
        known = {row.user_id for row in _participant_rows(team_id, call_id, session)}
        participants = known | set(participants)
    return sync_participants(team_id, call_id, participants, now=now, session=session)


def sync_participants(
    team_id: str, call_id: str, participants: Collection[str], *, now: datetime, session: Session
) -> set[str]:
    """Make `participants` the people of `call_id`; the calls whose people changed."""
    now = as_utc(now)
    current = {row.user_id for row in _participant_rows(team_id, call_id, session)}
    wanted = set(participants)
    changed: set[str] = set()
    for user_id in wanted - current:
        changed |= join_call(team_id, user_id, call_id, now=now, session=session)
    gone = current - wanted
    if gone:
        session.execute(
            delete(CallParticipantRow).where(
                col(CallParticipantRow.team_id) == team_id,
                col(CallParticipantRow.call_id) == call_id,
                col(CallParticipantRow.user_id).in_(sorted(gone)),
            )
        )
        _people_changed(team_id, call_id, now=now, session=session)
        changed.add(call_id)
    return changed


def put_right(team_id: str, in_calls: Mapping[str, str | None], *, now: datetime, session: Session) -> set[str]:
    """Slack's word on where each of these accounts is (`users.list`: the call each profile names,
    None for none) made the app's. The calls whose people changed."""
    stored = {
        row.user_id: row.call_id
        for row in session.exec(select_rows(CallParticipantRow).where(CallParticipantRow.team_id == team_id))
    }
    changed: set[str] = set()
    for user_id, call_id in in_calls.items():
        if stored.get(user_id) == call_id:
            continue
        if call_id is None:
            left = leave_call(team_id, user_id, now=now, session=session)
            changed |= {left} if left else set()
        else:
            changed |= join_call(team_id, user_id, call_id, now=now, session=session)
    return changed


def get_call(team_id: str, call_id: str, *, session: Session) -> Call | None:
    row = session.get(CallRow, (team_id, call_id), populate_existing=True)
    if row is None:
        return None
    return _to_call(row, _participant_rows(team_id, call_id, session))


def call_joins(team_id: str, call_id: str, *, session: Session) -> dict[str, datetime]:
    """When each person now in the call joined it, earliest first."""
    rows = sorted(_participant_rows(team_id, call_id, session), key=lambda r: (as_utc(r.joined_at), r.user_id))
    return {row.user_id: as_utc(row.joined_at) for row in rows}


def live_calls(team_id: str, *, session: Session) -> list[Call]:
    """The calls of a workspace that have not ended, oldest first."""
    rows = session.exec(
        select_rows(CallRow)
        .where(CallRow.team_id == team_id, col(CallRow.ended_at).is_(None))
        .order_by(col(CallRow.started_at))
    ).all()
    people: dict[str, list[CallParticipantRow]] = {}
    for participant in session.exec(select_rows(CallParticipantRow).where(CallParticipantRow.team_id == team_id)):
        people.setdefault(participant.call_id, []).append(participant)
    return [_to_call(row, people.get(row.call_id, [])) for row in rows]


def purge_ended_calls(older_than: datetime, *, session: Session) -> int:
    """Forget calls that ended before `older_than` (their incidents keep what mattered)."""
    result = session.execute(delete(CallRow).where(col(CallRow.ended_at) < as_utc(older_than)))
    return int(getattr(result, "rowcount", 0) or 0)


def _ensure_call(team_id: str, call_id: str, *, now: datetime, session: Session) -> None:
    """The call's row exists (started `now` when it is new)."""
    statement = insert_for(session, CallRow).values(
        team_id=team_id, call_id=call_id, started_at=now, since=now, recorded=[], ended_at=None
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["team_id", "call_id"]))


def _people_changed(team_id: str, call_id: str, *, now: datetime, session: Session) -> None:
    """The call's people changed at `now`: the grace runs from it; nobody left means it ended."""
    if not _participant_rows(team_id, call_id, session):
        _end(team_id, call_id, now=now, session=session)
        return
    session.execute(
        update(CallRow).where(col(CallRow.team_id) == team_id, col(CallRow.call_id) == call_id).values(since=now)
    )


def _end(team_id: str, call_id: str, *, now: datetime, session: Session) -> bool:
    """The call ended at `now`: nobody is in it. Whether it was live until now."""
    session.execute(
        delete(CallParticipantRow).where(
            col(CallParticipantRow.team_id) == team_id, col(CallParticipantRow.call_id) == call_id
        )
    )
    result = session.execute(
        update(CallRow)
        .where(col(CallRow.team_id) == team_id, col(CallRow.call_id) == call_id, col(CallRow.ended_at).is_(None))
        .values(ended_at=now, since=now)
    )
    return bool(getattr(result, "rowcount", 0))


def _participant_rows(team_id: str, call_id: str, session: Session) -> list[CallParticipantRow]:
    statement = select_rows(CallParticipantRow).where(
        CallParticipantRow.team_id == team_id, CallParticipantRow.call_id == call_id
    )
    return list(session.exec(statement))


def _to_call(row: CallRow, participants: Iterable[CallParticipantRow]) -> Call:
    return Call(
        id=row.call_id,
        participants=frozenset(p.user_id for p in participants),
        since=as_utc(row.since),
        started_at=as_utc(row.started_at),
        channel=row.channel,
        kind=ConversationKind(row.kind) if row.kind else None,
        recorded=frozenset(CallFeature(f) for f in row.recorded if f in set(CallFeature)),
        ended=row.ended_at is not None,
        root_ts=row.root_ts,
    )
