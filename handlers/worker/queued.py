"""Queued Slack actions: what the app decided to do in Slack, stored in the inbox (kind `ACTION`) in
the transaction that decided it, and carried out by the worker (`carry_out`) after it commits, so
that a crash or a failing Web API call never loses it nor doubles it.

One frozen dataclass per action. `to_payload` writes the JSON stored in the inbox and
`from_payload` reads it back. The payloads keep the keys they have always had: `"op"` names the
action and the other keys are its fields. Items stored by an earlier version are still carried out
after an upgrade, and a key that some producers leave out stays left out."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, TypeAlias

import storage
from handlers.slack.api import PermanentFailure

#: The inbox kind of a queued Slack action.
ACTION = "action"


class MalformedAction(PermanentFailure):
    """A stored action that cannot be read: an unknown op, a missing key, a value of the wrong type.
    No retry can cure it, so the worker fails the item for good and logs this reason."""


@dataclass(frozen=True, slots=True)
class PostAlert:
    """Post the incident's alert in its program's alert channel, once. With `under`, in the thread of
    that incident's alert instead: the two are one situation (one call breaking two rules)."""

    OP: ClassVar[str] = "alert"
    incident: int
    under: int | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"op": self.OP, "incident": self.incident}
        if self.under is not None:
            payload["under"] = self.under
        return payload


@dataclass(frozen=True, slots=True)
class ThreadUpdate:
    """Tell the incident's alert thread what changed. It waits for the alert to be posted first."""

    OP: ClassVar[str] = "thread"
    incident: int
    text: str

    def to_payload(self) -> dict[str, Any]:
        return {"op": self.OP, "incident": self.incident, "text": self.text}


@dataclass(frozen=True, slots=True)
class Resolution:
    """Say in the alert's thread that the incident is resolved, and refresh the alert."""

    OP: ClassVar[str] = "resolved"
    incident: int
    text: str

    def to_payload(self) -> dict[str, Any]:
        return {"op": self.OP, "incident": self.incident, "text": self.text}


@dataclass(frozen=True, slots=True)
class Post:
    """Post `text` in a channel, in a DM (`channel` is then a user id) or in the thread of the
    message `thread_ts`.

    `for_finding` marks a remedy that enforcement queued for a finding. Its payload always has the
    key "incident", which is null when the finding has no incident (a question, say). Other posts
    have no "incident" key. An incident id implies `for_finding`."""

    OP: ClassVar[str] = "post"
    channel: str
    text: str
    thread_ts: str | None = None
    incident: int | None = None
    for_finding: bool = False

    def __post_init__(self) -> None:
        _tie_to_finding(self)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"op": self.OP, "channel": self.channel, "text": self.text}
        if self.thread_ts is not None:
            payload["thread_ts"] = self.thread_ts
        return _with_incident(payload, self)


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """Send `user` a direct message. `rule` and `program` choose its button (Acknowledge the
    program's expectations, Connect the account). `for_finding` works as it does for `Post`."""

    OP: ClassVar[str] = "dm"
    user: str
    text: str
    rule: str | None = None
    program: str | None = None
    incident: int | None = None
    for_finding: bool = False

    def __post_init__(self) -> None:
        _tie_to_finding(self)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"op": self.OP, "user": self.user, "text": self.text}
        if self.rule is not None:
            payload["rule"] = self.rule
        if self.program is not None:
            payload["program"] = self.program
        return _with_incident(payload, self)


@dataclass(frozen=True, slots=True)
class Invitation:
    """Invite `user` to `channel`. When they are invited and `reason` is not empty, it is posted
    there. `for_finding` works as it does for `Post`. Bringing someone back after a lockdown names
    the `lockdown`: if Slack refuses, its alert's thread is told."""

    OP: ClassVar[str] = "invite"
    channel: str
    user: str
    reason: str = ""
    incident: int | None = None
    for_finding: bool = False
    lockdown: int | None = None

    def __post_init__(self) -> None:
        _tie_to_finding(self)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"op": self.OP, "channel": self.channel, "user": self.user, "reason": self.reason}
        if self.lockdown is not None:
            payload["lockdown"] = self.lockdown
        return _with_incident(payload, self)


