"""App Home, and the program's standing it shows: administrators see a dashboard (programs, each
space's compliance, open incidents with Acknowledge and Resolve, coverage); everyone else sees their
role, the rules in plain language and an Acknowledge button, and nothing about anybody else. The
standing is computed from the stored picture of the workspace: opening Home costs one Web API call."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

import storage
from bot.model import Conversation, ConversationKind, Directory, Person, Program
from bot.status import ProgramOverview, SpaceStatus, calls_in_spaces, program_calls, program_overview, space_status
from handlers.runtime import Runtime
from handlers.slack.api import api_error
from handlers.slack.views import admin_home, member_home

log = logging.getLogger(__name__)


async def publish_home(runtime: Runtime, team_id: str, user_id: str) -> None:
    """Build and publish `user_id`'s Home tab (`views.publish`)."""
    standing = [(p, d, d.person(user_id)) for p, d in runtime.cache.workspace(team_id)]
    with runtime.session() as session:
        connected = user_id in storage.connected_users(team_id, session=session)
    connect_url = None if connected else runtime.connect_url(team_id)
    administered = [(p, d) for p, d, person in standing if person is not None and person.is_admin]
    if administered:
        overviews = [overview(runtime, team_id, p, d, viewer=d.person(user_id)) for p, d in administered]
        with runtime.session() as session:
            incidents = [i for p, _ in administered for i in storage.open_incidents(p.id, session=session)]
            retrying = storage.retrying(session=session)
        view = admin_home(overviews, incidents, now=runtime.now(), connect_url=connect_url, retrying=retrying)
    else:
        entries = []
        with runtime.session() as session:
            for program, _, person in standing:
                if person is not None:
                    acknowledged = user_id in storage.acknowledged_users(program.id, session=session)
                    entries.append((program, person, acknowledged))
        view = member_home(entries, connect_url=connect_url if entries else None)
    try:
        await runtime.api.client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.warning("could not publish the Home tab: %s", api_error(error))


def space(
    runtime: Runtime,
    team_id: str,
    program: Program,
    directory: Directory,
    conversation: Conversation,
    active: frozenset[str] | None = None,
) -> SpaceStatus:
    with runtime.session() as session:
        incidents = storage.open_incidents(program.id, scope=conversation.id, session=session)
        acknowledged = storage.acknowledged_users(program.id, session=session)
        connected = storage.connected_users(team_id, session=session) if runtime.connect_enabled else None
        locked = storage.active_lockdown(conversation.id, session=session) is not None
        live_calls = storage.live_calls(team_id, session=session)
    now = runtime.now()
    # A space's own call only: whoever may see the space may see who is in its huddle.
    in_spaces = calls_in_spaces(program, directory, live_calls, now=now, team_id=team_id)
    return space_status(
        program,
        directory,
        conversation,
        now=now,
        app_user=runtime.bot_user_id,
        incidents=incidents,
        active_users=active,
        acknowledged=acknowledged,
        connected=connected,
        locked=locked,
        calls=in_spaces,
    )


def overview(
    runtime: Runtime, team_id: str, program: Program, directory: Directory, *, viewer: Person | None
) -> ProgramOverview:
    """The program's standing from the stored picture of the workspace (no Web API call), with the
    live calls `viewer` may see (`bot.status.program_calls`: calls elsewhere for administrators only)."""
    now = runtime.now()
    roster_accounts = directory.user_ids(program.roster)
    with runtime.session() as session:
        conversations = storage.conversations_with_member(roster_accounts, session=session)
        listed = [storage.get_conversation(c, session=session) for c in (*program.channels, *program.session_channels)]
        incidents = storage.open_incidents(program.id, session=session)
        acknowledged = storage.acknowledged_users(program.id, session=session)
        connected = storage.connected_users(team_id, session=session) if runtime.connect_enabled else None
        locked = {lockdown.channel for lockdown in storage.active_lockdowns(program.id, session=session)}
        live_calls = storage.live_calls(team_id, session=session)
    calls = program_calls(program, directory, live_calls, now=now, team_id=team_id, viewer=viewer)
    spaces: dict[str, Conversation] = {}
    for conversation in [*(c for c in listed if c is not None), *conversations]:
        if conversation.is_archived or conversation.id in spaces:
            continue
        private_with_minor = conversation.kind is ConversationKind.PRIVATE_CHANNEL and any(
            directory.is_minor(u) for u in conversation.members
        )
        if program.is_program_space(conversation) or private_with_minor:
            spaces[conversation.id] = conversation
    statuses = [
        space_status(
            program,
            directory,
            conversation,
            now=now,
            app_user=runtime.bot_user_id,
            incidents=[i for i in incidents if i.scope == conversation.id],
            acknowledged=acknowledged,
            connected=connected,
            locked=conversation.id in locked,
            calls=calls.in_spaces,
        )
        for conversation in spaces.values()
    ]
    return program_overview(
        program,
        directory,
        statuses,
        now=now,
        incidents=incidents,
        acknowledged=acknowledged,
        connected=connected,
        calls=calls,
    )
