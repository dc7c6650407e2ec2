"""Alembic, configured in code: `migrate(engine)` brings the schema to the newest revision.
`python -m storage COMMAND ...` runs any Alembic command (e.g. `revision --autogenerate`)
against `DATABASE_URL`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import CommandLine, Config
from sqlalchemy import Connection, Engine

from storage.database import create_engine_from_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Alembic's configuration without an ini file; `env.py` runs on `connection` when given."""
    config = Config(attributes={"connection": connection})
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` (the newest by default). Safe to run at every start."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the schema to `revision` (`base` removes every table)."""
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    with migration_connection(engine) as connection:
        step(alembic_config(connection), revision)


#: Any constant will do: PostgreSQL advisory locks are named by a number.
MIGRATION_LOCK = 7_160_601


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction for migrations. On PostgreSQL, processes starting together
    take turns (the later ones then find nothing to do). On SQLite, foreign keys are off meanwhile:
    batch mode rebuilds a table by dropping it, and ON DELETE CASCADE would empty its children."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_sqlite_foreign_keys(connection, on=False)  # only possible outside a transaction
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # A migration may wait for another process's and take its time: the app's bounds on
                    # statements and locks (`storage.database`) are lifted for its transaction.
                    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
                    connection.exec_driver_sql("SET LOCAL lock_timeout = 0")
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                yield connection
        finally:
            if sqlite:
                _set_sqlite_foreign_keys(connection, on=True)


def _set_sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    # Straight on the sqlite3 connection: through SQLAlchemy it would begin a transaction, in which
    # SQLite ignores this PRAGMA.
    driver_connection = connection.connection.driver_connection
    if driver_connection is None:  # only once the connection was invalidated or closed
        raise RuntimeError("the SQLite connection is closed: foreign keys cannot be switched")
    driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def main(argv: Sequence[str] | None = None) -> None:
    """Alembic's command line, on this project's migrations and `DATABASE_URL`."""
    cli = CommandLine(prog="python -m storage")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    engine = create_engine_from_url()
    try:
        with migration_connection(engine) as connection:
            config = alembic_config(connection, url=engine.url.render_as_string(hide_password=False))
            config.cmd_opts = options
            cli.run_cmd(config, options)
    finally:
        engine.dispose()
