"""The migrations are the schema: after `upgrade head` the database matches the models exactly,
and `downgrade base` takes everything away again."""

import re
import threading
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel
from storage_samples import full_program

import storage
from storage import create_engine_from_url, downgrade, get_program, migrate, save_program, session_scope

TABLES = {
    "programs",
    "leases",
    "calls",
    "call_participants",
    "people",
    "guardian_links",
    "session_windows",
    "accounts",
    "conversations",
    "memberships",
    "incidents",
    "incident_events",
    "consents",
    "acknowledgements",
    "connections",
    "guardian_notices",
    "inbox",
    "audit_log",
    "user_tokens",
    "lockdowns",
    "welcomes",
    "installations",
    "used_once",
    "channel_id_changes",
}


def schema_differences(engine):
    with warnings.catch_warnings(), engine.connect() as connection:
        # SQLite cannot reflect expression indexes (accounts' lower(email)); checked separately below.
        warnings.filterwarnings("ignore", message=".*expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_the_migrations_match_the_models(engine):
    assert schema_differences(engine) == []
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}


def index_definition(engine, name):
    if engine.dialect.name == "sqlite":
        sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    else:
        sql = "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :name"
    with engine.connect() as connection:
        return connection.execute(text(sql), {"name": name}).scalar_one()


def test_the_expression_and_partial_indexes_exist(engine):
    """Autogenerate compares neither (SQLite cannot reflect expressions; neither compares WHERE)."""
    assert re.search(r"lower\(\(?email", index_definition(engine, "ix_accounts_team_id_lower_email"), re.I)
    partial = index_definition(engine, "uq_incidents_open_subject")
    assert re.search(r"UNIQUE INDEX", partial, re.I)
    assert re.search(r"WHERE \(?\(?status\)?(::text)? (!=|<>) 'resolved'", partial, re.I), partial


def test_downgrade_to_base_then_upgrade_again(engine):
    with session_scope(engine) as session:
        save_program(full_program(), session=session)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert schema_differences(engine) == []
    with session_scope(engine) as session:
        assert get_program("splash-2026", session=session) is None
        save_program(full_program(), session=session)


def test_migrating_twice_is_harmless(engine):
    migrate(engine)
    assert schema_differences(engine) == []


def test_storage_never_creates_tables_from_the_models():
    sources = [p.read_text() for p in Path(storage.__file__).parent.rglob("*.py")]
    assert not any(".create_all(" in source for source in sources)


@pytest.mark.postgres
def test_processes_starting_together_migrate_once(postgres_schema_url):
    """Every process migrates at start; on one PostgreSQL database they must not collide."""
    engines = [create_engine_from_url(postgres_schema_url.render_as_string(hide_password=False)) for _ in range(3)]
    barrier = threading.Barrier(len(engines))
    errors = []

    def start(engine):
        try:
            barrier.wait(timeout=10)
            migrate(engine)
        except Exception as error:  # collected: a thread's exception would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        assert schema_differences(engines[0]) == []
    finally:
        for engine in engines:
            engine.dispose()
