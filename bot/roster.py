"""Editing a roster from Slack (`/minors-roster`): add or update one person, remove one, or replace
the whole roster with an uploaded CSV. The same validation as the command line's import; a change
that would leave the roster inconsistent (a guardian of nobody) is refused with the reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.config import guardian_problems, parse_roster, roster_person
from bot.model import Person, normalize_email

#: Which field of the form each problem of `roster_person` is about (by the problem's first word).
_FIELD_OF_PROBLEM = {
    "name": "name",
    "email": "email",
    "role": "role",
    "slack_id": "slack_user",
    "guardian_of": "guardian_of",
    "a": "guardian_of",  # "a guardian must name their minor(s)"
    "background_check": "background_check",
    "recording_consent": "recording_consent",
}


@dataclass(frozen=True, slots=True)
class RosterChange:
    """The roster after a change, what changed (emails), and the problems by form field."""

    roster: tuple[Person, ...]
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    problems: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def upsert_person(roster: tuple[Person, ...], values: Mapping[str, str]) -> RosterChange:
    """Add a person, or replace the one with the same email. `values` are roster columns."""
    person, problems = roster_person(values)
    if person is None:
        return RosterChange(roster, problems=_by_field(problems))
    others = [p for p in roster if p.email != person.email]
    minors = {p.email for p in [*others, person] if p.is_minor}
    orphaned = [g for g in others if guardian_problems(g, minors)]
    if orphaned:
        names = ", ".join(g.name for g in orphaned)
        return RosterChange(roster, problems={"role": f"{names} would be a guardian of nobody: change them first"})
    if problems := guardian_problems(person, minors):
        return RosterChange(roster, problems=_by_field(problems))
    exists = len(others) != len(roster)
    new = tuple(person if p.email == person.email else p for p in roster) if exists else (*roster, person)
    return RosterChange(new, added=() if exists else (person.email,), updated=(person.email,) if exists else ())


def remove_person(roster: tuple[Person, ...], email: str) -> RosterChange:
    email = normalize_email(email)
    if not any(p.email == email for p in roster):
        return RosterChange(roster, problems={"remove": f"{email} is not on the roster"})
    remaining = tuple(p for p in roster if p.email != email)
    minors = {p.email for p in remaining if p.is_minor}
    guardians = [g.name for g in remaining if guardian_problems(g, minors)]
    if guardians:
        problem = f"{', '.join(guardians)} is listed as their guardian: change or remove the guardian first"
        return RosterChange(roster, problems={"remove": problem})
    return RosterChange(remaining, removed=(email,))


def replace_roster(roster: tuple[Person, ...], text: str, *, source: str) -> RosterChange:
    """The whole roster from a CSV, validated as `safe-contact import` validates it (all or nothing)."""
    people, problems = parse_roster(text, source=source)
    if problems:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        return RosterChange(roster, problems={"csv": shown})
    if not people:
        return RosterChange(roster, problems={"csv": f"{source}: the roster is empty"})
    before = {p.email: p for p in roster}
    after = {p.email: p for p in people}
    return RosterChange(
        tuple(people),
        added=tuple(e for e in after if e not in before),
        updated=tuple(e for e in after if e in before and before[e] != after[e]),
        removed=tuple(e for e in before if e not in after),
    )


def _by_field(problems: list[str]) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    for problem in problems:
        key = _FIELD_OF_PROBLEM.get(problem.split(" ", 1)[0], "name")
        found.setdefault(key, []).append(problem)
    return {key: "; ".join(texts) for key, texts in found.items()}
