"""The worker's loop: drains the inbox. It claims items (or takes those handed over by this process's
inbox writer), gives each to the job for its kind (judging an event, carrying out a queued action),
commits what the job returns, and backs off, retries or fails what went wrong. It knows nothing of
what the items say. Web API calls happen before an item's one short transaction, never while it
holds the database."""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import random
import socket
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import storage
from handlers.runtime import Runtime
from handlers.slack.api import PermanentFailure, api_error, is_permanent
from handlers.worker import claims

log = logging.getLogger(__name__)

#: A transaction to run for a claimed item, in the same commit that marks it done.
Apply = Callable[[storage.Session], None]
#: What the worker does with an item of one kind: the transaction that records it, or None when it
#: changes nothing.
Job = Callable[[storage.InboxItem], Awaitable[Apply | None]]

BATCH = 100
#: Items the worker holds in memory, handed over by this process's inbox writer, at most: beyond it,
#: events wait in the database like any other, so a flood cannot fill the memory.
HANDOVER_LIMIT = 5000
#: Items claimed from the database in every round, at least, however many were handed over: queued
#: actions (the alerts) never wait behind a flood of events.
CLAIM_AT_LEAST = 20
MAX_ATTEMPTS = 8


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... up to 5 minutes between attempts of a failing item, each with up to a quarter
    more at random, so that items failing together (an outage) do not all come back together."""
    base = min(300, 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * (1 + random.random() / 4))


def dead_local_workers(claimants: list[str]) -> list[str]:
    """Claimants on this host whose process is gone (a crash, a SIGKILL): their work is free at once."""
    host = socket.gethostname()
    dead = []
    for claimant in claimants:
        name, _, pid = claimant.rpartition(":")
        if name != host or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(claimant)
        except PermissionError:
            continue  # alive, another user's
    return dead


@dataclass
class _RoundClaims:
    """The claims of a round's items: those not dealt with yet, those found taken by another worker,
    and when they were last renewed (the app's clock)."""

    unfinished: set[int]
    renewed_at: datetime
    lost: set[int] = field(default_factory=set)


class Worker:
    """Claims inbox items and deals with each. Any number of workers may run on one database.

    While its loop runs, the process's inbox writer stores the events it receives as claimed by this
    worker and hands them over (`hand_over`): they are dealt with from memory, with no claim and no
    second reading of the payload. The database still holds them until they are done."""

    def __init__(self, runtime: Runtime, jobs: Mapping[str, Job], *, name: str | None = None):
        self.runtime = runtime
        #: What to do with each kind of inbox item.
        self.jobs = dict(jobs)
        self.name = name or worker_name()
        self._running = False
        #: Items handed over, with when (monotonic seconds), oldest first.
        self._handed: collections.deque[tuple[float, storage.InboxItem]] = collections.deque()
        self._arrived = asyncio.Event()
        #: Claims of a round that failed half-way (the database went away), to give back as soon as
        #: the database answers again: they are due at once, not after the lease.
        self._owed: set[int] = set()

    # -- the loop --------------------------------------------------------------------------------

    def reclaim(self) -> int:
        """Take back the work of this host's processes that died holding claims; how many items."""
        with self.runtime.session() as session:
            dead = dead_local_workers(storage.claimants(session=session))
            released = storage.release_claims(dead, now=self.runtime.now(), session=session)
        if released:
            log.warning("took back %d item(s) claimed by %d process(es) that died", released, len(dead))
        return released

    def _reclaim_if_it_can(self) -> bool:
        """`reclaim`, unless the database fails (a lock, a blip as the process starts): then False, and
        the loop tries again at its next visit to the database. A failure here must not end the
        worker: nothing would be judged until the process restarts."""
        try:
            self.reclaim()
        except Exception as error:
            log.warning(
                "worker %s: taking back dead processes' work failed, tried again soon: %s",
                self.name,
                storage.database_failure(error),
            )
            return False
        return True

    @property
    def takes_handovers(self) -> bool:
        """Whether the inbox writer may hand events over: the loop runs and has room for them."""
        return self._running and len(self._handed) < HANDOVER_LIMIT

    def hand_over(self, items: list[storage.InboxItem]) -> None:
        """Items stored as claimed by this worker, to deal with from memory."""
        handed_at = time.monotonic()
        self._handed.extend((handed_at, item) for item in items)
        self._arrived.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set. The database is asked for due items at start, whenever something
        was stored there (`runtime.wake`: queued actions, commands, events not handed over), and
        every poll interval (retries coming due, other processes' events); items handed over are
        dealt with as they come, without asking it."""
        reclaimed = self._reclaim_if_it_can()
        wake, loop, poll_every = self.runtime.wake, asyncio.get_running_loop(), self.runtime.timing.poll_every
        self._running = True
        from_database, polled = True, loop.time()
        try:
            while not stop.is_set():
                if from_database:
                    reclaimed = reclaimed or self._reclaim_if_it_can()
                    wake.clear()  # whatever is stored from now on sets it again
                    polled = loop.time()
                try:
                    done, more_due = await self._round(BATCH, from_database=from_database)
                except Exception:  # the database went away, say: keep the loop alive and try again
                    log.exception("worker %s: claiming failed", self.name)
                    done, more_due = 0, False
                from_database = more_due or wake.is_set() or loop.time() - polled >= poll_every
                if done:
                    if done < BATCH and not self._handed and not from_database:
                        # A burst is still arriving: let it gather, so that rounds are few and full.
                        await asyncio.sleep(self.runtime.timing.gather)
                    continue
                if not from_database:
                    from_database = await self._wait_for_work(timeout=poll_every - (loop.time() - polled))
        finally:
            self._running = False
            self._give_back_claims()

    def _give_back_claims(self) -> None:
        """On the way out, what this worker claimed or was handed and did not finish goes back to the
        database, due at once, for whichever worker runs next."""
        self._handed.clear()
        try:
            with self.runtime.session() as session:
                storage.release_claims([self.name], now=self.runtime.now(), session=session)
        except Exception as error:  # they are taken back when this process is seen to be gone
            log.warning("worker %s could not give back its claims: %s", self.name, type(error).__name__)

    async def _wait_for_work(self, *, timeout: float) -> bool:
        """Wait until something is stored in the database or handed over, or `timeout` passes;
        whether the database should be asked (it was written to, or it is time to poll)."""
        if self._handed:
            return False
        self._arrived.clear()
        waiters = [asyncio.ensure_future(self.runtime.wake.wait()), asyncio.ensure_future(self._arrived.wait())]
        done, pending = await asyncio.wait(waiters, timeout=max(0.0, timeout), return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()
        return self.runtime.wake.is_set() or not done

    async def run_once(self, limit: int = BATCH) -> int:
        """Deal with up to `limit` items, asking the database for due ones; how many."""
        done, _ = await self._round(limit, from_database=True)
        return done

    async def _round(self, limit: int, *, from_database: bool) -> tuple[int, bool]:
        """Deal with up to `limit` items: due ones claimed from the database first when asked to
        (queued actions, retries, other processes' events), then those handed over. Returns how many,
        and whether the database may hold more due items (the claim was full). While the round runs,
        its claims are renewed; if it fails half-way, the claims it did not finish are given back."""
        self._give_back_owed()
        from_memory = max(0, min(len(self._handed), limit - (CLAIM_AT_LEAST if from_database else 0)))
        items: list[storage.InboxItem] = []
        if from_database:
            lease = timedelta(seconds=self.runtime.timing.claim_lease)
            with self.runtime.connection() as session:
                items = storage.claim_events(
                    self.name, limit - from_memory, now=self.runtime.now(), session=session, stale_after=lease
                )
        more_due = from_database and len(items) == limit - from_memory
        taken = [self._handed.popleft() for _ in range(from_memory)]
        try:
            items += self._still_mine(taken)
        except Exception:  # the database went away: they wait in memory for the next round
            self._handed.extendleft(reversed(taken))
            self._owed.update(item.id for item in items)
            raise
        claims = _RoundClaims({item.id for item in items}, renewed_at=self.runtime.now())
        heartbeat = asyncio.ensure_future(self._renew_while_working(claims))
        nothing_to_write: list[int] = []
        try:
            for item in items:
                if self.runtime.now() - claims.renewed_at >= self._renew_every:
                    self._renew_round(claims)  # the clock moved on while the round worked (a slow Slack)
                if item.id not in claims.lost:
                    await self.process(item, settled=nothing_to_write)
                claims.unfinished.discard(item.id)
            if nothing_to_write:  # one transaction for every item that changed nothing (benign messages)
                with self.runtime.connection() as session:
                    storage.forget_events(nothing_to_write, session=session, worker=self.name)
        except BaseException:
            self._owed.update(claims.unfinished, nothing_to_write)
            self._give_back_owed(quietly=True)
            raise
        finally:
            heartbeat.cancel()
        return len(items), more_due

    @property
    def _renew_every(self) -> timedelta:
        """A third of the lease: a claim is renewed twice before another worker could take it."""
        return timedelta(seconds=self.runtime.timing.claim_lease / 3)

    async def _renew_while_working(self, claims: _RoundClaims) -> None:
        """The round's heartbeat, for an item that takes long by itself: every third of the lease,
        renew the claims of the items not yet dealt with (between items, `_round` does it too)."""
        while True:
            await asyncio.sleep(self._renew_every.total_seconds())
            try:
                self._renew_round(claims)
            except Exception as error:  # the next beat tries again; the lease is three beats long
                log.warning("worker %s could not renew its claims: %s", self.name, type(error).__name__)

    def _renew_round(self, claims: _RoundClaims) -> None:
        """Renew the claims of the round's items not yet dealt with. One found taken already (this
        process stalled past the lease) is noted as lost, and skipped."""
        now = self.runtime.now()
        waiting = sorted(claims.unfinished - claims.lost)
        if waiting:
            with self.runtime.connection() as session:
                held = storage.renew_claims(self.name, waiting, now=now, session=session)
            taken = set(waiting) - held
            if taken:
                log.warning("worker %s: %d claimed item(s) were taken by another worker", self.name, len(taken))
                claims.lost.update(taken)
        claims.renewed_at = now

    def _give_back_owed(self, *, quietly: bool = False) -> None:
        """Give back the claims a failed round left (see `_owed`). Raises if the database is still
        away, unless `quietly`: they are then given back at the start of a later round."""
        if not self._owed:
            return
        owed = sorted(self._owed)
        try:
            with self.runtime.connection() as session:
                given = storage.give_back_claims(self.name, owed, now=self.runtime.now(), session=session)
        except Exception:
            if quietly:
                return
            raise
        self._owed.difference_update(owed)
        log.warning("worker %s gave back %d claim(s) of a round that failed", self.name, len(given))
        self.runtime.wake.set()  # they are due now

    def _still_mine(self, handed: list[tuple[float, storage.InboxItem]]) -> list[storage.InboxItem]:
        """The handed-over items to deal with. One held longer than `Timing.recheck_handed` (a long
        backlog) is dealt with only if its claim is still this worker's, renewed; past the lease
        another worker may have taken it as a dead one's, and it must not be done twice."""
        limit = time.monotonic() - self.runtime.timing.recheck_handed
        old = [item.id for handed_at, item in handed if handed_at < limit]
        renewed: set[int] = set()
        if old:
            with self.runtime.connection() as session:
                renewed = storage.renew_claims(self.name, old, now=self.runtime.now(), session=session)
        return [item for handed_at, item in handed if handed_at >= limit or item.id in renewed]

    async def drain(self, *, rounds: int = 200) -> None:
        """Deal with every due item, including the actions that dealing with them queued."""
        for _ in range(rounds):
            if not await self.run_once():
                return

    async def process(self, item: storage.InboxItem, *, settled: list[int] | None = None) -> None:
        """Deal with one item. One that changes nothing is added to `settled` (forgotten with others
        in one transaction) when given; otherwise it is completed in its own. Its job may ask
        `claims.still_mine` before each Slack call; it completes only while the claim is this
        worker's: one another worker took meanwhile is theirs, and nothing of it is recorded here."""
        try:
            with claims.holding(lambda: self._renew(item)):
                apply = await self._dispatch(item)
            if apply is None and settled is not None:
                settled.append(item.id)
                return
            with self.runtime.session() as session:
                if not storage.complete_event(item.id, now=self.runtime.now(), session=session, worker=self.name):
                    self._taken(item)
                    return
                if apply is not None:
                    apply(session)
            if apply is not None:
                self.runtime.wake.set()  # it may have queued actions: the next round asks the database
        except claims.ClaimLost:
            self._taken(item)
        except PermanentFailure as failure:
            log.warning("inbox item %s (%s) failed for good: %s", item.id, item.kind, failure)
            self._fail(item, str(failure), final=True)
        except Exception as error:
            if is_permanent(error):
                log.warning("inbox item %s (%s) cannot be dealt with: %s", item.id, item.kind, api_error(error))
                self._fail(item, api_error(error), final=True)
                return
            log.warning("inbox item %s (%s) failed, will retry: %s", item.id, item.kind, api_error(error))
            log.debug("failure detail", exc_info=True)
            self._fail(item, api_error(error), final=False)

    async def _renew(self, item: storage.InboxItem) -> bool:
        """Renew this worker's claim on `item`; False when another worker holds it now."""
        with self.runtime.connection() as session:
            return item.id in storage.renew_claims(self.name, [item.id], now=self.runtime.now(), session=session)

    def _taken(self, item: storage.InboxItem) -> None:
        log.warning(
            "inbox item %s (%s) was taken by another worker while this one dealt with it; left to that worker",
            item.id,
            item.kind,
        )

    def _fail(self, item: storage.InboxItem, error: str, *, final: bool) -> None:
        with self.runtime.session() as session:
            recorded = storage.fail_event(
                item.id,
                error,
                now=self.runtime.now(),
                session=session,
                max_attempts=item.attempts if final else MAX_ATTEMPTS,
                retry_after=backoff(item.attempts),
                worker=self.name,
            )
        if not recorded:
            self._taken(item)

    async def _dispatch(self, item: storage.InboxItem) -> Apply | None:
        job = self.jobs.get(item.kind)
        if job is None:
            raise PermanentFailure(f"no job for inbox items of kind {item.kind!r}")
        return await job(item)
