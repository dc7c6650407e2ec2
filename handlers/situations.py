"""The situations judged outside a single event's conversation, shared by the worker, the scheduled
checks and the slash commands: who is online during a live session, and the program-wide picture."""

from __future__ import annotations

import asyncio
from datetime import datetime

import storage
from bot.model import Conversation, Directory, Program, Situation
from handlers.runtime import Runtime


async def live_presence(
    runtime: Runtime, team_id: str, conversation: Conversation, relevant: list
) -> dict[str, frozenset[str]]:
    """For each program whose live session window is open in `conversation` and meets outside Slack
    (`SessionWindow.runs_outside_slack`: a session in the channel's huddle is measured by who is in
    the call, not by presence), which of its program adults there are online (`users.getPresence`,
    one call per adult, a handful per session, asked together: a slow Slack costs one call's time,
    not one per adult)."""
    now = runtime.now()
    active: dict[str, frozenset[str]] = {}
    for program, directory in relevant:
        live = program.live_session(conversation.id, now)
        if live is None or not live.runs_outside_slack:
            continue
        adults = [u for u in conversation.members if (p := directory.person(u)) is not None and p.is_program_adult]
        online = await asyncio.gather(*(runtime.api.is_active(u) for u in adults))
        active[program.id] = frozenset(u for u, is_online in zip(adults, online, strict=True) if is_online)
    return active


def program_situation(
    program: Program, directory: Directory, team_id: str, *, runtime: Runtime, session: storage.Session, now: datetime
) -> Situation:
    """The program-wide situation: connections, acknowledgements and guardian notices. Who is
    connected is unknown (None) while account connection is not configured: nobody can connect."""
    roster_accounts = directory.user_ids(program.roster)
    spaces = [
        c for c in storage.conversations_with_member(roster_accounts, session=session) if program.is_program_space(c)
    ]
    participants = frozenset(u for c in spaces for u in c.members if u in roster_accounts)
    connected = storage.connected_users(team_id, session=session) if runtime.connect_enabled else None
    return Situation(
        program,
        directory,
        now,
        connected_users=connected,
        acknowledged_users=storage.acknowledged_users(program.id, session=session),
        active_participants=participants,
        guardians_informed=storage.guardians_informed(program.id, session=session),
        welcomed=storage.welcomed_users(program.id, session=session),
    )
