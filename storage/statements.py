"""Statement builders shared by the query modules: dialect-aware upserts and identity-map-proof selects."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

RowT = TypeVar("RowT", bound=SQLModel)


def insert_for(session: Session, table: type[SQLModel]) -> Any:
    """An INSERT that supports ON CONFLICT on the session's database (SQLite and PostgreSQL both do,
    with the same API, but each dialect has its own construct)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"storage supports SQLite and PostgreSQL, not {dialect}")


def select_rows(table: type[RowT]) -> SelectOfScalar[RowT]:
    """SELECT rows of `table`, refreshing any already in the session: upserts and bulk updates go
    around the identity map, so an object loaded earlier in the session may be out of date."""
    return select(table).execution_options(populate_existing=True)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
