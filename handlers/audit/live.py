"""The one-shot audit from the command line: a read-only sweep of the live workspace (accounts,
conversations, their members and their history; it posts, invites and changes nothing) or a Slack
export archive, judged by the same rules as the live app, into an `AuditReport`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

import storage
from bot.audit import NOT_IN_AN_EXPORT, ProgramFacts, Snapshot, audit_program, rules_not_checked
from bot.audit_report import AuditReport, people_and_spaces
from bot.model import DEFAULT_CALL_GRACE, Conversation, Directory, Program
from handlers.audit.past_calls import PastCalls
from handlers.scheduled.sweep import visible_conversations
from handlers.slack.api import SlackApi, api_error
from handlers.slack.parsing import spoken_message

#: How far back a live audit reads conversations' history.
HISTORY_DAYS = 365
Progress = Callable[[int, int], None]


async def live_snapshot(
    api: SlackApi,
    programs: list[Program],
    *,
    tokens: dict[str, str],
    now: datetime,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda line: None,
) -> Snapshot:
    """The workspace as its bot (and connected accounts' tokens) can read it. History is read only
    for the conversations the programs care about; what cannot be read is said, not hidden. The
    huddle roots in that history are its past calls (no other Web API call: the history is read
    anyway), so a call in a conversation nobody connected is not seen."""
    identity = await api.identity()
    team_id = identity.get("team_id", "")
    accounts = tuple(await api.accounts(team_id))
    conversations = await visible_conversations(api, team_id, tokens)
    directories = [Directory(p, accounts, complete=True) for p in programs]
    relevant = [c for c in conversations.values() if any(d.concerns(c) for d in directories)]
    oldest = (now - timedelta(days=HISTORY_DAYS)).timestamp()
    messages = {}
    calls = PastCalls()
    for done, conversation in enumerate(relevant, start=1):
        reader = _reader(api, conversation, identity.get("user_id", ""), tokens)
        if reader is None:
            name = conversation.name or conversation.id
            warn(f"the history of {name} cannot be read: nobody who can read it connected")
        else:
            try:
                raw = await reader.history(conversation.id, oldest=oldest)
            except SlackApiError as error:
                warn(f"the history of {conversation.name or conversation.id} cannot be read ({api_error(error)})")
                raw = []
            for message in raw:
                calls.add(message, conversation)
            parsed = (
                spoken_message({**m, "channel": conversation.id}, bot_user_id=identity.get("user_id", "")) for m in raw
            )
            messages[conversation.id] = tuple(m for m in parsed if m is not None)
        if progress is not None:
            progress(done, len(relevant))
    return Snapshot(
        team_id=team_id,
        accounts=accounts,
        conversations=tuple(conversations.values()),
        messages=messages,
        calls=calls.calls(),
        unreadable_calls=calls.unreadable,
    )


def _reader(api: SlackApi, conversation: Conversation, bot_user: str, tokens: dict[str, str]) -> SlackApi | None:
    """Whose token may read the history: the bot's where it is a member, else a connected member's."""
    if bot_user in conversation.members:
        return api
    member = next((u for u in sorted(conversation.members) if u in tokens), None)
    return api.as_user(tokens[member]) if member else None


def program_facts(
    program: Program, snapshot: Snapshot, *, team_id: str, connect_enabled: bool, session: storage.Session
) -> ProgramFacts:
    """The app's records for a live audit: acknowledgements, welcomes, connections (as the app knows
    them: not at all while connecting is not configured), guardian notices."""
    directory = Directory(program, snapshot.accounts, complete=True)
    roster_accounts = set(directory.user_ids(program.roster))
    spaces = [c for c in snapshot.conversations if program.is_program_space(c)]
    return ProgramFacts(
        connected=storage.connected_users(team_id, session=session) if connect_enabled else None,
        acknowledged=storage.acknowledged_users(program.id, session=session),
        welcomed=storage.welcomed_users(program.id, session=session),
        active=frozenset(u for c in spaces for u in c.members if u in roster_accounts),
        guardians_informed=storage.guardians_informed(program.id, session=session),
    )


def build_report(
    programs: list[Program],
    snapshot: Snapshot,
    *,
    now: datetime,
    source_kind: str,
    source_name: str,
    facts: dict[str, ProgramFacts] | None = None,
    call_grace: timedelta = DEFAULT_CALL_GRACE,
) -> AuditReport:
    """Judge every program over the snapshot (its past calls with `call_grace`). An export lacks the
    app's own records: the rules that need them are left out and named."""
    skip = tuple(NOT_IN_AN_EXPORT) if facts is None else ()
    findings = []
    for program in programs:
        program_facts_ = (facts or {}).get(program.id)
        findings.extend(
            audit_program(program, snapshot, now=now, skip=skip, facts=program_facts_, call_grace=call_grace)
        )
    directories = [Directory(p, snapshot.accounts, complete=snapshot.complete) for p in programs]
    people, spaces = people_and_spaces(directories, snapshot.conversations)
    return AuditReport(
        source_kind=source_kind,
        source_name=source_name,
        team_id=snapshot.team_id,
        generated_at=now,
        programs=tuple(p.id for p in programs),
        findings=tuple(sorted(findings, key=lambda f: (-f.severity, f.at, f.rule))),
        not_checked=rules_not_checked(skip),
        people=people,
        spaces=spaces,
        past_calls=len(snapshot.calls),
        unreadable_calls=snapshot.unreadable_calls,
    )
