"""What happens to channels and messages that Slack announces in its own ways: a channel made private
(or public), which is a `message` of subtype `channel_convert_to_private` in the channel, not an event
of its own; a private channel's id changing when it is shared with Slack Connect
(`channel_id_changed`); a message deleted (`message_deleted`, with the message as it was)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakeslack.workspace import Channel, SlackError, Workspace


class ChannelChanges:
    """Part of `FakeSlack`: these change the workspace and deliver what Slack would."""

    workspace: Workspace
    bot_user_id: str
    team_id: str

    if TYPE_CHECKING:

        async def _deliver_in(self, conversation: Channel, event: dict, *, sender: str) -> int | None: ...

        async def deliver_event(self, event: dict) -> int: ...

    def make_general(self, channel_id: str) -> None:
        """Setup: the channel is the workspace's #general (nobody can be removed from it)."""
        self.workspace.conversation(channel_id).is_general = True

    async def convert_to_private(self, channel_id: str, *, by: str) -> None:
        """`by` made a public channel private. Slack says so with a message in the channel, delivered
        as a private channel's message (`channel_type: "group"`); the channel keeps its id."""
        await self._convert(channel_id, by=by, private=True)

    async def convert_to_public(self, channel_id: str, *, by: str) -> None:
        await self._convert(channel_id, by=by, private=False)

    async def _convert(self, channel_id: str, *, by: str, private: bool) -> None:
        conversation = self.workspace.conversation(channel_id)
        if conversation.is_im or conversation.is_mpim or conversation.is_general:
            raise SlackError("method_not_supported_for_channel_type")
        conversation.is_private = private
        if private:
            kind, text = "private", "made this channel *private*. Now, it can only be viewed or joined by invitation."
        else:
            kind, text = "public", "made this channel *public*. Any member in this workspace can see and join it."
        message = {
            "type": "message",
            "subtype": f"channel_convert_to_{kind}",
            "user": by,
            "text": text,
            "ts": self.workspace.new_ts(),
        }
        self.workspace.history[channel_id].append(message)
        event = {**message, "channel": channel_id, "event_ts": message["ts"], "channel_type": conversation.channel_type}
        await self._deliver_in(conversation, event, sender=by)

    async def change_channel_id(self, old_id: str, new_id: str | None = None) -> str:
        """A private channel was shared with Slack Connect: its id changes for good (an old `G…` id
        becomes a `C…` one). Slack tells only apps that can see the channel. The new id."""
        conversation = self.workspace.conversation(old_id)
        new_id = new_id or "C" + old_id[1:]
        if new_id in self.workspace.conversations:
            raise ValueError(f"{new_id} is taken")
        conversation.id = new_id
        self.workspace.conversations[new_id] = self.workspace.conversations.pop(old_id)
        self.workspace.history[new_id] = self.workspace.history.pop(old_id, [])
        for huddle in self.workspace.huddles.values():
            if huddle.channel == old_id:
                huddle.channel = new_id
        if conversation.is_private and self.bot_user_id in conversation.members:
            event = {
                "type": "channel_id_changed",
                "old_channel_id": old_id,
                "new_channel_id": new_id,
                "event_ts": self.workspace.new_ts(),
            }
            await self.deliver_event(event)
        return new_id

    async def delete_message(self, channel_id: str, ts: str) -> None:
        """Someone (its author or an admin) deleted a message. The event carries the message as it
        was (`previous_message`) and the ts it had (`deleted_ts`), not who deleted it."""
        conversation = self.workspace.conversation(channel_id)
        history = self.workspace.history[channel_id]
        message = next((m for m in history if m["ts"] == ts), None)
        if message is None:
            raise SlackError("message_not_found")
        history.remove(message)
        now = self.workspace.new_ts()
        event = {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": channel_id,
            "ts": now,
            "deleted_ts": ts,
            "event_ts": now,
            "previous_message": dict(message),
            "channel_type": conversation.channel_type,
        }
        await self._deliver_in(conversation, event, sender=str(message.get("user") or ""))
