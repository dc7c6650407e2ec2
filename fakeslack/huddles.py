"""Huddles, Slack's live calls, as an app can observe them (no public huddles API exists).

- Starting one posts its root in the conversation: a Slackbot message of subtype `huddle_thread`
  whose `room` says who is in the call (the conversation-object reference). It is delivered as a
  message event only to whoever can see the conversation: the bot where it is a member; in a DM or
  group DM only a connected participant's user token.
- Every join and every leave changes the person's profile (`huddle_state`, `huddle_state_call_id`)
  and is announced workspace-wide, through the bot, by two events dispatched at the same moment:
  `user_huddle_changed` and `user_change`, each with the whole user object. Neither names the
  conversation. A leave resets the state to "default_unset" with no call id.
- Slackbot keeps the root's `room` current, but Slack does not reliably announce those edits as
  events: an app re-reads the root (`conversations.history` with `latest`, `inclusive`, `limit=1`,
  or `conversations.replies`). `huddle_root_updates_as_events` makes the fake send them as
  `message_changed` too, for a test of that path.
- When the last person leaves, the call has ended: `has_ended`, a `date_end`, no participants (the
  history of who was in it stays), and the root stays in the conversation's history.

`deliver=False` changes the state and delivers nothing: an event Slack lost, which an app's sweep
(re-reading `users.info` or the root) must repair."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import TYPE_CHECKING

from fakeslack.workspace import SLACKBOT_ID, Channel, Huddle, User, Workspace

#: The profile states Slack gives (slack-morphism's and the Java SDK's user models).
IN_A_HUDDLE, DEFAULT_UNSET = "in_a_huddle", "default_unset"
#: What Slack sends, at the same moment, when someone's huddle state changes.
HUDDLE_EVENTS = ("user_huddle_changed", "user_change")


def new_room(call_id: str, *, by: str, channel: Channel, ts: str, team_id: str) -> dict:
    """A huddle's `room` as its root carries it when `by` has just started it in `channel` (the
    fields of Slack's conversation-object example and of the Java SDK's `Room`)."""
    return {
        "id": call_id,
        "name": "",
        "media_server": "",
        "created_by": by,
        "date_start": int(float(ts)),
        "date_end": 0,
        "participants": [by],
        "participant_history": [by],
        "participants_events": {by: _joined(team_id)},
        "participants_camera_on": [],
        "participants_camera_off": [],
        "participants_screenshare_on": [],
        "participants_screenshare_off": [],
        "canvas_thread_ts": ts,
        "thread_root_ts": ts,
        "channels": [channel.id],
        "is_dm_call": channel.is_im or channel.is_mpim,
        "was_rejected": False,
        "was_missed": False,
        "was_accepted": False,
        "has_ended": False,
        "is_prewarmed": False,
        "is_scheduled": False,
        "attached_file_ids": [],
        "media_backend_type": "free_willy",
        "display_id": "",
        "app_id": "A00",
        "call_family": "huddle",
        "huddle_link": f"https://app.slack.com/huddle/{team_id}/{channel.id}",
        "recording": {
            "transcript": False,
            "summary": False,
            "notetaking": False,
            "summary_status": "none",
            "can_record_summary": "available",
        },
        "pending_invitees": {},
        "last_invite_status_by_user": {},
        "knocks": {},
    }


def _joined(team_id: str) -> dict:
    """A participant's entry in `participants_events`: joined, camera and screen share untouched."""
    return {
        "user_team": team_id,
        "joined": True,
        "camera_on": False,
        "camera_off": False,
        "screenshare_on": False,
        "screenshare_off": False,
    }


def new_root(room: dict, *, ts: str, team_id: str) -> dict:
    """The `huddle_thread` message Slackbot posts when a huddle starts."""
    started = {"type": "rich_text_section", "elements": [{"type": "text", "text": "A huddle started"}]}
    return {
        "type": "message",
        "subtype": "huddle_thread",
        "user": SLACKBOT_ID,
        "text": "",
        "ts": ts,
        "room": room,
        "no_notifications": True,
        "permalink": f"https://fake.slack.com/call/{room['id']}",
        "blocks": [{"type": "rich_text", "block_id": "huddle", "elements": [started]}],
        "team": team_id,
    }


