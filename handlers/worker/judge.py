"""Judging stored Slack events: the table of the event types the app acts on and one handler for
each. A handler updates the stored picture of the workspace and runs the rules over what changed
(`handlers.worker.enforce`); its Web API calls happen before the item's one short transaction, which
it returns as an `Apply`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace

from slack_sdk.errors import SlackApiError

import storage
from bot.engine import evaluate
from bot.inert import slack_line
from bot.model import (
    SLACKBOT_ID,
    Account,
    Conversation,
    ConversationKind,
    Directory,
    Lockdown,
    Message,
    Program,
    SharedFile,
    Situation,
)
from bot.rules import MESSAGE_RULES, rule_by_symbol
from bot.tenancy import owners, stays_for_any
from handlers.runtime import Runtime
from handlers.situations import live_presence, program_situation
from handlers.slack.api import SlackApi, api_error, cannot_see
from handlers.slack.parsing import (
    CONVERSIONS,
    account_from_user,
    deleted_message,
    event_conversation_kind,
    huddle_root,
    huddle_state,
    observing_user,
    people_members,
    receiver,
    shared_file,
    spoken_message,
)
from handlers.worker.access_leaks import access_leaks
from handlers.worker.calls import Change, judge_calls, root_change, root_kind
from handlers.worker.enforce import enforce
from handlers.worker.home import publish_home
from handlers.worker.onboarding import welcome
from handlers.worker.queued import Kick, Post, ThreadUpdate, queue

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
        handler = EVENT_HANDLERS.get(event.get("type", ""))
        if event.get("type") == "message":
            handler = MESSAGE_SUBTYPE_HANDLERS.get(event.get("subtype") or "", handler)
        if handler is None:
            return None
        # The workspace is the installation that received the event (`authorizations[0].team_id`):
        # a Slack Connect event's outer `team_id` is the host organisation's, kept for attribution.
        received = receiver(envelope)
        team_id = received.team_id or item.team_id or self.runtime.team_id
        if not received.authorized:
            level = logging.INFO if event.get("type") in TOKENLESS_EVENTS else logging.WARNING
            log.log(level, "event %s has no authorizations: judged in %s, its outer team", item.event_id, team_id)
        return await handler(self.for_team(team_id), team_id, event, envelope)

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
        if event.get("subtype") == "message_changed" and huddle_root(event) is not None:
            return await self.on_huddle_root(team_id, event, envelope)  # Slackbot keeps editing a root
        message = spoken_message(event, bot_user_id=self.runtime.bot_user_id)
        if message is None:
            return None
        if any(not f.described for f in message.files):
            message = await self._describe_files(team_id, envelope, message)
        conversation = self._stored(message.channel)
        discovered = conversation is None or message.user not in conversation.members
        if conversation is None:
            conversation = await self._discover(team_id, event, envelope, message)
            if conversation is None:
                return None
        elif message.user not in conversation.members:
            conversation = replace(conversation, members=conversation.members | {message.user})
        read = await self._read_accounts(team_id, conversation, envelope) if discovered else []
        relevant = self._relevant(team_id, conversation)
        relevant += access_leaks(self.runtime, team_id, message, relevant)
        if not discovered and not any(self._message_findings(p, d, conversation, message) for p, d in relevant):
            return None  # the common case: a benign message in a known conversation; nothing to store
        presence = await self._presence(team_id, conversation) if discovered else {}

        def apply(session: storage.Session) -> None:
            if read:
                storage.upsert_accounts(read, session=session, now=self.runtime.now())
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
        if user == SLACKBOT_ID:
            return None  # Slackbot is never a member, whatever an event says
        with self.runtime.session() as session:
            locked = storage.active_lockdown(channel, session=session)
        if locked is not None and user != self.runtime.bot_user_id:
            return self._keep_out(team_id, locked, user)
        if locked is not None:
            return await self._back_in_lockdown(team_id, locked, event, envelope)
        stored = self._stored(channel)
        if stored is None or user == self.runtime.bot_user_id:
            conversation = await self._fetch(team_id, channel, envelope, event=event, proven=(user,))
        else:
            conversation = replace(stored, members=stored.members | {user})
        if conversation is None:
            return None
        judge = await self._judge_conversation(team_id, conversation, envelope)
        spaces = [(p, d) for p, d in self._relevant(team_id, conversation) if p.is_program_space(conversation)]

        def apply(session: storage.Session) -> None:
            judge(session)
            for program, directory in spaces:
                welcome(program, directory, [user], team_id=team_id, session=session, now=self.runtime.now())

        return apply

    def _keep_out(self, team_id: str, locked: Lockdown, user: str) -> Apply | None:
        """While a channel is locked down, only the cleared adults of the program that locked it
        down, and of any other program owning the conversation with it (`bot.tenancy.owners`), may
        be in it."""
        workspace = list(self.runtime.cache.workspace(team_id))
        found = [(p, d) for p, d in workspace if p.id == locked.program_id]
        if not found:
            return None
        program, directory = found[0]
        keepers = [directory, *self._co_owners(workspace, locked)]
        if stays_for_any(keepers, user):
            return None
        kick = Kick(channel=locked.channel, user=user, alert_channel=program.alert_channel, lockdown=locked.id)

        def apply(session: storage.Session) -> None:
            if any(d.person(user) is not None for d in keepers):
                storage.note_removed(locked.id, [user], session=session)
            queue(kick, team_id=team_id, session=session, now=self.runtime.now())

        log.info("%s joined the locked-down %s: removing them", user, locked.channel)
        return apply

    def _co_owners(self, workspace: list[tuple[Program, Directory]], locked: Lockdown) -> list[Directory]:
        """The programs owning a locked-down conversation as it was: its members now and those the
        lockdown removed (whose minors made it a shared conversation)."""
        stored = self._stored(locked.channel)
        if stored is None:
            return []
        before = replace(stored, members=stored.members | frozenset(locked.removed))
        return owners([d for _, d in workspace], before)

    async def _back_in_lockdown(self, team_id: str, locked: Lockdown, event: dict, envelope: dict) -> Apply | None:
        """The app is back in a channel locked down while it was out of it (it could remove nobody
        then): everyone but the program's cleared adults is taken out now."""
        conversation = await self._fetch(team_id, locked.channel, envelope, event=event)
        if conversation is None:
            return None
        others = sorted(conversation.members - {self.runtime.bot_user_id})
        removals = [removal for user in others if (removal := self._keep_out(team_id, locked, user)) is not None]

        def apply(session: storage.Session) -> None:
            self._save(conversation, session)
            for removal in removals:
                removal(session)

        return apply

    async def on_leave(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        channel, user = event.get("channel", ""), event.get("user", "")
        stored = self._stored(channel)
        if stored is None:
            return None  # never seen: nothing to update; the next sweep lists it
        if user == self.runtime.bot_user_id:
            # The app left: its picture of the channel stops here, as do its events; only that it is
            # out is recorded (a lockdown there could remove nobody).
            gone = replace(stored, members=stored.members - {user})
            return lambda session: self._save(gone, session)
        return await self._judge_conversation(team_id, replace(stored, members=stored.members - {user}), envelope)

    async def on_channel_change(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        channel = event.get("channel")
        channel_id = channel.get("id") if isinstance(channel, dict) else channel
        if not channel_id:
            return None
        conversation = await self._fetch(team_id, channel_id, envelope, event=event)
        return await self._judge_conversation(team_id, conversation, envelope) if conversation else None

    async def on_conversion(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """A channel made private (or public): Slack says so only with a message in it. The channel is
        judged as what it now is at once, so the private-space rules (a DLC admin, the guardians)
        apply from this moment, not from the next sweep."""
        channel, kind = event.get("channel"), CONVERSIONS[event["subtype"]]
        if not isinstance(channel, str) or not channel:
            return None
        converter = event.get("user")
        proven = (converter,) if isinstance(converter, str) and converter else ()
        conversation = await self._fetch(team_id, channel, envelope, event=event, proven=proven)
        if conversation is None:
            return None
        log.info("%s is now a %s", channel, kind.value.replace("_", " "))
        return await self._judge_conversation(team_id, replace(conversation, kind=kind), envelope)

    async def on_message_deleted(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """A message was deleted: nobody said anything new. An open incident the message was evidence of
        keeps its evidence, and its alert's thread is told (the alert's link now leads nowhere, and a
        deleted recording or phone number may be the remedy an administrator was waiting for)."""
        message = deleted_message(event, bot_user_id=self.runtime.bot_user_id)
        conversation = self._stored(message.channel) if message is not None else None
        if message is None or conversation is None:
            return None
        # What the deleted words were a finding of, judged in memory: (program, rule, subject) -> scope.
        about: dict[tuple[str, str, str], str] = {}
        relevant = self._relevant(team_id, conversation)
        for program, directory in relevant + access_leaks(self.runtime, team_id, message, relevant):
            situation = Situation(program, directory, self.runtime.now(), conversation=conversation, message=message)
            for finding in evaluate(MESSAGE_RULES, situation):
                if not finding.undecided:
                    about[program.id, finding.rule, finding.subject] = finding.scope
        if not about:
            return None  # the common case: an ordinary message deleted; nothing to do

        def apply(session: storage.Session) -> None:
            now = self.runtime.now()
            for program_id, scope in {(program_id, scope) for (program_id, _, _), scope in about.items()}:
                for incident in storage.open_incidents(program_id, scope=scope, session=session):
                    if (program_id, incident.rule, incident.subject) not in about:
                        continue
                    storage.add_incident_event(
                        incident.id, kind="message-deleted", detail=MESSAGE_DELETED, now=now, session=session
                    )
                    if rule_by_symbol(incident.rule).alerts:
                        update = ThreadUpdate(incident=incident.id, text=MESSAGE_DELETED)
                        queue(update, team_id=team_id, session=session, now=now)

        return apply

    async def on_channel_id_changed(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """A private channel shared with Slack Connect has a new id for good. The stored conversation,
        its open incidents and its lockdown move to it, and programs naming the old id are read with
        the new one; each program whose file names the old id is told to update it."""
        old, new = event.get("old_channel_id"), event.get("new_channel_id")
        if not isinstance(old, str) or not isinstance(new, str) or not old or not new or old == new:
            return None
        named = [(p, storage.replaced_ids(p, {old: new})) for p in self.runtime.cache.programs(team_id)]
        stale = [(storage.with_current_ids(p, {old: new}), where) for p, where in named if where]

        def apply(session: storage.Session) -> None:
            now = self.runtime.now()
            moved = storage.move_channel(old, new, team_id=team_id, now=now, session=session)
            self.runtime.cache.forget_conversation(old)
            self.runtime.cache.invalidate()
            log.info(
                "channel %s is now %s: moved %d open incident(s), %d lockdown(s)%s",
                old,
                new,
                moved.incidents,
                moved.lockdowns,
                ", and the conversation" if moved.conversation else "",
            )
            for program, where in stale:
                settings = ", ".join(sorted({setting for setting, _ in where}))
                log.warning(
                    "the program file of %s names channel %s in %s; Slack replaced it with %s",
                    program.id,
                    old,
                    settings,
                    new,
                )
                notice = Post(channel=program.alert_channel, text=stale_id_notice(program, old, new, settings))
                queue(notice, team_id=team_id, session=session, now=now)

        return apply

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
        account = account_from_user(user, team_id, enterprise_id=receiver(envelope).enterprise_id)
        newcomer = event.get("type") == "team_join"
        if not newcomer and self.runtime.cache.accounts(team_id).get(account.id) == account:
            # Nothing the rules read changed: Slack sends `user_change` with every huddle join and
            # leave (and status changes), which must not re-judge every program each time.
            return None
        self.runtime.cache.put_account(team_id, account)
        programs = list(self.runtime.cache.workspace(team_id))

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

    async def on_huddle_changed(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """Someone joined or left a huddle, wherever it is (`user_huddle_changed`: their profile names
        the call while they are in one, and nothing once they leave): store it and judge the call."""
        user = event.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
            log.warning("a user_huddle_changed without a usable user was skipped")
            self.runtime.undecided["huddle"] += 1
            return None
        account = account_from_user(user, team_id, enterprise_id=receiver(envelope).enterprise_id)
        if account.is_bot:
            return None  # a bot in a huddle is nobody: it never counts in a call
        if self.runtime.cache.accounts(team_id).get(account.id) != account:
            self.runtime.cache.put_account(team_id, account)
        call_id = huddle_state(user)
        runtime = self.runtime
        workspace = list(runtime.cache.workspace(team_id))

        def apply(session: storage.Session) -> None:
            # The grace runs from when the app learned of the change (Slack's clock is not this one).
            now = runtime.now()
            if call_id is not None:
                changed = storage.join_call(team_id, account.id, call_id, now=now, session=session)
            else:
                left = storage.leave_call(team_id, account.id, now=now, session=session)
                changed = {left} if left else set()
            if changed:
                change = Change(account.id, joined=call_id is not None, at=now)
                judge_calls(runtime, team_id, changed, workspace=workspace, session=session, now=now, change=change)

        return apply

    async def on_huddle_root(self, team_id: str, event: dict, envelope: dict) -> Apply | None:
        """A huddle's root (posted by Slackbot where the huddle runs, and edited as it goes): where
        the call is, who is in it, its AI notes, and whether it ended."""
        root = huddle_root(event)
        if root is None:
            log.warning("a huddle root without a usable room was skipped")
            self.runtime.undecided["huddle"] += 1
            return None
        return root_change(self.runtime, team_id, root, root_kind(self.runtime, root, event))

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
        """Store the conversation; one known only in part is not stored, so that its next event (or
        the next sweep) reads it again rather than take the part for the whole."""
        if conversation.members_partial:
            return
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

    async def _judge_conversation(self, team_id: str, conversation: Conversation, envelope: dict) -> Apply:
        read = await self._read_accounts(team_id, conversation, envelope)
        presence = await self._presence(team_id, conversation)
        relevant = self._relevant(team_id, conversation)

        def apply(session: storage.Session) -> None:
            if read:
                storage.upsert_accounts(read, session=session, now=self.runtime.now())
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
        the account that observed it; otherwise a token that can see it asks Slack (the bot token is
        never used to read a DM it is not in)."""
        observer = observing_user(envelope)
        if event.get("channel_type") == "im" and observer and observer != message.user:
            return Conversation(
                id=message.channel,
                kind=ConversationKind.IM,
                members=frozenset({message.user, observer}),
                team_id=team_id,
            )
        return await self._fetch(team_id, message.channel, envelope, event=event, proven=(message.user,))

    async def _fetch(
        self, team_id: str, channel_id: str, envelope: dict, *, event: dict | None = None, proven: tuple[str, ...] = ()
    ) -> Conversation | None:
        """The conversation and its members, through a token that can see it.

        Slack names ONE installation that can see an event, arbitrarily (`authorizations[0]`). The
        bot's sees its channels. A connected account's is used while the app holds its token; when
        it does not (never stored, revoked, unreadable), the bot is asked where it is a member, then
        the tokens of other members the app knows of. When none can read it, the conversation is
        judged with the members the event proves (`proven`, and the observer), marked partial."""
        received = receiver(envelope)
        observer = received.user_id
        if not observer or observer == self.runtime.bot_user_id or received.is_bot:
            info = (await self.runtime.api.client.conversations_info(channel=channel_id))["channel"]
            return await self.runtime.api.with_members(info, team_id=team_id, owner=observer or "")
        kind = event_conversation_kind(event or {})
        for reader, api in self._readers(team_id, channel_id, kind, (observer, *proven)):
            try:
                info = (await api.client.conversations_info(channel=channel_id))["channel"]
                return await api.with_members(info, team_id=team_id, owner=reader)
            except SlackApiError as error:
                if not cannot_see(error):
                    raise
                log.info(
                    "%s cannot be read through %s (%s); trying another token", channel_id, reader, api_error(error)
                )
        return self._proven(team_id, channel_id, kind, {observer, *proven})

    def _readers(
        self, team_id: str, channel_id: str, kind: ConversationKind | None, proven: tuple[str, ...]
    ) -> Iterator[tuple[str, SlackApi]]:
        """The tokens that may see a conversation, best first: the observer's, the bot's (never on a
        DM or group DM), then the other members' the app holds (those the event proves, then those
        stored). Each is looked up only when the one before could not read it."""
        observer, others = proven[0], proven[1:]
        stored = self._stored(channel_id)
        people = [*others, *(sorted(stored.members) if stored is not None else [])]
        tried = {observer, self.runtime.bot_user_id}
        api = self.runtime.user_api(team_id, observer)
        if api is not None:
            yield observer, api
        if kind not in (ConversationKind.IM, ConversationKind.MPIM) and not channel_id.startswith("D"):
            yield self.runtime.bot_user_id, self.runtime.api
        for user in people:
            if not user or user in tried:
                continue
            tried.add(user)
            api = self.runtime.user_api(team_id, user)
            if api is not None:
                yield user, api

    def _proven(
        self, team_id: str, channel_id: str, kind: ConversationKind | None, members: set[str]
    ) -> Conversation | None:
        """The conversation as the event alone proves it, counted and logged: never dropped silently."""
        self.runtime.undecided["members"] += 1
        known = people_members(members - {self.runtime.bot_user_id})
        if kind is None or not known:
            log.warning(
                "%s could be read through no token the app holds, and the event says too little: not judged", channel_id
            )
            return None
        conversation = Conversation(id=channel_id, kind=kind, members=known, team_id=team_id, members_partial=True)
        if kind is ConversationKind.IM and len(known) == 2:
            self.runtime.undecided["members"] -= 1
            return replace(conversation, members_partial=False)  # a 1:1 DM has exactly these two
        log.warning(
            "%s could be read through no token the app holds: judged with the members the event proves (%s);"
            " rules that need every member could not decide",
            channel_id,
            ", ".join(sorted(known)),
        )
        return conversation

    async def _read_accounts(self, team_id: str, conversation: Conversation, envelope: dict) -> list[Account]:
        """Members the workspace's listing does not hold (external Slack Connect members: `users.list`
        never lists them), read once each with `users.info` and kept in the directory."""
        cache = self.runtime.cache
        if not cache.is_listed(team_id):
            return []  # until a sweep lists the workspace, a missing account proves nothing
        enterprise_id = receiver(envelope).enterprise_id
        read: list[Account] = []
        for user_id in cache.unknown(team_id, conversation.members - {self.runtime.bot_user_id}):
            try:
                account = await self.runtime.api.account(user_id, team_id=team_id, enterprise_id=enterprise_id)
            except SlackApiError as error:
                if not cannot_see(error):
                    raise
                log.info("the account %s could not be read: %s", user_id, api_error(error))
                cache.unreadable(team_id, user_id)
                continue
            cache.put_account(team_id, account)
            read.append(account)
        return read

    async def _describe_files(self, team_id: str, envelope: dict, message: Message) -> Message:
        """Files a Slack Connect event carried as their id only, read with `files.info` (through the
        observer's token when it was a connected account's, else the bot's) so that the recording
        rule judges what they are. One that cannot be read is counted and logged."""
        received = receiver(envelope)
        api = None
        if received.user_id and not received.is_bot and received.user_id != self.runtime.bot_user_id:
            api = self.runtime.user_api(team_id, received.user_id)
        api = api or self.runtime.api
        files: list[SharedFile] = []
        for file in message.files:
            if file.described or not file.id:
                files.append(file)
                continue
            try:
                files.append(replace(shared_file(await api.file_info(file.id)), described=True))
            except SlackApiError as error:
                if not cannot_see(error):
                    raise
                self.runtime.undecided["files"] += 1
                log.warning(
                    "file %s in %s could not be read: %s; not judged", file.id, message.channel, api_error(error)
                )
                files.append(file)
        return replace(message, files=tuple(files))


#: Events Slack may send without `authorizations`: the installation they name is already gone.
TOKENLESS_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})

#: What the alert's thread is told when a message an incident is about was deleted.
MESSAGE_DELETED = (
    ":wastebasket: A message this incident is about was deleted in Slack (by its author or an administrator). "
    "The evidence recorded here stays; resolve the incident when nothing more is needed."
)


def stale_id_notice(program: Program, old: str, new: str, settings: str) -> str:
    """What a program's administrators are told when Slack replaced a channel id its file names."""
    return (
        f":information_source: Slack gave <#{new}> a new id (it was shared with another organisation): `{old}` is "
        f"now `{new}`. The program file of {slack_line(program.name)} names `{old}` in {settings}: Safe Contact "
        f"watches <#{new}> instead from now on; please change the file to `{new}` before the next import."
    )


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
    "channel_id_changed": Judge.on_channel_id_changed,
    "group_deleted": Judge.on_archive,
    "team_join": Judge.on_user,
    "user_change": Judge.on_user,
    "user_huddle_changed": Judge.on_huddle_changed,
    "tokens_revoked": Judge.on_tokens_revoked,
    "app_uninstalled": Judge.on_uninstalled,
    "app_home_opened": Judge.on_home_opened,
}
HANDLED_EVENTS = frozenset(EVENT_HANDLERS)
#: `message` subtypes that are not somebody's words but news of their own (the rest go to `on_message`).
MESSAGE_SUBTYPE_HANDLERS: dict[str, Callable[[Judge, str, dict, dict], Awaitable[Apply | None]]] = {
    "channel_convert_to_private": Judge.on_conversion,
    "channel_convert_to_public": Judge.on_conversion,
    "message_deleted": Judge.on_message_deleted,
    "huddle_thread": Judge.on_huddle_root,
}
