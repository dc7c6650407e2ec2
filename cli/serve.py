"""`safe-contact serve` (the default): run the app until interrupted."""

from __future__ import annotations

import asyncio
import sys

from bot.config import Settings
from cli.database import open_database
from cli.output import EXIT_BAD_INPUT, EXIT_OK
from handlers import create_app


def serve(settings: Settings) -> int:
    """Migrate, then serve Slack's requests and watch the workspace."""
    missing = settings.missing_for_serve()
    if missing:
        print(
            f"safe-contact serve: set {' and '.join(missing)} (in the environment or .env) to run the app; "
            "see README.md, 'Create the Slack app'.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT  # refused before the database is touched
    with open_database(settings.database_url) as engine:
        app = create_app(settings, engine=engine)
        try:
            asyncio.run(app.serve(settings.port))
        except KeyboardInterrupt:
            print("Safe Contact stopped.", file=sys.stderr)
    return EXIT_OK
