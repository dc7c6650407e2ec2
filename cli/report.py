"""`safe-contact report`: the stored incident record (opened, acknowledged, resolved, by whom)."""

from __future__ import annotations

from datetime import UTC, datetime

import storage
from bot.config import Settings
from bot.model import Directory
from bot.report import incident_csv, incident_html, incident_rows
from cli.database import imported_programs, open_database
from cli.output import EXIT_BAD_INPUT, EXIT_OK, warn, write_output


def incident_report(
    settings: Settings, *, program_id: str | None, since: str | None, output_format: str, output: str | None
) -> int:
    """The stored incident record, as CSV or a printable HTML page."""
    with open_database(settings.database_url) as engine:
        programs = imported_programs(engine, program_id, "report")
        if programs is None:
            return EXIT_BAD_INPUT
        try:
            opened_since = (
                datetime.fromisoformat(since).replace(tzinfo=UTC) if since else datetime(2000, 1, 1, tzinfo=UTC)
            )
        except ValueError:
            warn("report", f"--since {since!r} is not a date like 2026-07-01.")
            return EXIT_BAD_INPUT
        rows: list[dict[str, str]] = []
        with storage.session_scope(engine) as session:
            for program in programs:
                directory = Directory(program, storage.list_accounts(program.team_id, session=session))
                incidents = storage.incidents_since(program.id, opened_since, session=session)
                rows.extend(incident_rows(program, directory, incidents))
    title = f"Safe Contact incident record: {', '.join(p.name for p in programs)}"
    text = incident_csv(rows) if output_format == "csv" else incident_html(rows, title=title)
    return EXIT_OK if write_output(text, output, "report") else EXIT_BAD_INPUT
