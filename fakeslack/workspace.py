"""The fake Slack's state: users, conversations, messages and tokens, with the visibility rules a
real workspace applies to a bot token and to a user token."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from fakeslack.enterprise import Installation

#: Slackbot: in every workspace, listed by users.list with `is_bot` false, yet nobody.
SLACKBOT_ID = "USLACKBOT"


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
    is_admin: bool = False
    is_owner: bool = False
    #: The Enterprise Grid org the account belongs to (an account of another workspace of the same
    #: org is not in this one until an org admin adds it).
    enterprise_id: str = ""
    #: The profile's huddle fields: "in_a_huddle" with the call's `R…` id while in one; otherwise
    #: Slack's "default_unset" and no call id (users.profile.get's reference example).
    huddle_state: str = "default_unset"
    huddle_state_call_id: str = ""
    huddle_state_expiration_ts: int = 0

    @property
    def is_guest(self) -> bool:
        return self.is_restricted or self.is_ultra_restricted

    def as_slack(self, *, stranger: bool = False) -> dict:
        """The user object as `users.list` and `users.info` return it. Slack marks `is_stranger` an
        external account the caller shares no conversation with."""
        profile: dict = {"real_name": self.name, "display_name": self.name}
        if self.email:  # accounts without an address (Slackbot, bots) have no email field
            profile["email"] = self.email
        if self.id == SLACKBOT_ID:
            profile["always_active"] = True
        profile.update(huddle_state=self.huddle_state, huddle_state_expiration_ts=self.huddle_state_expiration_ts)
        if self.huddle_state_call_id:
            profile["huddle_state_call_id"] = self.huddle_state_call_id
        answer = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name.lower().replace(" ", "."),
            "real_name": self.name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_admin": self.is_admin or self.is_owner,
            "is_owner": self.is_owner,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_app_user": False,
            "tz": self.tz,
            "profile": profile,
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
    #: The workspace's #general: everyone is in it and nobody can be removed from it.
    is_general: bool = False

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
            "is_general": self.is_general,
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


#: Who a workspace lets remove members from channels (Slack's "Channel management" permissions).
EVERYONE_EXCEPT_GUESTS, ADMINS, OWNERS = "everyone_except_guests", "admins", "owners"


@dataclass
class Settings:
    """The workspace preferences the fake's Web API obeys, with Slack's defaults: who may remove
    members from public and from private channels (slack.com/help/articles/201898668: public
    channels "workspace owners and admins", private channels "everyone except guests"), and who may
    add a multi-channel guest to a public channel.

    An app's bot counts as a member that is neither an owner nor an admin (an inference: Slack's
    staff say bots "are not considered a full member", and bot tokens get `restricted_action` from
    `conversations.kick` under the default setting; slack-samples/javascript-announcement-bot#6,
    slackapi/node-slack-sdk#1564). So by default the bot may remove people from private channels
    only. Members may add multi-channel guests to private channels (Slack's guest help says so);
    to public channels only owners and admins may, by default (an inference from that sentence)."""

    remove_from_public_channels: str = ADMINS
    remove_from_private_channels: str = EVERYONE_EXCEPT_GUESTS
    guests_to_public_channels: str = ADMINS


def permitted(setting: str, user: User) -> bool:
    """Whether `user` is among those a permission setting names."""
    if setting == OWNERS:
        return user.is_owner
    if setting == ADMINS:
        return user.is_owner or user.is_admin
    return not user.is_guest


@dataclass
class Huddle:
    """A huddle (a live call) in one conversation. Its state is the `room` of its root, the
    `huddle_thread` message Slackbot posts in the conversation's history: `root` is that message
    itself, so what `conversations.history` answers is always the room as it is now."""

    call_id: str
    channel: str
    root: dict

    @property
    def room(self) -> dict:
        return self.root["room"]

    @property
    def participants(self) -> list[str]:
        return self.room["participants"]

    @property
    def has_ended(self) -> bool:
        return bool(self.room["has_ended"])


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
        #: Where the app is installed: this workspace alone unless the fake is a Grid org's.
        self.installation = Installation(team_id)
        self.users: dict[str, User] = {SLACKBOT_ID: User(SLACKBOT_ID, name="Slackbot", team_id=team_id)}
        self.conversations: dict[str, Channel] = {}
        self.history: dict[str, list[dict]] = {}
        #: Files by id: their metadata and uploaded `content` (bytes, None until uploaded).
        self.files: dict[str, dict] = {}
        #: The Web API's base URL, for the file addresses it hands out.
        self.base_url = ""
        #: User groups (Enterprise Grid identity-provider groups) and information barriers, by id.
        self.usergroups: dict[str, dict] = {}
        self.barriers: dict[str, dict] = {}
        self.settings = Settings()
        #: Huddles by call id (`R…`), running or ended.
        self.huddles: dict[str, Huddle] = {}
        #: The Enterprise Grid org this workspace belongs to; empty for a standalone workspace.
        self.enterprise_id = ""
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)

    def new_ts(self) -> str:
        return f"{1751812200 + next(self._ts)}.{next(self._ids):06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}0FAKE{next(self._ids):05d}"

    def new_call_id(self) -> str:
        """A huddle's call id: `R` and digits."""
        return f"R{next(self._ids):010d}"

    def huddle(self, call_id: str) -> Huddle:
        huddle = self.huddles.get(call_id)
        if huddle is None:
            raise ValueError(f"no huddle {call_id}")
        return huddle

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

    def may_remove(self, user_id: str, channel: Channel) -> bool:
        """Whether the workspace's settings let `user_id` remove members from `channel`."""
        settings = self.settings
        setting = settings.remove_from_private_channels if channel.is_private else settings.remove_from_public_channels
        return permitted(setting, self.user(user_id))

    def channels_of(self, user_id: str) -> list[Channel]:
        """The channels (not DMs or group DMs) the account is a member of."""
        return [c for c in self.conversations.values() if user_id in c.members and not (c.is_im or c.is_mpim)]

    def invitation_refused(self, caller: str, user: User, channel: Channel) -> str | None:
        """Why Slack will not let `caller` add `user` to `channel` (an error code), or None:
        single-channel guests already in their one channel, multi-channel guests where the settings
        keep them out, and accounts of other workspaces."""
        if user.team_id and user.team_id != self.team_id:
            if self.enterprise_id and user.enterprise_id == self.enterprise_id:
                return "org_user_not_in_team"
            return "no_external_invite_permission"
        if user.is_ultra_restricted and self.channels_of(user.id):
            return "ura_max_channels"
        guests_allowed = channel.is_private or permitted(self.settings.guests_to_public_channels, self.user(caller))
        if user.is_restricted and not guests_allowed:
            return "user_is_restricted"
        return None

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
