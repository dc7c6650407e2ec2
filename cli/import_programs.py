"""`safe-contact import PROGRAM.toml ...`: create or update programs and their rosters, all or nothing."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import storage
from bot.config import ProgramFileError, Settings, load_program
from bot.model import AuditEntry, Program
from bot.tenancy import Sourced, claim_conflicts, serves_several_workspaces, without_workspace
from cli.database import open_database
from cli.output import EXIT_BAD_INPUT, EXIT_OK


def import_programs(paths: Sequence[str], settings: Settings) -> int:
    """Validate every program file first, then what they claim beside the programs already imported;
    write them all in one transaction, or nothing."""
    sourced: list[Sourced] = []
    problems: list[str] = []
    for path in paths:
        try:
            sourced.append(Sourced(load_program(path), str(path)))
        except ProgramFileError as error:
            problems.extend(error.problems)
    programs = [s.program for s in sourced]
    duplicates = [pid for pid, n in Counter(p.id for p in programs).items() if n > 1]
    problems.extend(f"program id {pid!r} is given by more than one file" for pid in duplicates)
    if not problems:
        problems.extend(claim_conflicts(sourced))
        if settings.oauth_enabled:
            problems.extend(without_workspace(sourced))
    if problems:
        return _refused(problems)  # before the database is opened: bad input creates nothing

    now = datetime.now(UTC)
    with open_database(settings.database_url) as engine, storage.session_scope(engine) as session:
        problems = _beside_stored(sourced, settings, session)
        if problems:
            return _refused(problems)
        for imported in sourced:
            program = imported.program
            storage.save_program(program, session=session)
            storage.record_audit(
                AuditEntry(
                    at=now,
                    actor="command line",
                    action="import",
                    program_id=program.id,
                    detail={"people": len(program.roster), "sessions": len(program.sessions), "file": imported.source},
                ),
                session=session,
            )
    for program in programs:
        print(f"Imported {program.id} ({program.name}): {_roster_summary(program)}.")
    return EXIT_OK


def _refused(problems: list[str]) -> int:
    for line in problems:
        print(line, file=sys.stderr)
    print(f"Nothing was imported ({len(problems)} problem(s)).", file=sys.stderr)
    return EXIT_BAD_INPUT


def _beside_stored(sourced: list[Sourced], settings: Settings, session: storage.Session) -> list[str]:
    """What the imported programs claim that programs imported earlier claim too, and programs that
    name no workspace where the database says several are served."""
    importing = {s.program.id for s in sourced}
    files = storage.imported_files(session=session)
    stored = [
        Sourced(p, f"{files.get(p.id, 'a file')} (imported earlier)")
        for p in storage.list_programs(session=session)
        if p.id not in importing
    ]
    problems = claim_conflicts([*sourced, *stored], changed=importing)
    several = serves_several_workspaces(
        oauth_enabled=settings.oauth_enabled, installed_teams=storage.installed_teams(session=session)
    )
    if several and not settings.oauth_enabled:
        problems.extend(without_workspace(sourced))
    return problems


def _roster_summary(program: Program) -> str:
    roles = Counter(p.role.value for p in program.roster)
    people = ", ".join(f"{n} {role.replace('_', ' ')}" for role, n in sorted(roles.items()))
    return f"{len(program.roster)} people ({people}), {len(program.sessions)} session(s)"
