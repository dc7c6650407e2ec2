"""The workspace directory cache: accounts, conversations and who is a member of which. Sweeps and
membership events keep it current, so that a known conversation needs no Web API call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.model import Account, Conversation, ConversationKind, normalize_email
from storage.statements import insert_for, select_rows
from storage.tables import AccountRow, ConversationRow, MembershipRow


def upsert_accounts(accounts: Iterable[Account], *, session: Session, now: datetime | None = None) -> None:
    """Store or refresh accounts (from `users.list`); accounts not given are left as they are."""
    now = now or datetime.now(UTC)
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for account in accounts:
        if not account.team_id:
            raise ValueError(f"account {account.id} has no team_id: the cache is kept per workspace")
        # Last one wins: one statement may not update the same row twice (PostgreSQL refuses).
        rows[account.team_id, account.id] = _account_values(account, now)
    if not rows:
        return
    statement = insert_for(session, AccountRow)
    updated = {name: statement.excluded[name] for name in _UPDATED_ACCOUNT_COLUMNS}
    statement = statement.on_conflict_do_update(index_elements=["team_id", "user_id"], set_=updated)
    session.exec(statement, params=list(rows.values()))


_UPDATED_ACCOUNT_COLUMNS = ("email", "name", "is_bot", "is_guest", "is_external", "deleted", "updated_at")


def _account_values(account: Account, now: datetime) -> dict[str, object]:
    return {
        "team_id": account.team_id,
        "user_id": account.id,
        "email": account.email or "",
        "name": account.name or "",
        "is_bot": account.is_bot,
        "is_guest": account.is_guest,
        "is_external": account.is_external,
        "deleted": account.deleted,
        "updated_at": now,
    }


def list_accounts(team_id: str | None, *, session: Session) -> list[Account]:
    """A workspace's accounts; every workspace's with `team_id=None`."""
    statement = select_rows(AccountRow).order_by(col(AccountRow.user_id))
    if team_id is not None:
        statement = statement.where(AccountRow.team_id == team_id)
    return [_to_account(row) for row in session.exec(statement)]


def account_by_email(team_id: str, email: str, *, session: Session) -> Account | None:
    """The workspace account with `email`, compared case-insensitively; a live account is preferred
    to a deactivated one with the same address."""
    email = normalize_email(email)
    if not email:
        return None
    statement = (
        select_rows(AccountRow)
        .where(AccountRow.team_id == team_id, func.lower(AccountRow.email) == email)
        .order_by(col(AccountRow.deleted), col(AccountRow.user_id))
        .limit(1)
    )
    row = session.exec(statement).first()
    return None if row is None else _to_account(row)


def _to_account(row: AccountRow) -> Account:
    return Account(
        id=row.user_id,
        email=row.email,
        name=row.name,
        team_id=row.team_id,
        is_bot=row.is_bot,
        is_guest=row.is_guest,
        is_external=row.is_external,
        deleted=row.deleted,
    )


def save_conversation(conversation: Conversation, *, session: Session, now: datetime | None = None) -> None:
    """Store or refresh a conversation; its stored members become exactly `conversation.members`."""
    now = now or datetime.now(UTC)
    values = {
        "id": conversation.id,
        "team_id": conversation.team_id,
        "kind": ConversationKind(conversation.kind).value,
        "name": conversation.name,
        "is_archived": conversation.is_archived,
        "updated_at": now,
    }
    statement = insert_for(session, ConversationRow).values(**values)
    updated = {name: statement.excluded[name] for name in values if name != "id"}
    session.exec(statement.on_conflict_do_update(index_elements=["id"], set_=updated))
    stored = set(session.exec(select(MembershipRow.user_id).where(MembershipRow.conversation_id == conversation.id)))
    gone = stored - conversation.members
    if gone:
        session.exec(
            delete(MembershipRow).where(
                col(MembershipRow.conversation_id) == conversation.id, col(MembershipRow.user_id).in_(gone)
            )
        )
    _insert_members(conversation.id, conversation.members - stored, session)


def _insert_members(conversation_id: str, user_ids: Iterable[str], session: Session) -> None:
    rows = [{"conversation_id": conversation_id, "user_id": user_id} for user_id in sorted(user_ids)]
    if rows:
        # DO NOTHING: another worker may record the same join at the same moment.
        session.exec(insert_for(session, MembershipRow).on_conflict_do_nothing(), params=rows)


def get_conversation(conversation_id: str, *, session: Session) -> Conversation | None:
    conversations = _to_conversations([conversation_id], session)
    return conversations[0] if conversations else None


def add_member(conversation_id: str, user_id: str, *, session: Session) -> bool:
    """Record a join. False when the conversation is not stored (nothing is recorded: fetch it)."""
    if session.get(ConversationRow, conversation_id) is None:
        return False
    _insert_members(conversation_id, [user_id], session)
    return True


def remove_member(conversation_id: str, user_id: str, *, session: Session) -> None:
    session.exec(
        delete(MembershipRow).where(
            col(MembershipRow.conversation_id) == conversation_id, col(MembershipRow.user_id) == user_id
        )
    )


def move_conversation(old_id: str, new_id: str, *, session: Session) -> bool:
    """A conversation's id changed: its stored row and members move to the new id. When the new id
    is stored already (a sweep listed it first), the old row is dropped. False when the old id was
    never stored."""
    row = session.get(ConversationRow, old_id, populate_existing=True)
    if row is None:
        return False
    if session.get(ConversationRow, new_id, populate_existing=True) is None:
        moved = ConversationRow(
            id=new_id,
            team_id=row.team_id,
            kind=row.kind,
            name=row.name,
            is_archived=row.is_archived,
            updated_at=row.updated_at,
        )
        session.add(moved)
        session.flush()
        members = set(session.exec(select(MembershipRow.user_id).where(MembershipRow.conversation_id == old_id)))
        _insert_members(new_id, members, session)
    session.exec(delete(MembershipRow).where(col(MembershipRow.conversation_id) == old_id))
    session.exec(delete(ConversationRow).where(col(ConversationRow.id) == old_id))
    return True


def conversations_with_member(user_ids: Iterable[str], *, session: Session) -> list[Conversation]:
    """Every stored conversation any of `user_ids` is a member of, with all its members."""
    user_ids = [user_ids] if isinstance(user_ids, str) else sorted(set(user_ids))
    if not user_ids:
        return []
    statement = select(MembershipRow.conversation_id).where(col(MembershipRow.user_id).in_(user_ids)).distinct()
    return _to_conversations(list(session.exec(statement)), session)


def _to_conversations(conversation_ids: list[str], session: Session) -> list[Conversation]:
    if not conversation_ids:
        return []
    members: dict[str, set[str]] = defaultdict(set)
    memberships = select(MembershipRow.conversation_id, MembershipRow.user_id).where(
        col(MembershipRow.conversation_id).in_(conversation_ids)
    )
    for conversation_id, user_id in session.exec(memberships):
        members[conversation_id].add(user_id)
    conversations = (
        select_rows(ConversationRow)
        .where(col(ConversationRow.id).in_(conversation_ids))
        .order_by(col(ConversationRow.id))
    )
    return [
        Conversation(
            id=row.id,
            kind=ConversationKind(row.kind),
            members=frozenset(members[row.id]),
            name=row.name,
            team_id=row.team_id,
            is_archived=row.is_archived,
        )
        for row in session.exec(conversations)
    ]
