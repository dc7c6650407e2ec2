"""Onboarding: every roster member with an account is sent the program's expectations once, when
first seen (the start-up sweep, joining the workspace, joining a program space), with an
Acknowledge button; guardians are also told what they can see and how to reach the administrators.
In `observe` mode the app writes to nobody but the administrators, so nobody is welcomed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import storage
from bot.enforcement import administrators
from bot.model import Directory, EnforcementMode, Program
from bot.onboarding import welcome_text
from handlers.worker.queued import DirectMessage, queue


def welcome(
    program: Program,
    directory: Directory,
    user_ids: Iterable[str],
    *,
    team_id: str,
    session: storage.Session,
    now: datetime,
) -> int:
    """Queue the welcome for each of `user_ids` who is on the roster and was never welcomed; how many."""
    if program.mode is not EnforcementMode.ENFORCE:
        return 0
    admins = administrators(directory)
    sent = 0
    for user_id in sorted(set(user_ids)):
        person = directory.person(user_id)
        if person is None or directory.is_bot(user_id) or directory.account_id(person) != user_id:
            continue
        if not storage.record_welcome(program.id, user_id, now=now, session=session):
            continue
        welcome_message = DirectMessage(
            user=user_id,
            text=welcome_text(program, person, admins),
            # The reminder's button: Acknowledge the program's expectations.
            rule="conduct-not-acknowledged",
            program=program.id,
        )
        queue(welcome_message, team_id=team_id, session=session, now=now)
        sent += 1
    return sent
