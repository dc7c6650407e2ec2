"""Information barriers (Enterprise Grid): prevention before detection. With a barrier between an
identity-provider group of the program's minors and one of its supervising adults, Slack itself
refuses DMs, group DMs and calls between them. This checks that such a barrier exists and that the
groups hold the right people: every minor in the minors' group, every supervisor in the adults'
group, nobody in the wrong one, and no guardian barred from their own child."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.model import Directory, Person, Role

#: What a barrier must restrict to prevent private contact (Slack supports exactly these three).
RESTRICTED_SUBJECTS = ("im", "mpim", "call")


@dataclass(frozen=True, slots=True)
class Barrier:
    id: str
    primary_group: str
    barriered_from: frozenset[str]
    restricted_subjects: frozenset[str]

    def separates(self, a: str, b: str) -> bool:
        """True when this barrier keeps groups `a` and `b` from DMs, group DMs and calls."""
        pair = (self.primary_group == a and b in self.barriered_from) or (
            self.primary_group == b and a in self.barriered_from
        )
        return pair and set(RESTRICTED_SUBJECTS) <= self.restricted_subjects


@dataclass(frozen=True, slots=True)
class BarrierReport:
    """What stands between the program's minors and its adults, and what is missing."""

    barrier: Barrier | None
    minors_outside_group: tuple[Person, ...]
    adults_outside_group: tuple[Person, ...]
    minors_in_adults_group: tuple[Person, ...]
    adults_in_minors_group: tuple[Person, ...]
    guardians_in_adults_group: tuple[Person, ...]

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.barrier is None:
            problems.append("no information barrier separates the two groups for DMs, group DMs and calls")
        for label, people in (
            ("minor(s) not in the minors' group", self.minors_outside_group),
            ("supervisor(s) not in the adults' group", self.adults_outside_group),
            ("minor(s) in the adults' group", self.minors_in_adults_group),
            ("adult(s) in the minors' group", self.adults_in_minors_group),
            ("guardian(s) in the adults' group, barred from their own child", self.guardians_in_adults_group),
        ):
            if people:
                problems.append(f"{len(people)} {label}: " + ", ".join(p.name or p.email for p in people))
        return problems

    @property
    def ok(self) -> bool:
        return not self.problems


def barrier_report(
    directory: Directory,
    barriers: Iterable[Barrier],
    *,
    minors_group: str,
    adults_group: str,
    members: Mapping[str, frozenset[str]],
) -> BarrierReport:
    """Check the barrier and the groups' `members` (account ids by group id) against the roster."""
    roster = directory.program.roster
    minors_members = members.get(minors_group, frozenset())
    adults_members = members.get(adults_group, frozenset())

    def accounts(people: Iterable[Person], group: frozenset[str], inside: bool) -> tuple[Person, ...]:
        found = []
        for person in people:
            account = directory.account_id(person)
            if account is not None and (account in group) is inside:
                found.append(person)
        return tuple(found)

    minors = [p for p in roster if p.is_minor]
    supervisors = [p for p in roster if p.is_supervisor]
    guardians = [p for p in roster if p.role is Role.GUARDIAN]
    return BarrierReport(
        barrier=next((b for b in barriers if b.separates(minors_group, adults_group)), None),
        minors_outside_group=accounts(minors, minors_members, inside=False),
        adults_outside_group=accounts(supervisors, adults_members, inside=False),
        minors_in_adults_group=accounts(minors, adults_members, inside=True),
        adults_in_minors_group=accounts([*supervisors, *guardians], minors_members, inside=True),
        guardians_in_adults_group=accounts(guardians, adults_members, inside=True),
    )
