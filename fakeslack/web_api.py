"""The Web API methods the fake answers, each as Slack documents it: arguments, paging, errors and
the shape of the answer. A method is a function of the workspace, the caller and the arguments."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from fakeslack.workspace import ADMINS, Channel, SlackError, Workspace, permitted


@dataclass(frozen=True, slots=True)
class Caller:
    """Whose token made the call."""

    user_id: str
    is_bot: bool
    team_id: str = ""
    #: An Enterprise Grid org admin's token (admin.* methods).
    is_org_admin: bool = False
    #: The scopes the token was granted through OAuth; None for a token a test made directly, which
    #: may do anything a member may.
    scopes: frozenset[str] | None = None


Method = Callable[[Workspace, Caller, dict], dict]
METHODS: dict[str, Method] = {}


def method(name: str, *, required: tuple[str, ...] = ()):
    def register(function: Method) -> Method:
        def checked(workspace: Workspace, caller: Caller, params: dict) -> dict:
            for argument in required:
                if not params.get(argument):
                    raise SlackError("invalid_arguments" if argument != "channel" else "channel_not_found")
            return function(workspace, caller, params)

        METHODS[name] = checked
        return function

    return register


def page(items: list, params: dict, *, key: str, default_limit: int = 100) -> dict:
    """One page of `items` and the cursor of the next, as Slack pages (an opaque cursor)."""
    try:
        limit = int(params.get("limit") or default_limit)
    except ValueError:
        raise SlackError("invalid_limit") from None
    limit = max(1, min(limit, 1000))
    start = 0
    if params.get("cursor"):
        try:
            start = int(base64.b64decode(params["cursor"]).decode().removeprefix("offset:"))
        except ValueError:
            raise SlackError("invalid_cursor") from None
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return {key: chunk, "response_metadata": {"next_cursor": cursor}}


def flag(params: dict, name: str) -> bool:
    return str(params.get(name, "")).lower() in ("1", "true")


@method("api.test")
def api_test(workspace: Workspace, caller: Caller, params: dict) -> dict:
    return {"args": {k: v for k, v in params.items() if k != "token"}}


@method("auth.test")
def auth_test(workspace: Workspace, caller: Caller, params: dict) -> dict:
    answer = {
        "url": f"https://{workspace.team_id.lower()}.slack.com/",
        "team": "Fake Workspace",
        "user": caller.user_id.lower(),
        "team_id": workspace.team_id,
        "user_id": caller.user_id,
        **workspace.installation.identity(),
    }
    if caller.is_bot:
        answer["bot_id"] = "B0SAFEBOT1"
    return answer


@method("team.info")
def team_info(workspace: Workspace, caller: Caller, params: dict) -> dict:
    team = {"id": workspace.team_id, "name": "Fake Workspace", "domain": workspace.team_id.lower()}
    return {"team": {**team, **workspace.installation.team_fields()}}


@method("users.list")
def users_list(workspace: Workspace, caller: Caller, params: dict) -> dict:
    # Only the workspace's own people: external (Slack Connect) members are never listed here, and
    # are read one at a time with users.info.
    users = [u.as_slack() for u in workspace.users.values() if u.team_id in ("", workspace.team_id)]
    return {**page(users, params, key="members", default_limit=1000), "cache_ts": int(time.time())}


@method("users.info", required=("user",))
def users_info(workspace: Workspace, caller: Caller, params: dict) -> dict:
    user = workspace.user(params["user"])
    external = user.team_id not in ("", workspace.team_id)
    shares = any(user.id in c.members and caller.user_id in c.members for c in workspace.conversations.values())
    return {"user": user.as_slack(stranger=external and not shares)}


@method("users.lookupByEmail", required=("email",))
def users_lookup_by_email(workspace: Workspace, caller: Caller, params: dict) -> dict:
    email = params["email"].strip().lower()
    for user in workspace.users.values():
        if user.email.lower() == email:
            return {"user": user.as_slack()}
    raise SlackError("users_not_found")


@method("users.getPresence")
def users_get_presence(workspace: Workspace, caller: Caller, params: dict) -> dict:
    """Only `presence` ("active" or "away") for someone else; how it was reckoned only for oneself."""
    user = workspace.user(params.get("user") or caller.user_id)
    if user.id != caller.user_id:
        return {"presence": user.presence}
    online = user.presence == "active"
    how = {"online": online, "auto_away": not online, "manual_away": False, "connection_count": int(online)}
    return {"presence": user.presence, **how, "last_activity": int(time.time()) if online else 1751812200}


def _listed(workspace: Workspace, caller: Caller, params: dict) -> list[Channel]:
    types = set(str(params.get("types") or "public_channel").split(","))
    unknown = types - {"public_channel", "private_channel", "im", "mpim"}
    if unknown:
        raise SlackError("invalid_types")
    listed = []
    for channel in workspace.conversations.values():
        if channel.kind not in types or (flag(params, "exclude_archived") and channel.is_archived):
            continue
        if channel.kind == "public_channel" or caller.user_id in channel.members:
            listed.append(channel)
    return listed


@method("conversations.list")
def conversations_list(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channels = [c.as_slack(caller.user_id, team_id=workspace.team_id) for c in _listed(workspace, caller, params)]
    return page(channels, params, key="channels")


@method("users.conversations")
def users_conversations(workspace: Workspace, caller: Caller, params: dict) -> dict:
    user = params.get("user") or caller.user_id
    channels = [
        c.as_slack(caller.user_id, team_id=workspace.team_id)
        for c in _listed(workspace, caller, params)
        if user in c.members
    ]
    return page(channels, params, key="channels")


@method("conversations.info", required=("channel",))
def conversations_info(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel = workspace.visible(params["channel"], caller.user_id)
    num_members = flag(params, "include_num_members")
    return {"channel": channel.as_slack(caller.user_id, num_members=num_members, team_id=workspace.team_id)}


@method("conversations.members", required=("channel",))
def conversations_members(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel = workspace.visible(params["channel"], caller.user_id)
    return page(list(channel.members), params, key="members")


@method("conversations.history", required=("channel",))
def conversations_history(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel = workspace.readable(params["channel"], caller.user_id)
    top = [
        m
        for m in reversed(workspace.history[channel.id])
        if m.get("thread_ts") in (None, m["ts"]) and _in_window(m["ts"], params)
    ]
    answer = page(top, params, key="messages")
    answer["messages"] = _with_metadata(answer["messages"], params)
    # No channel actions (workflow buttons pinned to the channel) in the fake: Slack's answer then.
    answer.update(has_more=bool(answer["response_metadata"]["next_cursor"]), channel_actions_ts=None)
    answer["channel_actions_count"] = 0
    return answer


@method("conversations.replies", required=("channel", "ts"))
def conversations_replies(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel = workspace.readable(params["channel"], caller.user_id)
    thread = [m for m in workspace.history[channel.id] if m["ts"] == params["ts"] or m.get("thread_ts") == params["ts"]]
    if not thread:
        raise SlackError("thread_not_found")
    answer = page(thread, params, key="messages")
    answer["messages"] = _with_metadata(answer["messages"], params)
    return answer


def _in_window(ts: str, params: dict) -> bool:
    """Whether a message is no later than `latest` (excluded unless `inclusive`), as
    `conversations.history` reads it: one message alone is `latest=ts, inclusive, limit=1`.
    `oldest` is not applied: the fake's message ts run on a clock of their own (from July 2025),
    not the wall clock an app reckons `oldest` by, so it would hide every message."""
    if not params.get("latest"):
        return True
    moment, latest = _moment(ts, "invalid_ts_latest"), _moment(str(params["latest"]), "invalid_ts_latest")
    return moment < latest or (moment == latest and flag(params, "inclusive"))


def _moment(ts: str, error: str) -> tuple[int, int]:
    """A message ts ("1751812201.000002") as a number, exactly (a float loses the last digits);
    `error` if it is none."""
    seconds, _, fraction = ts.partition(".")
    try:
        return int(seconds or 0), int((fraction + "000000")[:6])
    except ValueError:
        raise SlackError(error) from None


def _with_metadata(messages: list[dict], params: dict) -> list[dict]:
    """Slack gives a message's `metadata` only to a reader who asks (`include_all_metadata`). A
    copy: a reader cannot change what is stored (a huddle's root keeps changing there)."""
    if flag(params, "include_all_metadata"):
        return copy.deepcopy(messages)
    return [copy.deepcopy({k: v for k, v in m.items() if k != "metadata"}) for m in messages]


def _metadata(params: dict) -> dict | None:
    """A post's `metadata`: an object with a text `event_type` and an object `event_payload`."""
    metadata = params.get("metadata")
    if metadata in (None, ""):
        return None
    if not isinstance(metadata, dict):
        raise SlackError("invalid_metadata_format")
    if not isinstance(metadata.get("event_type"), str) or not isinstance(metadata.get("event_payload"), dict):
        raise SlackError("invalid_metadata_schema")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


@method("conversations.open")
def conversations_open(workspace: Workspace, caller: Caller, params: dict) -> dict:
    if params.get("channel"):
        return {"channel": {"id": workspace.visible(params["channel"], caller.user_id).id}}
    users = [u for u in str(params.get("users") or "").split(",") if u]
    if not users:
        raise SlackError("users_list_not_supplied")
    for user in users:
        workspace.user(user)
    if len(users) == 1:
        channel = workspace.dm(caller.user_id, users[0])
    else:
        channel = workspace.group_dm([caller.user_id, *users])
    return {"channel": channel.as_slack(caller.user_id) if flag(params, "return_im") else {"id": channel.id}}


@method("conversations.invite", required=("channel", "users"))
def conversations_invite(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel = workspace.visible(params["channel"], caller.user_id)
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if caller.user_id not in channel.members:
        raise SlackError("not_in_channel")
    if channel.is_archived:
        raise SlackError("is_archived")
    users = [u for u in str(params["users"]).split(",") if u]
    if caller.user_id in users:
        raise SlackError("cant_invite_self")
    for user in users:
        workspace.user(user)
    new = [u for u in users if u not in channel.members]
    if not new:
        raise SlackError("already_in_channel")
    for user in new:
        refused = workspace.invitation_refused(caller.user_id, workspace.user(user), channel)
        if refused:
            raise SlackError(refused)
    channel.members.extend(new)
    return {"channel": channel.as_slack(caller.user_id)}


@method("conversations.kick", required=("channel", "user"))
def conversations_kick(workspace: Workspace, caller: Caller, params: dict) -> dict:
    """Only a member may remove someone, never from a DM or group DM nor from #general, and only if
    the workspace's settings let the caller (the bot is neither an owner nor an admin). Slack names
    both "the caller is not in the channel" and "the user is not" `not_in_channel`. A person of
    another organisation can be removed only from a channel this one hosts, and only by its admins
    (slack.com/help/articles/5682545991443); that Slack then answers `not_supported` ("not supported
    for this channel and user combination") is an inference from the method reference."""
    channel = workspace.visible(params["channel"], caller.user_id)
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if params["user"] == caller.user_id:
        raise SlackError("cant_kick_self")
    target = workspace.user(params["user"])
    if caller.user_id not in channel.members:
        raise SlackError("not_in_channel")
    if channel.is_general:
        raise SlackError("cant_kick_from_general")
    external = target.team_id not in ("", workspace.team_id)
    if external and channel.host_team not in ("", workspace.team_id):
        raise SlackError("not_supported")
    if not workspace.may_remove(caller.user_id, channel) or (
        external and not permitted(ADMINS, workspace.user(caller.user_id))
    ):
        raise SlackError("restricted_action")
    if params["user"] not in channel.members:
        raise SlackError("not_in_channel")
    channel.members.remove(params["user"])
    return {}


@method("conversations.join", required=("channel",))
def conversations_join(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel = workspace.visible(params["channel"], caller.user_id)
    if channel.kind != "public_channel":
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    if caller.user_id not in channel.members:
        channel.members.append(caller.user_id)
    return {"channel": channel.as_slack(caller.user_id)}


def _destination(workspace: Workspace, caller: Caller, channel_id: str) -> Channel:
    """Where a post goes: a user id means the DM between the caller and that user."""
    if channel_id.startswith(("U", "W")):
        workspace.user(channel_id)
        return workspace.dm(caller.user_id, channel_id)
    channel = workspace.visible(channel_id, caller.user_id)
    if caller.user_id not in channel.members:
        raise SlackError("not_in_channel")
    if channel.is_archived:
        raise SlackError("is_archived")
    return channel


@method("chat.postMessage", required=("channel",))
def chat_post_message(workspace: Workspace, caller: Caller, params: dict) -> dict:
    if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
        raise SlackError("no_text")
    channel = _destination(workspace, caller, params["channel"])
    metadata = _metadata(params)
    message = {
        "type": "message",
        "user": caller.user_id,
        "text": params.get("text") or "",
        "ts": workspace.new_ts(),
        "team": workspace.team_id,
    }
    if caller.is_bot:
        message["bot_id"] = "B0SAFEBOT1"
    if params.get("blocks"):
        message["blocks"] = params["blocks"]
    if metadata is not None:
        message["metadata"] = metadata
    if params.get("thread_ts"):
        # A thread_ts naming no message is no error: Slack posts a reply nobody sees in the channel.
        parent = next((m for m in workspace.history[channel.id] if m["ts"] == params["thread_ts"]), None)
        if parent is not None:
            parent["reply_count"] = parent.get("reply_count", 0) + 1
        message["thread_ts"] = params["thread_ts"]
    workspace.history[channel.id].append(message)
    return {"channel": channel.id, "ts": message["ts"], "message": message}


@method("chat.postEphemeral", required=("channel", "user"))
def chat_post_ephemeral(workspace: Workspace, caller: Caller, params: dict) -> dict:
    if not params.get("text") and not params.get("blocks"):
        raise SlackError("no_text")
    channel = _destination(workspace, caller, params["channel"])
    if params["user"] not in channel.members:
        raise SlackError("user_not_in_channel")
    return {"message_ts": workspace.new_ts()}


def _own_message(workspace: Workspace, caller: Caller, params: dict, *, refusal: str) -> tuple[Channel, dict]:
    channel = workspace.visible(params["channel"], caller.user_id)
    message = next((m for m in workspace.history[channel.id] if m["ts"] == params["ts"]), None)
    if message is None:
        raise SlackError("message_not_found")
    if message.get("user") != caller.user_id:
        raise SlackError(refusal)
    return channel, message


@method("chat.update", required=("channel", "ts"))
def chat_update(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel, message = _own_message(workspace, caller, params, refusal="cant_update_message")
    message["text"] = params.get("text", message["text"])
    if "blocks" in params:
        message["blocks"] = params["blocks"]
    return {"channel": channel.id, "ts": message["ts"], "text": message["text"], "message": message}


@method("chat.delete", required=("channel", "ts"))
def chat_delete(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel, message = _own_message(workspace, caller, params, refusal="cant_delete_message")
    workspace.history[channel.id].remove(message)
    return {"channel": channel.id, "ts": message["ts"]}


@method("chat.getPermalink", required=("channel", "message_ts"))
def chat_get_permalink(workspace: Workspace, caller: Caller, params: dict) -> dict:
    channel = workspace.visible(params["channel"], caller.user_id)
    if not any(m["ts"] == params["message_ts"] for m in workspace.history[channel.id]):
        raise SlackError("message_not_found")
    ts = params["message_ts"].replace(".", "")
    return {"channel": channel.id, "permalink": f"https://fake.slack.com/archives/{channel.id}/p{ts}"}


@method("views.publish", required=("user_id", "view"))
def views_publish(workspace: Workspace, caller: Caller, params: dict) -> dict:
    workspace.user(params["user_id"])
    return {"view": {"id": workspace.new_id("V"), **_view(params["view"])}}


@method("views.open", required=("trigger_id", "view"))
def views_open(workspace: Workspace, caller: Caller, params: dict) -> dict:
    return {"view": {"id": workspace.new_id("V"), **_view(params["view"])}}


def _view(view: object) -> dict:
    if isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            raise SlackError("invalid_arguments") from None
    if not isinstance(view, dict) or view.get("type") not in ("home", "modal"):
        raise SlackError("invalid_arguments")
    return view


@method("files.getUploadURLExternal", required=("filename", "length"))
def files_get_upload_url_external(workspace: Workspace, caller: Caller, params: dict) -> dict:
    try:
        length = int(params["length"])
    except ValueError:
        raise SlackError("invalid_arguments") from None
    if length < 1:
        raise SlackError("missing_argument")
    file_id = workspace.new_id("F")
    workspace.files[file_id] = {
        "id": file_id,
        "name": params["filename"],
        "title": params["filename"],
        "size": length,
        "user": caller.user_id,
        "content": None,
        "shared": False,
    }
    return {"file_id": file_id, "upload_url": f"{workspace.base_url}upload/{file_id}"}


@method("files.completeUploadExternal", required=("files",))
def files_complete_upload_external(workspace: Workspace, caller: Caller, params: dict) -> dict:
    listed = params["files"]
    if isinstance(listed, str):
        try:
            listed = json.loads(listed)
        except ValueError:
            raise SlackError("invalid_arguments") from None
    completed = []
    for entry in listed:
        file = workspace.files.get(entry.get("id", ""))
        if file is None or file["user"] != caller.user_id:
            raise SlackError("file_not_found")
        if file["content"] is None:
            raise SlackError("file_upload_not_complete")
        file["title"] = entry.get("title") or file["title"]
        completed.append(file)
    destination = params.get("channel_id") or params.get("channels")
    if destination:
        channel = _destination(workspace, caller, str(destination).split(",")[0])
        message = {
            "type": "message",
            "user": caller.user_id,
            "text": params.get("initial_comment") or "",
            "ts": workspace.new_ts(),
            "files": [{k: v for k, v in f.items() if k != "content"} for f in completed],
        }
        workspace.history[channel.id].append(message)
        for file in completed:
            file["shared"] = True
            file["channel"] = channel.id
    return {"files": [{"id": f["id"], "title": f["title"]} for f in completed]}


@method("files.info", required=("file",))
def files_info(workspace: Workspace, caller: Caller, params: dict) -> dict:
    file = workspace.files.get(params["file"])
    if file is None:
        raise SlackError("file_not_found")
    url = f"{workspace.base_url}files/{file['id']}/{file['name']}"
    info = {k: v for k, v in file.items() if k != "content"}
    return {"file": {**info, "url_private": url, "url_private_download": url}}


@method("views.update", required=("view",))
def views_update(workspace: Workspace, caller: Caller, params: dict) -> dict:
    if not params.get("view_id") and not params.get("external_id"):
        raise SlackError("invalid_arguments")
    return {"view": {"id": params.get("view_id") or workspace.new_id("V"), **_view(params["view"])}}
