"""User tokens: sealed at rest, replaced on reconnection, forgotten when revoked or uninstalled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from storage import (
    TokenSeal,
    TokenSealError,
    connected_users,
    forget_user_tokens,
    forget_workspace_tokens,
    save_user_token,
    session_scope,
    user_token,
    user_tokens,
)

NOW = datetime(2026, 7, 6, 14, 0, tzinfo=UTC)


def test_tokens_are_encrypted_at_rest_with_a_key(engine):
    seal = TokenSeal(Fernet.generate_key().decode())
    with session_scope(engine) as session:
        save_user_token("T1", "U1", "xoxp-secret-1", scopes="im:history", seal=seal, now=NOW, session=session)
    with session_scope(engine) as session:
        stored = session.exec(text("SELECT sealed_token FROM user_tokens")).scalar_one()
        assert "xoxp-secret-1" not in stored
        assert user_tokens("T1", seal=seal, session=session) == {"U1": "xoxp-secret-1"}
        assert connected_users("T1", session=session) == {"U1"}


def test_a_token_sealed_with_another_key_is_refused_not_returned(engine):
    with session_scope(engine) as session:
        sealed_by = TokenSeal(Fernet.generate_key().decode())
        save_user_token("T1", "U1", "xoxp-a", scopes="", seal=sealed_by, now=NOW, session=session)
    with session_scope(engine) as session, pytest.raises(TokenSealError, match="different"):
        user_tokens("T1", seal=TokenSeal(Fernet.generate_key().decode()), session=session)
    with session_scope(engine) as session, pytest.raises(TokenSealError, match="not set"):
        user_tokens("T1", seal=TokenSeal(), session=session)


def test_reconnecting_replaces_the_token(engine):
    seal = TokenSeal()
    with session_scope(engine) as session:
        save_user_token("T1", "U1", "xoxp-old", scopes="", seal=seal, now=NOW, session=session)
        save_user_token("T1", "U1", "xoxp-new", scopes="", seal=seal, now=NOW, session=session)
        save_user_token("T2", "U1", "xoxp-other-team", scopes="", seal=seal, now=NOW, session=session)
    with session_scope(engine) as session:
        assert user_tokens("T1", seal=seal, session=session) == {"U1": "xoxp-new"}


def test_revoked_and_uninstalled_tokens_are_forgotten(engine):
    seal = TokenSeal()
    with session_scope(engine) as session:
        for user in ("U1", "U2", "U3"):
            save_user_token("T1", user, f"xoxp-{user}", scopes="", seal=seal, now=NOW, session=session)
        save_user_token("T2", "U9", "xoxp-U9", scopes="", seal=seal, now=NOW, session=session)
    with session_scope(engine) as session:
        assert forget_user_tokens("T1", ["U1"], session=session) == 1
        assert forget_user_tokens("T1", [], session=session) == 0
    with session_scope(engine) as session:
        assert set(user_tokens("T1", seal=seal, session=session)) == {"U2", "U3"}
        assert connected_users("T1", session=session) == {"U2", "U3"}
        assert forget_workspace_tokens("T1", session=session) == 2
    with session_scope(engine) as session:
        assert user_tokens("T1", seal=seal, session=session) == {}
        assert user_tokens("T2", seal=seal, session=session) == {"U9": "xoxp-U9"}


def test_a_bad_key_is_explained():
    with pytest.raises(ValueError, match="SAFE_CONTACT_ENCRYPTION_KEY must be a Fernet key"):
        TokenSeal("not-a-key")


def test_one_accounts_token(engine):
    seal = TokenSeal(Fernet.generate_key().decode())
    with session_scope(engine) as session:
        save_user_token("T1", "U1", "xoxp-one", scopes="", seal=seal, now=NOW, session=session)
        save_user_token("T1", "U2", "xoxp-two", scopes="", seal=seal, now=NOW, session=session)
        save_user_token("T2", "U1", "xoxp-other-team", scopes="", seal=seal, now=NOW, session=session)
    with session_scope(engine) as session:
        assert user_token("T1", "U1", seal=seal, session=session) == "xoxp-one"
        assert user_token("T2", "U1", seal=seal, session=session) == "xoxp-other-team"
        assert user_token("T1", "U9", seal=seal, session=session) is None
