"""The slash commands. Every answer is private (ephemeral). Each command checks the asker's role in
the program it acts on (`bot.access`), and bad input gets the reason and the usage line. What a
command changes is written, with its queued Slack actions, in one transaction before Slack gets its
answer: a crash after that loses nothing, and the worker carries the actions out at once.

Slack waits 3 seconds for the answer, and one Web API call can take longer: a command is answered
from memory and the database alone, and makes no Web API call before its answer. What needs Slack
(who is online, a channel the app does not know, the asker's time zone, opening a modal) is the
answer's `then`, done once Slack has the answer; its own answer goes to the command's response_url."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

import storage
from bot.access import Command, commands_for, may_use, refusal
from bot.commands import (
    SessionRequest,
    parse_channel_and_rest,
    parse_channel_only,
    parse_consent,
    parse_session,
    parse_since,
    time_zone_needed,
)
from bot.inert import slack_line, slack_unescape
from bot.model import (
    AuditEntry,
    Consent,
    Conversation,
    ConversationKind,
    Directory,
    Lockdown,
    Person,
    Program,
    SessionWindow,
)
from bot.tenancy import administered, owners, stays_for_any
from handlers.listeners.failures import failure_answer
from handlers.runtime import Runtime
from handlers.situations import live_presence
from handlers.slack.api import api_error
from handlers.slack.views import (
    closure_notice,
    guardian_lockdown_text,
    guardian_unlock_text,
    help_blocks,
    lockdown_alert,
    overview_blocks,
    reopening_notice,
    retrying_blocks,
    roster_modal,
    session_scheduled_text,
    space_blocks,
    unlock_alert,
)
from handlers.worker.carry_out import report_incidents
from handlers.worker.home import overview, space
from handlers.worker.queued import Invitation, Kick, LockdownAlert, Post, SendReport, queue

log = logging.getLogger(__name__)

#: Who the asker is in each program of the workspace (None: not on that program's roster).
Standing = list[tuple[Program, Directory, Person | None]]


@dataclass(frozen=True, slots=True)
class Asked:
    """One slash command as Slack sent it."""

    command: Command
    team_id: str
    user_id: str
    channel_id: str
    text: str
    trigger_id: str

    @classmethod
    def from_body(cls, command: Command, body: dict, default_team: str) -> Asked:
        return cls(
            command=command,
            team_id=body.get("team_id") or default_team,
            user_id=body.get("user_id") or "",
            channel_id=body.get("channel_id") or "",
            text=(body.get("text") or "").strip(),
            trigger_id=body.get("trigger_id") or "",
        )


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    blocks: list[dict] | None = None
    #: What is left to do once Slack has this answer (the Web API calls), and the answer that makes,
    #: posted to the response_url (None: nothing more to say). None: this answer is the whole of it.
    then: Callable[[], Awaitable[Answer | None]] | None = None


def register(app: AsyncApp, runtime: Runtime) -> None:
    handlers = {
        Command.STATUS: status,
        Command.LOCKDOWN: lockdown,
        Command.UNLOCK: unlock,
        Command.CONSENT: consent,
        Command.SESSION: schedule_session,
        Command.ROSTER: roster,
        Command.REPORT: report,
        Command.HELP: help_,
    }
    for command, handler in handlers.items():
        app.command(command.value)(_listener(runtime, command, handler))


def _listener(runtime: Runtime, command: Command, handler):
    async def listener(ack, body, respond):
        asked = Asked.from_body(command, body, runtime.team_id)
        bound = runtime.for_team(asked.team_id)
        try:
            answer = await handler(bound, asked, standing(bound, asked))
        except Exception as error:  # the asker gets an answer whatever went wrong; the log has the rest
            answer = Answer(failure_answer(error, doing=command.value))
        # Bolt (with `process_before_response`) sends this when the listener returns: `then` must not
        # run here, or Slack would wait for it.
        await ack(response_type="ephemeral", text=answer.text, blocks=answer.blocks)
        if command is Command.LOCKDOWN or command is Command.UNLOCK:
            runtime.wake.set()
        if answer.then is not None:
            runtime.followups.start(_follow_up(runtime, command, answer.then, respond), name=command.value)

    listener.__name__ = f"command_{command.name.lower()}"
    return listener


async def _follow_up(runtime: Runtime, command: Command, then, respond) -> None:
    """After the answer: the rest of the command, and its answer through the response_url."""
    answer: Answer | None
    try:
        answer = await then()
        while answer is not None and answer.then is not None:  # one step led to another
            answer = await answer.then()
    except Exception as error:
        answer = Answer(failure_answer(error, doing=command.value))
    runtime.wake.set()  # whatever it queued is carried out at once
    if answer is not None:
        await respond_privately(respond, answer.text, answer.blocks)


async def respond_privately(respond, text: str, blocks: list[dict] | None = None) -> None:
    """Post an answer to the response_url, visible to the asker only. Slack takes up to 5 within
    30 minutes: a refused one is logged, and nothing else can reach the asker."""
    try:
        sent = await respond(text=text, blocks=blocks, response_type="ephemeral")
    except Exception as error:
        log.warning("an answer could not be posted to its response_url: %s", api_error(error))
        return
    if sent.status_code != 200:
        log.warning("Slack refused an answer posted to its response_url: HTTP %d %s", sent.status_code, sent.body)


def standing(runtime: Runtime, asked: Asked) -> Standing:
    return [(p, d, d.person(asked.user_id)) for p, d in runtime.cache.workspace(asked.team_id)]


def permitted(standing_: Standing, command: Command) -> Standing:
    return [(p, d, person) for p, d, person in standing_ if may_use(person, command)]


async def _conversation(runtime: Runtime, team_id: str, channel: str, *, fresh: bool = False) -> Conversation | None:
    """The stored conversation, or Slack's (as the app's bot sees it) when unknown or `fresh` is asked."""
    if not fresh:
        stored = runtime.cache.conversation(channel)
        if stored is not None:
            return stored
    try:
        conversation = await runtime.api.conversation(channel, team_id=team_id)
    except SlackApiError as error:
        if api_error(error) in ("channel_not_found", "not_in_channel", "method_not_supported_for_channel_type"):
            return None
        raise
    with runtime.session() as session:
        storage.save_conversation(conversation, session=session, now=runtime.now())
    runtime.cache.put_conversation(conversation)
    return conversation


def _cannot_see(channel: str) -> Answer:
    return Answer(f"Safe Contact cannot see <#{channel}>. Invite it to the channel first (`/invite @Safe Contact`).")


def _audit(runtime: Runtime, session: storage.Session, actor: str, action: str, program_id: str, **detail) -> None:
    entry = AuditEntry(at=runtime.now(), actor=actor, action=action, program_id=program_id, detail=detail)
    storage.record_audit(entry, session=session)


# -- /minors-help ----------------------------------------------------------------------------------


async def help_(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    people = [person for _, _, person in standing_ if person is not None]
    commands = commands_for(people)
    blocks = help_blocks(commands, is_admin=any(p.is_admin for p in people))
    return Answer("Safe Contact: what it does and the commands you may use.", blocks)


# -- /minors-status --------------------------------------------------------------------------------


async def status(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    """A channel's compliance, or each program's overview; only for facilitators and administrators."""
    channel = parse_channel_only(asked.text, Command.STATUS)
    allowed = permitted(standing_, Command.STATUS)
    if not allowed:
        return Answer(refusal(Command.STATUS))
    if channel is None:
        with runtime.session() as session:
            blocks = retrying_blocks(*storage.retrying(session=session))
        for program, directory, person in allowed:
            blocks.extend(overview_blocks(overview(runtime, asked.team_id, program, directory, viewer=person)))
        return Answer("Where your programs stand.", blocks[:50])
    known = runtime.cache.conversation(channel)
    if known is None:

        async def looked_up() -> Answer:
            conversation = await _conversation(runtime, asked.team_id, channel)
            return _channel_status(runtime, asked, allowed, channel, conversation)

        return Answer(f":hourglass_flowing_sand: Looking <#{channel}> up in Slack…", then=looked_up)
    return _channel_status(runtime, asked, allowed, channel, known)


def _channel_status(
    runtime: Runtime, asked: Asked, allowed: Standing, channel: str, conversation: Conversation | None
) -> Answer:
    """A known channel's status; during a live session that meets outside Slack, once Slack said who
    is online (`then`). A session in Slack is measured by who is in its huddle, which the app knows."""
    if conversation is None:
        return _cannot_see(channel)
    relevant = [(p, d) for p, d, _ in allowed if d.concerns(conversation)]
    if not relevant:
        return Answer(f"<#{channel}> is not a space of a program you facilitate: Safe Contact does not check it.")

    def status_of(active: dict[str, frozenset[str]]) -> Answer:
        blocks = []
        for program, directory in relevant:
            facts = space(runtime, asked.team_id, program, directory, conversation, active.get(program.id))
            blocks.extend(space_blocks(facts, program))
        return Answer(f"Status of <#{channel}>.", blocks[:50])

    now = runtime.now()
    if not any(
        (live := program.live_session(conversation.id, now)) and live.runs_outside_slack for program, _ in relevant
    ):
        return status_of({})

    async def counted() -> Answer:
        return status_of(await live_presence(runtime, asked.team_id, conversation, relevant))

    return Answer(
        f":hourglass_flowing_sand: <#{channel}> is in a live session: asking Slack who is online…", then=counted
    )


# -- /minors-lockdown and /minors-unlock -----------------------------------------------------------


def _owned_by_asker(standing_: Standing, command: Command, conversation: Conversation):
    """The programs owning the conversation (`bot.tenancy.owners`: the one that declares it a space,
    else every program with a minor in it) and the one of them the asker administers, which acts;
    or a refusal. An administrator of another program, even one with a minor there, does not act on
    a space its owner declares."""
    allowed = permitted(standing_, command)
    if not allowed:
        return None, Answer(refusal(command))
    owned = owners([d for _, d, _ in standing_], conversation)
    acting = administered(owned, {p.id for p, _, _ in allowed})
    if acting is not None:
        return (owned, acting), None
    if owned:
        names = slack_line(", ".join(d.program.name for d in owned))
        return None, Answer(
            f"<#{conversation.id}> is a space of {names}, which you do not administer: ask its administrators."
        )
    return None, Answer(f"<#{conversation.id}> is not a space of a program you administer.")


async def lockdown(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    """Close a session at once: everyone but the program's cleared adults is taken out, and kept out
    until `/minors-unlock`; the channel is told, administrators are alerted, guardians are told.

    A channel the app knows is locked down from what it knows, before any Web API call: recorded,
    with its removals queued, before the answer leaves, so that a slow Slack can never show the
    administrator a timeout for a lockdown that happened. Slack's own member list is read after the
    answer, and anyone the app had not heard of yet is taken out too. A channel it does not know (or
    knows without itself in it) is looked up first, the answer following through the response_url."""
    channel, reason = parse_channel_and_rest(asked.text, Command.LOCKDOWN)
    channel = channel or asked.channel_id
    if not permitted(standing_, Command.LOCKDOWN):
        return Answer(refusal(Command.LOCKDOWN))
    if not channel.startswith(("C", "G")):
        return Answer("Name the channel to lock down: `/minors-lockdown #channel [reason]`.")
    known = runtime.cache.conversation(channel)
    if known is None or runtime.bot_user_id not in known.members:

        async def looked_up() -> Answer:
            conversation = await _conversation(runtime, asked.team_id, channel, fresh=True)
            return _lock(runtime, asked, standing_, channel, reason, conversation, checked=True)

        return Answer(f":hourglass_flowing_sand: Looking <#{channel}> up in Slack to lock it down…", then=looked_up)
    return _lock(runtime, asked, standing_, channel, reason, known, checked=False)


def _lock(
    runtime: Runtime,
    asked: Asked,
    standing_: Standing,
    channel: str,
    reason: str,
    conversation: Conversation | None,
    *,
    checked: bool,
) -> Answer:
    """Lock `conversation` down as its members are known (`checked`: just read from Slack)."""
    if conversation is None:
        return _cannot_see(channel)
    found, refused = _owned_by_asker(standing_, Command.LOCKDOWN, conversation)
    if refused:
        return refused
    owned, directory = found
    program = directory.program
    if conversation.kind in (ConversationKind.IM, ConversationKind.MPIM):
        return Answer(
            f"<#{channel}> is a group DM: Slack lets nobody remove anyone from one. Ask its adults to leave it, "
            "or start a private channel instead."
        )
    if runtime.bot_user_id not in conversation.members:
        # Slack lets an app remove people only from channels it is in: a lockdown it cannot carry out
        # must not be reported as done.
        return _not_a_member(channel)
    others = sorted(conversation.members - {runtime.bot_user_id})
    # Every owner's cleared adults stay: in a shared conversation, the other program's too.
    staying = [u for u in others if stays_for_any(owned, u)]
    removing = [u for u in others if u not in staying]
    now, team = runtime.now(), asked.team_id
    with runtime.session() as session:
        try:
            locked = storage.start_lockdown(
                program.id, channel, team_id=team, actor=asked.user_id, reason=reason, now=now, session=session
            )
        except storage.AlreadyLocked:
            return Answer(f"<#{channel}> is locked down already. `/minors-unlock <#{channel}>` reopens it.")
        storage.note_removed(locked.id, _on_a_roster(owned, removing), session=session)
        _queue_post(channel, closure_notice(program), team=team, session=session, now=now)
        # The alert goes before the removals: what Slack refuses to do is told in its thread.
        alert = lockdown_alert(locked, removing=removing, staying=staying)
        storage.set_lockdown_alert(locked.id, channel=program.alert_channel, text=alert, session=session)
        queue(LockdownAlert(lockdown=locked.id), team_id=team, session=session, now=now)
        for user in removing:
            queue(_kick(channel, user, program, locked), team_id=team, session=session, now=now)
        for owner in owned:
            if owner is not directory:
                _queue_post(owner.program.alert_channel, alert, team=team, session=session, now=now)
            if owner.program.mode.value == "enforce":
                for guardian in _guardians_of(owner, owner.program, conversation.members):
                    text = guardian_lockdown_text(owner.program, channel)
                    _queue_post(guardian, text, team=team, session=session, now=now)
        _audit(
            runtime, session, asked.user_id, "lockdown", program.id, channel=channel, reason=reason, removed=removing
        )
    log.info("lockdown of %s by %s: removing %d", channel, asked.user_id, len(removing))

    async def recheck() -> Answer | None:
        return await _recheck(runtime, team, locked, program, owned, conversation)

    return Answer(
        f":lock: <#{channel}> is locked down. Removing {len(removing)} member(s); "
        f"{len(staying)} program adult(s) stay. The administrators are alerted"
        + (", and the guardians told." if program.mode.value == "enforce" else ".")
        + f" `/minors-unlock <#{channel}>` reopens it.",
        then=None if checked else recheck,
    )


def _not_a_member(channel: str) -> Answer:
    return Answer(
        f"Safe Contact is not a member of <#{channel}>, so it cannot remove anyone. Invite it "
        "(`/invite @Safe Contact`) and lock down again, or remove people by hand."
    )


async def _recheck(
    runtime: Runtime, team: str, locked: Lockdown, program: Program, owned: list[Directory], known: Conversation
) -> Answer | None:
    """After a lockdown's answer: Slack's member list of the channel (one call), against the one the
    lockdown was decided on. Anyone who had just joined (their event not handled yet) is taken out
    too. The lockdown stands whatever Slack answers; the administrator is told what could not be done."""
    channel = locked.channel
    try:
        members = await runtime.api.members(channel)
    except SlackApiError as error:
        if api_error(error) not in ("channel_not_found", "not_in_channel"):
            return _unchecked(channel, error)
        members = known.members - {runtime.bot_user_id}  # it can no longer see the channel: not a member
    except Exception as error:
        return _unchecked(channel, error)
    conversation = replace(known, members=members, members_partial=False)  # Slack's whole list
    with runtime.session() as session:
        storage.save_conversation(conversation, session=session, now=runtime.now())
    runtime.cache.put_conversation(conversation)
    if runtime.bot_user_id not in members:
        with runtime.session() as session:
            _queue_post(program.alert_channel, _cannot_remove(channel), team=team, session=session, now=runtime.now())
        return Answer(
            f":warning: Safe Contact is not a member of <#{channel}> any more, so Slack will not let it remove "
            "anyone. The lockdown stands: remove people by hand, or invite it back (`/invite @Safe Contact`) "
            "and it removes them."
        )
    joined = sorted(members - known.members - {runtime.bot_user_id})
    late = [u for u in joined if not stays_for_any(owned, u)]
    if not late:
        return None
    now = runtime.now()
    with runtime.session() as session:
        storage.note_removed(locked.id, _on_a_roster(owned, late), session=session)
        for user in late:
            queue(_kick(channel, user, program, locked), team_id=team, session=session, now=now)
        also = f"Also removing from <#{channel}>, who had just joined: {', '.join(f'<@{u}>' for u in late)}."
        _queue_post(program.alert_channel, also, team=team, session=session, now=now)
    log.info("lockdown of %s: %d member(s) who had just joined are removed too", channel, len(late))
    return Answer(
        f"Slack's member list of <#{channel}> had {len(late)} more who had just joined "
        f"({', '.join(f'<@{u}>' for u in late)}): removing them too."
    )


def _unchecked(channel: str, error: Exception) -> Answer:
    failure_answer(error, doing="reading a locked-down channel's members")  # logged as it deserves
    return Answer(
        f":warning: <#{channel}> stays locked down, but Slack did not give its member list just now "
        f"({api_error(error)}): anyone who joined in the last moments is removed when Slack reports them."
    )


def _cannot_remove(channel: str) -> str:
    return (
        f":warning: <#{channel}> is locked down, but Safe Contact is not a member of it, so it cannot remove "
        "anyone. Remove people by hand, or invite it back (`/invite @Safe Contact`) and it removes them."
    )


def _kick(channel: str, user: str, program: Program, locked: Lockdown) -> Kick:
    return Kick(channel=channel, user=user, alert_channel=program.alert_channel, lockdown=locked.id)


def _queue_post(channel: str, text: str, *, team: str, session: storage.Session, now: datetime) -> None:
    queue(Post(channel=channel, text=text), team_id=team, session=session, now=now)


def _on_a_roster(directories: list[Directory], users: list[str]) -> list[str]:
    """Those of `users` on the roster of one of the programs: who `/minors-unlock` brings back."""
    return [u for u in users if any(d.person(u) is not None for d in directories)]


def _guardians_of(directory: Directory, program: Program, members) -> list[str]:
    """The accounts of the guardians of the roster minors among `members`."""
    minors = [p for u in members if (p := directory.person(u)) is not None and p.is_minor]
    guardians = [g for g in program.roster if any(g.guards(m) for m in minors)]
    return sorted(set(directory.user_ids(guardians)))


async def unlock(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    channel = parse_channel_only(asked.text, Command.UNLOCK) or asked.channel_id
    allowed = permitted(standing_, Command.UNLOCK)
    if not allowed:
        return Answer(refusal(Command.UNLOCK))
    with runtime.session() as session:
        current = storage.active_lockdown(channel, session=session)
    if current is None or current.program_id not in {p.id for p, _, _ in allowed}:
        return Answer(f"<#{channel}> is not locked down by a program you administer.")
    program, directory = next((p, d) for p, d, _ in allowed if p.id == current.program_id)
    now, team = runtime.now(), asked.team_id
    with runtime.session() as session:
        lifted = storage.lift_lockdown(channel, actor=asked.user_id, now=now, session=session)
        if lifted is None:
            return Answer(f"<#{channel}> is not locked down.")
        # Only people still on a roster come back (the lockdown's program's, or in a shared
        # conversation another owner's): someone removed from it since stays out.
        readmitting = _on_a_roster([d for _, d, _ in standing_], list(lifted.removed))
        for user in readmitting:
            queue(Invitation(channel=channel, user=user, lockdown=lifted.id), team_id=team, session=session, now=now)
        _queue_post(channel, reopening_notice(program), team=team, session=session, now=now)
        _queue_post(
            program.alert_channel, unlock_alert(lifted, readmitting=readmitting), team=team, session=session, now=now
        )
        if program.mode.value == "enforce":
            for guardian in _guardians_of(directory, program, readmitting):
                _queue_post(guardian, guardian_unlock_text(program, channel), team=team, session=session, now=now)
        _audit(runtime, session, asked.user_id, "unlock", program.id, channel=channel, readmitted=readmitting)
    return Answer(f":unlock: <#{channel}> is open again. Bringing back {len(readmitting)} member(s).")


# -- /minors-consent -------------------------------------------------------------------------------


async def consent(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    allowed = permitted(standing_, Command.CONSENT)
    if not allowed:
        return Answer(refusal(Command.CONSENT))
    request = parse_consent(asked.text)
    matches = [(p, minor) for p, d, _ in allowed if (minor := d.person(request.user_id)) is not None and minor.is_minor]
    if not matches:
        return Answer(f"<@{request.user_id}> is not a minor on the roster of a program you administer.")
    now = runtime.now()
    with runtime.session() as session:
        for program, minor in matches:
            record = Consent(program.id, minor.email, request.granted, asked.user_id, now, request.note)
            storage.record_consent(record, session=session)
            _audit(
                runtime,
                session,
                asked.user_id,
                "consent",
                program.id,
                minor=minor.email,
                granted=request.granted,
                note=request.note,
            )
    runtime.cache.invalidate()
    decision = "granted" if request.granted else "revoked"
    note = f" Note: {slack_line(slack_unescape(request.note))}" if request.note else ""
    return Answer(
        f":memo: Recorded: <@{request.user_id}>'s recording release is *{decision}* "
        f"({slack_line(', '.join(p.name for p, _ in matches))}), recorded by <@{asked.user_id}>.{note}"
    )


# -- /minors-session -------------------------------------------------------------------------------


async def schedule_session(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    """Schedule a live session. Times given without an offset are in the asker's time zone, which
    only Slack knows (`users.info`): the session is then scheduled after the answer."""
    allowed = permitted(standing_, Command.SESSION)
    if not allowed:
        return Answer(refusal(Command.SESSION))
    if not time_zone_needed(asked.text):
        return _schedule(runtime, asked, standing_, parse_session(asked.text, zone=UTC, now=runtime.now()))
    # Whatever is wrong with the text whatever the zone is said at once (no moment has ended yet
    # at the beginning of time; the real check follows with the asker's zone).
    parse_session(asked.text, zone=UTC, now=datetime.min.replace(tzinfo=UTC))

    async def zoned() -> Answer:
        zone = await _time_zone(runtime, asked.user_id)
        return _schedule(runtime, asked, standing_, parse_session(asked.text, zone=zone, now=runtime.now()))

    return Answer(":hourglass_flowing_sand: Scheduling the session in your time zone…", then=zoned)


def _schedule(runtime: Runtime, asked: Asked, standing_: Standing, request: SessionRequest) -> Answer:
    """Schedule `request` in its channel, once the app knows the channel (else after the answer)."""
    known = runtime.cache.conversation(request.channel)
    if known is None:

        async def looked_up() -> Answer:
            conversation = await _conversation(runtime, asked.team_id, request.channel)
            return _scheduled(runtime, asked, standing_, request, conversation)

        return Answer(f":hourglass_flowing_sand: Looking <#{request.channel}> up in Slack…", then=looked_up)
    return _scheduled(runtime, asked, standing_, request, known)


def _scheduled(
    runtime: Runtime, asked: Asked, standing_: Standing, request: SessionRequest, conversation: Conversation | None
) -> Answer:
    # A channel the app cannot see is still one some program may name in its file.
    seen = conversation or Conversation(request.channel, ConversationKind.PUBLIC_CHANNEL, team_id=asked.team_id)
    chosen = _session_program(standing_, request.channel, seen)
    if isinstance(chosen, Answer):
        return chosen
    program = chosen
    window = SessionWindow(request.channel, request.start, request.end, request.access_info, scheduled_by=asked.user_id)
    others = [s for s in program.sessions if not (s.channel == window.channel and s.start == window.start)]
    sessions = tuple(sorted([*(s for s in others), window], key=lambda s: (s.start, s.channel)))
    with runtime.session() as session:
        current = storage.get_program(program.id, session=session)
        if current is None:
            return Answer("That program no longer exists.")
        storage.save_program(replace(current, sessions=sessions), session=session, now=runtime.now())
        _audit(
            runtime,
            session,
            asked.user_id,
            "schedule_session",
            program.id,
            channel=request.channel,
            start=request.start.isoformat(),
            end=request.end.isoformat(),
        )
    runtime.cache.invalidate()
    return Answer(session_scheduled_text(window, program))


def _session_program(standing_: Standing, channel: str, conversation: Conversation) -> Program | Answer:
    """The program a session in `channel` is scheduled for: its one owner (`bot.tenancy.owners`),
    which the asker administers; or, for a channel no program owns, the one program the asker
    administers. A session makes the channel its program's space, so a channel shared by several
    programs, or another program's, is refused: it would be taken from its owner."""
    allowed = permitted(standing_, Command.SESSION)
    owned = owners([d for _, d, _ in standing_], conversation)
    if len(owned) > 1:
        names = slack_line(", ".join(d.program.name for d in owned))
        return Answer(
            f"<#{channel}> is shared by {names}: name it as a session channel in one program's file "
            "(`session_channels`) and import it, then schedule the session."
        )
    if owned:
        owner = owned[0].program
        if owner.id not in {p.id for p, _, _ in allowed}:
            return Answer(
                f"<#{channel}> is a space of {slack_line(owner.name)}, which you do not administer: "
                "ask its administrators."
            )
        return owner
    if len(allowed) == 1:
        return allowed[0][0]  # a new session channel of the one program
    return Answer(f"<#{channel}> is not a space of exactly one program you administer.")


