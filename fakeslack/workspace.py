"""The fake Slack's state: users, conversations, messages and tokens, with the visibility rules a
real workspace applies to a bot token and to a user token."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass
class User:
    id: str
    name: str = ""
    email: str = ""
    is_bot: bool = False
    is_restricted: bool = False
    is_ultra_restricted: bool = False
    deleted: bool = False
    team_id: str = ""
    presence: str = "active"
    tz: str = "America/New_York"

    def as_slack(self, *, stranger: bool = False) -> dict:
        """The user object as `users.list` and `users.info` return it. Slack marks `is_stranger` an
        external account the caller shares no conversation with."""
        answer = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name.lower().replace(" ", "."),
            "real_name": self.name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_admin": False,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_app_user": False,
            "tz": self.tz,
            "profile": {"real_name": self.name, "display_name": self.name, "email": self.email},
        }
        if stranger:
            answer["is_stranger"] = True
        return answer


@dataclass
class Channel:
    id: str
    name: str = ""
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    members: list[str] = field(default_factory=list)
    is_archived: bool = False
    created: int = 1751800000
    creator: str = ""
    #: A Slack Connect channel: the workspace that hosts it (another organisation's), else "".
    host_team: str = ""

    @property
    def is_ext_shared(self) -> bool:
        return bool(self.host_team)

    @property
    def kind(self) -> str:
        """The `types` name `conversations.list` filters on."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "private_channel" if self.is_private else "public_channel"

    @property
    def channel_type(self) -> str:
        """The `channel_type` of message events."""
        return {"im": "im", "mpim": "mpim", "private_channel": "group", "public_channel": "channel"}[self.kind]

    def as_slack(self, viewer: str | None = None, *, num_members: bool = False, team_id: str = "") -> dict:
        """The conversation object as `conversations.info` and `.list` return it to `viewer` of
        workspace `team_id` (a Slack Connect channel names its host and the teams sharing it)."""
        info: dict = {
            "id": self.id,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_im": self.is_im,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_im or self.is_mpim,
            "is_channel": not (self.is_private or self.is_im or self.is_mpim),
            "is_group": self.is_private and not self.is_mpim,
            "is_ext_shared": self.is_ext_shared,
            "is_shared": self.is_ext_shared,
            "is_org_shared": False,
        }
        if team_id:
            info["context_team_id"] = team_id
        if self.is_ext_shared:
            info.update(conversation_host_id=self.host_team, shared_team_ids=[self.host_team, team_id])
        if self.is_im:
            others = [m for m in self.members if m != viewer]
            info["user"] = others[0] if others else viewer
        else:
            info.update(name=self.name, is_member=viewer in self.members, creator=self.creator)
        if num_members:
            info["num_members"] = len(self.members)
        return info


class SlackError(Exception):
    """A Web API error: the `error` code Slack answers with."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Workspace:
    """One team: who is in it, its conversations and what was said in them."""

    def __init__(self, team_id: str, bot_user_id: str):
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.users: dict[str, User] = {}
        self.conversations: dict[str, Channel] = {}
        self.history: dict[str, list[dict]] = {}
        #: Files by id: their metadata and uploaded `content` (bytes, None until uploaded).
        self.files: dict[str, dict] = {}
        #: The Web API's base URL, for the file addresses it hands out.
        self.base_url = ""
        #: User groups (Enterprise Grid identity-provider groups) and information barriers, by id.
        self.usergroups: dict[str, dict] = {}
        self.barriers: dict[str, dict] = {}
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)

    def new_ts(self) -> str:
        return f"{1751812200 + next(self._ts)}.{next(self._ids):06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}0FAKE{next(self._ids):05d}"

    def user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def conversation(self, channel_id: str) -> Channel:
        channel = self.conversations.get(channel_id)
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def visible(self, channel_id: str, viewer: str) -> Channel:
        """The conversation if `viewer` may see it: any public channel, or one they are a member of.
        Otherwise Slack pretends it does not exist."""
        channel = self.conversation(channel_id)
        if channel.kind != "public_channel" and viewer not in channel.members:
            raise SlackError("channel_not_found")
        return channel

    def readable(self, channel_id: str, viewer: str) -> Channel:
        """History is readable by members only: `not_in_channel` for a public channel."""
        channel = self.visible(channel_id, viewer)
        if viewer not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def dm(self, a: str, b: str) -> Channel:
        """The 1:1 DM between two accounts, made on first use (Slack keeps one per pair)."""
        for channel in self.conversations.values():
            if channel.is_im and set(channel.members) == {a, b}:
                return channel
        channel = Channel(id=self.new_id("D"), is_im=True, members=[a, b])
        self.conversations[channel.id] = channel
        self.history[channel.id] = []
        return channel

    def group_dm(self, members: list[str]) -> Channel:
        for channel in self.conversations.values():
            if channel.is_mpim and set(channel.members) == set(members):
                return channel
        names = "--".join(self.users[m].name.lower().replace(" ", ".") if m in self.users else m for m in members)
        channel = Channel(id=self.new_id("G"), name=f"mpdm-{names}-1", is_mpim=True, members=list(members))
        self.conversations[channel.id] = channel
        self.history[channel.id] = []
        return channel
