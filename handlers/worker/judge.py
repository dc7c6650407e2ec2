"""Judging stored Slack events: the table of the event types the app acts on and one handler for
each. A handler updates the stored picture of the workspace and runs the rules over what changed
(`handlers.worker.enforce`); its Web API calls happen before the item's one short transaction, which
it returns as an `Apply`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

import storage
from bot.access import stays_in_lockdown
from bot.engine import evaluate
from bot.model import Conversation, ConversationKind, Directory, Lockdown, Message, Program, Situation
from bot.rules import MESSAGE_RULES
from handlers.runtime import Runtime
from handlers.situations import live_presence, program_situation
from handlers.slack.parsing import account_from_user, observed_by_bot, observing_user, spoken_message
from handlers.worker.enforce import enforce
from handlers.worker.home import publish_home
from handlers.worker.onboarding import welcome
from handlers.worker.queued import Kick, queue

log = logging.getLogger(__name__)

#: A transaction to run for a claimed item, in the same commit that marks it done.
Apply = Callable[[storage.Session], None]


class Judge:
    """Judges one stored event at a time, in the workspace that received it, with that workspace's
    bot. Events of a type the app does not act on change nothing."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self._team_judges: dict[str, Judge] = {}

    async def __call__(self, item: storage.InboxItem) -> Apply | None:
        envelope = dict(item.payload)
        event = envelope.get("event") or {}
        team_id = envelope.get("team_id") or event.get("team") or item.team_id or self.runtime.team_id
        handler = EVENT_HANDLERS.get(event.get("type", ""))
        return None if handler is None else await handler(self.for_team(team_id), team_id, event, envelope)

    def for_team(self, team_id: str) -> Judge:
        """The judge that acts in `team_id` with that workspace's bot (this one for its own)."""
        runtime = self.runtime.for_team(team_id)
        if runtime is self.runtime:
            return self
        judge = self._team_judges.get(team_id)
        if judge is None or judge.runtime is not runtime:
            judge = self._team_judges[team_id] = Judge(runtime)
        return judge

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
        kick = Kick(channel=locked.channel, user=user, alert_channel=program.alert_channel)

        def apply(session: storage.Session) -> None:
            if directory.person(user) is not None:
                storage.note_removed(locked.id, [user], session=session)
            queue(kick, team_id=team_id, session=session, now=self.runtime.now())

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

        def apply(session: storage.Session) -> None:
            storage.forget_user_tokens(team_id, list(revoked), session=session)

        return apply

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
        if observer and observer != self.runtime.bot_user_id and not observed_by_bot(envelope):
            user_api = self.runtime.user_api(team_id, observer)
            if user_api is None:
                log.info("conversation %s seen by %s, whose token is gone; skipped", channel_id, observer)
                return None
            api = user_api
        info = (await api.client.conversations_info(channel=channel_id))["channel"]
        return await api.with_members(info, team_id=team_id, owner=observer or "")


#: The event types the app acts on, each with its handler (the manifest subscribes to exactly these).
EVENT_HANDLERS: dict[str, Callable[[Judge, str, dict, dict], Awaitable[Apply | None]]] = {
    "message": Judge.on_message,
    "member_joined_channel": Judge.on_join,
    "member_left_channel": Judge.on_leave,
    "channel_created": Judge.on_channel_change,
    "channel_rename": Judge.on_channel_change,
    "channel_unarchive": Judge.on_channel_change,
    "group_rename": Judge.on_channel_change,
    "group_unarchive": Judge.on_channel_change,
    "channel_archive": Judge.on_archive,
    "group_archive": Judge.on_archive,
    "channel_deleted": Judge.on_archive,
    "group_deleted": Judge.on_archive,
    "team_join": Judge.on_user,
    "user_change": Judge.on_user,
    "tokens_revoked": Judge.on_tokens_revoked,
    "app_uninstalled": Judge.on_uninstalled,
    "app_home_opened": Judge.on_home_opened,
}
HANDLED_EVENTS = frozenset(EVENT_HANDLERS)
