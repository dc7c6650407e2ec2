"""What no person says, delivered as Slack delivers it: Slackbot's posts (reminders, custom
responses) and other apps' messages (a bot user's posts and legacy `bot_message`s). The
`huddle_thread` root Slackbot posts when a huddle starts is in `fakeslack.huddles`."""

from __future__ import annotations

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
