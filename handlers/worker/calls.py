"""Live calls (Slack huddles) in the worker: each change to who is in a call (`user_huddle_changed`, a
huddle's root, the sweep's repair) is stored and the call judged for every program it concerns; the
alert's thread is told who joined and left, and when. A call whose people have not been together for
the grace period yet is judged again when it ends (an inbox item due then, kind `CALL_CHECK`), and a
live call in a program channel has its root read again every `ROOT_READ_EVERY` while it lasts:
Slack does not reliably announce changes to a root."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

import storage
from bot.engine import call_scope, evaluate
from bot.model import Call, ConversationKind, Directory, Program, Situation
from bot.rules import CALL_RULES, rule_by_symbol
from handlers.runtime import Runtime
from handlers.slack.api import api_error
from handlers.slack.parsing import HuddleRoot, event_conversation_kind, huddle_root
from handlers.worker.enforce import enforce
from handlers.worker.queued import ThreadUpdate, queue

log = logging.getLogger(__name__)

#: The inbox kind of a call's due check (its grace ended, or its root is to be read again).
CALL_CHECK = "call-check"
#: How often the root of a live call in a program channel is read again (one `conversations.history`
#: call each time): Slack sends no event when its participants change.
ROOT_READ_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Change:
    """One person joining or leaving a call, for the story its alert thread tells."""

    user: str
    joined: bool
    at: datetime


def story_line(change: Change) -> str:
    """A thread line: who joined or left, and when (Slack shows the time in each reader's zone)."""
    verb = "joined" if change.joined else "left"
    return f"<@{change.user}> {verb} the call at {slack_time(change.at)}."


def story_so_far(joins: dict[str, datetime]) -> str:
    """The first line of a call's alert thread: when each person in it joined."""
    joined = "; ".join(f"<@{user}> joined at {slack_time(at)}" for user, at in joins.items())
    return f"Who is in the call: {joined}." if joined else "Nobody is in the call any more."


def slack_time(moment: datetime) -> str:
    """A time as Slack shows it to each reader, in their own time zone (UTC where it cannot)."""
    return f"<!date^{int(moment.timestamp())}^{{time_secs}}|{moment.strftime('%H:%M:%S UTC')}>"


def judge_calls(
    runtime: Runtime,
    team_id: str,
    call_ids: Iterable[str],
    *,
    workspace: list[tuple[Program, Directory]],
    session: storage.Session,
    now: datetime,
    change: Change | None = None,
) -> None:
    """Judge each call for every program of `workspace` (the programs and directories, read before
    the transaction) it concerns: one with a minor of the program in it (or the person who just
    left), one in a program space, or one with an open incident of the program."""
    for call_id in sorted(set(call_ids)):
        call = storage.get_call(team_id, call_id, session=session)
        if call is None:
            continue
        for program, directory in workspace:
            open_ones = storage.open_incidents(program.id, scope=call_scope(call.id), session=session)
            if not open_ones and not concerns(program, directory, call, team_id, change):
                continue
            if change is not None:
                for incident in open_ones:
                    if rule_by_symbol(incident.rule).alerts:
                        queue(ThreadUpdate(incident.id, story_line(change)), team_id=team_id, session=session, now=now)
            situation = Situation(program, directory, now, call=call, call_grace=runtime.call_grace)
            outcome = enforce(situation, session=session, now=now, team_id=team_id)
            if not open_ones and any(line.startswith("alert ") for line in outcome.actions):
                _tell_story_so_far(team_id, call, program.id, session=session, now=now)
            if any(f.undecided for f in evaluate(CALL_RULES, situation)):
                check_later(runtime, team_id, call.id, due=call.since + runtime.call_grace, session=session, now=now)
            if program.hosts_call(call, team_id) and not call.ended and call.root_ts:
                read_root_later(runtime, team_id, call.id, session=session, now=now)


def _tell_story_so_far(team_id: str, call: Call, program_id: str, *, session: storage.Session, now: datetime) -> None:
    """A call's first alert: its thread starts with who is in the call and since when."""
    opened = storage.open_incidents(program_id, scope=call_scope(call.id), session=session)
    if opened:
        joins = storage.call_joins(team_id, call.id, session=session)
        queue(ThreadUpdate(opened[0].id, story_so_far(joins)), team_id=team_id, session=session, now=now)


def concerns(program: Program, directory: Directory, call: Call, team_id: str, change: Change | None) -> bool:
    """Whether a call is the program's business: a minor of its is in it (or just left it), or it
    runs in one of its spaces."""
    people = call.participants | ({change.user} if change is not None else set())
    return any(directory.is_minor(u) for u in people) or program.hosts_call(call, team_id)


def check_later(
    runtime: Runtime, team_id: str, call_id: str, *, due: datetime, session: storage.Session, now: datetime
) -> None:
    """Judge the call again at `due` (an inbox item; one per call and second, however many changes
    ask for it), and wake the worker then."""
    due = max(due, now)
    stamp = f"{due.timestamp():.0f}"
    key = f"{CALL_CHECK}:{team_id}:{call_id}:{stamp}"
    if storage.enqueue_event(key, team_id, CALL_CHECK, {"call": call_id}, now=now, due=due, session=session):
        runtime.wake.set_after((due - runtime.now()).total_seconds() + 0.05)


def read_root_later(runtime: Runtime, team_id: str, call_id: str, *, session: storage.Session, now: datetime) -> None:
    """Read the call's root again in `ROOT_READ_EVERY`: one item per call and period, however many
    changes ask for it (each check asks for the next, so a live call's root is read once a period)."""
    period = ROOT_READ_EVERY.total_seconds()
    slot = int(now.timestamp() // period) + 1
    due = datetime.fromtimestamp(slot * period, now.tzinfo)
    key = f"{CALL_CHECK}:{team_id}:{call_id}:root:{slot}"
    if storage.enqueue_event(key, team_id, CALL_CHECK, {"call": call_id}, now=now, due=due, session=session):
        runtime.wake.set_after((due - runtime.now()).total_seconds() + 0.05)


def record_root(
    team_id: str,
    root: HuddleRoot,
    kind: ConversationKind | None,
    *,
    session: storage.Session,
    now: datetime,
    current: bool = True,
) -> set[str]:
    """Store what a root says (`storage.note_root`); the calls whose people changed. A root read
    just now is `current`; one that came as an event only adds who the events missed."""
    return storage.note_root(
        team_id,
        root.call_id,
        channel=root.channel,
        kind=kind,
        root_ts=root.ts,
        ended=root.ended,
        recorded=root.recorded,
        participants=root.participants,
        now=now,
        session=session,
        current=current,
    )


def root_change(runtime: Runtime, team_id: str, root: HuddleRoot, kind: ConversationKind | None):
    """The transaction that records what a root says and judges the calls it changed."""
    workspace = list(runtime.cache.workspace(team_id))

    def apply(session: storage.Session) -> None:
        now = runtime.now()
        # Posted (or edited) a moment ago: the joins and leaves heard since are newer than its list.
        changed = record_root(team_id, root, kind, current=False, session=session, now=now)
        judge_calls(runtime, team_id, changed | {root.call_id}, workspace=workspace, session=session, now=now)

    return apply


def root_kind(runtime: Runtime, root: HuddleRoot, event: dict) -> ConversationKind | None:
    """What kind of conversation a root is in: as its event says, as the app stored it, or from the
    root's own `is_dm_call` (a DM or group DM: a `D` id is a DM)."""
    kind = event_conversation_kind(event)
    if kind is not None:
        return kind
    stored = runtime.cache.conversation(root.channel)
    if stored is not None:
        return stored.kind
    if root.is_dm_call:
        return ConversationKind.IM if root.channel.startswith("D") else ConversationKind.MPIM
    return None


def call_check_job(runtime: Runtime):
    """The worker's job for `CALL_CHECK` items: read the call's root again where it runs in a
    channel the bot can read, then judge the call as it is now."""

    async def job(item: storage.InboxItem):
        team_id = item.team_id or runtime.team_id
        bound = runtime.for_team(team_id)
        call_id = item.payload.get("call") if isinstance(item.payload, dict) else None
        if not isinstance(call_id, str) or not call_id:
            log.warning("a call check without a call id was skipped")
            return None
        with bound.session() as session:
            call = storage.get_call(team_id, call_id, session=session)
        if call is None:
            return None
        root = await read_root(bound, call)
        workspace = list(bound.cache.workspace(team_id))

        def apply(session: storage.Session) -> None:
            now = bound.now()
            changed = {call_id}
            if root is not None:
                changed |= record_root(team_id, root, call.kind, session=session, now=now)
            judge_calls(bound, team_id, changed, workspace=workspace, session=session, now=now)

        return apply

    return job


async def read_root(runtime: Runtime, call: Call) -> HuddleRoot | None:
    """A live call's root as it is now, where the bot can read it (a channel it is in); None
    otherwise, or when Slack refuses (the call is judged on what the app has)."""
    if call.ended or not call.root_ts or not call.channel or not call.in_channel:
        return None
    try:
        message = await runtime.api.message_at(call.channel, call.root_ts)
    except SlackApiError as error:
        log.info("the root of a call in %s could not be read: %s", call.channel, api_error(error))
        return None
    root = huddle_root(message, call.channel) if message is not None else None
    return root if root is not None and root.call_id == call.id else None


async def read_live_roots(runtime: Runtime, calls: Iterable[Call]) -> list[HuddleRoot]:
    """The roots of the live calls the bot can read (for the sweep's repair)."""
    roots = []
    for call in calls:
        root = await read_root(runtime, call)
        if root is not None:
            roots.append(root)
    return roots