@dataclass(frozen=True, slots=True)
class Escalation:
    """Tell one administrator directly about an incident nobody acknowledged."""

    OP: ClassVar[str] = "escalate"
    incident: int
    user: str

    def to_payload(self) -> dict[str, Any]:
        return {"op": self.OP, "incident": self.incident, "user": self.user}


@dataclass(frozen=True, slots=True)
class Kick:
    """Remove `user` from the locked-down `channel`. If Slack will not allow it, the thread of the
    `lockdown`'s alert is told (`alert_channel` when the alert is not posted, or for items stored
    before kicks named their lockdown)."""

    OP: ClassVar[str] = "kick"
    channel: str
    user: str
    alert_channel: str
    lockdown: int | None = None

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "op": self.OP,
            "channel": self.channel,
            "user": self.user,
            "alert_channel": self.alert_channel,
        }
        if self.lockdown is not None:
            payload["lockdown"] = self.lockdown
        return payload


@dataclass(frozen=True, slots=True)
class LockdownAlert:
    """Post the lockdown's alert (its channel and text are stored with the lockdown), once, and
    remember its ts: the removals Slack refuses are told in its thread."""

    OP: ClassVar[str] = "lockdown-alert"
    lockdown: int

    def to_payload(self) -> dict[str, Any]:
        return {"op": self.OP, "lockdown": self.lockdown}


@dataclass(frozen=True, slots=True)
class SendReport:
    """Send `user` the incident record of `programs`, as a CSV file in their DM with the app. With
    `since`, only incidents opened on or after that day are included."""

    OP: ClassVar[str] = "report"
    user: str
    programs: tuple[str, ...]
    since: date | None = None

    def to_payload(self) -> dict[str, Any]:
        since = self.since.isoformat() if self.since is not None else ""
        return {"op": self.OP, "user": self.user, "programs": list(self.programs), "since": since}


QueuedAction: TypeAlias = (
    PostAlert
    | ThreadUpdate
    | Resolution
    | Post
    | DirectMessage
    | Invitation
    | Escalation
    | Kick
    | LockdownAlert
    | SendReport
)


#: The payload key of an action's own key: unique to the action for ever (an inbox id is not, as
#: SQLite may give a deleted row's id again), it marks the action's posts so that a retry finds them.
KEY = "key"


def queue(action: QueuedAction, *, team_id: str, session: storage.Session, now: datetime) -> None:
    """Queue one Slack action. The worker carries it out (and retries it) after this commits."""
    payload = action.to_payload() | {KEY: uuid.uuid4().hex}
    storage.enqueue_event(None, team_id, ACTION, payload, now=now, session=session)


def action_key(item: storage.InboxItem) -> str:
    """The key of a queued action's item (an item queued before actions had keys: its id)."""
    key = item.payload.get(KEY) if isinstance(item.payload, Mapping) else None
    return key if isinstance(key, str) and key else f"inbox-{item.id}"


