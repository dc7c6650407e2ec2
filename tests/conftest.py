"""Fixtures for every test: a PostgreSQL schema of a test's own on the test server (storage tests,
and the scenarios that run several app processes on one database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from storage import create_engine_from_url, database_url, migrate

POSTGRES_URL = os.environ.get("SAFE_CONTACT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def postgres_url() -> URL:
    """The test server's URL. Unreachable: skipped on a developer's machine, a failure in CI."""
    url = make_url(database_url(POSTGRES_URL)).update_query_dict({"connect_timeout": "3"})
    engine = create_engine_from_url(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as error:
        reason = f"PostgreSQL is not reachable at {url.render_as_string()} (SAFE_CONTACT_TEST_POSTGRES_URL): {error}"
        if running_in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_admin(postgres_url: URL) -> Iterator[Engine]:
    """A connection to the test server outside any test schema, to make and drop them."""
    engine = create_engine_from_url(postgres_url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_schema_url(postgres_url: URL, postgres_admin: Engine) -> Iterator[URL]:
    """A URL whose connections see only a new, empty schema (the Alembic version table included)."""
    schema = f"t_{uuid.uuid4().hex}"
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield postgres_url.update_query_dict({"options": f"-csearch_path={schema}"})
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")  # a leaked connection fails, not hangs
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def postgres_engine(postgres_schema_url: URL) -> Iterator[Engine]:
    engine = create_engine_from_url(postgres_schema_url.render_as_string(hide_password=False))
    migrate(engine)
    yield engine
    engine.dispose()
