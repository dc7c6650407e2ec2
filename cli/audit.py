"""`safe-contact audit`: a one-shot compliance audit of the live workspace (read-only) or of a Slack
export archive. Exit status 0 when nothing is found, 1 with findings, 2 on bad input."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import storage
from bot.audit_report import RENDERERS, AuditReport
from bot.config import Settings
from bot.model import Program
from cli.database import imported_programs, open_database
from cli.output import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, Progress, progress_bar, warn, write_output
from handlers.audit.export import ArchiveError, read_export
from handlers.audit.live import build_report, live_snapshot, program_facts
from handlers.slack.api import SlackApi
from handlers.slack.budget import Budget


def audit(
    settings: Settings, *, program_id: str | None, export: str | None, output_format: str, output: str | None
) -> int:
    """Audit a Slack export archive, or the live workspace read-only."""
    with open_database(settings.database_url) as engine:
        programs = imported_programs(engine, program_id, "audit")
        if programs is None:
            return EXIT_BAD_INPUT
        progress = progress_bar("Reading") if sys.stderr.isatty() else None
        now = datetime.now(UTC)
        grace = timedelta(seconds=settings.call_grace_seconds)
        try:
            if export:
                snapshot = read_export(export, progress=progress)
                report = build_report(
                    programs, snapshot, now=now, source_kind="export", source_name=export, call_grace=grace
                )
            else:
                if not settings.bot_token:
                    warn(
                        "audit",
                        "set SLACK_BOT_TOKEN to audit the live workspace, or give --export PATH "
                        "to audit a Slack export archive.",
                    )
                    return EXIT_BAD_INPUT
                report = asyncio.run(_live_audit(engine, programs, settings, now, progress))
        except (ArchiveError, NotThisWorkspace) as error:
            warn("audit", str(error))
            return EXIT_BAD_INPUT
        finally:
            if progress is not None:
                print(file=sys.stderr)
    text = RENDERERS[output_format](report)
    if not write_output(text, output, "audit"):
        return EXIT_BAD_INPUT
    return EXIT_FINDINGS if report.findings else EXIT_OK


class NotThisWorkspace(Exception):
    """No program to audit belongs to the workspace of `SLACK_BOT_TOKEN`."""


def _of_workspace(programs: list[Program], team_id: str) -> list[Program]:
    """The programs of the audited workspace (naming it, or none): another workspace's roster must
    not be matched against this one's accounts. Those left out are named."""
    mine = [p for p in programs if not p.team_id or p.team_id == team_id]
    for program in programs:
        if program not in mine:
            warn(
                "audit", f"program {program.id!r} belongs to workspace {program.team_id!r}, not {team_id!r}: left out."
            )
    if not mine:
        raise NotThisWorkspace(
            f"no program to audit belongs to workspace {team_id!r} (the one SLACK_BOT_TOKEN is for)."
        )
    return mine


async def _live_audit(
    engine: storage.Engine, programs: list[Program], settings: Settings, now: datetime, progress: Progress | None
) -> AuditReport:
    api = SlackApi.connect(settings.bot_token, settings.api_url, budget=Budget(distributed=settings.distributed))
    team_id = (await api.identity()).get("team_id", "")
    programs = _of_workspace(programs, team_id)
    with storage.session_scope(engine) as session:
        tokens = storage.user_tokens(team_id, seal=storage.TokenSeal(settings.encryption_key), session=session)
    snapshot = await live_snapshot(
        api, programs, tokens=tokens, now=now, progress=progress, warn=lambda line: warn("audit", line)
    )
    with storage.session_scope(engine) as session:
        facts = {
            p.id: program_facts(p, snapshot, team_id=team_id, connect_enabled=settings.oauth_enabled, session=session)
            for p in programs
        }
    grace = timedelta(seconds=settings.call_grace_seconds)
    return build_report(
        programs, snapshot, now=now, source_kind="workspace", source_name=team_id, facts=facts, call_grace=grace
    )
