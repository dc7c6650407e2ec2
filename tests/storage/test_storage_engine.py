"""The engine from DATABASE_URL, SQLite's connection settings, the session scope and the health check;
a database that does not answer fails well within Slack's 3 seconds."""

import socket
import sqlite3
import threading
import time

import pytest
from sqlalchemy.pool import StaticPool
from storage_samples import PROGRAM_ID, full_program

from storage import (
    DatabaseError,
    connection_scope,
    create_engine_from_url,
    database_answers,
    database_failure,
    database_url,
    get_program,
    migrate,
    save_program,
    session_scope,
)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@db:5432/sc", "postgresql+psycopg://u:p@db:5432/sc"),
        ("postgres://u@db/sc?sslmode=require", "postgresql+psycopg://u@db/sc?sslmode=require"),
        ("postgresql+psycopg://u@db/sc", "postgresql+psycopg://u@db/sc"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given, used):
    assert database_url(given) == used
    engine = create_engine_from_url(given)  # connects lazily: no server needed
    bounds = ["connect_timeout", "tcp_user_timeout", "options"]
    assert engine.url.difference_update_query(bounds).render_as_string(hide_password=False) == used
    engine.dispose()


def test_postgresql_connections_are_bounded_unless_the_url_says_otherwise():
    engine = create_engine_from_url("postgresql://u@db/sc")
    assert engine.url.query["connect_timeout"] == "2" and engine.url.query["tcp_user_timeout"] == "2000"
    engine.dispose()
    engine = create_engine_from_url("postgresql://u@db/sc?connect_timeout=10")
    assert engine.url.query["connect_timeout"] == "10"
    engine.dispose()


def test_postgresql_sessions_bound_statements_locks_and_idle_transactions_unless_the_url_says_otherwise():
    engine = create_engine_from_url("postgresql://u@db/sc?options=-csearch_path%3Dx%20-c%20lock_timeout%3D5s")
    options = engine.url.query["options"]
    assert options.startswith("-csearch_path=x -c lock_timeout=5s")  # the URL's own, first and kept
    assert "-c statement_timeout=2000" in options and "-c idle_in_transaction_session_timeout=10000" in options
    assert "lock_timeout=1000" not in options  # the URL's own lock timeout wins
    assert engine.pool.timeout() == 1  # a thread waits a second for a free connection, not 30
    engine.dispose()


@pytest.mark.postgres
def test_a_postgresql_table_lock_fails_a_write_within_the_lock_timeout(postgres_engine):
    with postgres_engine.connect() as migration:  # a migration holding the inbox, as ALTER TABLE does
        migration.exec_driver_sql("BEGIN")
        migration.exec_driver_sql("LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(DatabaseError), connection_scope(postgres_engine) as connection:
            connection.exec_driver_sql("SELECT count(*) FROM inbox")
        assert time.monotonic() - started < 2.5  # a second's lock timeout, not the lock's duration
        migration.exec_driver_sql("ROLLBACK")


def test_sqlite_keeps_its_write_ahead_log_small_after_a_checkpoint(sqlite_engine):
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_size_limit").scalar() == 4 * 1024 * 1024


def test_a_postgresql_server_that_never_answers_fails_within_the_connect_timeout():
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        engine = create_engine_from_url(f"postgresql://u@127.0.0.1:{silent.getsockname()[1]}/sc")
        started = time.monotonic()
        assert not database_answers(engine)
        assert time.monotonic() - started < 2.8
        engine.dispose()


def test_a_sqlite_database_locked_by_another_process_fails_within_a_second(tmp_path):
    engine = create_engine_from_url(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    holder = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, holding the lock
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseError) as failed, connection_scope(engine) as connection:
            connection.exec_driver_sql("SELECT 1")
        assert time.monotonic() - started < 1.5
        assert database_failure(failed.value) == "OperationalError: database is locked"
    finally:
        holder.close()
        engine.dispose()


def test_a_failure_is_described_without_the_statement_or_its_parameters(sqlite_engine):
    with pytest.raises(DatabaseError) as failed, connection_scope(sqlite_engine) as connection:
        connection.exec_driver_sql("INSERT INTO nowhere VALUES (?)", ("what a minor wrote",))
    assert "what a minor wrote" not in database_failure(failed.value)
    assert "INSERT" not in database_failure(failed.value)


def test_the_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/sc")
    assert database_url() == "postgresql+psycopg://u@db/sc"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url() == "sqlite:///safe_contact.db"


def pragma(engine, name):
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = create_engine_from_url(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        assert pragma(engine, "journal_mode") == "wal"
        assert pragma(engine, "foreign_keys") == 1
        assert pragma(engine, "busy_timeout") == 1000
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_database_for_every_session():
    engine = create_engine_from_url("sqlite://")
    assert isinstance(engine.pool, StaticPool)
    migrate(engine)
    with session_scope(engine) as session:
        save_program(full_program(), session=session)
    found = []
    reader = threading.Thread(target=lambda: found.append(load_in_new_session(engine)))
    reader.start()
    reader.join()
    assert found[0] is not None and found[0].id == PROGRAM_ID
    assert pragma(engine, "foreign_keys") == 1


def load_in_new_session(engine):
    with session_scope(engine) as session:
        return get_program(PROGRAM_ID, session=session)


def test_savepoints_roll_back_on_sqlite(sqlite_engine):
    """The sqlite3 module skips SAVEPOINT handling unless SQLAlchemy emits BEGIN itself."""
    with session_scope(sqlite_engine) as session:
        save_program(full_program(id="kept"), session=session)
        with pytest.raises(RuntimeError), session.begin_nested():
            save_program(full_program(id="undone"), session=session)
            raise RuntimeError
    with session_scope(sqlite_engine) as session:
        assert get_program("kept", session=session) is not None
        assert get_program("undone", session=session) is None


def test_the_database_answers(engine):
    assert database_answers(engine)


@pytest.mark.parametrize(
    "url", ["postgresql://nobody@127.0.0.1:1/none?connect_timeout=1", "sqlite:///{tmp}/missing/dir/x.db"]
)
def test_an_unreachable_database_does_not_answer(tmp_path, url):
    engine = create_engine_from_url(url.format(tmp=tmp_path))
    try:
        assert not database_answers(engine)
    finally:
        engine.dispose()
