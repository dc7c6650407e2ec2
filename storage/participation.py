"""What participants and guardians did or were given: recording consents, acknowledgements of the
program's expectations, connected accounts, and guardians' notices of live sessions."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, update
from sqlmodel import Session, col, select

from bot.model import Consent, normalize_email
from storage.columns import as_utc
from storage.statements import insert_for, select_rows
from storage.tables import (
    GUARDIAN_NOTICE_STATUSES,
    AcknowledgementRow,
    ConnectionRow,
    ConsentRow,
    GuardianNoticeRow,
    SessionWindowRow,
    WelcomeRow,
)


def record_consent(consent: Consent, *, session: Session) -> None:
    """Record a recording release granted or revoked; the latest one is in force."""
    session.add(
        ConsentRow(
            program_id=consent.program_id,
            minor_email=normalize_email(consent.minor_email),
            granted=consent.granted,
            recorded_by=consent.recorded_by,
            recorded_at=consent.recorded_at,
            note=consent.note,
        )
    )
    session.flush()


def consents_for(program_id: str, minor_email: str, *, session: Session) -> list[Consent]:
    """A minor's consent records, oldest first."""
    statement = (
        select_rows(ConsentRow)
        .where(ConsentRow.program_id == program_id, ConsentRow.minor_email == normalize_email(minor_email))
        .order_by(col(ConsentRow.recorded_at), col(ConsentRow.id))
    )
    return [
        Consent(
            program_id=row.program_id,
            minor_email=row.minor_email,
            granted=row.granted,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            note=row.note,
        )
        for row in session.exec(statement)
    ]


def record_acknowledgement(program_id: str, user_id: str, *, now: datetime, session: Session) -> bool:
    """Record that `user_id` acknowledged the program's expectations; False if they already had
    (the first acknowledgement's time is kept)."""
    statement = insert_for(session, AcknowledgementRow).values(
        program_id=program_id, user_id=user_id, acknowledged_at=now
    )
    # RETURNING, not rowcount: the ORM's INSERT path may not report a row count (psycopg gives -1).
    inserted = statement.on_conflict_do_nothing().returning(AcknowledgementRow.user_id)
    return session.exec(inserted).first() is not None


def acknowledged_users(program_id: str, *, session: Session) -> frozenset[str]:
    statement = select(AcknowledgementRow.user_id).where(AcknowledgementRow.program_id == program_id)
    return frozenset(session.exec(statement))


def record_connection(team_id: str, user_id: str, *, now: datetime, session: Session) -> None:
    """Record that the account's owner connected it to the app (the latest connection's time is kept)."""
    statement = insert_for(session, ConnectionRow).values(team_id=team_id, user_id=user_id, connected_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=["team_id", "user_id"], set_={"connected_at": statement.excluded.connected_at}
    )
    session.exec(statement)


def connected_users(team_id: str, *, session: Session) -> frozenset[str]:
    return frozenset(session.exec(select(ConnectionRow.user_id).where(ConnectionRow.team_id == team_id)))


def record_guardian_notice(
    session_window_id: int,
    guardian_email: str,
    *,
    status: str,
    now: datetime,
    detail: str = "",
    session: Session,
) -> None:
    """Record whether a guardian was given a session's access information (`sent`) or could not be
    reached (`unreachable`), or that it is being sent (`sending`, see `claim_guardian_notice`). A
    later attempt replaces an `unreachable` or a `sending`, never a `sent`."""
    if status not in GUARDIAN_NOTICE_STATUSES:
        raise ValueError(f"guardian notice status {status!r} is not one of {', '.join(GUARDIAN_NOTICE_STATUSES)}")
    values = {"delivered_at": now, "status": status, "detail": detail}
    statement = insert_for(session, GuardianNoticeRow).values(
        session_window_id=session_window_id, guardian_email=normalize_email(guardian_email), **values
    )
    statement = statement.on_conflict_do_update(
        index_elements=["session_window_id", "guardian_email"],
        set_={name: statement.excluded[name] for name in values},
        where=col(GuardianNoticeRow.status) != "sent",
    )
    session.exec(statement)


#: What claiming a guardian notice gave: "first" (nobody is sending it: send it), "again" (an earlier
#: sender's claim ran out: it may have died after Slack accepted the message, so look for it first).
NoticeClaim = Literal["first", "again"]


def claim_guardian_notice(
    session_window_id: int, guardian_email: str, *, now: datetime, lease: timedelta, session: Session
) -> NoticeClaim | None:
    """Claim sending a guardian a session's access information, before it is posted: of the start-up
    sweep, the scheduled checks and every process, only the one that claims it sends it. None when
    it was sent, or another sender's claim (younger than `lease`) holds it. Commit before posting."""
    email = normalize_email(guardian_email)
    claimed = {"status": "sending", "delivered_at": now, "detail": ""}
    inserted = (
        insert_for(session, GuardianNoticeRow)
        .values(session_window_id=session_window_id, guardian_email=email, **claimed)
        .on_conflict_do_nothing()
        .returning(GuardianNoticeRow.id)
    )
    if session.exec(inserted).first() is not None:
        return "first"
    this = (
        col(GuardianNoticeRow.session_window_id) == session_window_id,
        col(GuardianNoticeRow.guardian_email) == email,
    )
    unreachable = col(GuardianNoticeRow.status) == "unreachable"
    ran_out = and_(
        col(GuardianNoticeRow.status) == "sending", col(GuardianNoticeRow.delivered_at) < as_utc(now) - lease
    )
    outcomes: tuple[tuple[NoticeClaim, Any], ...] = (("first", unreachable), ("again", ran_out))
    for outcome, claimable in outcomes:
        statement = update(GuardianNoticeRow).where(*this, claimable).values(**claimed)
        if session.exec(statement.execution_options(synchronize_session=False)).rowcount:
            return outcome
    return None


def guardians_informed(program_id: str, *, session: Session) -> dict[int, frozenset[str]]:
    """Emails of the guardians each of the program's sessions was delivered to, by session id. One
    being sent (claimed, see `claim_guardian_notice`) counts: its sender records whether it reached
    them, and a failure is reported then."""
    statement = (
        select(GuardianNoticeRow.session_window_id, GuardianNoticeRow.guardian_email)
        .join(SessionWindowRow, col(SessionWindowRow.id) == col(GuardianNoticeRow.session_window_id))
        .where(SessionWindowRow.program_id == program_id, col(GuardianNoticeRow.status).in_(("sent", "sending")))
    )
    informed: dict[int, set[str]] = defaultdict(set)
    for session_window_id, email in session.exec(statement):
        informed[session_window_id].add(email)
    return {window: frozenset(emails) for window, emails in informed.items()}


def record_welcome(program_id: str, user_id: str, *, now: datetime, session: Session) -> bool:
    """Record that the account was sent the program's expectations; False if it had been already."""
    statement = insert_for(session, WelcomeRow).values(program_id=program_id, user_id=user_id, welcomed_at=now)
    inserted = statement.on_conflict_do_nothing().returning(WelcomeRow.user_id)
    return session.exec(inserted).first() is not None


def welcomed_users(program_id: str, *, session: Session) -> dict[str, datetime]:
    """When each account was sent the program's expectations."""
    statement = select(WelcomeRow.user_id, WelcomeRow.welcomed_at).where(WelcomeRow.program_id == program_id)
    return {user_id: at for user_id, at in session.exec(statement)}
