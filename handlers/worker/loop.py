"""The worker: drains the inbox. Each stored Slack event updates the stored picture of the workspace
and is judged by the rules (`handlers.worker.enforce`); each queued action is carried out against Slack.
Web API calls happen before the item's one short transaction, never while it holds the database."""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import random
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

import storage
from bot.access import stays_in_lockdown
from bot.engine import evaluate
from bot.model import (
    Conversation,
    ConversationKind,
    Directory,
    Lockdown,
    Message,
    Program,
    SharedFile,
    Situation,
)
from bot.rules import MESSAGE_RULES
from handlers.runtime import Runtime
from handlers.slack.api import account_from_user, api_error
from handlers.worker.carry_out import PERMANENT_ERRORS, PermanentFailure, carry_out
from handlers.worker.enforce import ACTION, enforce
from handlers.worker.enforce import queue as enforce_queue
from handlers.worker.home import publish_home
from handlers.worker.onboarding import welcome

log = logging.getLogger(__name__)

#: A transaction to run for a claimed item, in the same commit that marks it done.
Apply = Callable[[storage.Session], None]

#: Message subtypes that carry something a person said; the rest (joins, topic changes, deletions,
#: bot messages) are either handled by their own events or not people's words.
SPOKEN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message", "message_changed"})
EVENT = "event"
BATCH = 100
#: Items the worker holds in memory, handed over by this process's inbox writer, at most: beyond it,
#: events wait in the database like any other, so a flood cannot fill the memory.
HANDOVER_LIMIT = 5000
#: Items claimed from the database in every round, at least, however many were handed over: queued
#: actions (the alerts) never wait behind a flood of events.
CLAIM_AT_LEAST = 20
MAX_ATTEMPTS = 8


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... up to 5 minutes between attempts of a failing item, each with up to a quarter
    more at random, so that items failing together (an outage) do not all come back together."""
    base = min(300, 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * (1 + random.random() / 4))


def dead_local_workers(claimants: list[str]) -> list[str]:
    """Claimants on this host whose process is gone (a crash, a SIGKILL): their work is free at once."""
    host = socket.gethostname()
    dead = []
    for claimant in claimants:
        name, _, pid = claimant.rpartition(":")
        if name != host or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(claimant)
        except PermissionError:
            continue  # alive, another user's
    return dead


class Worker:
    """Claims inbox items and deals with each. Any number of workers may run on one database.

    While its loop runs, the process's inbox writer stores the events it receives as claimed by this
    worker and hands them over (`hand_over`): they are dealt with from memory, with no claim and no
    second reading of the payload. The database still holds them until they are done."""

    def __init__(self, runtime: Runtime, *, name: str | None = None):
        self.runtime = runtime
        self.name = name or worker_name()
        self._running = False
        #: Items handed over, with when (monotonic seconds), oldest first.
        self._handed: collections.deque[tuple[float, storage.InboxItem]] = collections.deque()
        self._arrived = asyncio.Event()
        self._team_workers: dict[str, Worker] = {}
        self._handlers: dict[str, Callable] = {
            "message": self.on_message,
            "member_joined_channel": self.on_join,
            "member_left_channel": self.on_leave,
            "channel_created": self.on_channel_change,
            "channel_rename": self.on_channel_change,
            "channel_unarchive": self.on_channel_change,
            "group_rename": self.on_channel_change,
            "group_unarchive": self.on_channel_change,
            "channel_archive": self.on_archive,
            "group_archive": self.on_archive,
            "channel_deleted": self.on_archive,
            "group_deleted": self.on_archive,
            "team_join": self.on_user,
            "user_change": self.on_user,
            "tokens_revoked": self.on_tokens_revoked,
            "app_uninstalled": self.on_uninstalled,
            "app_home_opened": self.on_home_opened,
        }

    @property
    def handled_events(self) -> frozenset[str]:
        """The event types this worker acts on (the manifest subscribes to exactly these)."""
        return frozenset(self._handlers)

    # -- the loop --------------------------------------------------------------------------------

    def reclaim(self) -> int:
        """Take back the work of this host's processes that died holding claims; how many items."""
        with self.runtime.session() as session:
            dead = dead_local_workers(storage.claimants(session=session))
            released = storage.release_claims(dead, now=self.runtime.now(), session=session)
        if released:
            log.warning("took back %d item(s) claimed by %d process(es) that died", released, len(dead))
        return released

    @property
    def takes_handovers(self) -> bool:
        """Whether the inbox writer may hand events over: the loop runs and has room for them."""
        return self._running and len(self._handed) < HANDOVER_LIMIT

    def hand_over(self, items: list[storage.InboxItem]) -> None:
        """Items stored as claimed by this worker, to deal with from memory."""
        handed_at = time.monotonic()
        self._handed.extend((handed_at, item) for item in items)
        self._arrived.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set. The database is asked for due items at start, whenever something
        was stored there (`runtime.wake`: queued actions, commands, events not handed over), and
        every poll interval (retries coming due, other processes' events); items handed over are
        dealt with as they come, without asking it."""
        self.reclaim()
        wake, loop, poll_every = self.runtime.wake, asyncio.get_running_loop(), self.runtime.timing.poll_every
        self._running = True
        from_database, polled = True, loop.time()
        try:
            while not stop.is_set():
                if from_database:
                    wake.clear()  # whatever is stored from now on sets it again
                    polled = loop.time()
                try:
                    done, more_due = await self._round(BATCH, from_database=from_database)
                except Exception:  # the database went away, say: keep the loop alive and try again
                    log.exception("worker %s: claiming failed", self.name)
                    done, more_due = 0, False
                from_database = more_due or wake.is_set() or loop.time() - polled >= poll_every
                if done:
                    if done < BATCH and not self._handed and not from_database:
                        # A burst is still arriving: let it gather, so that rounds are few and full.
                        await asyncio.sleep(self.runtime.timing.gather)
                    continue
                if not from_database:
                    from_database = await self._wait_for_work(timeout=poll_every - (loop.time() - polled))
        finally:
            self._running = False
            self._give_back_claims()

    def _give_back_claims(self) -> None:
        """On the way out, what this worker claimed or was handed and did not finish goes back to the
        database, due at once, for whichever worker runs next."""
        self._handed.clear()
        try:
            with self.runtime.session() as session:
                storage.release_claims([self.name], now=self.runtime.now(), session=session)
        except Exception as error:  # they are taken back when this process is seen to be gone
            log.warning("worker %s could not give back its claims: %s", self.name, type(error).__name__)

    async def _wait_for_work(self, *, timeout: float) -> bool:
        """Wait until something is stored in the database or handed over, or `timeout` passes;
        whether the database should be asked (it was written to, or it is time to poll)."""
        if self._handed:
            return False
        self._arrived.clear()
        waiters = [asyncio.ensure_future(self.runtime.wake.wait()), asyncio.ensure_future(self._arrived.wait())]
        done, pending = await asyncio.wait(waiters, timeout=max(0.0, timeout), return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()
        return self.runtime.wake.is_set() or not done

    async def run_once(self, limit: int = BATCH) -> int:
        """Deal with up to `limit` items, asking the database for due ones; how many."""
        done, _ = await self._round(limit, from_database=True)
        return done

    async def _round(self, limit: int, *, from_database: bool) -> tuple[int, bool]:
        """Deal with up to `limit` items: due ones claimed from the database first when asked to
        (queued actions, retries, other processes' events), then those handed over. Returns how many,
        and whether the database may hold more due items (the claim was full)."""
        from_memory = max(0, min(len(self._handed), limit - (CLAIM_AT_LEAST if from_database else 0)))
        items: list[storage.InboxItem] = []
        if from_database:
            with self.runtime.connection() as session:
                items = storage.claim_events(self.name, limit - from_memory, now=self.runtime.now(), session=session)
        more_due = from_database and len(items) == limit - from_memory
        taken = [self._handed.popleft() for _ in range(from_memory)]
        try:
            items += self._still_mine(taken)
        except Exception:  # the database went away: they wait in memory for the next round
            self._handed.extendleft(reversed(taken))
            raise
        nothing_to_write: list[int] = []
        try:
            for item in items:
                await self.process(item, settled=nothing_to_write)
        finally:
            if nothing_to_write:  # one transaction for every item that changed nothing (benign messages)
                with self.runtime.connection() as session:
                    storage.forget_events(nothing_to_write, session=session)
        return len(items), more_due

    def _still_mine(self, handed: list[tuple[float, storage.InboxItem]]) -> list[storage.InboxItem]:
        """The handed-over items to deal with. One held longer than `Timing.recheck_handed` (a long
        backlog) is dealt with only if its claim is still this worker's, renewed; past the lease
        another worker may have taken it as a dead one's, and it must not be done twice."""
        limit = time.monotonic() - self.runtime.timing.recheck_handed
        old = [item.id for handed_at, item in handed if handed_at < limit]
        renewed: set[int] = set()
        if old:
            with self.runtime.connection() as session:
                renewed = storage.renew_claims(self.name, old, now=self.runtime.now(), session=session)
        return [item for handed_at, item in handed if handed_at >= limit or item.id in renewed]

    async def drain(self, *, rounds: int = 200) -> None:
        """Deal with every due item, including the actions that dealing with them queued."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def process(self, item: storage.InboxItem, *, settled: list[int] | None = None) -> None:
        """Deal with one item. One that changes nothing is added to `settled` (forgotten with others
        in one transaction) when given; otherwise it is completed in its own."""
        try:
            apply = await self._dispatch(item)
            if apply is None and settled is not None:
                settled.append(item.id)
                return
            with self.runtime.session() as session:
                if apply is not None:
                    apply(session)
                storage.complete_event(item.id, now=self.runtime.now(), session=session)
            if apply is not None:
                self.runtime.wake.set()  # it may have queued actions: the next round asks the database
        except PermanentFailure as failure:
            log.warning("inbox item %s (%s) failed for good: %s", item.id, item.kind, failure)
            self._fail(item, str(failure), final=True)
        except Exception as error:
            if is_permanent(error):
                log.warning("inbox item %s (%s) cannot be dealt with: %s", item.id, item.kind, api_error(error))
                self._fail(item, api_error(error), final=True)
                return
            log.warning("inbox item %s (%s) failed, will retry: %s", item.id, item.kind, api_error(error))
            log.debug("failure detail", exc_info=True)
            self._fail(item, api_error(error), final=False)

    def _fail(self, item: storage.InboxItem, error: str, *, final: bool) -> None:
        with self.runtime.session() as session:
            storage.fail_event(
                item.id,
                error,
                now=self.runtime.now(),
                session=session,
                max_attempts=item.attempts if final else MAX_ATTEMPTS,
                retry_after=backoff(item.attempts),
            )

    def for_team(self, team_id: str) -> Worker:
        """The worker that acts in `team_id` with that workspace's bot (this one for its own)."""
        runtime = self.runtime.for_team(team_id)
        if runtime is self.runtime:
            return self
        worker = self._team_workers.get(team_id)
        if worker is None or worker.runtime is not runtime:
            worker = self._team_workers[team_id] = Worker(runtime, name=self.name)
        return worker

    async def _dispatch(self, item: storage.InboxItem) -> Apply | None:
        if item.kind == ACTION:
            team_id = item.team_id or self.runtime.team_id
            runtime = self.runtime.for_team(team_id)
            return await carry_out(runtime, team_id, dict(item.payload), attempt=item.attempts)
        if item.kind == EVENT:
            envelope = dict(item.payload)
            event = envelope.get("event") or {}
            team_id = envelope.get("team_id") or event.get("team") or item.team_id or self.runtime.team_id
            handler = self.for_team(team_id)._handlers.get(event.get("type", ""))
            return None if handler is None else await handler(team_id, event, envelope)
        log.warning("inbox item %s has unknown kind %r; dropped", item.id, item.kind)
        return None

    # -- events ----------------------------------------------------------------------------------

    async def on_message(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """A person said something: judge the message, and the conversation if it is new to us."""
        message = spoken_message(event, bot_user_id=self.runtime.bot_user_id)
        if message is None:
            return None
        conversation = self._stored(message.channel)
        discovered = conversation is None or message.user not in conversation.members
        if conversation is None:
            conversation = await self._discover(team_id, event, envelope, message)
            if conversation is None:
                return None
        elif message.user not in conversation.members:
            conversation = replace(conversation, members=conversation.members | {message.user})
        relevant = self._relevant(team_id, conversation)
        if not discovered and not any(self._message_findings(p, d, conversation, message) for p, d in relevant):
            return None  # the common case: a benign message in a known conversation; nothing to store
        presence = await self._presence(team_id, conversation) if discovered else {}

        def apply(session: storage.Session) -> None:
            if discovered:
                self._save(conversation, session)
            for program, directory in relevant:
                now = self.runtime.now()
                if discovered:
                    situation = Situation(
                        program, directory, now, conversation=conversation, active_users=presence.get(program.id)
                    )
                    enforce(situation, session=session, now=now, team_id=team_id)
                situation = Situation(program, directory, now, conversation=conversation, message=message)
                enforce(situation, session=session, now=now, team_id=team_id)

        return apply

    async def on_join(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """Someone joined: a locked-down channel takes them straight out again; otherwise the channel
        is judged with them in it, and a roster member new to a program space is welcomed."""
        channel, user = event.get("channel", ""), event.get("user", "")
        with self.runtime.session() as session:
            locked = storage.active_lockdown(channel, session=session)
        if locked is not None and user != self.runtime.bot_user_id:
            return self._keep_out(team_id, locked, user)
        stored = self._stored(channel)
        if stored is None or user == self.runtime.bot_user_id:
            conversation = await self._fetch(team_id, channel, envelope)
        else:
            conversation = replace(stored, members=stored.members | {user})
        if conversation is None:
            return None
        judge = await self._judge_conversation(team_id, conversation)
        spaces = [(p, d) for p, d in self._relevant(team_id, conversation) if p.is_program_space(conversation)]

        def apply(session: storage.Session) -> None:
            judge(session)
            for program, directory in spaces:
                welcome(program, directory, [user], team_id=team_id, session=session, now=self.runtime.now())

        return apply

    def _keep_out(self, team_id: str, locked: Lockdown, user: str) -> Apply | None:
        """While a channel is locked down, only the program's cleared adults may be in it."""
        found = [(p, d) for p, d in self.runtime.cache.workspace(team_id) if p.id == locked.program_id]
        if not found or stays_in_lockdown(found[0][1].person(user)):
            return None
        program, directory = found[0]
        op = {"op": "kick", "channel": locked.channel, "user": user, "alert_channel": program.alert_channel}

        def apply(session: storage.Session) -> None:
            if directory.person(user) is not None:
                storage.note_removed(locked.id, [user], session=session)
            enforce_queue(op, team_id=team_id, session=session, now=self.runtime.now())

        log.info("%s joined the locked-down %s: removing them", user, locked.channel)
        return apply

    async def on_leave(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        channel, user = event.get("channel", ""), event.get("user", "")
        stored = self._stored(channel)
        if stored is None:
            return None  # never seen: nothing to update; the next sweep lists it
        if user == self.runtime.bot_user_id:
            return None  # the app left: its picture of the channel stops here, as do its events
        return await self._judge_conversation(team_id, replace(stored, members=stored.members - {user}))

    async def on_channel_change(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        channel = event.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else channel
        if not channel_id:
            return None
        conversation = await self._fetch(team_id, channel_id, envelope)
        return await self._judge_conversation(team_id, conversation) if conversation else None

    async def on_archive(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """An archived or deleted channel: nobody can talk in it any more, so its open incidents about
        the space itself are settled (the compliance record keeps them)."""
        channel_id = event.get("channel", "")
        stored = self._stored(channel_id)

        def apply(session: storage.Session) -> None:
            if stored is not None:
                self._save(replace(stored, is_archived=True), session)
            for program, _ in self.runtime.cache.workspace(team_id):
                for incident in storage.open_incidents(program.id, scope=channel_id, session=session):
                    storage.resolve_incident(
                        incident.id,
                        actor=None,
                        now=self.runtime.now(),
                        detail="The channel was archived.",
                        session=session,
                    )

        return apply

    async def on_user(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """A new account or a changed one (an email change can make an admin account unverified):
        refresh the directory and re-check the program-wide rules."""
        user = event.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
            return None
        account = account_from_user(user, team_id)
        self.runtime.cache.put_account(team_id, account)
        programs = list(self.runtime.cache.workspace(team_id))
        newcomer = event.get("type") == "team_join"

        def apply(session: storage.Session) -> None:
            storage.upsert_accounts([account], session=session, now=self.runtime.now())
            for program, directory in programs:
                now = self.runtime.now()
                if newcomer:
                    welcome(program, directory, [account.id], team_id=team_id, session=session, now=now)
                situation = program_situation(
                    program, directory, team_id, runtime=self.runtime, session=session, now=now
                )
                enforce(situation, session=session, now=now, team_id=team_id)

        return apply

    async def on_tokens_revoked(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        revoked = (event.get("tokens") or {}).get("oauth") or []
        log.info("%d user token(s) revoked in %s", len(revoked), team_id)
        return lambda session: storage.forget_user_tokens(team_id, list(revoked), session=session)

    async def on_uninstalled(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """The workspace removed the app: every token it had there is void, its bot's included."""
        log.warning("Safe Contact was uninstalled from %s: monitoring there has stopped", team_id)
        self.runtime.forget_team(team_id)

        def apply(session: storage.Session) -> None:
            storage.forget_workspace_tokens(team_id, session=session)
            storage.forget_installation(team_id, session=session)

        return apply

    async def on_home_opened(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """Someone opened the app's Home tab: show them what they may see."""
        if event.get("tab", "home") != "home" or not event.get("user"):
            return None
        await publish_home(self.runtime, team_id, event["user"])
        return None

    # -- what the events need ----------------------------------------------------------------

    def _message_findings(self, program: Program, directory: Directory, conversation: Conversation, message) -> bool:
        """Whether the message breaks a rule (judged in memory, before any transaction is opened)."""
        situation = Situation(program, directory, self.runtime.now(), conversation=conversation, message=message)
        return bool(evaluate(MESSAGE_RULES, situation))

    def _stored(self, channel_id: str) -> Conversation | None:
        return self.runtime.cache.conversation(channel_id)

    def _save(self, conversation: Conversation, session: storage.Session) -> None:
        storage.save_conversation(conversation, session=session, now=self.runtime.now())
        self.runtime.cache.put_conversation(conversation)

    def _relevant(self, team_id: str, conversation: Conversation) -> list:
        """The programs for which the conversation matters: it holds one of their minors, or it is
        one of their spaces. Other conversations are none of the app's business."""
        relevant = []
        for program, directory in self.runtime.cache.workspace(team_id):
            if directory.concerns(conversation):
                relevant.append((program, directory))
        return relevant

    async def _judge_conversation(self, team_id: str, conversation: Conversation) -> Apply:
        presence = await self._presence(team_id, conversation)
        relevant = self._relevant(team_id, conversation)

        def apply(session: storage.Session) -> None:
            self._save(conversation, session)
            for program, directory in relevant:
                now = self.runtime.now()
                active = presence.get(program.id)
                situation = Situation(program, directory, now, conversation=conversation, active_users=active)
                enforce(situation, session=session, now=now, team_id=team_id)

        return apply

    async def _presence(self, team_id: str, conversation: Conversation) -> dict[str, frozenset[str]]:
        """During a live session window, who of the channel's program adults is online, by program."""
        return await live_presence(self.runtime, team_id, conversation, self._relevant(team_id, conversation))

    async def _discover(self, team_id: str, event: dict, envelope: dict, message: Message) -> Conversation | None:
        """A conversation seen for the first time through a message. A 1:1 DM's pair is the sender and
        the account that observed it; otherwise the observer's own token asks Slack (the bot token is
        never used to read a DM it is not in)."""
        observer = observing_user(envelope)
        if event.get("channel_type") == "im" and observer and observer != message.user:
            return Conversation(
                id=message.channel,
                kind=ConversationKind.IM,
                members=frozenset({message.user, observer}),
                team_id=team_id,
            )
        return await self._fetch(team_id, message.channel, envelope)

    async def _fetch(self, team_id: str, channel_id: str, envelope: dict) -> Conversation | None:
        """The conversation and its members, through the token that received the event."""
        observer = observing_user(envelope)
        api = self.runtime.api
        if observer and observer != self.runtime.bot_user_id and not _observed_by_bot(envelope):
            api = self.runtime.user_api(team_id, observer)
            if api is None:
                log.info("conversation %s seen by %s, whose token is gone; skipped", channel_id, observer)
                return None
        info = (await api.client.conversations_info(channel=channel_id))["channel"]
        return await api.with_members(info, team_id=team_id, owner=observer or "")


def is_permanent(error: Exception) -> bool:
    """Errors no retry will cure: Slack saying the thing does not exist or may not be done, and
    payloads missing what they must hold. Outages, rate limits and database hiccups are retried."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "") in PERMANENT_ERRORS
    return isinstance(error, (ValueError, KeyError, TypeError, AttributeError))


def observing_user(envelope: dict) -> str | None:
    """The account through which the app saw the event (`authorizations[0].user_id`)."""
    authorizations = envelope.get("authorizations") or []
    return authorizations[0].get("user_id") if authorizations else None


def _observed_by_bot(envelope: dict) -> bool:
    authorizations = envelope.get("authorizations") or []
    return bool(authorizations) and bool(authorizations[0].get("is_bot"))


def spoken_message(event: dict, *, bot_user_id: str) -> Message | None:
    """The message a person said, or None for the app's own posts, bots and housekeeping subtypes."""
    subtype = event.get("subtype")
    if subtype not in SPOKEN_SUBTYPES:
        return None
    body = event.get("message") if subtype == "message_changed" else event
    if not isinstance(body, dict) or body.get("bot_id") or body.get("subtype") == "bot_message":
        return None
    user = body.get("user")
    channel = event.get("channel")
    if not user or not channel or user == bot_user_id:
        return None
    files = tuple(
        SharedFile(
            id=f.get("id", ""), name=f.get("name", ""), mimetype=f.get("mimetype", ""), filetype=f.get("filetype", "")
        )
        for f in body.get("files") or []
        if isinstance(f, dict)
    )
    return Message(
        channel=channel,
        user=user,
        ts=body.get("ts") or event.get("ts") or "",
        text=body.get("text") or "",
        files=files,
        thread_ts=body.get("thread_ts"),
    )


async def live_presence(
    runtime: Runtime, team_id: str, conversation: Conversation, relevant: list
) -> dict[str, frozenset[str]]:
    """For each program whose live session window is open in `conversation`, which of its program
    adults there are online (`users.getPresence`, one call per adult: a handful per session)."""
    now = runtime.now()
    active: dict[str, frozenset[str]] = {}
    for program, directory in relevant:
        if program.live_session(conversation.id, now) is None:
            continue
        adults = [u for u in conversation.members if (p := directory.person(u)) is not None and p.is_program_adult]
        online = [u for u in adults if await runtime.api.is_active(u)]
        active[program.id] = frozenset(online)
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
