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
from typing import TypeAlias

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
    (`Worker.hand_over`): it deals with them from memory, without claiming them back.

    After a write fails, the next ones run in a thread until one succeeds: a database that is down
    may make each attempt wait out its timeout, and the event loop keeps answering meanwhile
    (`/healthz`, the other deliveries)."""

    def __init__(self, runtime: Runtime, worker: Worker | None = None):
        self.runtime = runtime
        self.worker = worker
        self._waiting: _Batch = []
        self._flush_scheduled = False
        #: The last write failed: the next ones go through a thread.
        self.failing = False

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
        if self.failing:
            written = asyncio.get_running_loop().run_in_executor(None, self._write, rows, worker)
            written.add_done_callback(lambda done: self._written(batch, worker, done))
            return
        try:
            handed = self._write(rows, worker)
        except Exception as error:
            self.failing = True
            _fail(batch, error)
            return
        self._stored(batch, worker, handed)

    def _written(self, batch: _Batch, worker: Worker | None, done: asyncio.Future) -> None:
        """A write made in a thread is over: its callers get its outcome."""
        error = done.exception()
        if error is not None:
            _fail(batch, error)
            return
        self.failing = False
        self._stored(batch, worker, done.result())

    def _write(self, rows: list[storage.Received], worker: Worker | None) -> list[storage.InboxItem]:
        """One transaction storing `rows`; the items stored as claimed by `worker`, to hand it."""
        handed: list[storage.InboxItem] = []
        with self.runtime.connection() as session:
            now = self.runtime.now()
            if worker is None:
                storage.enqueue_events(rows, EVENT, now=now, session=session)
            else:  # events without an id cannot be told apart once stored: any worker claims those
                with_id = [row for row in rows if row.event_id]
                handed = storage.enqueue_claimed_events(with_id, EVENT, worker.name, now=now, session=session)
                storage.enqueue_events([row for row in rows if not row.event_id], EVENT, now=now, session=session)
        return handed

    def _stored(self, batch: _Batch, worker: Worker | None, handed: list[storage.InboxItem]) -> None:
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        if worker is None or len(handed) < len(batch):
            self.runtime.wake.set()  # something was stored for any worker to claim
        if handed and worker is not None:  # only a worker taking hand-overs is handed any
            worker.hand_over(handed)


#: Deliveries waiting for one transaction: each event, and the future its caller awaits.
_Batch: TypeAlias = list[tuple[storage.Received, asyncio.Future]]


def _fail(batch: _Batch, error: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(error)
