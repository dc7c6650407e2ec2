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
NOT_YET = {
    "audit": "workspace and export audits are not part of this release yet",
}


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
    audit = commands.add_parser("audit", help="audit the workspace or a Slack export archive")
    audit.add_argument("--program")
    audit.add_argument("--export")
    audit.add_argument("--format", choices=("text", "json", "csv", "html"), default="text")
    audit.add_argument("--output")
    commands.add_parser("demo", help="run the app against a simulated workspace")
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
    if command == "demo":
        from handlers.demo import run_demo  # deferred: the demo brings its own simulated Slack

        return run_demo()
    available = "serve, import, rules, demo, barriers"
    print(f"safe-contact {command}: {NOT_YET[command]}. Available now: {available}.", file=sys.stderr)
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

    from handlers.barriers import ORG_ADMIN_SCOPES

    if not settings.org_admin_token:
        print(NEEDS_ORG_ADMIN.format(scopes=", ".join(ORG_ADMIN_SCOPES)), file=sys.stderr)
        return EXIT_BAD_INPUT
    program = _one_program(settings, args.program)
    if program is None:
        return EXIT_BAD_INPUT
    return asyncio.run(_barriers(program, args, settings))


async def _barriers(program: Program, args: argparse.Namespace, settings: Settings) -> int:
    from slack_sdk.errors import SlackApiError

    from handlers.barriers import check_barriers
    from handlers.slack_api import SlackApi, api_error

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
