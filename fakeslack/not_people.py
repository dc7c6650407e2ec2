"""What no person says, delivered as Slack delivers it: Slackbot's posts (reminders, custom
responses), the `huddle_thread` root Slackbot posts when a huddle starts and keeps editing while it
runs, and other apps' messages (a bot user's posts and legacy `bot_message`s)."""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING

from fakeslack.workspace import SLACKBOT_ID, Channel, Workspace


class NotPeople:
    """The fake Slack's helpers for messages that are not a person's words (mixed into FakeSlack)."""

    if TYPE_CHECKING:
        workspace: Workspace
        team_id: str

        async def _deliver_in(self, conversation: Channel, event: dict, *, sender: str) -> int | None: ...

    async def slackbot_posts(self, channel: str, text: str, *, subtype: str | None = None) -> dict:
        """Slackbot says something in a conversation: a reminder, a custom response (`subtype`
        "slackbot_response" where Slack marks it), a notice in someone's Slackbot DM."""
        message: dict = {"type": "message", "user": SLACKBOT_ID, "text": text, "ts": self.workspace.new_ts()}
        if subtype:
            message["subtype"] = subtype
        message["team"] = self.team_id
        return await self._posted(channel, message, sender=SLACKBOT_ID)

    async def huddle_starts(self, channel: str, *, by: str) -> dict:
        """`by` starts a huddle in a conversation: Slackbot posts its `huddle_thread` root, whose
        `room` says who is in it (the shape of Slack's conversation-object reference)."""
        conversation = self.workspace.conversation(channel)
        ts = self.workspace.new_ts()
        room = {
            "id": self.workspace.new_id("R"),
            "name": "",
            "media_server": "",
            "created_by": by,
            "date_start": int(float(ts)),
            "date_end": 0,
            "participants": [by],
            "participant_history": [by],
            "participants_camera_on": [],
            "participants_camera_off": [],
            "participants_screenshare_on": [],
            "participants_screenshare_off": [],
            "canvas_thread_ts": ts,
            "thread_root_ts": ts,
            "channels": [channel],
            "is_dm_call": conversation.is_im or conversation.is_mpim,
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
            "pending_invitees": {},
            "last_invite_status_by_user": {},
        }
        started = {"type": "rich_text_section", "elements": [{"type": "text", "text": "A huddle started"}]}
        message = {
            "type": "message",
            "subtype": "huddle_thread",
            "user": SLACKBOT_ID,
            "text": "",
            "ts": ts,
            "room": room,
            "no_notifications": True,
            "permalink": f"https://fake.slack.com/call/{room['id']}",
            "blocks": [{"type": "rich_text", "block_id": "huddle", "elements": [started]}],
            "team": self.team_id,
        }
        return await self._posted(channel, message, sender=SLACKBOT_ID)

    async def huddle_changes(self, channel: str, ts: str, *, participants: list[str], ended: bool = False) -> None:
        """People join or leave the huddle whose root is `ts` (or it ends): Slackbot edits the root,
        delivered as a `message_changed` of a Slackbot-authored message."""
        conversation = self.workspace.conversation(channel)
        root = next(m for m in self.workspace.history[channel] if m["ts"] == ts and m.get("subtype") == "huddle_thread")
        previous = copy.deepcopy(root)
        room = root["room"]
        room["participants"] = [] if ended else list(participants)
        room["participant_history"] = list(dict.fromkeys([*room["participant_history"], *participants]))
        if ended:
            room.update(date_end=int(time.time()), has_ended=True)
        root["edited"] = {"user": SLACKBOT_ID, "ts": self.workspace.new_ts()}
        event = {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": channel,
            "channel_type": conversation.channel_type,
            "message": copy.deepcopy(root),
            "previous_message": previous,
            "ts": root["edited"]["ts"],
            "event_ts": root["edited"]["ts"],
        }
        await self._deliver_in(conversation, event, sender=SLACKBOT_ID)

    async def app_posts(
        self,
        channel: str,
        text: str,
        *,
        bot_id: str = "B0OTHERAPP",
        name: str = "Other App",
        bot_user: str | None = None,
    ) -> dict:
        """Another app posts. With `bot_user` through its bot token: the message carries the bot
        user, `bot_id` and `bot_profile`. Without: a legacy integration (an incoming webhook), a
        `bot_message` with no user at all."""
        message: dict = {"type": "message", "text": text, "ts": self.workspace.new_ts(), "bot_id": bot_id}
        if bot_user:
            profile = {"id": bot_id, "deleted": False, "name": name, "app_id": "A0OTHERAPP", "team_id": self.team_id}
            message.update(user=bot_user, app_id="A0OTHERAPP", bot_profile=profile, team=self.team_id)
        else:
            message.update(subtype="bot_message", username=name, icons={"emoji": ":robot_face:"})
        return await self._posted(channel, message, sender=bot_user or bot_id)

    async def _posted(self, channel: str, message: dict, *, sender: str) -> dict:
        conversation = self.workspace.conversation(channel)
        self.workspace.history[channel].append(message)
        event = {**message, "channel": channel, "event_ts": message["ts"], "channel_type": conversation.channel_type}
        await self._deliver_in(conversation, event, sender=sender)
        return message
