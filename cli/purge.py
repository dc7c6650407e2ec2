"""`safe-contact purge`: what the app does daily, on demand."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings
from cli.database import open_database
from cli.output import EXIT_OK
from handlers.scheduled.retention import purge as purge_now


def purge(settings: Settings) -> int:
    """Message text older than the retention period goes, and so do processed inbox items."""
    with open_database(settings.database_url) as engine:
        purged = purge_now(engine, now=datetime.now(UTC), retention_days=settings.retention_days)
    print(
        f"Blanked the evidence of {purged.evidence} incident(s) older than {settings.retention_days} days; "
        f"deleted {purged.inbox} processed inbox item(s)."
    )
    return EXIT_OK
