"""Installations (a bot token per workspace, sealed at rest)."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.fernet import Fernet
from sqlalchemy import text

from storage import (
    Installed,
    TokenSeal,
    forget_installation,
    installation,
    installed_teams,
    save_installation,
    session_scope,
)

NOW = datetime(2026, 7, 6, 14, 0, tzinfo=UTC)
BOT = Installed(team_id="T1", bot_token="xoxb-secret-1", bot_user_id="U0BOT1", bot_id="B1", bot_scopes="chat:write")


def test_an_installation_is_kept_sealed_and_replaced_on_reinstall(engine):
    seal = TokenSeal(Fernet.generate_key().decode())
    with session_scope(engine) as session:
        save_installation(BOT, installed_by="U0ADMIN1", seal=seal, now=NOW, session=session)
        save_installation(
            Installed(team_id="T2", bot_token="xoxb-two", bot_user_id="U0BOT2"),
            installed_by="U9",
            seal=seal,
            now=NOW,
            session=session,
        )
    with session_scope(engine) as session:
        assert "xoxb-secret-1" not in session.exec(text("SELECT sealed_bot_token FROM installations")).all()[0][0]
        assert installation("T1", seal=seal, session=session) == BOT
        save_installation(
            Installed(team_id="T1", bot_token="xoxb-new", bot_user_id="U0BOT1"),
            installed_by="U0ADMIN2",
            seal=seal,
            now=NOW,
            session=session,
        )
    with session_scope(engine) as session:
        assert installation("T1", seal=seal, session=session).bot_token == "xoxb-new"
        assert installed_teams(session=session) == ["T1", "T2"]
        assert "xoxb" not in repr(installation("T1", seal=seal, session=session))


def test_an_uninstalled_workspace_is_forgotten(engine):
    seal = TokenSeal()
    with session_scope(engine) as session:
        save_installation(BOT, installed_by="U0ADMIN1", seal=seal, now=NOW, session=session)
    with session_scope(engine) as session:
        assert forget_installation("T1", session=session)
        assert not forget_installation("T1", session=session)
        assert installation("T1", seal=seal, session=session) is None