def _posted(root: dict, conversation: Channel) -> dict:
    """The message event of a root just posted in `conversation`."""
    event = copy.deepcopy(root)
    event.update(channel=conversation.id, event_ts=root["ts"], channel_type=conversation.channel_type)
    return event


class Huddles:
    """Part of `FakeSlack`: people starting, joining and leaving huddles, and what Slack delivers."""

    workspace: Workspace
    team_id: str
    huddle_root_updates_as_events: bool

    if TYPE_CHECKING:

        async def _deliver_in(self, conversation: Channel, event: dict, *, sender: str) -> int | None: ...

        async def deliver_event(self, event: dict) -> int: ...

    # -- what people do ---------------------------------------------------------------------------

    async def start_huddle(self, user: str, channel: str, *, call_id: str | None = None, deliver: bool = True) -> str:
        """`user` starts a huddle in `channel` (a channel, DM or group DM): Slackbot posts its root
        there, then `user` is in it as after a join. The call id (`R…`)."""
        conversation = self.workspace.conversation(channel)
        person = self._may_huddle_in(user, conversation)
        call_id = call_id or self.workspace.new_call_id()
        if call_id in self.workspace.huddles:
            raise ValueError(f"huddle {call_id} exists already")
        await self._leave_current(person, deliver=deliver)
        ts = self.workspace.new_ts()
        room = new_room(call_id, by=user, channel=conversation, ts=ts, team_id=self._team(person))
        root = new_root(room, ts=ts, team_id=self.team_id)
        self.workspace.history[channel].append(root)
        self.workspace.huddles[call_id] = Huddle(call_id, channel, root)
        if deliver:
            await self._deliver_in(conversation, _posted(root, conversation), sender=SLACKBOT_ID)
        await self._huddle_state_changed(person, call_id, deliver=deliver)
        return call_id

    async def join_huddle(self, user: str, call_id: str, *, deliver: bool = True) -> None:
        """`user` joins a running huddle (leaving the one they were in, if another): they are in its
        `participants`, once more in its `participant_history`, and their profile says so."""
        huddle = self.workspace.huddle(call_id)
        if huddle.has_ended:
            raise ValueError(f"huddle {call_id} has ended: a new one has a new call id")
        person = self._may_huddle_in(user, self.workspace.conversation(huddle.channel))
        if user in huddle.participants:
            return
        await self._leave_current(person, deliver=deliver)
        previous = copy.deepcopy(huddle.root)
        room = huddle.room
        room["participants"].append(user)
        if user not in room["participant_history"]:
            room["participant_history"].append(user)
        room["participants_events"][user] = _joined(self._team(person))
        await self._root_changed(huddle, previous, deliver=deliver)
        await self._huddle_state_changed(person, call_id, deliver=deliver)

    async def leave_huddle(self, user: str, call_id: str | None = None, *, deliver: bool = True) -> None:
        """`user` leaves the huddle they are in (`call_id`, if given, must be it). The last one out
        ends it."""
        person = self.workspace.user(user)
        call_id = call_id or person.huddle_state_call_id
        if not call_id:
            raise ValueError(f"{user} is in no huddle")
        huddle = self.workspace.huddle(call_id)
        if user not in huddle.participants:
            raise ValueError(f"{user} is not in huddle {call_id}")
        previous = copy.deepcopy(huddle.root)
        room = huddle.room
        room["participants"].remove(user)
        if not room["participants"]:
            room.update(has_ended=True, date_end=int(float(self.workspace.new_ts())))
        await self._root_changed(huddle, previous, deliver=deliver)
        await self._huddle_state_changed(person, None, deliver=deliver)

    def set_huddle_notes(
        self, call_id: str, *, transcript: bool = False, summary: bool = False, notetaking: bool = False
    ) -> None:
        """Someone in the huddle switched its AI notes on (or off): the root's `room.recording` says
        so. Slack announces nothing."""
        recording = self.workspace.huddle(call_id).room["recording"]
        recording.update(transcript=transcript, summary=summary, notetaking=notetaking)

    # -- for assertions ---------------------------------------------------------------------------

    def huddle(self, call_id: str) -> dict:
        """The huddle's `room` as it is now (a copy)."""
        return copy.deepcopy(self.workspace.huddle(call_id).room)

    def huddle_root(self, call_id: str) -> dict:
        """The huddle's `huddle_thread` root as it is now in its conversation's history (a copy)."""
        return copy.deepcopy(self.workspace.huddle(call_id).root)

    # -- the root alone, as a test of Slackbot's messages drives it -------------------------------

    async def huddle_starts(self, channel: str, *, by: str) -> dict:
        """Slackbot posts a huddle's root in `channel` and nothing else happens (no profile changes,
        no `user_huddle_changed`): for a test about Slackbot's messages. The root, as stored."""
        conversation = self.workspace.conversation(channel)
        ts = self.workspace.new_ts()
        room = new_room(self.workspace.new_call_id(), by=by, channel=conversation, ts=ts, team_id=self.team_id)
        root = new_root(room, ts=ts, team_id=self.team_id)
        self.workspace.history[channel].append(root)
        self.workspace.huddles[room["id"]] = Huddle(room["id"], channel, root)
        await self._deliver_in(conversation, _posted(root, conversation), sender=SLACKBOT_ID)
        return root

    async def huddle_changes(self, channel: str, ts: str, *, participants: list[str], ended: bool = False) -> None:
        """Slackbot edits the root `ts` to name `participants` (or to say the huddle ended),
        delivered as a `message_changed` of a Slackbot-authored message; nobody's profile changes."""
        root = next(m for m in self.workspace.history[channel] if m["ts"] == ts and m.get("subtype") == "huddle_thread")
        huddle = self.workspace.huddle(root["room"]["id"])
        previous = copy.deepcopy(root)
        room = root["room"]
        room["participants"] = [] if ended else list(participants)
        room["participant_history"] = list(dict.fromkeys([*room["participant_history"], *participants]))
        if ended:
            room.update(date_end=int(float(self.workspace.new_ts())), has_ended=True)
        root["edited"] = {"user": SLACKBOT_ID, "ts": self.workspace.new_ts()}
        await self._deliver_root_change(huddle, previous, root["edited"]["ts"])

    # -- what Slack does about it -----------------------------------------------------------------

    def _may_huddle_in(self, user: str, conversation: Channel) -> User:
        """Only members of a DM, group DM or private channel can be in its huddle (Slack offers
        nobody else one). A public channel's huddle is open to anyone in the workspace, as the
        channel is (an inference: Slack lets people preview a public channel they have not joined)."""
        person = self.workspace.user(user)
        if conversation.kind != "public_channel" and user not in conversation.members:
            raise ValueError(f"{user} is not in {conversation.id}: Slack offers them no huddle there")
        return person

    async def _leave_current(self, person: User, *, deliver: bool) -> None:
        """Joining a huddle leaves the one the person was in (Slack has one call at a time)."""
        if person.huddle_state_call_id:
            await self.leave_huddle(person.id, person.huddle_state_call_id, deliver=deliver)

    async def _huddle_state_changed(self, person: User, call_id: str | None, *, deliver: bool) -> None:
        """The person's profile now says whether they are in a huddle (`call_id`), and Slack
        announces it to the whole workspace, through the bot, with two events at the same moment."""
        person.huddle_state = IN_A_HUDDLE if call_id else DEFAULT_UNSET
        person.huddle_state_call_id = call_id or ""
        person.huddle_state_expiration_ts = 0
        if not deliver:
            return
        moment = {"cache_ts": int(time.time()), "event_ts": self.workspace.new_ts()}
        await asyncio.gather(
            *(self.deliver_event({"type": kind, "user": person.as_slack(), **moment}) for kind in HUDDLE_EVENTS)
        )

    async def _root_changed(self, huddle: Huddle, previous: dict, *, deliver: bool) -> None:
        """Slackbot's edit of the root: in its history at once, announced only if the fake is told to."""
        if deliver and self.huddle_root_updates_as_events:
            await self._deliver_root_change(huddle, previous, self.workspace.new_ts())

    async def _deliver_root_change(self, huddle: Huddle, previous: dict, ts: str) -> None:
        conversation = self.workspace.conversation(huddle.channel)
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": huddle.channel,
            "channel_type": conversation.channel_type,
            "message": copy.deepcopy(huddle.root),
            "previous_message": previous,
            "ts": ts,
            "event_ts": ts,
        }
        await self._deliver_in(conversation, event, sender=SLACKBOT_ID)

    def _team(self, person: User) -> str:
        return person.team_id or self.team_id
