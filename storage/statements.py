"""Statement builders shared by the query modules: dialect-aware upserts and identity-map-proof selects."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Connection, Table, inspect
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


def table_of(model: type[SQLModel]) -> Table:
    """The Core `Table` a table model is mapped to, for Core statements. SQLAlchemy sets it on the
    class as `__table__`, which SQLModel's typing does not declare; the mapper declares it as a
    `FromClause`, so it is checked to be the `Table` it always is for a `table=True` model."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def dialect_name(executor: Session | Connection) -> str:
    """The kind of database a session or a Core connection talks to."""
    return executor.dialect.name if isinstance(executor, Connection) else executor.get_bind().dialect.name
