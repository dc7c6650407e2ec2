"""Sweeps and scheduled checks. A sweep reconciles the stored picture of the workspace with Slack
(`users.list`, `conversations.list` and `conversations.members` pages only) and judges everything it
finds, so that what happened before the app started, or while an event was lost, is caught too.
The scheduled checks escalate unacknowledged incidents, count who is online in live sessions, and
send guardians each session's access information."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import storage
from bot.enforcement import administrators, plan_escalations
from bot.inert import slack_line
from bot.model import Account, Conversation, Directory, EnforcementMode, Program, Situation
from handlers.runtime import Runtime
from handlers.situations import live_presence, program_situation
from handlers.slack.api import BOT_CONVERSATION_TYPES, USER_CONVERSATION_TYPES, SlackApi, api_error
from handlers.slack.budget import in_background
from handlers.slack.parsing import conversation_from_info
from handlers.worker.calls import judge_calls, read_live_roots, record_root
from handlers.worker.enforce import enforce
from handlers.worker.onboarding import welcome
from handlers.worker.queued import Escalation, queue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SweepReport:
    accounts: int
    conversations: int
    findings: int
    actions: int


async def sweep(runtime: Runtime, team_id: str) -> SweepReport:
    """List the workspace, store it, and judge every program space and conversation with a minor.
    Every Web API call of a sweep is background work: commands, alerts and invitations made
    meanwhile go before it in the budget (`handlers.slack.budget`)."""
    with in_background():
        return await _sweep(runtime, team_id)


async def _sweep(runtime: Runtime, team_id: str) -> SweepReport:
    accounts, in_calls = await runtime.api.accounts_and_calls(team_id)
    with runtime.session() as session:
        tokens = storage.user_tokens(team_id, seal=runtime.seal, session=session)
    workspace = list(runtime.cache.workspace(team_id))
    conversations = await visible_conversations(
        runtime.api, team_id, tokens, first=first_concerns(runtime, team_id, workspace)
    )
    accounts += await external_accounts(runtime, team_id, accounts, conversations.values())
    runtime.cache.replace_accounts(team_id, accounts)
    workspace = list(runtime.cache.workspace(team_id))
    presence: dict[str, dict[str, frozenset[str]]] = {}
    for conversation in conversations.values():
        relevant = [(p, d) for p, d in workspace if d.concerns(conversation)]
        if relevant:
            presence[conversation.id] = await live_presence(runtime, team_id, conversation, relevant)
    findings = actions = 0
    with runtime.session() as session:
        now = runtime.now()
        storage.upsert_accounts(accounts, session=session, now=now)
        for conversation in conversations.values():
            storage.save_conversation(conversation, session=session, now=now)
            runtime.cache.put_conversation(conversation)
        for program, directory in workspace:
            for conversation in conversations.values():
                if not directory.concerns(conversation) or conversation.is_archived:
                    continue
                active = presence.get(conversation.id, {}).get(program.id)
                situation = Situation(program, directory, now, conversation=conversation, active_users=active)
                outcome = enforce(situation, session=session, now=now, team_id=team_id)
                findings, actions = findings + outcome.findings, actions + len(outcome.actions)
            # Roster members seen for the first time are welcomed with the program's expectations.
            welcome(program, directory, directory.user_ids(program.roster), team_id=team_id, session=session, now=now)
    await put_calls_right(runtime, team_id, in_calls, workspace)
    # The program-wide rules are judged after guardians were sent what they are owed, so that a
    # guardian about to be informed is not reported as uninformed.
    await send_guardian_notices(runtime, team_id)
    runtime.wake.set()
    report = SweepReport(len(accounts), len(conversations), findings, actions)
    runtime.sizes[team_id] = (len(accounts), len(conversations))
    log.info("sweep of %s: %s", team_id, report)
    return report


async def put_calls_right(
    runtime: Runtime, team_id: str, in_calls: dict[str, str | None], workspace: list[tuple[Program, Directory]]
) -> None:
    """The live picture of calls put right from Slack's own state: the call each profile of
    `users.list` names, and the root of each live call in a program channel (one
    `conversations.history` call each). Every live call is judged again: one whose grace ended
    while the app was down is judged now."""
    with runtime.session() as session:
        changed = storage.put_right(team_id, in_calls, now=runtime.now(), session=session)
        live = storage.live_calls(team_id, session=session)
    in_spaces = [c for c in live if any(p.hosts_call(c, team_id) for p, _ in workspace)]
    roots = await read_live_roots(runtime, in_spaces)
    kinds = {c.id: c.kind for c in live}
    with runtime.session() as session:
        now = runtime.now()
        for root in roots:
            changed |= record_root(team_id, root, kinds.get(root.call_id), session=session, now=now)
        judge_calls(runtime, team_id, changed | {c.id for c in live}, workspace=workspace, session=session, now=now)


async def external_accounts(
    runtime: Runtime, team_id: str, listed: list[Account], conversations: Iterable[Conversation]
) -> list[Account]:
    """Members of the conversations that `users.list` does not list: external (Slack Connect)
    members, read with `users.info`, each once (an account read before is taken from the cache)."""
    known = {a.id for a in listed} | {runtime.bot_user_id}
    cached = runtime.cache.accounts(team_id)
    found: list[Account] = []
    for user_id in sorted({m for c in conversations for m in c.members} - known):
        account = cached.get(user_id)
        if account is None or not account.is_external:
            try:
                account = await runtime.api.account(user_id, team_id=team_id)
            except Exception as error:  # one account that cannot be read must not stop the sweep
                log.warning("sweep: the account %s could not be read: %s", user_id, api_error(error))
                continue
        found.append(account)
    return found


#: How many conversations' members a sweep reads at once: enough to keep the budget's pace when
#: Slack answers slowly, few enough that interactive calls find the budget's queue short.
MEMBER_READERS = 4


def first_concerns(runtime: Runtime, team_id: str, workspace: list[tuple[Program, Directory]]) -> Callable[[dict], int]:
    """The order a sweep reads conversations in (lower first): the channels programs name as their
    spaces, then those a roster minor was in when last stored, then the other program spaces (every
    channel of a program that claims the workspace), then the rest. What matters most is current
    soonest."""
    minors = {a for _, d in workspace for a in d.user_ids(d.program.minors)}
    declared = {c for p, _ in workspace for c in p.declared_channels()}
    with runtime.session() as session:
        with_minors = {c.id for c in storage.conversations_with_member(minors, session=session)} if minors else set()

    def rank(info: dict) -> int:
        if info["id"] in declared:
            return 0
        if info["id"] in with_minors:
            return 1
        listed = conversation_from_info(info, frozenset(), team_id=team_id)
        return 2 if any(p.is_program_space(listed) for p, _ in workspace) else 3

    return rank


def _listed_first(infos: list[dict], first: Callable[[dict], int] | None) -> list[dict]:
    return sorted(infos, key=first) if first is not None else infos


async def visible_conversations(
    api: SlackApi, team_id: str, tokens: dict[str, str], *, first: Callable[[dict], int] | None = None
) -> dict[str, Conversation]:
    """Every channel the bot can list, and every private conversation a connected account (`tokens`,
    by account) is in. Public channels' members are readable without the bot in them; private ones
    only as a member. Members are read `MEMBER_READERS` conversations at a time, in the order `first`
    ranks them (the budget paces them); the answer keeps that order."""
    readable = [
        i for i in await api.conversations(BOT_CONVERSATION_TYPES) if not i.get("is_private") or i.get("is_member")
    ]
    found = await _with_members(api, _listed_first(readable, first), team_id=team_id)
    for user_id, token in sorted(tokens.items()):
        user_api = api.as_user(token)
        try:
            listed = [i for i in await user_api.conversations(USER_CONVERSATION_TYPES) if i["id"] not in found]
            found |= await _with_members(user_api, _listed_first(listed, first), team_id=team_id, owner=user_id)
        except Exception as error:  # one revoked token must not stop the sweep
            log.warning("sweep: the connected account %s could not be read: %s", user_id, api_error(error))
    return found


async def _with_members(api: SlackApi, infos: list[dict], *, team_id: str, owner: str = "") -> dict[str, Conversation]:
    """Each listed conversation with its members, read by `MEMBER_READERS` readers in turn. A read
    that fails stops the others, as it stopped the sweep when one reader read them all."""
    turn = asyncio.Semaphore(MEMBER_READERS)

    async def read(info: dict) -> Conversation:
        async with turn:
            return await api.with_members(info, team_id=team_id, owner=owner)

    try:
        async with asyncio.TaskGroup() as readers:
            reads = [readers.create_task(read(i)) for i in infos]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return {c.id: c for c in (r.result() for r in reads)}


async def scheduled_checks(runtime: Runtime, team_id: str) -> None:
    """What time alone can bring about: escalations, live-session presence and guardian notices."""
    await send_guardian_notices(runtime, team_id)
    await check_live_sessions(runtime, team_id)
    escalate(runtime, team_id)
    runtime.wake.set()


def escalate(runtime: Runtime, team_id: str) -> None:
    """Queue a direct message to every administrator for each serious incident nobody acknowledged."""
    now = runtime.now()
    admins = {program.id: administrators(directory) for program, directory in runtime.cache.workspace(team_id)}
    with runtime.session() as session:
        candidates = [i for i in storage.incidents_to_escalate(now, session=session) if i.program_id in admins]
        for action in plan_escalations(candidates, now=now, admins=admins):
            if storage.mark_escalated(action.incident.id, now=now, session=session):
                for user in action.recipients:
                    queue(Escalation(incident=action.incident.id, user=user), team_id=team_id, session=session, now=now)


async def check_live_sessions(runtime: Runtime, team_id: str, *, force: bool = False) -> None:
    """In each live session window: at its start and every `presence_every` seconds, count the
    program adults online in its channel."""
    now = runtime.now()
    for program, directory in list(runtime.cache.workspace(team_id)):
        for window in program.sessions:
            if not window.is_live(now):
                continue
            key = (program.id, f"{window.channel}:{window.id}")
            last = runtime.presence_checked.get(key)
            if not force and last is not None and time.monotonic() - last < runtime.timing.presence_every:
                continue
            runtime.presence_checked[key] = time.monotonic()
            with runtime.session() as session:
                conversation = storage.get_conversation(window.channel, session=session)
            if conversation is None:
                continue  # the next sweep lists it
            active = (await live_presence(runtime, team_id, conversation, [(program, directory)])).get(program.id)
            with runtime.session() as session:
                situation = Situation(program, directory, runtime.now(), conversation=conversation, active_users=active)
                enforce(situation, session=session, now=runtime.now(), team_id=team_id)


async def send_guardian_notices(runtime: Runtime, team_id: str) -> None:
    """Send every guardian with an account each coming session's access information, once, and
    record it; then judge the program, so that guardians nobody could reach are reported. Each
    notice is claimed before it is posted: the start-up sweep, the scheduled checks and every other
    process may be at it at the same moment, under a slow Slack, and only the claimant sends it."""
    now = runtime.now()
    lease = timedelta(seconds=runtime.timing.claim_lease)
    for program, directory in list(runtime.cache.workspace(team_id)):
        with runtime.session() as session:
            informed = storage.guardians_informed(program.id, session=session)
        # In observe mode the app only alerts administrators: guardians are not written to either.
        enforcing = program.mode is EnforcementMode.ENFORCE
        guardians = [p for p in program.roster if enforcing and any(p.guards(m) for m in program.minors)]
        for window in program.sessions:
            if window.end <= now or window.id is None:
                continue
            for guardian in guardians:
                account = directory.account_id(guardian)
                if account is None or guardian.email in informed.get(window.id, frozenset()):
                    continue
                with runtime.session() as session:
                    claim = storage.claim_guardian_notice(
                        window.id, guardian.email, now=runtime.now(), lease=lease, session=session
                    )
                if claim is None:
                    continue  # sent, or being sent by another
                status, detail = await _send_access_info(runtime, program, window, account, look_first=claim == "again")
                with runtime.session() as session:
                    storage.record_guardian_notice(
                        window.id, guardian.email, status=status, detail=detail, now=runtime.now(), session=session
                    )
        with runtime.session() as session:
            situation = program_situation(
                program, directory, team_id, runtime=runtime, session=session, now=runtime.now()
            )
            enforce(situation, session=session, now=runtime.now(), team_id=team_id)


#: How far back a sender that took over a notice's claim looks for the notice in the guardian's DM.
NOTICE_LOOK_BACK = timedelta(days=1)


async def _send_access_info(runtime: Runtime, program, window, account: str, *, look_first: bool) -> tuple[str, str]:
    """Post the notice, marked with its key (the session and the account). `look_first` when an
    earlier sender's claim ran out: it may have died after Slack accepted the notice."""
    start = int(window.start.timestamp())
    when = f"<!date^{start}^{{date_long_pretty}} at {{time}}|{window.start.isoformat(timespec='minutes')}>"
    text = (
        f"{slack_line(program.name)}: a live session is scheduled in <#{window.channel}> on {when}. As a parent or "
        f"guardian you can join and see what your child sees.\n{window.access_info or 'Ask the program for the link.'}"
    )
    marker = f"guardian-notice:{window.id}:{account}"
    try:
        if look_first:
            dm = await runtime.api.dm_channel(account)
            oldest = (runtime.now() - NOTICE_LOOK_BACK).timestamp()
            if await runtime.api.find_marked(dm, marker, oldest=oldest) is not None:
                return "sent", ""
        await runtime.api.post(account, text, marker=marker)
    except Exception as error:
        return "unreachable", api_error(error)
    return "sent", ""


async def run_periodically(stop: asyncio.Event, every: float, job, *args, name: str, first_delay: float = 0.0) -> None:
    """Run `job(*args)` every `every` seconds until `stop`; a failure is logged and retried next time."""
    delay = first_delay
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except TimeoutError:
            pass
        try:
            await job(*args)
        except Exception as error:
            log.warning("%s failed: %s; trying again in %.0f s", name, api_error(error), every)
            log.debug("failure detail", exc_info=True)
        delay = every
