"""Storing each Events API delivery in the inbox before Slack gets its acknowledgement, and nothing
else: the worker does the rest. A redelivery (same `event_id`) is stored once.

Each is stored under the workspace that received it (`authorizations[0].team_id`, as Bolt reads it):
a Slack Connect event's outer `team_id` is the host organisation's, kept only in the payload.

Event callbacks, over HTTP (`handlers.server`, after the signature check) and over Socket Mode
(`handlers.listeners.socket_mode`) alike, are checked for the shape of an event callback and
stored by the `InboxWriter`: deliveries arriving together are stored in one transaction (a group
commit), off the event loop, before each is acknowledged. They never go through Bolt."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from typing import TypeAlias

import storage
from handlers.backstage import OneThread
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


#: How long an acknowledgement waits for its event to be stored, in seconds. A write takes
#: milliseconds; one that takes longer is waiting on the database (a lock, a stalled connection), and
#: the delivery gets a 503 at once, which Slack retries (at once, then after a minute and after five),
#: well within Slack's 3 seconds and the second `/healthz` and acks are held to. The write goes on in
#: its thread if it had begun (a retry of an event stored late is stored once, as any redelivery).
STORE_DEADLINE_S = 0.5
#: Deliveries that may wait for the writer at most (each waits `STORE_DEADLINE_S` at most, then is
#: withdrawn): beyond, more are refused at once.
MAX_WAITING = 10_000


class InboxWriter:
    """Stores event callbacks with a group commit, off the event loop (on the worker's loop, the
    backstage, when it runs; else in a thread of its own): deliveries that arrive while one
    transaction is being written wait for the next, and all of them share it (one thread hop per
    transaction, not per event). Each caller returns only once its event is committed, so a
    200 always means stored, or after `deadline` seconds with `storage.DatabaseTooSlow` (a 503).

    The event loop never waits on the database: a database that hangs holds the thread that writes,
    and the loop keeps answering (`/healthz`, commands, the other deliveries, with 503 meanwhile).

    When this process's worker is running, the events are stored as claimed by it and handed over
    (`Worker.hand_over`, on the worker's own loop: `worker_loop`): it deals with them from memory,
    without claiming them back."""

    def __init__(self, runtime: Runtime, worker: Worker | None = None, *, deadline: float = STORE_DEADLINE_S):
        self.runtime = runtime
        self.worker = worker
        self.deadline = deadline
        #: The loop the worker runs on, when not the one deliveries arrive on (`handlers.backstage`):
        #: the transactions are then written there (a thread of its own already), not in `_thread`.
        self.worker_loop: asyncio.AbstractEventLoop | None = None
        self._waiting: _Batch = []
        self._flush_scheduled = False
        #: A transaction is being written: arrivals wait for the next.
        self._writing = False
        self._thread = OneThread("inbox-writer")

    async def store(self, body: dict, text: str | None = None) -> None:
        """Store an event callback: `body` parsed from `text`, which is what is stored (`body` as
        JSON when it came without its text, as over Socket Mode)."""
        if len(self._waiting) >= MAX_WAITING:
            raise storage.DatabaseTooSlow(f"{MAX_WAITING} deliveries are already waiting for the database")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        future.add_done_callback(_seen)  # its caller may have stopped waiting (the deadline)
        event_id, team_id = body.get("event_id") or None, receiver(body).team_id
        if text is None:
            received = storage.Received.of(event_id, team_id, body)
        else:
            received = storage.Received(event_id, team_id, body, text)
        self._waiting.append((received, future))
        if not self._flush_scheduled and not self._writing:
            self._flush_scheduled = True
            loop.call_soon(self._flush)  # deliveries arriving in the same moment share the transaction
        # The deadline is a timer that fails this delivery's own future (not `wait_for(shield(...))`,
        # whose two wrapping futures cost three turns of the loop on every delivery).
        timer = loop.call_later(self.deadline, self._too_slow, future)
        try:
            await future
        finally:
            timer.cancel()

    def _too_slow(self, future: asyncio.Future) -> None:
        """The deadline passed: the delivery is answered 503 (and withdrawn, if its write has not begun)."""
        if not future.done():
            self._withdraw(future)
            future.set_exception(storage.DatabaseTooSlow(f"the event was not stored within {self.deadline} s"))

    @property
    def idle(self) -> bool:
        """Nothing is being written or waits to be."""
        return not self._writing and not self._waiting

    def _withdraw(self, future: asyncio.Future) -> None:
        """A delivery answered 503 before its write began is not written: Slack sends it again, and a
        503 means not stored. (One whose transaction is under way may still be stored: its retry is
        then stored once, as any redelivery.)"""
        self._waiting = [(received, waiting) for received, waiting in self._waiting if waiting is not future]

    def _flush(self) -> None:
        """Hand what waits to the thread that writes, as one transaction."""
        self._flush_scheduled = False
        if self._writing or not self._waiting:
            return
        batch, self._waiting, self._writing = self._waiting, [], True
        worker = self.worker if self.worker is not None and self.worker.takes_handovers else None
        rows = [received for received, _ in batch]
        if self.worker_loop is None:
            written = asyncio.wrap_future(self._thread.submit(lambda: self._write(rows, worker)))
        else:  # on the worker's own loop, which takes what is handed over at once: one thread hop
            outcome: concurrent.futures.Future[list[storage.InboxItem]] = concurrent.futures.Future()
            self.worker_loop.call_soon_threadsafe(self._write_and_hand_over, rows, worker, outcome)
            written = asyncio.wrap_future(outcome)
        written.add_done_callback(lambda done: self._written(batch, worker, done))

    def _written(self, batch: _Batch, worker: Worker | None, done: asyncio.Future) -> None:
        """A transaction is over: its callers get its outcome, and what arrived meanwhile is next."""
        self._writing = False
        error = done.exception()
        if error is not None:
            _fail(batch, error)
        else:
            self._stored(batch, worker, done.result())
        self._flush()

    def _write_and_hand_over(
        self,
        rows: list[storage.Received],
        worker: Worker | None,
        outcome: concurrent.futures.Future[list[storage.InboxItem]],
    ) -> None:
        """`_write`, on the worker's loop: the items stored as claimed are handed over there and then
        (none are left for `_stored` to hand over)."""
        try:
            handed = self._write(rows, worker)
        except BaseException as error:
            outcome.set_exception(error)
            return
        if worker is None or len(handed) < len(rows):
            self.runtime.wake.set()  # something was stored for any worker to claim
        if handed and worker is not None:
            worker.hand_over(handed)
        outcome.set_result([])

    def _write(self, rows: list[storage.Received], worker: Worker | None) -> list[storage.InboxItem]:
        """One transaction storing `rows` (off the event loop); the items stored as claimed by
        `worker`, to hand it. After a full disk, the write-ahead log's space is given back before the
        error is (`storage.give_back_log_space`), so that space freed on the disk is the database's."""
        try:
            return self._transaction(rows, worker)
        except storage.DatabaseError as error:
            if storage.is_disk_full(error):
                storage.give_back_log_space(self.runtime.engine)
            raise

    def _transaction(self, rows: list[storage.Received], worker: Worker | None) -> list[storage.InboxItem]:
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
        if self.worker_loop is None and (worker is None or len(handed) < len(batch)):
            self.runtime.wake.set()  # something was stored for any worker to claim
        if handed and worker is not None:  # only a worker taking hand-overs is handed any
            worker.hand_over(handed)


#: Deliveries waiting for one transaction: each event, and the future its caller awaits.
_Batch: TypeAlias = list[tuple[storage.Received, asyncio.Future]]


def _fail(batch: _Batch, error: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(error)


def _seen(future: asyncio.Future) -> None:
    """Marks a write's outcome as seen, for a caller that stopped waiting for it: its failure was
    answered with a 503 already, and asyncio would log it again as never retrieved."""
    if not future.cancelled():
        future.exception()
