"""Slack's JSON into `bot.model`: accounts, conversations and the messages people said, shared by the
worker, the sweeps, the live audit and the export reader. Pure translation: no Web API call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.model import SLACKBOT_ID, Account, CallFeature, Conversation, ConversationKind, Message, SharedFile

#: Message subtypes that carry something a person said; the rest (joins, topic changes, deletions,
#: bot messages, huddle roots) are either handled by their own events or not people's words.
SPOKEN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message", "message_changed"})
#: What an edit (`message_changed`) may have changed for it to be a person's words: not Slackbot's
#: huddle root or a tombstone, not an edit of an edit.
EDITED_SUBTYPES = SPOKEN_SUBTYPES - {"message_changed"}

#: The largest id a database row can have (a signed 64-bit integer, SQLite's and PostgreSQL's bigint).
LARGEST_ID = 2**63 - 1


def incident_id_of(value: object) -> int | None:
    """The incident a button names (its value is the incident's id, as the app wrote it), or None
    for anything else: not digits, or a number no row can have (the database would overflow)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= LARGEST_ID else None


def account_from_user(user: dict, team_id: str = "", *, enterprise_id: str | None = None) -> Account:
    """The account as workspace `team_id` (of Enterprise Grid org `enterprise_id`, if any) sees it.

    Slack says nothing outright about who is external: `is_stranger` only means the app shares no
    conversation with them. An external (Slack Connect) member is one whose own `team_id` is
    another workspace's, outside this one's org; one the app can see has `is_stranger` false."""
    profile = user.get("profile") or {}
    listed_team = user.get("team_id")
    own_team = listed_team if isinstance(listed_team, str) else ""
    return Account(
        id=user["id"],
        email=profile.get("email") or "",
        name=profile.get("real_name") or user.get("real_name") or user.get("name") or "",
        team_id=team_id or own_team,
        # users.list gives Slackbot `is_bot` false; it is nobody all the same.
        is_bot=bool(user.get("is_bot")) or user.get("id") == SLACKBOT_ID,
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        is_external=bool(user.get("is_stranger")) or _of_another_organisation(user, own_team, team_id, enterprise_id),
        deleted=bool(user.get("deleted")),
    )


def _of_another_organisation(user: dict, own_team: str, team_id: str, enterprise_id: str | None) -> bool:
    if not own_team or not team_id or own_team == team_id:
        return False
    grid = user.get("enterprise_user")
    if not isinstance(grid, dict):
        return True
    if team_id in (grid.get("teams") or []):
        return False  # an Enterprise Grid member of this workspace whose home is another of the org's
    return not (enterprise_id and grid.get("enterprise_id") == enterprise_id)


def conversation_kind(info: dict) -> ConversationKind:
    if info.get("is_im"):
        return ConversationKind.IM
    if info.get("is_mpim"):
        return ConversationKind.MPIM
    if info.get("is_private") or info.get("is_group"):
        return ConversationKind.PRIVATE_CHANNEL
    return ConversationKind.PUBLIC_CHANNEL


def people_members(members: Iterable[object]) -> frozenset[str]:
    """A conversation's members as the app counts them: account ids, Slackbot never among them
    (were Slack ever to list it, it cannot be removed, warned or counted)."""
    return frozenset(m for m in members if isinstance(m, str) and m and m != SLACKBOT_ID)


def conversation_from_info(info: dict, members: Iterable[str], *, team_id: str = "") -> Conversation:
    team = team_id or info.get("context_team_id") or ""
    return Conversation(
        id=info["id"],
        kind=conversation_kind(info),
        members=people_members(members),
        name=info.get("name") or "",
        team_id=team,
        is_archived=bool(info.get("is_archived")),
    )


#: A message event's `channel_type` (and a member event's one-letter form) as a conversation kind.
_EVENT_KINDS = {
    "im": ConversationKind.IM,
    "mpim": ConversationKind.MPIM,
    "group": ConversationKind.PRIVATE_CHANNEL,
    "G": ConversationKind.PRIVATE_CHANNEL,
    "channel": ConversationKind.PUBLIC_CHANNEL,
    "C": ConversationKind.PUBLIC_CHANNEL,
}


def event_conversation_kind(event: dict) -> ConversationKind | None:
    """The kind of conversation an event happened in, as the event itself says (None: it does not)."""
    kind = event.get("channel_type")
    return _EVENT_KINDS.get(kind) if isinstance(kind, str) else None


def spoken_message(event: dict, *, bot_user_id: str) -> Message | None:
    """The message a person said, or None for the app's own posts, other apps' and Slackbot's (a
    huddle's root it keeps editing among them) and housekeeping subtypes."""
    subtype = event.get("subtype")
    if subtype not in SPOKEN_SUBTYPES:
        return None
    body = event.get("message") if subtype == "message_changed" else event
    if not isinstance(body, dict) or (subtype == "message_changed" and body.get("subtype") not in EDITED_SUBTYPES):
        return None
    if body.get("bot_id") or body.get("bot_profile"):  # an app's post, through its bot user or not
        return None
    user = body.get("user")
    channel = event.get("channel")
    if not isinstance(user, str) or not user or not channel or user in (bot_user_id, SLACKBOT_ID):
        return None
    listed = body.get("files")
    files = tuple(shared_file(f) for f in (listed if isinstance(listed, list) else []) if isinstance(f, dict))
    return Message(
        channel=channel,
        user=user,
        ts=body.get("ts") or event.get("ts") or "",
        text=body.get("text") or "",
        files=files,
        thread_ts=body.get("thread_ts"),
    )


def shared_file(file: dict) -> SharedFile:
    """A file of a message event. In Slack Connect channels an event may carry only the file's id
    and `file_access: "check_file_info"`: what it is must be read with `files.info`."""

    def text(key: str) -> str:
        value = file.get(key)
        return value if isinstance(value, str) else ""

    return SharedFile(
        id=text("id"),
        name=text("name"),
        mimetype=text("mimetype"),
        filetype=text("filetype"),
        described=file.get("file_access") != "check_file_info",
        subtype=text("subtype"),
    )


@dataclass(frozen=True, slots=True)
class Receiver:
    """The installation an event was delivered to: Slack names one (`authorizations[0]`), chosen
    among all that can see the event. `team_id` is the workspace that installed the app, which the
    event is judged in; the outer `team_id` of a Slack Connect event is another organisation's."""

    team_id: str
    enterprise_id: str | None = None
    user_id: str | None = None
    is_bot: bool = False
    #: False when the delivery had no `authorizations` and `team_id` is the outer one.
    authorized: bool = True


def receiver(envelope: dict) -> Receiver:
    """Who received the event, from `authorizations[0]` (as Bolt reads it), else the outer fields."""
    listed = envelope.get("authorizations")
    first = listed[0] if isinstance(listed, list) and listed and isinstance(listed[0], dict) else None

    def text(source: dict, key: str) -> str | None:
        value = source.get(key)
        return value if isinstance(value, str) and value else None

    outer_team = text(envelope, "team_id") or ""
    if first is None:
        return Receiver(team_id=outer_team, enterprise_id=text(envelope, "enterprise_id"), authorized=False)
    return Receiver(
        team_id=text(first, "team_id") or outer_team,
        enterprise_id=text(first, "enterprise_id"),
        user_id=text(first, "user_id"),
        is_bot=first.get("is_bot") is True,
        authorized=text(first, "team_id") is not None,
    )


def observing_user(envelope: dict) -> str | None:
    """The account through which the app saw the event (`authorizations[0].user_id`)."""
    return receiver(envelope).user_id


def observed_by_bot(envelope: dict) -> bool:
    """Whether the account through which the app saw the event is its bot."""
    return receiver(envelope).is_bot


#: The message subtypes that say a channel changed kind (a message in the channel, not an event of its
#: own): the channel is, from then on, of this kind.
CONVERSIONS = {
    "channel_convert_to_private": ConversationKind.PRIVATE_CHANNEL,
    "channel_convert_to_public": ConversationKind.PUBLIC_CHANNEL,
}


def deleted_message(event: dict, *, bot_user_id: str) -> Message | None:
    """The message a `message_deleted` event took away, as the person had said it (its
    `previous_message`), or None when it was not a person's."""
    previous = event.get("previous_message")
    if not isinstance(previous, dict) or not event.get("channel"):
        return None
    return spoken_message({**previous, "channel": event["channel"]}, bot_user_id=bot_user_id)


#: The message subtype of a huddle's root: Slackbot's post in the conversation the huddle runs in.
HUDDLE_ROOT = "huddle_thread"
#: `profile.huddle_state` of someone in a huddle (anything else, `default_unset` mostly: in none).
IN_A_HUDDLE = "in_a_huddle"


@dataclass(frozen=True, slots=True)
class HuddleRoot:
    """A huddle's root (`subtype: huddle_thread`, with its `room`) as the app reads it: the call, the
    conversation it runs in, who is in it now and who ever was, when it started and ended, and the
    AI-notes features on."""

    call_id: str
    channel: str
    ts: str
    participants: frozenset[str]
    history: frozenset[str]
    started: datetime | None
    ended: datetime | None
    is_dm_call: bool
    recorded: frozenset[CallFeature]


def huddle_root(message: dict, channel: str = "") -> HuddleRoot | None:
    """The huddle a `huddle_thread` message (or a `message_changed` carrying one) describes, or None
    for any other message or a root without a usable `room`. A root whose `room.has_ended` is true,
    or whose `date_end` is set, has ended; `participants` is then empty, whatever it says."""
    body = message.get("message") if message.get("subtype") == "message_changed" else message
    if not isinstance(body, dict) or body.get("subtype") != HUDDLE_ROOT:
        return None
    room = body.get("room")
    if not isinstance(room, dict) or not isinstance(room.get("id"), str) or not room["id"]:
        return None
    where = channel or message.get("channel") or body.get("channel") or _first(room.get("channels"))
    if not isinstance(where, str) or not where:
        return None
    ended = _epoch(room.get("date_end")) or (_epoch(room.get("date_start")) if room.get("has_ended") else None)
    if room.get("has_ended") and ended is None:
        ended = datetime.fromtimestamp(0, UTC)
    recording = room.get("recording")
    if not isinstance(recording, dict):
        recording = {}
    return HuddleRoot(
        call_id=room["id"],
        channel=where,
        ts=str(body.get("ts") or message.get("ts") or ""),
        participants=frozenset() if ended else people_members(_listed(room.get("participants"))),
        history=people_members([*_listed(room.get("participant_history")), *_listed(room.get("participants"))]),
        started=_epoch(room.get("date_start")),
        ended=ended,
        is_dm_call=bool(room.get("is_dm_call")),
        recorded=frozenset(f for f in CallFeature if recording.get(f.value) is True),
    )


def huddle_state(user: dict) -> str | None:
    """The call a user object's profile says its owner is in (`huddle_state_call_id` while
    `huddle_state` is `in_a_huddle`), or None: in none. A leave resets the state without the id."""
    profile = user.get("profile")
    if not isinstance(profile, dict) or profile.get("huddle_state") != IN_A_HUDDLE:
        return None
    call_id = profile.get("huddle_state_call_id")
    return call_id if isinstance(call_id, str) and call_id else None


def _epoch(value: object) -> datetime | None:
    """A Slack epoch-seconds field as a time; 0, absent or not a number: None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


def _listed(values: object) -> list[object]:
    """A list field of Slack's JSON, or nothing when it is not a list (a string's letters are no ids)."""
    return values if isinstance(values, list) else []


def _first(values: object) -> object:
    return values[0] if isinstance(values, list) and values else None
