"""Safe Contact's entry point: loads `.env`, parses the command line and runs the chosen command.
`python app.py COMMAND` and the console script `safe-contact COMMAND` are the same."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from dotenv import load_dotenv

from bot.config import ProgramFileError, Settings, load_program
from bot.model import AuditEntry, Program
from bot.rules import CATALOGUE

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safe-contact",
        description="Enforces the safe-contact and privacy rules for online programs with minors in Slack.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="run the app (the default)")
    importer = commands.add_parser("import", help="create or update programs from program files (all or nothing)")
    importer.add_argument("program_files", nargs="+", metavar="PROGRAM.toml")
    rules = commands.add_parser("rules", help="print the rule catalogue")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    audit = commands.add_parser(
        "audit", help="audit the live workspace (read-only) or a Slack export archive (zip or folder)"
    )
    audit.add_argument("--program", help="one program's id (default: every imported program)")
    audit.add_argument("--export", metavar="PATH", help="a Slack export archive: a zip, or the folder it unpacks to")
    audit.add_argument("--format", choices=("text", "json", "csv", "html"), default="text")
    audit.add_argument("--output", metavar="FILE", help="write the report here instead of standard output")
    report = commands.add_parser("report", help="the stored incident record (opened, acknowledged, resolved, by whom)")
    report.add_argument("--program", help="one program's id (default: every imported program)")
    report.add_argument("--since", metavar="YYYY-MM-DD", help="incidents opened on or after this day")
    report.add_argument("--format", choices=("csv", "html"), default="csv")
    report.add_argument("--output", metavar="FILE", help="write the record here instead of standard output")
    commands.add_parser("demo", help="run the app against a simulated workspace")
    commands.add_parser(
        "purge", help="drop incident evidence older than the retention period, and processed inbox items"
    )
    barriers = commands.add_parser(
        "barriers",
        help="check (or --apply) the Enterprise Grid information barrier between a program's minors and adults",
    )
    barriers.add_argument("--program", help="the program's id (needed when several are imported)")
    barriers.add_argument("--minors-group", required=True, metavar="S…", help="the IdP group of the minors")
    barriers.add_argument("--adults-group", required=True, metavar="S…", help="the IdP group of the supervisors")
    barriers.add_argument("--apply", action="store_true", help="create or widen the barrier when it is missing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    load_dotenv()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
    except ValueError as error:
        print(f"safe-contact: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic announces each of its plugins at INFO on every start; its warnings still show.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    command = args.command or "serve"
    if command == "rules":
        return print_rules(args.format)
    if command == "import":
        return import_programs(args.program_files, settings)
    if command == "serve":
        return serve(settings)
    if command == "barriers":
        return barriers(args, settings)
    if command == "audit":
        return audit(args, settings)
    if command == "purge":
        return purge(settings)
    if command == "report":
        return incident_report(args, settings)
    if command == "demo":
        from cli.demo import run_demo  # deferred: the demo brings its own simulated Slack

        return run_demo()
    print(f"safe-contact: unknown command {command!r}", file=sys.stderr)
    return EXIT_BAD_INPUT


def print_rules(output_format: str) -> int:
    """The catalogue as a readable table, or as JSON for other tools."""
    if output_format == "json":
        rows = [
            {"symbol": r.symbol, "severity": r.severity.label, "summary": r.summary, "clause": r.clause}
            for r in CATALOGUE
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(80, min(shutil.get_terminal_size((100, 20)).columns, 120))
    symbol_width = max(len(r.symbol) for r in CATALOGUE) + 2
    indent = " " * (symbol_width + 10)
    print(f"{'SYMBOL':<{symbol_width}}{'SEVERITY':<10}SUMMARY / POLICY CLAUSE")
    for rule in CATALOGUE:
        print(f"{rule.symbol:<{symbol_width}}{rule.severity.label:<10}{rule.summary}")
        print(textwrap.fill(f"policy: {rule.clause}", width, initial_indent=indent, subsequent_indent=indent))
    print(f"\n{len(CATALOGUE)} rules.")
    return EXIT_OK


def import_programs(paths: Sequence[str], settings: Settings) -> int:
    """Validate every program file first; write them all in one transaction, or nothing."""
    programs: list[Program] = []
    problems: list[str] = []
    for path in paths:
        try:
            programs.append(load_program(path))
        except ProgramFileError as error:
            problems.extend(error.problems)
    duplicates = [pid for pid, n in Counter(p.id for p in programs).items() if n > 1]
    problems.extend(f"program id {pid!r} is given by more than one file" for pid in duplicates)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(f"Nothing was imported ({len(problems)} problem(s)).", file=sys.stderr)
        return EXIT_BAD_INPUT

    import storage  # deferred: `rules` and bad input need no database

    engine = storage.create_engine_from_url(settings.database_url)
    storage.migrate(engine)
    now = datetime.now(UTC)
    with storage.session_scope(engine) as session:
        for program in programs:
            storage.save_program(program, session=session)
            storage.record_audit(
                AuditEntry(
                    at=now,
                    actor="command line",
                    action="import",
                    program_id=program.id,
                    detail={"people": len(program.roster), "sessions": len(program.sessions)},
                ),
                session=session,
            )
    for program in programs:
        print(f"Imported {program.id} ({program.name}): {_roster_summary(program)}.")
    return EXIT_OK


def serve(settings: Settings) -> int:
    """Run the app until interrupted: migrate, then serve Slack's requests and watch the workspace."""
    missing = settings.missing_for_serve()
    if missing:
        print(
            f"safe-contact serve: set {' and '.join(missing)} (in the environment or .env) to run the app; "
            "see README.md, 'Create the Slack app'.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    import asyncio

    import storage
    from handlers import create_app

    engine = storage.create_engine_from_url(settings.database_url)
    storage.migrate(engine)
    app = create_app(settings, engine=engine)
    try:
        asyncio.run(app.serve(settings.port))
    except KeyboardInterrupt:
        print("Safe Contact stopped.", file=sys.stderr)
    return EXIT_OK


NEEDS_ORG_ADMIN = """safe-contact barriers: set SLACK_ORG_ADMIN_TOKEN to check or apply information barriers.
Information barriers are an Enterprise Grid feature: with a barrier between an identity-provider
group of the program's minors and one of its supervising adults, Slack itself refuses DMs, group
DMs and calls between them. What is needed:
  1. an Enterprise Grid org, with information barriers enabled by Slack;
  2. two IdP groups: the program's minors, and its staff and administrators (not the guardians);
  3. the app installed at org level by an org admin or owner, with the user scopes
     {scopes}; that admin's user token (xoxp-…) in SLACK_ORG_ADMIN_TOKEN.
Without it, Safe Contact still detects every such DM through connected accounts."""


def barriers(args: argparse.Namespace, settings: Settings) -> int:
    """Check the barrier between a program's minors and adults; with --apply, put it in place."""
    import asyncio

    from handlers.audit.barriers import ORG_ADMIN_SCOPES

    if not settings.org_admin_token:
        print(NEEDS_ORG_ADMIN.format(scopes=", ".join(ORG_ADMIN_SCOPES)), file=sys.stderr)
        return EXIT_BAD_INPUT
    program = _one_program(settings, args.program)
    if program is None:
        return EXIT_BAD_INPUT
    return asyncio.run(_barriers(program, args, settings))


async def _barriers(program: Program, args: argparse.Namespace, settings: Settings) -> int:
    from slack_sdk.errors import SlackApiError

    from handlers.audit.barriers import check_barriers
    from handlers.slack.api import SlackApi, api_error

    api = SlackApi.connect(settings.org_admin_token, settings.api_url)
    try:
        report, change = await check_barriers(
            api, program, minors_group=args.minors_group, adults_group=args.adults_group, apply=args.apply
        )
    except SlackApiError as error:
        reasons = {
            "not_an_admin": "the token is not an org admin's",
            "feature_not_enabled": "information barriers are not enabled for this org",
            "missing_scope": "the token lacks a scope (see `safe-contact barriers` without a token)",
            "no_such_subteam": "a group id is not a user group of the org",
            "primary_usergroup_not_found": "the minors' group is not an IdP group of the org",
            "barriered_from_usergroups_not_found": "the adults' group is not an IdP group of the org",
        }
        code = api_error(error)
        print(f"safe-contact barriers: Slack refused: {reasons.get(code, code)}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    if change:
        print(f"Applied: {change}.")
    if report.barrier is not None:
        print(f"Barrier {report.barrier.id} separates {args.minors_group} and {args.adults_group} (im, mpim, call).")
    for problem in report.problems:
        print(f"- {problem}")
    print(f"{program.name}: " + ("minors and adults are kept apart." if report.ok else "not yet kept apart."))
    return EXIT_OK if report.ok else EXIT_FINDINGS


def purge(settings: Settings) -> int:
    """What the app does daily, on demand: message text older than the retention period goes."""
    import storage
    from handlers.scheduled.retention import purge as purge_now

    engine = storage.create_engine_from_url(settings.database_url)
    storage.migrate(engine)
    purged = purge_now(engine, now=datetime.now(UTC), retention_days=settings.retention_days)
    engine.dispose()
    print(
        f"Blanked the evidence of {purged.evidence} incident(s) older than {settings.retention_days} days; "
        f"deleted {purged.inbox} processed inbox item(s)."
    )
    return EXIT_OK


def audit(args: argparse.Namespace, settings: Settings) -> int:
    """Audit a Slack export archive, or the live workspace read-only; 0 clean, 1 findings, 2 bad input."""
    import asyncio

    from bot.audit_report import RENDERERS
    from handlers.audit.export import ArchiveError, read_export
    from handlers.audit.live import build_report

    programs = _programs(settings, args.program, "audit")
    if programs is None:
        return EXIT_BAD_INPUT
    progress = _progress_bar("Reading") if sys.stderr.isatty() else None
    now = datetime.now(UTC)
    try:
        if args.export:
            snapshot = read_export(args.export, progress=progress)
            report = build_report(programs, snapshot, now=now, source_kind="export", source_name=args.export)
        else:
            if not settings.bot_token:
                print(
                    "safe-contact audit: set SLACK_BOT_TOKEN to audit the live workspace, or give --export PATH "
                    "to audit a Slack export archive.",
                    file=sys.stderr,
                )
                return EXIT_BAD_INPUT
            report = asyncio.run(_live_audit(programs, settings, now, progress))
    except ArchiveError as error:
        print(f"safe-contact audit: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        if progress is not None:
            print(file=sys.stderr)
    text = RENDERERS[args.format](report)
    if not _write(text, args.output, "audit"):
        return EXIT_BAD_INPUT
    return EXIT_FINDINGS if report.findings else EXIT_OK


async def _live_audit(programs: list[Program], settings: Settings, now: datetime, progress):
    import storage
    from handlers.audit.live import build_report, live_snapshot, program_facts
    from handlers.slack.api import SlackApi

    api = SlackApi.connect(settings.bot_token, settings.api_url)
    engine = storage.create_engine_from_url(settings.database_url)
    try:
        team_id = (await api.identity()).get("team_id", "")
        with storage.session_scope(engine) as session:
            tokens = storage.user_tokens(team_id, seal=storage.TokenSeal(settings.encryption_key), session=session)
        snapshot = await live_snapshot(
            api, programs, tokens=tokens, now=now, progress=progress, warn=lambda line: _warn("audit", line)
        )
        with storage.session_scope(engine) as session:
            facts = {
                p.id: program_facts(
                    p, snapshot, team_id=team_id, connect_enabled=settings.oauth_enabled, session=session
                )
                for p in programs
            }
    finally:
        engine.dispose()
    return build_report(programs, snapshot, now=now, source_kind="workspace", source_name=team_id, facts=facts)


def incident_report(args: argparse.Namespace, settings: Settings) -> int:
    """The stored incident record, as CSV or a printable HTML page."""
    import storage
    from bot.model import Directory
    from bot.report import incident_csv, incident_html, incident_rows

    programs = _programs(settings, args.program, "report")
    if programs is None:
        return EXIT_BAD_INPUT
    try:
        since = (
            datetime.fromisoformat(args.since).replace(tzinfo=UTC) if args.since else datetime(2000, 1, 1, tzinfo=UTC)
        )
    except ValueError:
        print(f"safe-contact report: --since {args.since!r} is not a date like 2026-07-01.", file=sys.stderr)
        return EXIT_BAD_INPUT
    engine = storage.create_engine_from_url(settings.database_url)
    rows = []
    with storage.session_scope(engine) as session:
        for program in programs:
            directory = Directory(program, storage.list_accounts(program.team_id, session=session))
            rows.extend(incident_rows(program, directory, storage.incidents_since(program.id, since, session=session)))
    engine.dispose()
    title = f"Safe Contact incident record: {', '.join(p.name for p in programs)}"
    text = incident_csv(rows) if args.format == "csv" else incident_html(rows, title=title)
    return EXIT_OK if _write(text, args.output, "report") else EXIT_BAD_INPUT


def _write(text: str, output: str | None, command: str) -> bool:
    if not output:
        sys.stdout.write(text)
        return True
    try:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as error:
        print(f"safe-contact {command}: cannot write {output}: {error.strerror}", file=sys.stderr)
        return False
    return True


def _warn(command: str, line: str) -> None:
    print(f"safe-contact {command}: {line}", file=sys.stderr)


def _progress_bar(label: str):
    """A one-line progress bar on standard error (only drawn on a terminal)."""

    def draw(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} conversations")
        sys.stderr.flush()

    return draw


def _programs(settings: Settings, program_id: str | None, command: str) -> list[Program] | None:
    """Every imported program, or the one named; None (with a line saying why) when there is none."""
    import storage

    engine = storage.create_engine_from_url(settings.database_url)
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        programs = storage.list_programs(session=session)
    engine.dispose()
    if not programs:
        print(
            f"safe-contact {command}: no program is imported (safe-contact import PROGRAM.toml first).", file=sys.stderr
        )
        return None
    if program_id is None:
        return programs
    found = [p for p in programs if p.id == program_id]
    if not found:
        known = ", ".join(p.id for p in programs)
        print(f"safe-contact {command}: no program {program_id!r}; imported programs: {known}.", file=sys.stderr)
        return None
    return found


def _one_program(settings: Settings, program_id: str | None) -> Program | None:
    """The program named, or the only one imported; None (with a line saying why) otherwise."""
    import storage

    engine = storage.create_engine_from_url(settings.database_url)
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        programs = storage.list_programs(session=session)
    engine.dispose()
    alone = programs if len(programs) == 1 else []
    found = [p for p in programs if p.id == program_id] if program_id else alone
    if found:
        return found[0]
    known = ", ".join(p.id for p in programs) or "none (safe-contact import PROGRAM.toml first)"
    asked = f"no program {program_id!r}" if program_id else "name the program with --program"
    print(f"safe-contact barriers: {asked}; imported programs: {known}.", file=sys.stderr)
    return None


def _roster_summary(program: Program) -> str:
    roles = Counter(p.role.value for p in program.roster)
    people = ", ".join(f"{n} {role.replace('_', ' ')}" for role, n in sorted(roles.items()))
    return f"{len(program.roster)} people ({people}), {len(program.sessions)} session(s)"


if __name__ == "__main__":
    sys.exit(main())
