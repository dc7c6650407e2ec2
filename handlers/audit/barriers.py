"""`safe-contact barriers`: the Enterprise Grid information barrier between a program's minors and
its adults, checked (and with `--apply`, put in place) through an org admin's token. Read-only
unless asked to apply; it never touches anything but the one barrier."""

from __future__ import annotations

from bot.barriers import Barrier, BarrierReport, barrier_report
from bot.model import Directory, Program
from handlers.slack.api import SlackApi

#: What an org admin's token needs (the app installed at org level by an org admin or owner).
ORG_ADMIN_SCOPES = ("admin.barriers:read", "admin.barriers:write", "usergroups:read", "users:read", "users:read.email")


def _barrier(raw: dict) -> Barrier:
    return Barrier(
        id=raw.get("id", ""),
        primary_group=(raw.get("primary_usergroup") or {}).get("id", ""),
        barriered_from=frozenset(g.get("id", "") for g in raw.get("barriered_from_usergroups") or []),
        restricted_subjects=frozenset(raw.get("restricted_subjects") or []),
    )


async def check_barriers(
    api: SlackApi, program: Program, *, minors_group: str, adults_group: str, apply: bool = False
) -> tuple[BarrierReport, str | None]:
    """The barrier report, and what `apply` changed (None when nothing)."""
    directory = Directory(program, await api.accounts(program.team_id or ""), complete=True)
    members = {group: await api.group_members(group) for group in (minors_group, adults_group)}
    barriers = [_barrier(b) for b in await api.barriers()]
    report = barrier_report(directory, barriers, minors_group=minors_group, adults_group=adults_group, members=members)
    if not apply or report.barrier is not None:
        return report, None
    existing = next((b for b in barriers if b.primary_group == minors_group), None)
    wanted = sorted((existing.barriered_from if existing else frozenset()) | {adults_group})
    await api.save_barrier(minors_group, wanted, barrier_id=existing.id if existing else None)
    change = "widened the barrier" if existing else "created the barrier"
    barriers = [_barrier(b) for b in await api.barriers()]
    report = barrier_report(directory, barriers, minors_group=minors_group, adults_group=adults_group, members=members)
    return report, f"{change} between {minors_group} and {adults_group} (DMs, group DMs and calls)"
