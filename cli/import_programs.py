"""`safe-contact import PROGRAM.toml ...`: create or update programs and their rosters, all or nothing."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import storage
from bot.config import ProgramFileError, Settings, load_program
from bot.model import AuditEntry, Program
from cli.database import open_database
from cli.output import EXIT_BAD_INPUT, EXIT_OK


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
        return EXIT_BAD_INPUT  # before the database is opened: bad input creates nothing

    now = datetime.now(UTC)
    with open_database(settings.database_url) as engine, storage.session_scope(engine) as session:
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


def _roster_summary(program: Program) -> str:
    roles = Counter(p.role.value for p in program.roster)
    people = ", ".join(f"{n} {role.replace('_', ' ')}" for role, n in sorted(roles.items()))
    return f"{len(program.roster)} people ({people}), {len(program.sessions)} session(s)"
