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
    if command == "demo":
        from handlers.demo import run_demo  # deferred: the demo brings its own simulated Slack

        return run_demo()
    print(f"safe-contact {command}: {NOT_YET[command]}. Available now: serve, import, rules, demo.", file=sys.stderr)
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


def _roster_summary(program: Program) -> str:
    roles = Counter(p.role.value for p in program.roster)
    people = ", ".join(f"{n} {role.replace('_', ' ')}" for role, n in sorted(roles.items()))
    return f"{len(program.roster)} people ({people}), {len(program.sessions)} session(s)"


if __name__ == "__main__":
    sys.exit(main())
