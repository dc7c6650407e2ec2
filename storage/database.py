"""The database engine from `DATABASE_URL` (SQLite by default, PostgreSQL through psycopg 3), the
session scope every unit of work runs in, and the health check.

A database that does not answer must fail fast: Slack waits 3 seconds for the answer to a delivery,
and the app's database calls run on its event loop. So SQLite gives up on a lock after a second and
PostgreSQL on a connection after two (see the constants below); the app then answers 503, which
Slack retries."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

DEFAULT_DATABASE_URL = "sqlite:///safe_contact.db"
#: How long a SQLite writer waits for another to finish before giving up with "database is locked".
#: Well under Slack's 3 seconds: another process holding the lock longer (a backup, a long import)
#: gets the delivery a 503 that Slack retries, rather than a timeout that also stalls the app.
SQLITE_BUSY_TIMEOUT_MS = 1000
#: How long a PostgreSQL connection may take to open, in seconds: the least libpq and psycopg allow.
#: Without it psycopg waits up to 130 s for a server that does not answer.
POSTGRES_CONNECT_TIMEOUT_S = 2
#: How long data sent to PostgreSQL may stay unacknowledged before the connection is given up, in
#: milliseconds (Linux): a pooled connection to a server cut off by the network fails in 2 s instead
#: of the kernel's quarter of an hour of retransmissions.
POSTGRES_TCP_USER_TIMEOUT_MS = 2000

#: Every failure of the database: unreachable, locked, a statement refused.
DatabaseError = SQLAlchemyError


def database_url(url: str | None = None) -> str:
    """The URL to use: `url`, else `DATABASE_URL`, else the SQLite default; PostgreSQL URLs are
    pointed at the psycopg 3 driver (SQLAlchemy would otherwise look for psycopg2)."""
    url = url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def create_engine_from_url(url: str | None = None) -> Engine:
    """An engine for `url` (see `database_url`), set up for the app on SQLite or PostgreSQL."""
    parsed = make_url(database_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _create_sqlite_engine(parsed)
    bounds = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, "tcp_user_timeout": POSTGRES_TCP_USER_TIMEOUT_MS}
    # The URL's own settings win: an operator may know better for their network.
    parsed = parsed.update_query_dict({k: str(v) for k, v in bounds.items() if k not in parsed.query})
    return create_engine(parsed, pool_pre_ping=True, json_serializer=dump_json, hide_parameters=True)


def _create_sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    engine = create_engine(
        url,
        # One in-memory database lives as long as its connection: every session must share it.
        poolclass=StaticPool if in_memory else None,
        connect_args={"check_same_thread": False},
        json_serializer=dump_json,
        # A failed statement's error would otherwise carry its row (an event, a message's evidence)
        # into every log line and traceback that names the error.
        hide_parameters=True,
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see `_begin_immediate`): the sqlite3 module's own transaction
    # handling skips BEGIN before SELECT and SAVEPOINT, which breaks `session.begin_nested()`.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL: a process crash loses no commit
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # Take the write lock up front: a deferred transaction that reads and then writes fails at once
    # with "database is locked" when another writer got in between, whatever the busy timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def dump_json(value: object) -> str:
    """JSON for the JSON columns; datetimes and sets (common in audit details) are written readably."""
    return json.dumps(value, default=_json_default)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed when the block ends, and rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def connection_scope(engine: Engine) -> AbstractContextManager[Connection]:
    """A Core connection in a transaction, committed when the block ends and rolled back if it
    raises: for the inbox's hot statements, which need no ORM session (a third of the cost)."""
    return engine.begin()


def database_failure(error: BaseException) -> str:
    """What went wrong with the database, fit for a log: the driver's own words when the database
    could not be reached or was locked, otherwise only the kind of error. SQLAlchemy's message
    quotes the statement and its parameters, which can hold what someone wrote."""
    if isinstance(error, OperationalError) and isinstance(error, DBAPIError) and error.orig is not None:
        words = str(error.orig).strip().splitlines()
        return f"{type(error.orig).__name__}: {words[0][:200]}" if words else type(error.orig).__name__
    return type(error).__name__


def database_answers(engine: Engine) -> bool:
    """True when the database answers a trivial query (for the health endpoint)."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except SQLAlchemyError:
        return False
