"""Storing each Events API delivery in the inbox before Slack gets its acknowledgement, and nothing
else: the worker does the rest. A redelivery (same `event_id`) is stored once.

Each is stored under the workspace that received it (`authorizations[0].team_id`, as Bolt reads it):
a Slack Connect event's outer `team_id` is the host organisation's, kept only in the payload.

Event callbacks, over HTTP (`handlers.server`, after the signature check) and over Socket Mode
(`handlers.listeners.socket_mode`) alike, are checked for the shape of an event callback and
stored by the `InboxWriter`: deliveries arriving together are stored in one transaction (a group
commit) before each is acknowledged. They never go through Bolt."""

from __future__ import annotations

import asyncio
import logging

import storage
from handlers.runtime import Runtime
from handlers.slack.parsing import receiver
from handlers.worker.loop import Worker

#: The inbox kind of a stored Slack event.
EVENT = "event"

log = logging.getLogger(__name__)


#: An event callback with nothing to store: acknowledged (Slack would only send it again) and logged.
NO_EVENT = "an event callback without an event"


def event_callback_problem(body: object) -> str | None:
    """Why a parsed body is not an event callback the inbox can store (None: it is one)."""
    if not isinstance(body, dict) or body.get("type") != "event_callback":
        return "not an event callback"
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return NO_EVENT
    if not isinstance(body.get("team_id") or "", str) or not isinstance(body.get("event_id") or "", str):
        return "a malformed team or event id"
    return None


class InboxWriter:
    """Stores event callbacks with a group commit: deliveries that arrive while one transaction is
    being written wait for the next, and all of them share it. Each caller returns only once its
    event is committed, so a 200 always means stored.

    When this process's worker is running, the events are stored as claimed by it and handed over
    (`Worker.hand_over`): it deals with them from memory, without claiming them back."""

    def __init__(self, runtime: Runtime, worker: Worker | None = None):
        self.runtime = runtime
        self.worker = worker
        self._waiting: list[tuple[storage.Received, asyncio.Future]] = []
        self._flush_scheduled = False

    async def store(self, body: dict, text: str | None = None) -> None:
        """Store an event callback: `body` parsed from `text`, which is what is stored (`body` as
        JSON when it came without its text, as over Socket Mode)."""
        future = asyncio.get_running_loop().create_future()
        event_id, team_id = body.get("event_id") or None, receiver(body).team_id
        if text is None:
            received = storage.Received.of(event_id, team_id, body)
        else:
            received = storage.Received(event_id, team_id, body, text)
        self._waiting.append((received, future))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        await future

    def _flush(self) -> None:
        batch, self._waiting, self._flush_scheduled = self._waiting, [], False
        worker = self.worker if self.worker is not None and self.worker.takes_handovers else None
        rows = [received for received, _ in batch]
        handed: list[storage.InboxItem] = []
        try:
            with self.runtime.connection() as session:
                now = self.runtime.now()
                if worker is None:
                    storage.enqueue_events(rows, EVENT, now=now, session=session)
                else:  # events without an id cannot be told apart once stored: any worker claims those
                    with_id = [row for row in rows if row.event_id]
                    handed = storage.enqueue_claimed_events(with_id, EVENT, worker.name, now=now, session=session)
                    storage.enqueue_events([row for row in rows if not row.event_id], EVENT, now=now, session=session)
        except Exception as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        if worker is None or len(handed) < len(rows):
            self.runtime.wake.set()  # something was stored for any worker to claim
        if handed and worker is not None:  # only a worker taking hand-overs is handed any
            worker.hand_over(handed)
