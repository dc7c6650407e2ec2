"""Workspaces the app is installed in, each with its bot token (sealed at rest like user tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.statements import insert_for
from storage.tables import InstallationRow
from storage.tokens import TokenSeal


@dataclass(frozen=True, slots=True)
class Installed:
    """The app's bot in one workspace."""

    team_id: str
    bot_token: str
    bot_user_id: str
    bot_id: str = ""
    enterprise_id: str | None = None
    bot_scopes: str = ""

    def __repr__(self) -> str:  # never the token
        return f"Installed(team_id={self.team_id!r}, bot_user_id={self.bot_user_id!r})"


def save_installation(
    installed: Installed, *, installed_by: str, app_id: str = "", seal: TokenSeal, now: datetime, session: Session
) -> None:
    """Keep a workspace's bot (a reinstall replaces the token and scopes)."""
    values = {
        "enterprise_id": installed.enterprise_id,
        "app_id": app_id,
        "bot_user_id": installed.bot_user_id,
        "bot_id": installed.bot_id,
        "sealed_bot_token": seal.seal(installed.bot_token),
        "bot_scopes": installed.bot_scopes,
        "installed_by": installed_by,
        "installed_at": now,
    }
    statement = insert_for(session, InstallationRow).values(team_id=installed.team_id, **values)
    session.exec(statement.on_conflict_do_update(index_elements=["team_id"], set_=values))


def installation(team_id: str, *, seal: TokenSeal, session: Session) -> Installed | None:
    row = session.get(InstallationRow, team_id, populate_existing=True)
    if row is None:
        return None
    return Installed(
        team_id=row.team_id,
        bot_token=seal.open(row.sealed_bot_token),
        bot_user_id=row.bot_user_id,
        bot_id=row.bot_id,
        enterprise_id=row.enterprise_id,
        bot_scopes=row.bot_scopes,
    )


def installed_teams(*, session: Session) -> list[str]:
    return list(session.exec(select(InstallationRow.team_id).order_by(col(InstallationRow.team_id))))


def forget_installation(team_id: str, *, session: Session) -> bool:
    """The app was uninstalled from the workspace: its bot token is void."""
    removed = session.exec(delete(InstallationRow).where(col(InstallationRow.team_id) == team_id))
    return bool(removed.rowcount)
