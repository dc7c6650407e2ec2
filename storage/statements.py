"""Statement builders shared by the query modules: dialect-aware upserts and identity-map-proof selects."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

RowT = TypeVar("RowT", bound=SQLModel)


def insert_for(session: Session, table: type[SQLModel]) -> Any:
    """An INSERT that supports ON CONFLICT on the session's database (SQLite and PostgreSQL both do,
    with the same API, but each dialect has its own construct)."""
    return insert_for_dialect(dialect_name(session), table)


def insert_for_dialect(dialect: str, table: Any) -> Any:
    """`insert_for` by the database's name ("sqlite", "postgresql"), for statements built once."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"storage supports SQLite and PostgreSQL, not {dialect}")


def select_rows(table: type[RowT]) -> SelectOfScalar[RowT]:
    """SELECT rows of `table`, refreshing any already in the session: upserts and bulk updates go
    around the identity map, so an object loaded earlier in the session may be out of date."""
    return select(table).execution_options(populate_existing=True)


def dialect_name(executor: Session | Connection) -> str:
    """The kind of database a session or a Core connection talks to."""
    return executor.dialect.name if isinstance(executor, Connection) else executor.get_bind().dialect.name
