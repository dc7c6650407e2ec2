"""The command line: the argument parser and the dispatch here, one module per command beside it.

The dispatch imports only the chosen command's module, so that `safe-contact rules` loads neither the
Slack libraries nor the database; keep this module's own imports light (a test checks it)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from dotenv import load_dotenv

from bot.config import Settings
from cli.logs import configure_logging
from cli.output import EXIT_BAD_INPUT


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
    """Load `.env`, parse the command line, read the settings and run the command; its exit status."""
    load_dotenv()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
    except ValueError as error:
        print(f"safe-contact: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    configure_logging(settings.log_level)
    return run(args.command or "serve", args, settings)


def run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    """Import the command's module, and only that one, and run it."""
    match command:
        case "serve":
            from cli.serve import serve

            return serve(settings)
        case "import":
            from cli.import_programs import import_programs

            return import_programs(args.program_files, settings)
        case "rules":
            from cli.rules import print_rules

            return print_rules(args.format)
        case "audit":
            from cli.audit import audit

            return audit(
                settings, program_id=args.program, export=args.export, output_format=args.format, output=args.output
            )
        case "report":
            from cli.report import incident_report

            return incident_report(
                settings, program_id=args.program, since=args.since, output_format=args.format, output=args.output
            )
        case "demo":
            from cli.demo import run_demo

            return run_demo()
        case "purge":
            from cli.purge import purge

            return purge(settings)
        case "barriers":
            from cli.barriers import barriers

            return barriers(
                settings,
                program_id=args.program,
                minors_group=args.minors_group,
                adults_group=args.adults_group,
                apply=args.apply,
            )
    print(f"safe-contact: unknown command {command!r}", file=sys.stderr)
    return EXIT_BAD_INPUT
