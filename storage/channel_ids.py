"""Channel ids Slack replaced. A private channel shared with Slack Connect gets a new id for good
(`channel_id_changed`): what the app stored under the old id moves to the new one, and a program that
names the old id (its file, or rows saved before the change) is read with the new one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from bot.model import Program
from storage.columns import as_utc
from storage.directory import move_conversation
from storage.incidents import move_incidents
from storage.lockdowns import move_lockdowns
from storage.statements import insert_for, select_rows
from storage.tables import ChannelIdChangeRow


@dataclass(frozen=True, slots=True)
class MovedChannel:
    """What moved to a channel's new id."""

    conversation: bool
    incidents: int
    lockdowns: int


def move_channel(old_id: str, new_id: str, *, team_id: str, now: datetime, session: Session) -> MovedChannel:
    """Record that `old_id` is now `new_id`, and move the stored conversation, its open incidents and
    its lockdown in force to the new id. Recording the same change again changes nothing."""
    statement = insert_for(session, ChannelIdChangeRow).values(
        old_id=old_id, new_id=new_id, team_id=team_id, changed_at=as_utc(now)
    )
    session.exec(statement.on_conflict_do_update(index_elements=["old_id"], set_={"new_id": new_id}))
    return MovedChannel(
        conversation=move_conversation(old_id, new_id, session=session),
        incidents=move_incidents(old_id, new_id, session=session),
        lockdowns=move_lockdowns(old_id, new_id, session=session),
    )


def channel_id_changes(*, session: Session) -> dict[str, str]:
    """Every replaced id and the id it stands for now (a chain of changes followed to its end)."""
    changes = {row.old_id: row.new_id for row in session.exec(select_rows(ChannelIdChangeRow))}
    current = {}
    for old in changes:
        seen, new = {old}, changes[old]
        while new in changes and new not in seen:
            seen.add(new)
            new = changes[new]
        current[old] = new
    return current


def with_current_ids(program: Program, changes: Mapping[str, str]) -> Program:
    """The program with every channel it names by a replaced id named by the new one."""
    if not changes:
        return program

    def now(channel: str) -> str:
        return changes.get(channel, channel)

    return replace(
        program,
        alert_channel=now(program.alert_channel),
        channels=tuple(now(c) for c in program.channels),
        session_channels=tuple(now(c) for c in program.session_channels),
        sessions=tuple(replace(s, channel=now(s.channel)) for s in program.sessions),
    )


def replaced_ids(program: Program, changes: Mapping[str, str]) -> list[tuple[str, str]]:
    """Where the program names a replaced id: (setting, old id), e.g. ("channels", "G0…")."""
    named = [("alert_channel", program.alert_channel)]
    named += [("channels", c) for c in program.channels]
    named += [("session_channels", c) for c in program.session_channels]
    named += [("sessions", s.channel) for s in program.sessions]
    return list(dict.fromkeys((setting, channel) for setting, channel in named if channel in changes))
