"""Tenancy: which workspace a program belongs to, which spaces are whose, and who may act on them.

A program belongs to one workspace (its `team_id`). A deployment serving one workspace (a bot token,
no OAuth) may leave `team_id` out: the program is that workspace's. One serving several (OAuth, or
more than one installation) must name it, or a roster email could match an account of another
workspace. Each channel is the space of one program at most: one that two programs claim (both list
it, or one claims the whole workspace and the other lives there too) is refused at import.

A conversation no program declares but where minors of several programs are is shared: each of
those programs owns it (see `owners`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from bot.access import stays_in_lockdown
from bot.model import Conversation, Directory, Program


@dataclass(frozen=True, slots=True)
class Sourced:
    """A program with where it comes from (its file, or "imported earlier"), for the messages."""

    program: Program
    source: str


def serves_several_workspaces(*, oauth_enabled: bool, installed_teams: Iterable[str]) -> bool:
    """Whether a deployment serves (or may serve at any moment) more than one workspace: OAuth lets
    any workspace install the app; more than one stored installation is several already."""
    return oauth_enabled or len(set(installed_teams)) > 1


def without_workspace(programs: Iterable[Sourced]) -> list[str]:
    """A problem line for each program that names no workspace, where several are served."""
    return [
        f"{s.source}: program.team_id: program {s.program.id!r} names no workspace, and this deployment "
        "serves several (OAuth is configured, or more than one workspace installed the app): add "
        'team_id = "T…" (the id of the workspace the program runs in) to its [program] table'
        for s in programs
        if not s.program.team_id
    ]


def claim_conflicts(programs: Sequence[Sourced], *, changed: set[str] | None = None) -> list[str]:
    """A problem line for each pair of programs claiming the same space; with `changed`, only pairs
    where one of those program ids is (conflicts already stored are not this import's doing)."""
    problems: list[str] = []
    for first, second in combinations(programs, 2):
        if changed is not None and not {first.program.id, second.program.id} & changed:
            continue
        problems.extend(_shared_channels(first, second))
        problems.extend(_claimed_workspace(first, second))
        problems.extend(_claimed_workspace(second, first))
    return problems


def _both(first: Sourced, second: Sourced) -> str:
    """The files of two programs, once when they are the same file."""
    return first.source if first.source == second.source else f"{first.source} and {second.source}"


def _shared_channels(first: Sourced, second: Sourced) -> list[str]:
    """Channels both programs name as a space (listed, session channels, sessions)."""
    theirs = set(second.program.declared_channels())
    return [
        f"{_both(first, second)}: channel {channel!r} is a space of both {first.program.id!r} and "
        f"{second.program.id!r}: a channel is one program's space; remove it from one of them"
        for channel in first.program.declared_channels()
        if channel in theirs
    ]


def _claimed_workspace(claimer: Sourced, other: Sourced) -> list[str]:
    """`claimer` takes every channel of its workspace, and `other` lives in that workspace too (it
    names the same `team_id`, or none: then it runs in the one workspace the app serves)."""
    team = claimer.program.team_id
    if not claimer.program.claims_workspace or other.program.team_id not in (None, "", team):
        return []
    where = f"names workspace {team!r} too" if other.program.team_id else "names no workspace (so it runs there too)"
    return [
        f"{_both(claimer, other)}: program {claimer.program.id!r} claims every channel of workspace {team!r} "
        f"(team_id), and {other.program.id!r} {where}: set whole_workspace = false in {claimer.program.id!r} "
        "so that only its listed channels are its spaces, or give each program its own workspace"
    ]


def owners(directories: Sequence[Directory], conversation: Conversation) -> list[Directory]:
    """The programs (of the conversation's workspace) that own a conversation: those that declare it
    one of their spaces (listed, a session channel, or the whole workspace); when none does, every
    program with a minor in it, which then share it. Empty: nobody's business."""
    declared = [d for d in directories if d.program.is_program_space(conversation)]
    if declared:
        return declared
    return [d for d in directories if any(d.is_minor(u) for u in conversation.members)]


def administered(owned: Sequence[Directory], administering: set[str]) -> Directory | None:
    """The owning program, among those whose ids are in `administering`, that acts; None when the
    asker administers no owner."""
    return next((d for d in owned if d.program.id in administering), None)


def stays_for_any(owned: Sequence[Directory], user_id: str) -> bool:
    """Whether `user_id` is a cleared adult of any program owning a locked-down conversation: a
    lockdown never removes another owner's administrators, DLC admin or staff."""
    return any(stays_in_lockdown(d.person(user_id)) for d in owned)
