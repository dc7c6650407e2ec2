"""What Slack's deliveries went through, and what the app does about the ones it could not take.

Slack retries a failed delivery three times (at once, after a minute, after five minutes) and then
drops it. If fewer than 5% of deliveries succeed over an hour, it disables the app's event
subscriptions. So a database outage is an emergency. The first delivery refused logs an ERROR;
while the outage lasts, a WARNING every minute gives the count, and the database is tried again
every few seconds. `/healthz` is not ok. When the database is back (the next event stored, or a
probe answered), the administrators of every program are told which window may have lost events,
and every workspace is swept. A sweep rebuilds membership; a message Slack dropped is lost.

`app_rate_limited` (more than 30,000 events from a workspace in an hour: Slack did not deliver
that minute's events) is logged as an ERROR, and the workspace's administrators get the same
notice and the workspace the same sweep."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import storage
from handlers.listeners.health import takes_writes
from handlers.runtime import Runtime
from handlers.slack.blocks import when
from handlers.worker.queued import Post, queue

log = logging.getLogger(__name__)


@dataclass
class Outage:
    """Deliveries refused because the database failed, from `since` (the app's clock)."""

    since: datetime
    reason: str
    refused: int = 0


class Deliveries:
    """Counts what happened to Slack's deliveries and handles outages and rate limits. `sweep(teams)`
    sweeps those workspaces (every one for None)."""

    def __init__(self, runtime: Runtime, sweep: Callable[[Iterable[str] | None], Awaitable[None]]):
        self.runtime = runtime
        self._sweep = sweep
        #: The outage going on, if any.
        self.outage: Outage | None = None
        #: Deliveries Slack said were retries (`X-Slack-Retry-Num`), since the process started.
        self.retried_by_slack = 0
        #: `app_rate_limited` notices received, since the process started.
        self.rate_limited = 0
        self._minutes: set[tuple[str, int]] = set()
        self._tasks: set[asyncio.Task] = set()

    # -- while Slack waits ----------------------------------------------------------------------

    def retried(self) -> None:
        self.retried_by_slack += 1

    def refused(self, error: BaseException) -> None:
        """A delivery could not be stored (it gets a 503, which Slack retries)."""
        if self.outage is None:
            self.outage = Outage(self.runtime.now(), storage.database_failure(error))
            log.error(
                "the database is unavailable (%s): Slack's event deliveries are refused with 503 until it is "
                "back. Slack retries each three times over a few minutes and then drops it, and after an "
                "hour under 5%% success it disables the app's event subscriptions",
                self.outage.reason,
            )
            self._spawn(self._watch(self.outage))
        self.outage.refused += 1

    def stored(self) -> None:
        """A delivery was stored: the database answers, so an outage is over."""
        if self.outage is not None:
            self._recovered(self.outage)

    def rate_limited_notice(self, body: dict[str, Any]) -> bool:
        """Slack's `app_rate_limited`: False when it is not one Slack would send (refused with 400).
        The same minute told twice (a retry) counts once."""
        team_id, minute = body.get("team_id"), body.get("minute_rate_limited")
        if not isinstance(team_id, str) or not isinstance(minute, int) or isinstance(minute, bool):
            return False
        if (team_id, minute) in self._minutes:
            log.info("app_rate_limited for %s at %s was delivered again", team_id, minute)
            return True
        self._minutes.add((team_id, minute))
        self.rate_limited += 1
        start = datetime.fromtimestamp(minute, UTC)
        log.error(
            "Slack rate-limited the events of workspace %s from %s (more than 30,000 events in an hour): that "
            "minute's events were not delivered. Telling its administrators and sweeping it",
            team_id,
            start.isoformat(),
        )
        self._spawn(self._after_rate_limit(team_id, start))
        return True

    def health(self) -> dict[str, Any]:
        """For `/healthz`: deliveries refused in the outage going on (and since when), deliveries
        Slack retried, and rate limits, since the process started."""
        outage = self.outage
        return {
            "deliveries_refused": outage.refused if outage else 0,
            "since": outage.since.isoformat() if outage else None,
            "retried_by_slack": self.retried_by_slack,
            "rate_limited": self.rate_limited,
        }

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # -- after --------------------------------------------------------------------------------

    async def _watch(self, outage: Outage) -> None:
        """While the outage lasts: try a write every `probe_every` seconds (in a thread: it may wait
        out its timeout), and log the count every `outage_summary_every` seconds."""
        timing = self.runtime.timing
        summarised = time.monotonic()
        while self.outage is outage:
            await asyncio.sleep(timing.probe_every)
            if self.outage is not outage:
                return
            # A write, not a read: a full disk answers reads and refuses every event.
            if await asyncio.to_thread(takes_writes, self.runtime):
                if self.outage is outage:
                    self._recovered(outage)
                return
            if time.monotonic() - summarised >= timing.outage_summary_every:
                summarised = time.monotonic()
                log.warning(
                    "the database has been unavailable since %s: %d deliveries refused so far",
                    outage.since.isoformat(),
                    outage.refused,
                )

    def _recovered(self, outage: Outage) -> None:
        self.outage = None
        self._spawn(self._after_outage(outage, self.runtime.now()))

    async def _after_outage(self, outage: Outage, until: datetime) -> None:
        log.warning(
            "the database is back: %d deliveries were refused between %s and %s, and events Slack sent then "
            "may be lost. Telling the administrators and sweeping every workspace",
            outage.refused,
            outage.since.isoformat(),
            until.isoformat(),
        )
        try:  # in a thread: the database may hang again, and this loop answers Slack
            await asyncio.to_thread(self._tell_administrators, None, outage_notice(outage.since, until, outage.refused))
        except storage.DatabaseError as error:
            # Down again already: the outage goes on from its start, and its end will tell it all.
            log.warning("the administrators could not be told yet: %s", storage.database_failure(error))
            if self.outage is None:
                self.outage = outage
                self._spawn(self._watch(outage))
            return
        await self._sweep(None)

    async def _after_rate_limit(self, team_id: str, start: datetime) -> None:
        try:
            await asyncio.to_thread(self._tell_administrators, team_id, rate_limited_notice(start))
        except storage.DatabaseError as error:
            log.error("the administrators could not be told of the rate limit: %s", storage.database_failure(error))
        await self._sweep([team_id])

    def _tell_administrators(self, team_id: str | None, text: str) -> None:
        """Queue `text` for the alert channel of every program of `team_id` (of every workspace for
        None), each once. Queued, not posted: the worker retries it if Slack fails, and a crash
        does not lose it."""
        teams = [team_id] if team_id is not None else self.runtime.teams()
        told: set[str] = set()
        now = self.runtime.now()
        with self.runtime.session() as session:
            for team in teams:
                for program in self.runtime.cache.programs(team):
                    if program.id not in told:
                        told.add(program.id)
                        queue(Post(channel=program.alert_channel, text=text), team_id=team, session=session, now=now)
        self.runtime.wake.set()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("after a delivery failure: %s", type(task.exception()).__name__)


def outage_notice(since: datetime, until: datetime, refused: int) -> str:
    return (
        f":warning: Safe Contact could not store the events Slack sent between {when(since)} and {when(until)}: "
        f"its database was unavailable, and {refused} deliveries were refused. Slack tries an event four times "
        "over a few minutes and then drops it, so events from that window may have been lost, messages "
        "among them. A sweep of the workspace is running to rebuild who is in which conversation; a message "
        "Slack did not deliver again cannot be recovered."
    )


def rate_limited_notice(start: datetime) -> str:
    return (
        f":warning: Slack rate-limited this workspace's events at {when(start)} (more than 30,000 events in an "
        "hour): events from that minute may not have been delivered, messages among them. A sweep of the "
        "workspace is running to rebuild who is in which conversation; a message Slack did not deliver "
        "cannot be recovered."
    )
