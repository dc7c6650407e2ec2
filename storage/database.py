"""The database engine from `DATABASE_URL` (SQLite by default, PostgreSQL through psycopg 3), the
session scope every unit of work runs in, and the health check.

A database that does not answer must fail fast: Slack waits 3 seconds for the answer to a delivery.
The acknowledgements never wait on the database for longer than their own deadline (the inbox, the
worker and the commands write from an event loop in a thread of their own: see
`handlers.listeners.events` and `handlers.backstage`), but a thread stuck in a call serves nobody
else meanwhile. So every wait is bounded (see the constants below): SQLite gives up on a lock after
a second; PostgreSQL on a connection after two, on a lock after one, on a statement after two."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
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
#: How long one PostgreSQL statement may run, in milliseconds. The app's statements take
#: milliseconds (small batches, indexed lookups); one running for seconds is waiting on something
#: (a stalled disk, a plan gone wrong) and holds its thread and its locks. Two seconds keeps a retried
#: delivery's write, connect included, within Slack's 3; migrations lift it (`storage.migrate`).
POSTGRES_STATEMENT_TIMEOUT_MS = 2000
#: How long a PostgreSQL statement waits for a lock another session holds (a migration's ACCESS
#: EXCLUSIVE, a long `safe-contact import`), in milliseconds: as SQLite's busy timeout, a second. The
#: write then fails, the delivery gets its 503 (which Slack retries) or the worker backs off, instead of
#: every thread queueing behind the lock for as long as it is held.
POSTGRES_LOCK_TIMEOUT_MS = 1000
#: How long a PostgreSQL session may sit idle inside a transaction, in milliseconds. The app never
#: does (Web API calls happen outside its transactions): a session idle that long belongs to a frozen
#: process, whose locks would otherwise block every other until it is killed.
POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000
#: The server settings given to every PostgreSQL session (libpq's `options`), unless the URL names them.
POSTGRES_SESSION_SETTINGS = {
    "statement_timeout": POSTGRES_STATEMENT_TIMEOUT_MS,
    "lock_timeout": POSTGRES_LOCK_TIMEOUT_MS,
    "idle_in_transaction_session_timeout": POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT_MS,
}
#: How long a thread waits for a free connection of the pool, in seconds (SQLAlchemy's default is 30):
#: with every connection held by calls that hang, the next one fails in a second, like a lock.
POOL_TIMEOUT_S = 1
#: The most SQLite's write-ahead log keeps of its file after a checkpoint, in bytes: about what it
#: holds between two automatic checkpoints (1000 pages of 4 KB). Without it the file keeps the size
#: of its largest burst, and on a small disk that is space the database itself cannot have.
SQLITE_JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024

#: Every failure of the database: unreachable, locked, a statement refused.
DatabaseError = SQLAlchemyError


class DatabaseTooSlow(SQLAlchemyError):
    """The database did not finish in time for the one waiting (an acknowledgement, `/healthz`): the
    work goes on in its thread, but the answer cannot wait for it."""


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
    parsed = parsed.update_query_dict({"options": postgres_options(parsed.query.get("options"))})
    return create_engine(
        parsed, pool_pre_ping=True, pool_timeout=POOL_TIMEOUT_S, json_serializer=dump_json, hide_parameters=True
    )


def postgres_options(given: str | tuple[str, ...] | None) -> str:
    """libpq's `options` for every session: the URL's own (`-c name=value` each), followed by each
    of `POSTGRES_SESSION_SETTINGS` the URL does not set itself."""
    own = " ".join(given) if isinstance(given, tuple) else (given or "")
    named = set(re.findall(r"-c\s*([A-Za-z_.]+)\s*=", own))
    ours = [f"-c {name}={value}" for name, value in POSTGRES_SESSION_SETTINGS.items() if name not in named]
    return " ".join(part for part in (own.strip(), *ours) if part)


def _create_sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    # One in-memory database lives as long as its connection: every session must share it.
    pooling: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {"pool_timeout": POOL_TIMEOUT_S}
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        json_serializer=dump_json,
        # A failed statement's error would otherwise carry its row (an event, a message's evidence)
        # into every log line and traceback that names the error.
        hide_parameters=True,
        **pooling,
    )
    turns = WriterTurns()
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", turns.begin)
    event.listen(engine, "checkin", turns.checkin)
    return engine


class WriterTurns:
    """This process's SQLite transactions take turns on a lock before `BEGIN IMMEDIATE`, and give it
    back when their connection returns to the pool (after its commit or rollback). The inbox writer,
    the worker and the health probe write from threads of their own: on SQLite's lock alone, the
    one that finds it taken polls for it (its busy handler sleeps 1, 2, 5 ... 100 ms between tries),
    while a waiter on this lock goes the moment it is free. Other processes still meet SQLite's
    lock, and its busy timeout. A connection that begins again while holding its turn keeps it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, connection: Any) -> None:
        held = connection.connection.info
        if not held.get(_HOLDS_TURN):
            if not self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))
            held[_HOLDS_TURN] = True
        try:
            _begin_immediate(connection)
        except BaseException:
            self._give_back(held)
            raise

    def checkin(self, _dbapi_connection: Any, record: Any) -> None:
        self._give_back(record.info)

    def _give_back(self, held: dict) -> None:
        if held.pop(_HOLDS_TURN, False):
            self._lock.release()


#: In a pooled connection's `info`: it holds this process's turn to write (`WriterTurns`).
_HOLDS_TURN = "holds_writer_turn"


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see `_begin_immediate`): the sqlite3 module's own transaction
    # handling skips BEGIN before SELECT and SAVEPOINT, which breaks `session.begin_nested()`.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL: a process crash loses no commit
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA journal_size_limit={SQLITE_JOURNAL_SIZE_LIMIT}")
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
    if isinstance(error, DatabaseTooSlow):
        return str(error)
    if isinstance(error, OperationalError) and isinstance(error, DBAPIError) and error.orig is not None:
        words = str(error.orig).strip().splitlines()
        return f"{type(error.orig).__name__}: {words[0][:200]}" if words else type(error.orig).__name__
    return type(error).__name__


#: SQLite's result code for "database or disk is full".
SQLITE_FULL = 13


def is_disk_full(error: BaseException) -> bool:
    """Whether `error` is SQLite's "database or disk is full" (SQLITE_FULL)."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL or "database or disk is full" in str(orig)


def give_back_log_space(engine: Engine) -> None:
    """After a full disk on SQLite: copy the write-ahead log into the database and cut it to nothing
    (`wal_checkpoint(TRUNCATE)`), so that what the log held is free for the database again. Without
    it the log keeps its size, and space freed on the disk is refilled by the log, not the database.
    Nothing on PostgreSQL, which manages its own log. Failing (a reader still in the log) is logged
    by the caller's next attempt: it changes nothing."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            if driver is not None:  # straight on sqlite3: no transaction may be open around it
                driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except (SQLAlchemyError, sqlite3.Error):
        pass


def database_answers(engine: Engine) -> bool:
    """True when the database answers a trivial query (for the health endpoint)."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except SQLAlchemyError:
        return False
