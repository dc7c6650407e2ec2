"""Alembic's environment: runs the migrations on the connection `storage.migrate` hands over
(offline, `--sql`, it writes SQL for the configured URL instead)."""

from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def render_item(kind: str, item: object, _context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes the project's column types as the plain SQLAlchemy types they stand for,
    so that a migration never imports application code (which will have changed by the time it runs)."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl!r}"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through storage.migrate, which provides the connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters a table by rebuilding it: batch mode does that for every later migration.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
