"""Keys used once until they expire (signed requests against replays, OAuth states that came back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import purge_used_once, session_scope, use_once

NOW = datetime(2026, 7, 6, 14, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=10)


def test_a_key_is_used_once_until_it_expires_and_then_again(engine):
    with session_scope(engine) as session:
        assert use_once("request:v0=abc", now=NOW, lifetime=LIFETIME, session=session)
        assert not use_once("request:v0=abc", now=NOW + timedelta(minutes=9), lifetime=LIFETIME, session=session)
        assert use_once("request:v0=other", now=NOW, lifetime=LIFETIME, session=session)
    with session_scope(engine) as session:  # another transaction, as another process would be
        assert not use_once("request:v0=abc", now=NOW + timedelta(minutes=1), lifetime=LIFETIME, session=session)
        assert use_once("request:v0=abc", now=NOW + timedelta(minutes=11), lifetime=LIFETIME, session=session)


def test_expired_uses_are_purged(engine):
    with session_scope(engine) as session:
        use_once("old", now=NOW, lifetime=LIFETIME, session=session)
        use_once("new", now=NOW + timedelta(minutes=8), lifetime=LIFETIME, session=session)
    with session_scope(engine) as session:
        assert purge_used_once(NOW + timedelta(minutes=11), session=session) == 1
        assert not use_once("new", now=NOW + timedelta(minutes=11), lifetime=LIFETIME, session=session)
