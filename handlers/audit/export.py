"""Reading a Slack export archive (a zip, or the folder it unpacks to) into a `Snapshot` for the
audit: `users.json`, `channels.json`, `groups.json`, `dms.json`, `mpims.json`, and one folder of
daily message files per conversation. Files the archive lacks are tolerated (an export of public
channels only has no `dms.json`); a file that is there but is not what it should be stops the audit
with one line naming it."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from bot.audit import Snapshot, message_time
from bot.model import Conversation, ConversationKind, Message
from handlers.audit.past_calls import PastCalls
from handlers.slack.parsing import account_from_user, people_members, spoken_message

#: The conversation lists of an export, and the kind of conversation each holds.
CONVERSATION_FILES = (
    ("channels.json", ConversationKind.PUBLIC_CHANNEL),
    ("groups.json", ConversationKind.PRIVATE_CHANNEL),
    ("dms.json", ConversationKind.IM),
    ("mpims.json", ConversationKind.MPIM),
)
Progress = Callable[[int, int], None]


class ArchiveError(Exception):
    """The archive cannot be audited; the message is one line naming the file and the reason."""


class _Files:
    """The archive's files by their path below the export's root (a zip may wrap it in a folder)."""

    def __init__(self, path: Path):
        self.path = path
        if path.is_dir():
            self._zip = None
            names = [p.relative_to(path).as_posix() for p in path.rglob("*.json") if p.is_file()]
        elif path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as error:
                raise ArchiveError(f"{path}: not a zip archive or folder ({error})") from None
            names = [n for n in self._zip.namelist() if n.endswith(".json")]
        else:
            raise ArchiveError(f"{path}: no such file or folder")
        roots = [
            str(PurePosixPath(n).parent) for n in names if PurePosixPath(n).name in ("users.json", "channels.json")
        ]
        if not roots:
            raise ArchiveError(f"{path}: not a Slack export (no users.json or channels.json in it)")
        self.root = min(roots, key=len)
        prefix = "" if self.root == "." else self.root + "/"
        self.names = {n[len(prefix) :] for n in names if n.startswith(prefix)}

    def read(self, name: str, default: object) -> object:
        """A file's JSON, or `default` when the archive does not have it."""
        if name not in self.names:
            return default
        full = name if self.root == "." else f"{self.root}/{name}"
        try:
            data = self._zip.read(full) if self._zip is not None else (self.path / full).read_bytes()
            return json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ArchiveError(f"{self.path}: {name} is not valid JSON ({error})") from None
        except (OSError, zipfile.BadZipFile, KeyError) as error:
            raise ArchiveError(f"{self.path}: {name} cannot be read ({error})") from None

    def daily_files(self, folder: str) -> list[str]:
        return sorted(n for n in self.names if n.startswith(folder + "/") and n.count("/") == 1)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def read_export(path: Path | str, *, progress: Progress | None = None) -> Snapshot:
    """The archive as a snapshot: its accounts, its conversations with their members, the
    messages people wrote in them (the app's and other bots' left out), and the past calls their
    huddle roots show (each room's last version; an unreadable root is counted and left out).

    Every daily file is read and checked here, so that a corrupt one stops the audit before it
    starts; the messages themselves are read again when the audit asks for a conversation's, and
    not kept, so an archive of any size is audited in the memory of its largest conversation."""
    files = _Files(Path(path))
    try:
        users = _list_of_objects(files, "users.json")
        team_id = next((str(u["team_id"]) for u in users if u.get("team_id")), "")
        accounts = tuple(account_from_user(u, team_id) for u in users if u.get("id"))
        listed = [(info, kind) for name, kind in CONVERSATION_FILES for info in _list_of_objects(files, name)]
        conversations, folders, created, latest = [], {}, {}, []
        calls = PastCalls()
        for done, (info, kind) in enumerate(listed, start=1):
            conversation = _conversation(info, kind, team_id)
            if conversation is None:
                continue
            conversations.append(conversation)
            folder = info.get("name") if kind is not ConversationKind.IM else conversation.id
            folders[conversation.id] = str(folder or conversation.id)
            said = _messages(files, folders[conversation.id], conversation, calls)
            times = [t for m in said if (t := message_time(m))]
            if times:
                latest.append(max(times))
            if str(info.get("created", "")).isdigit():
                created[conversation.id] = datetime.fromtimestamp(int(info["created"]), UTC)
            if progress is not None:
                progress(done, len(listed))
    except BaseException:
        files.close()
        raise
    return Snapshot(
        team_id=team_id,
        accounts=accounts,
        conversations=tuple(conversations),
        messages=_ExportMessages(files, folders, {c.id: c for c in conversations}),
        created=created,
        complete=bool(accounts),
        as_of=max(latest, default=None),
        calls=calls.calls(),
        unreadable_calls=calls.unreadable,
    )


class _ExportMessages(Mapping[str, tuple[Message, ...]]):
    """Each conversation's messages, oldest first, read from the archive when asked for (and not
    kept: the audit looks at one conversation at a time). The archive stays open meanwhile."""

    def __init__(self, files: _Files, folders: dict[str, str], conversations: dict[str, Conversation]):
        self._files, self._folders, self._conversations = files, folders, conversations

    def __getitem__(self, conversation_id: str) -> tuple[Message, ...]:
        folder = self._folders[conversation_id]
        return tuple(_messages(self._files, folder, self._conversations[conversation_id]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._folders)

    def __len__(self) -> int:
        return len(self._folders)


def _list_of_objects(files: _Files, name: str) -> list[dict]:
    data = files.read(name, [])
    if not isinstance(data, list):
        raise ArchiveError(f"{files.path}: {name} is not a list")
    return [item for item in data if isinstance(item, dict)]


def _conversation(info: dict, kind: ConversationKind, team_id: str) -> Conversation | None:
    conversation_id = info.get("id")
    if not isinstance(conversation_id, str) or not conversation_id:
        return None
    members = info.get("members") or []
    if kind is ConversationKind.IM and not members and info.get("user"):
        members = [info["user"]]
    return Conversation(
        id=conversation_id,
        kind=kind,
        members=people_members(members),
        name=str(info.get("name") or ""),
        team_id=team_id,
        is_archived=bool(info.get("is_archived")),
    )


def _messages(files: _Files, folder: str, conversation: Conversation, calls: PastCalls | None = None) -> list[Message]:
    """The conversation's spoken messages, oldest first; its huddle roots (Slackbot's, so never
    spoken) go to `calls` when given."""
    found = []
    for name in files.daily_files(folder):
        day = files.read(name, [])
        if not isinstance(day, list):
            raise ArchiveError(f"{files.path}: {name} is not a list of messages")
        for raw in day:
            if isinstance(raw, dict) and raw.get("type", "message") == "message":
                if calls is not None:
                    calls.add(raw, conversation)
                message = spoken_message({**raw, "channel": conversation.id}, bot_user_id="")
                if message is not None:
                    found.append(message)
    return sorted(found, key=lambda m: _ts(m.ts))


def _ts(ts: str) -> float:
    try:
        return float(ts)
    except ValueError:
        return 0.0