def from_payload(payload: Mapping[str, Any]) -> QueuedAction:
    """The action a stored payload describes. Keys it does not know are ignored. Raises
    `MalformedAction` for an unknown op, a missing key or a value of the wrong type."""
    read = _Reader(payload)
    match read.op:
        case PostAlert.OP:
            return PostAlert(incident=read.integer("incident"), under=read.optional_integer("under"))
        case ThreadUpdate.OP:
            return ThreadUpdate(incident=read.integer("incident"), text=read.text("text"))
        case Resolution.OP:
            return Resolution(incident=read.integer("incident"), text=read.text("text"))
        case Post.OP:
            return Post(
                channel=read.text("channel"),
                text=read.text("text"),
                thread_ts=read.optional_text("thread_ts"),
                incident=read.optional_integer("incident"),
                for_finding=read.has("incident"),
            )
        case DirectMessage.OP:
            return DirectMessage(
                user=read.text("user"),
                text=read.text("text"),
                rule=read.optional_text("rule"),
                program=read.optional_text("program"),
                incident=read.optional_integer("incident"),
                for_finding=read.has("incident"),
            )
        case Invitation.OP:
            return Invitation(
                channel=read.text("channel"),
                user=read.text("user"),
                reason=read.optional_text("reason") or "",
                incident=read.optional_integer("incident"),
                for_finding=read.has("incident"),
                lockdown=read.optional_integer("lockdown"),
            )
        case Escalation.OP:
            return Escalation(incident=read.integer("incident"), user=read.text("user"))
        case Kick.OP:
            return Kick(
                channel=read.text("channel"),
                user=read.text("user"),
                alert_channel=read.text("alert_channel"),
                lockdown=read.optional_integer("lockdown"),
            )
        case LockdownAlert.OP:
            return LockdownAlert(lockdown=read.integer("lockdown"))
        case SendReport.OP:
            return SendReport(user=read.text("user"), programs=read.texts("programs"), since=read.day("since"))
    raise MalformedAction(f"unknown queued action {read.op[:40]!r}")


_Tied: TypeAlias = Post | DirectMessage | Invitation


def _tie_to_finding(action: _Tied) -> None:
    """An action that names an incident was queued for a finding. Setting the flag here keeps the
    round trip exact: its payload has the key "incident", so it reads back with the flag set."""
    if action.incident is not None and not action.for_finding:
        object.__setattr__(action, "for_finding", True)  # frozen, still being built


def _with_incident(payload: dict[str, Any], action: _Tied) -> dict[str, Any]:
    if action.for_finding:
        payload["incident"] = action.incident
    return payload


class _Reader:
    """Reads a payload's fields, each checked for its type. The errors name the op and the key but
    never quote a value, because a payload may hold what someone wrote."""

    def __init__(self, payload: Mapping[str, Any]):
        if not isinstance(payload, Mapping):
            raise MalformedAction(f"a queued action is a JSON object, not {type(payload).__name__}")
        self.payload = payload
        op = payload.get("op")
        if not isinstance(op, str):
            found = "no 'op'" if op is None else f"an 'op' of type {type(op).__name__}"
            raise MalformedAction(f"a queued action with {found}")
        self.op = op

    def has(self, key: str) -> bool:
        return key in self.payload

    def _required(self, key: str) -> Any:
        if key not in self.payload:
            raise MalformedAction(f"queued action {self.op!r} lacks {key!r}")
        return self.payload[key]

    def _wrong(self, key: str, expected: str) -> MalformedAction:
        found = type(self.payload[key]).__name__
        return MalformedAction(f"queued action {self.op!r}: {key!r} should be {expected}, not {found}")

    def text(self, key: str) -> str:
        value = self._required(key)
        if not isinstance(value, str):
            raise self._wrong(key, "text")
        return value

    def optional_text(self, key: str) -> str | None:
        """Text, or None when the key is absent or null."""
        return self.text(key) if self.payload.get(key) is not None else None

    def integer(self, key: str) -> int:
        value = self._required(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._wrong(key, "an integer")
        return value

    def optional_integer(self, key: str) -> int | None:
        """An integer, or None when the key is absent or null."""
        return self.integer(key) if self.payload.get(key) is not None else None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._required(key)
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
            raise self._wrong(key, "a list of texts")
        return tuple(value)

    def day(self, key: str) -> date | None:
        """A date written as YYYY-MM-DD, or None when it is empty or absent."""
        value = self.optional_text(key)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise MalformedAction(f"queued action {self.op!r}: {key!r} should be a date (YYYY-MM-DD)") from None
