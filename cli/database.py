"""The command line's one database set-up (an engine from DATABASE_URL, migrated first, disposed after),
and the imported programs a command works on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import storage
from bot.model import Program
from cli.output import warn


@contextmanager
def open_database(url: str) -> Iterator[storage.Engine]:
    """The database at `url`, migrated to the current schema; the engine is disposed on leaving."""
    engine = storage.create_engine_from_url(url)
    try:
        storage.migrate(engine)
        yield engine
    finally:
        engine.dispose()


def imported_programs(engine: storage.Engine, program_id: str | None, command: str) -> list[Program] | None:
    """Every imported program, or the one named; None (with a line saying why) when there is none."""
    with storage.session_scope(engine) as session:
        programs = storage.list_programs(session=session)
    if not programs:
        warn(command, "no program is imported (safe-contact import PROGRAM.toml first).")
        return None
    if program_id is None:
        return programs
    found = [p for p in programs if p.id == program_id]
    if not found:
        known = ", ".join(p.id for p in programs)
        warn(command, f"no program {program_id!r}; imported programs: {known}.")
        return None
    return found


def the_program(engine: storage.Engine, program_id: str | None, command: str) -> Program | None:
    """The program named, or the only one imported; None (with a line saying why) otherwise."""
    with storage.session_scope(engine) as session:
        programs = storage.list_programs(session=session)
    alone = programs if len(programs) == 1 else []
    found = [p for p in programs if p.id == program_id] if program_id else alone
    if found:
        return found[0]
    known = ", ".join(p.id for p in programs) or "none (safe-contact import PROGRAM.toml first)"
    asked = f"no program {program_id!r}" if program_id else "name the program with --program"
    warn(command, f"{asked}; imported programs: {known}.")
    return None
