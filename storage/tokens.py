"""User tokens of connected accounts, sealed at rest: encrypted with Fernet when
`SAFE_CONTACT_ENCRYPTION_KEY` is set, so that a copy of the database gives nobody a token."""

from __future__ import annotations

from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.statements import insert_for
from storage.tables import ConnectionRow, UserTokenRow

_ENCRYPTED, _PLAIN = "fernet:", "plain:"


class TokenSealError(ValueError):
    """A stored token cannot be opened: it was sealed with another key, or no key is configured."""


class TokenSeal:
    """Seals and opens tokens with the configured key (none: stored as they are, marked so)."""

    __slots__ = ("_fernet",)

    def __init__(self, key: str = ""):
        try:
            self._fernet = Fernet(key.encode()) if key else None
        except ValueError as error:
            raise ValueError(
                "SAFE_CONTACT_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes); make one "
                "with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from error

    def seal(self, token: str) -> str:
        if self._fernet is None:
            return _PLAIN + token
        return _ENCRYPTED + self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        if sealed.startswith(_PLAIN):
            return sealed[len(_PLAIN) :]
        if self._fernet is None:
            raise TokenSealError("a stored token is encrypted and SAFE_CONTACT_ENCRYPTION_KEY is not set")
        try:
            return self._fernet.decrypt(sealed[len(_ENCRYPTED) :].encode()).decode()
        except InvalidToken as error:
            raise TokenSealError("a stored token was encrypted with a different SAFE_CONTACT_ENCRYPTION_KEY") from error


def save_user_token(
    team_id: str, user_id: str, token: str, *, scopes: str, seal: TokenSeal, now: datetime, session: Session
) -> None:
    """Keep a connected account's token (replacing an older one) and record the connection."""
    values = {"sealed_token": seal.seal(token), "scopes": scopes, "saved_at": now}
    statement = insert_for(session, UserTokenRow).values(team_id=team_id, user_id=user_id, **values)
    session.exec(statement.on_conflict_do_update(index_elements=["team_id", "user_id"], set_=values))
    connection = insert_for(session, ConnectionRow).values(team_id=team_id, user_id=user_id, connected_at=now)
    session.exec(connection.on_conflict_do_update(index_elements=["team_id", "user_id"], set_={"connected_at": now}))


def user_tokens(team_id: str, *, seal: TokenSeal, session: Session) -> dict[str, str]:
    """Every connected account's token in a workspace, by account id."""
    rows = session.exec(select(UserTokenRow.user_id, UserTokenRow.sealed_token).where(UserTokenRow.team_id == team_id))
    return {user_id: seal.open(sealed) for user_id, sealed in rows}


def user_token(team_id: str, user_id: str, *, seal: TokenSeal, session: Session) -> str | None:
    """One connected account's token, or None when it never connected (or its token was revoked)."""
    statement = select(UserTokenRow.sealed_token).where(
        UserTokenRow.team_id == team_id, UserTokenRow.user_id == user_id
    )
    sealed = session.exec(statement).first()
    return None if sealed is None else seal.open(sealed)


def forget_user_tokens(team_id: str, user_ids: list[str], *, session: Session) -> int:
    """Drop revoked tokens and their connections (Slack said `tokens_revoked`); how many tokens."""
    if not user_ids:
        return 0
    where_token = (col(UserTokenRow.team_id) == team_id, col(UserTokenRow.user_id).in_(user_ids))
    removed = session.exec(delete(UserTokenRow).where(*where_token).execution_options(synchronize_session=False))
    where_connection = (col(ConnectionRow.team_id) == team_id, col(ConnectionRow.user_id).in_(user_ids))
    session.exec(delete(ConnectionRow).where(*where_connection).execution_options(synchronize_session=False))
    return removed.rowcount


def forget_workspace_tokens(team_id: str, *, session: Session) -> int:
    """The app was uninstalled: every token of the workspace is void."""
    removed = session.exec(delete(UserTokenRow).where(col(UserTokenRow.team_id) == team_id))
    session.exec(delete(ConnectionRow).where(col(ConnectionRow.team_id) == team_id))
    return removed.rowcount
