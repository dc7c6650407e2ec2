"""Fixtures for the storage tests: each test runs on SQLite and on PostgreSQL, on a freshly migrated
database of its own (a temporary file; a schema of its own on the PostgreSQL server, see
`tests/conftest.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from storage import create_engine_from_url, migrate, session_scope


@pytest.fixture
def sqlite_engine(tmp_path) -> Iterator[Engine]:
    engine = create_engine_from_url(f"sqlite:///{tmp_path / 'safe_contact.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated database: SQLite, then PostgreSQL."""
    return request.getfixturevalue({"sqlite": "sqlite_engine", "postgresql": "postgres_engine"}[request.param])


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """One unit of work on `engine`, committed when the test ends."""
    with session_scope(engine) as session:
        yield session
