"""`safe-contact serve` (the default): run the app until interrupted."""

from __future__ import annotations

import asyncio
import sys

import storage
from bot.config import Settings
from bot.tenancy import Sourced, serves_several_workspaces, without_workspace
from cli.database import open_database
from cli.output import EXIT_BAD_INPUT, EXIT_OK
from handlers import create_app
from handlers.edge import CannotListen


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
        unplaced = programs_without_workspace(engine, settings)
        if unplaced:
            for line in unplaced:
                print(f"safe-contact serve: {line}", file=sys.stderr)
            print("safe-contact serve: then import the file(s) again and start the app.", file=sys.stderr)
            return EXIT_BAD_INPUT
        app = create_app(settings, engine=engine)
        try:
            asyncio.run(app.serve(settings.port, settings.host))
        except CannotListen as error:
            print(f"safe-contact serve: {error} (HOST, PORT)", file=sys.stderr)
            return EXIT_BAD_INPUT
        except KeyboardInterrupt:
            print("Safe Contact stopped.", file=sys.stderr)
    return EXIT_OK


def programs_without_workspace(engine: storage.Engine, settings: Settings) -> list[str]:
    """Where several workspaces are served, each imported program that names none of them: a roster
    email would otherwise match an account of any workspace (see `bot.tenancy`)."""
    with storage.session_scope(engine) as session:
        installed = storage.installed_teams(session=session)
        if not serves_several_workspaces(oauth_enabled=settings.oauth_enabled, installed_teams=installed):
            return []
        files = storage.imported_files(session=session)
        programs = storage.list_programs(session=session)
    return without_workspace(Sourced(p, files.get(p.id, f"the program file of {p.id!r}")) for p in programs)
