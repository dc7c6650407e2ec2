"""Slack's JSON into `bot.model`: accounts, conversations and the messages people said, shared by the
worker, the sweeps, the live audit and the export reader. Pure translation: no Web API call."""

from __future__ import annotations

from bot.model import Account, Conversation, ConversationKind, Message, SharedFile

#: Message subtypes that carry something a person said; the rest (joins, topic changes, deletions,
#: bot messages) are either handled by their own events or not people's words.
SPOKEN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message", "message_changed"})


def account_from_user(user: dict, team_id: str = "") -> Account:
    profile = user.get("profile") or {}
    return Account(
        id=user["id"],
        email=profile.get("email") or "",
        name=profile.get("real_name") or user.get("real_name") or user.get("name") or "",
        team_id=user.get("team_id") or team_id,
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        is_external=bool(user.get("is_stranger")),
        deleted=bool(user.get("deleted")),
    )


def conversation_kind(info: dict) -> ConversationKind:
    if info.get("is_im"):
        return ConversationKind.IM
    if info.get("is_mpim"):
        return ConversationKind.MPIM
    if info.get("is_private") or info.get("is_group"):
        return ConversationKind.PRIVATE_CHANNEL
    return ConversationKind.PUBLIC_CHANNEL


def conversation_from_info(info: dict, members: frozenset[str], *, team_id: str = "") -> Conversation:
    team = team_id or info.get("context_team_id") or ""
    return Conversation(
        id=info["id"],
        kind=conversation_kind(info),
        members=members,
        name=info.get("name") or "",
        team_id=team,
        is_archived=bool(info.get("is_archived")),
    )


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


def observing_user(envelope: dict) -> str | None:
    """The account through which the app saw the event (`authorizations[0].user_id`)."""
    authorizations = envelope.get("authorizations") or []
    return authorizations[0].get("user_id") if authorizations else None


def observed_by_bot(envelope: dict) -> bool:
    """Whether the account through which the app saw the event is its bot."""
    authorizations = envelope.get("authorizations") or []
    return bool(authorizations) and bool(authorizations[0].get("is_bot"))