async def _time_zone(runtime: Runtime, user_id: str):
    """The asker's time zone from their profile, for times given without an offset; UTC otherwise."""
    try:
        name = (await runtime.api.client.users_info(user=user_id))["user"].get("tz") or "UTC"
        return ZoneInfo(name)
    except (SlackApiError, ZoneInfoNotFoundError, KeyError, ValueError):
        return UTC


# -- /minors-roster --------------------------------------------------------------------------------


async def roster(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    allowed = permitted(standing_, Command.ROSTER)
    if not allowed:
        return Answer(refusal(Command.ROSTER))
    wanted = asked.text.strip().lower()
    chosen = next(((p, d) for p, d, _ in allowed if p.id == wanted), (allowed[0][0], allowed[0][1]))
    program, directory = chosen
    accounts = {p.email: directory.account_id(p) for p in program.roster}
    modal = roster_modal(program, accounts)

    async def opened() -> None:
        # First thing after the answer: the trigger_id opens a modal only within 3 s of the command.
        await runtime.api.client.views_open(trigger_id=asked.trigger_id, view=modal)

    others = [p.id for p, _, _ in allowed if p.id != program.id]
    hint = f" Other programs: {', '.join(others)} (`/minors-roster <id>`)." if others else ""
    return Answer(f"Opening the roster of {slack_line(program.name)}.{hint}", then=opened)


# -- /minors-report --------------------------------------------------------------------------------


async def report(runtime: Runtime, asked: Asked, standing_: Standing) -> Answer:
    """The incident record as a CSV file, sent to the asking administrator in their DM with the app."""
    allowed = permitted(standing_, Command.REPORT)
    if not allowed:
        return Answer(refusal(Command.REPORT))
    now = runtime.now()
    since_date = parse_since(asked.text, today=now.date())
    programs = [p.id for p, _, _ in allowed]
    sending = SendReport(user=asked.user_id, programs=tuple(programs), since=since_date)
    with runtime.session() as session:
        count = sum(len(report_incidents(p, since_date, session=session)) for p in programs)
        queue(sending, team_id=asked.team_id, session=session, now=now)
        since = str(since_date or "")
        _audit(runtime, session, asked.user_id, "export_report", programs[0], programs=programs, since=since)
    runtime.wake.set()
    span = f" since {since_date.isoformat()}" if since_date else ""
    return Answer(
        f":page_facing_up: The incident record ({count} incident(s){span}) is on its way to your messages "
        "with Safe Contact, as a CSV file."
    )
