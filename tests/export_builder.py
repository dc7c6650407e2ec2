"""Slack export archives written by the tests, in Slack's standard layout: `users.json`,
`channels.json`, `groups.json`, `dms.json`, `mpims.json`, and one folder of daily message files per
conversation (named after the channel; a DM's after its id)."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

TEAM = "T0TEAM0001"
DAY = datetime(2026, 7, 6, tzinfo=UTC)


def user(user_id: str, name: str, email: str = "", **flags) -> dict:
    return {
        "id": user_id,
        "team_id": TEAM,
        "name": name.lower(),
        "real_name": name,
        "deleted": flags.get("deleted", False),
        "is_bot": flags.get("is_bot", False),
        "is_restricted": flags.get("is_restricted", False),
        "is_ultra_restricted": False,
        "profile": {"real_name": name, "email": email},
    }


def message(user_id: str, text: str, *, at: datetime = DAY, files: list[dict] | None = None) -> dict:
    body = {"type": "message", "user": user_id, "text": text, "ts": f"{at.timestamp():.6f}"}
    if files:
        body.update(subtype="file_share", files=files)
    return body


def huddle(
    room_id: str,
    channel: str,
    history: list[str],
    *,
    at: datetime = DAY,
    lasted: timedelta = timedelta(minutes=20),
    is_dm_call: bool = False,
    recording: dict | None = None,
    **room_fields,
) -> dict:
    """A huddle's root as an export keeps it: Slackbot's `huddle_thread` message in the conversation's
    daily file, its `room` in its final state (ended, nobody in it, everyone who ever was in
    `participant_history`), in the shape of Slack's conversation-object reference."""
    start, end = int(at.timestamp()), int((at + lasted).timestamp())
    room = {
        "id": room_id,
        "name": "",
        "media_server": "",
        "created_by": history[0] if history else "",
        "date_start": start,
        "date_end": end,
        "participants": [],
        "participant_history": history,
        "participants_events": {u: {"user_team": TEAM, "joined": True} for u in history},
        "participants_camera_on": [],
        "participants_camera_off": [],
        "participants_screenshare_on": [],
        "participants_screenshare_off": [],
        "canvas_thread_ts": f"{start}.000100",
        "thread_root_ts": f"{start}.000100",
        "channels": [channel],
        "is_dm_call": is_dm_call,
        "was_rejected": False,
        "was_missed": False,
        "was_accepted": True,
        "has_ended": True,
        "is_scheduled": False,
        "call_family": "huddle",
        "huddle_link": f"https://example.slack.com/huddle/{TEAM}/{channel}",
        "recording": {
            "can_record_summary": "available",
            "transcript": False,
            "summary": False,
            "notetaking": False,
            **(recording or {}),
        },
        "pending_invitees": {},
        "knocks": {},
        **room_fields,
    }
    return {
        "type": "message",
        "subtype": "huddle_thread",
        "user": "USLACKBOT",
        "text": "",
        "ts": f"{start}.000100",
        "channel": channel,
        "no_notifications": True,
        "room": room,
        "edited": {"user": "USLACKBOT", "ts": f"{end}.000200"},
    }


class Export:
    """An archive being written: add conversations and messages, then `folder()` or `zip()`."""

    def __init__(self, users: list[dict]):
        self.files: dict[str, object] = {"users.json": users}
        self.lists = {"channels.json": [], "groups.json": [], "dms.json": [], "mpims.json": []}

    def conversation(self, listing: str, conversation_id: str, members: list[str], *, name: str = "", messages=()):
        info = {"id": conversation_id, "created": int(DAY.timestamp()) - 86400, "members": members}
        if name:
            info["name"] = name
        self.lists[listing].append(info)
        folder = conversation_id if listing == "dms.json" else name
        by_day: dict[str, list[dict]] = {}
        for item in messages:
            day = datetime.fromtimestamp(float(item["ts"]), UTC).date().isoformat()
            by_day.setdefault(day, []).append(item)
        for day, items in by_day.items():
            self.files[f"{folder}/{day}.json"] = items
        return self

    def contents(self, *, leave_out: tuple[str, ...] = ()) -> dict[str, bytes]:
        everything = {**{k: v for k, v in self.lists.items() if v}, **self.files}
        return {name: json.dumps(data).encode() for name, data in everything.items() if name not in leave_out}

    def folder(self, path: Path, **options) -> Path:
        for name, data in self.contents(**options).items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(data)
        return path

    def zip(self, path: Path, *, root: str = "", **options) -> Path:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in self.contents(**options).items():
                archive.writestr(f"{root}{name}", data)
        return path
