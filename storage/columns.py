"""Column types shared by the tables: UTC timestamps that come back timezone-aware on every database,
and JSON given already encoded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def as_utc(moment: datetime) -> datetime:
    """An aware datetime in UTC. Naive datetimes are refused: local time or UTC, nobody can tell."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a timezone-aware one (e.g. datetime.now(UTC))")
    return moment.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """`TIMESTAMP WITH TIME ZONE` on PostgreSQL; on SQLite, which keeps no offset, UTC wall-clock
    text. Values are written in UTC (so text ordering is time ordering) and read back aware in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as UTC wall-clock time
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)  # PostgreSQL: in the session's time zone


class SerializedJSON(TypeDecorator[str]):
    """A JSON column's value given as JSON text, written as it is: an event's body is stored as Slack
    sent it (already checked to parse) instead of being decoded and encoded again."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None
