"""Past calls for both audits, from the `huddle_thread` roots Slackbot posts in a conversation's
history (an export's daily files, or `conversations.history`): one call per room id, as its last
version says (Slack edits the root as people join and leave; the last edit is the final state).

A root without an end (`date_end` 0: the huddle was still running when the history was read, or
Slack never closed its root) is judged at its last known time: the latest of its start, its own
`ts` and its last edit's, since it ran at least until Slack last wrote it. A root Slack wrote only
once, as it started, has therefore lasted no time and stays undecided: no finding."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.audit import PastCall
from bot.model import Call, Conversation
from handlers.slack.parsing import HUDDLE_ROOT, HuddleRoot, huddle_root

log = logging.getLogger(__name__)


@dataclass
class PastCalls:
    """The calls met so far in conversations' histories, and how many roots could not be read."""

    _latest: dict[str, tuple[tuple[bool, float], PastCall]] = field(default_factory=dict)
    unreadable: int = 0

    def add(self, raw: dict, conversation: Conversation) -> None:
        """Take in one message of `conversation`'s history if it is a huddle root; an unreadable
        root (no room, no id, no start, no list of who was in it) is counted, never raised."""
        if raw.get("subtype") != HUDDLE_ROOT:
            return
        root = huddle_root(raw, conversation.id)
        if root is None or root.started is None or not isinstance(raw["room"].get("participant_history"), list):
            self.unreadable += 1
            return
        written = _last_written(raw, root)
        past = PastCall(
            call=Call(
                id=root.call_id,
                participants=root.history,
                since=root.started,
                started_at=root.started,
                channel=conversation.id,
                kind=conversation.kind,
                recorded=root.recorded,
                root_ts=root.ts,
            ),
            ended=root.ended if root.ended is not None and root.ended > root.started else max(written, root.started),
        )
        version = (root.ended is not None, written.timestamp())
        earlier = self._latest.get(root.call_id)
        if earlier is None or earlier[0] <= version:
            self._latest[root.call_id] = (version, past)

    def calls(self) -> tuple[PastCall, ...]:
        """Every call once, oldest first; the unreadable roots are logged by count (nothing of them)."""
        if self.unreadable:
            log.warning("%d huddle root(s) without a readable room were left out of the audit", self.unreadable)
        return tuple(sorted((past for _, past in self._latest.values()), key=lambda p: (p.call.since, p.call.id)))


def _last_written(raw: dict, root: HuddleRoot) -> datetime:
    """When Slack last wrote the root: its last edit, else its own `ts`, else its start."""
    edited = raw.get("edited")
    times = [edited.get("ts") if isinstance(edited, dict) else None, raw.get("ts")]
    seconds = [s for t in times if (s := _seconds(t)) is not None]
    return datetime.fromtimestamp(max(seconds), UTC) if seconds else root.started or datetime.fromtimestamp(0, UTC)


def _seconds(ts: object) -> float | None:
    if not isinstance(ts, str | int | float) or isinstance(ts, bool):
        return None
    try:
        value = float(ts)
    except ValueError:
        return None
    return value if 0 < value < 1e11 else None
