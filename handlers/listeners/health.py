"""What `/healthz` says of the database, found by a probe in a thread of its own: the database must
answer a read and take a write like an event's (a full disk, or a table a migration holds, refuses
every event while reads still answer). `/healthz` waits for the probe for at most `HEALTH_DEADLINE_S`
and says "not answering" past it, so it answers within a second whatever the database does; a probe
still stuck is shared by the next requests rather than started again."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import storage
from handlers.backstage import OneThread
from handlers.runtime import Runtime

log = logging.getLogger(__name__)

#: How long `/healthz` waits for the database, in seconds: a probe takes milliseconds, and one
#: slower than this is stuck (a lock, a stalled connection), which is what `/healthz` is for.
HEALTH_DEADLINE_S = 0.5


@dataclass(frozen=True)
class DatabaseHealth:
    """What the probe found: `state` is "ok", else what is wrong ("unreachable", "not taking
    writes", "not answering"), and `inbox` what the inbox holds when it could be read."""

    state: str
    inbox: storage.InboxHealth | None = None
    teams: int = 0

    @property
    def ok(self) -> bool:
        return self.state == "ok"


class HealthProbe:
    """Probes the database for `/healthz`, one probe at a time, in its own thread."""

    def __init__(self, runtime: Runtime, *, deadline: float = HEALTH_DEADLINE_S):
        self.runtime = runtime
        self.deadline = deadline
        self._thread = OneThread("health-probe")
        self._probing: asyncio.Future[DatabaseHealth] | None = None

    async def check(self) -> DatabaseHealth:
        """The database's health, from a new probe (or the one still running), within the deadline."""
        if self._probing is None or self._probing.done():
            self._probing = asyncio.wrap_future(self._thread.submit(self._probe))
        try:
            return await asyncio.wait_for(asyncio.shield(self._probing), self.deadline)
        except TimeoutError:
            log.warning("health check: the database did not answer within %s s", self.deadline)
            return DatabaseHealth("not answering")

    def _probe(self) -> DatabaseHealth:
        engine = self.runtime.engine
        try:
            inbox, teams = storage.inbox_health(engine), len(self.runtime.teams())
        except storage.DatabaseError as error:
            log.warning("health check: the database does not answer: %s", storage.database_failure(error))
            return DatabaseHealth("unreachable")
        try:
            storage.write_probe(engine, now=self.runtime.now())
        except storage.DatabaseError as error:
            log.warning("health check: the database takes no writes: %s", storage.database_failure(error))
            if storage.is_disk_full(error):
                storage.give_back_log_space(engine)
            return DatabaseHealth("not taking writes", inbox, teams)
        return DatabaseHealth("ok", inbox, teams)


def takes_writes(runtime: Runtime) -> bool:
    """Whether the database takes a write like an event's now (for the outage's probe)."""
    try:
        storage.write_probe(runtime.engine, now=runtime.now())
    except storage.DatabaseError as error:
        if storage.is_disk_full(error):
            storage.give_back_log_space(runtime.engine)
        return False
    return True
