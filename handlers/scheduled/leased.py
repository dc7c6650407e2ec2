"""Periodic work done through leases in the database, so that of several processes on one database
one at a time does each piece (`storage.leases`): each workspace's sweep (`sweep:T123`), its
scheduled checks (`checks:T123`) and the daily retention run (`retention`). The lease is taken before
the work starts, renewed every third of `Timing.lease` while it runs, and released when it ends, with
when it finished in full. A process that dies holding one stops renewing it: another takes it over
once it expires, and does the work. A holder whose lease was taken over (it hung for longer than the
lease) stops its work.

Leases are timed by the wall clock, not the app's (`Runtime.clock`, which tests move by hand): they
are about processes being alive."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import storage
from handlers.runtime import Runtime, utc_now

log = logging.getLogger(__name__)

#: Every workspace's sweep lease starts so: one read lists them all (`storage.leases`).
SWEEP = "sweep:"
CHECKS = "checks:"
RETENTION = "retention"


def sweep_lease(team_id: str) -> str:
    return SWEEP + team_id


def checks_lease(team_id: str) -> str:
    return CHECKS + team_id


class LeaseLost(Exception):
    """The lease ran out while its work was under way (its holder did not renew it in time: the
    database did not answer, or the process hung), and another process took it over."""


async def under_lease(
    runtime: Runtime, name: str, work: Callable[[], Awaitable[object]], *, due_every: float | None = None
) -> datetime | None:
    """Do `work` holding the lease `name`: when it finished, or None when the lease was not taken
    (another process holds it; or, with `due_every`, the work last finished, in whichever process,
    less than `due_every` seconds ago). The lease is released however the work ends, marked finished
    only when the work succeeded; a failure is raised after that, and `LeaseLost` when another
    process took the lease over meanwhile (the work is then stopped)."""
    lasting = timedelta(seconds=runtime.timing.lease)
    now = utc_now()
    due = None if due_every is None else now - timedelta(seconds=due_every)
    with runtime.session() as session:
        taken = storage.take_lease(
            name, runtime.holder, now=now, lasting=lasting, unless_finished_after=due, session=session
        )
    if not taken:
        return None
    task = asyncio.ensure_future(work())
    renewal = asyncio.ensure_future(_renew(runtime, name, lasting))
    finished = False
    try:
        await asyncio.wait({task, renewal}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():  # the renewal ended first: the lease was taken over
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise LeaseLost(f"the lease {name} was taken over by another process")
        task.result()  # the work's failure, if it failed
        finished = True
    finally:
        renewal.cancel()
        task.cancel()  # when this itself is cancelled (the app stops), the work stops too
        with contextlib.suppress(asyncio.CancelledError):
            await renewal
        ended = utc_now()
        try:
            with runtime.session() as session:
                storage.release_lease(name, runtime.holder, now=ended, finished=finished, session=session)
        except Exception as error:  # it expires on its own
            log.warning("the lease %s could not be released: %s", name, storage.database_failure(error))
    return ended


async def _renew(runtime: Runtime, name: str, lasting: timedelta) -> None:
    """Renew the lease every third of its length; return once it is no longer this process's. A
    renewal the database refuses is tried again at the next third: two may fail before it expires."""
    while True:
        await asyncio.sleep(lasting.total_seconds() / 3)
        try:
            with runtime.session() as session:
                kept = storage.renew_lease(name, runtime.holder, now=utc_now(), lasting=lasting, session=session)
        except Exception as error:
            log.warning("the lease %s could not be renewed: %s", name, storage.database_failure(error))
            continue
        if not kept:
            log.warning("the lease %s was taken over by another process: its work stops here", name)
            return
