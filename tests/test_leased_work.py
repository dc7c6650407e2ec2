"""`handlers.scheduled.leased.under_lease`: periodic work done by one app at a time on one database,
its lease renewed while the work runs, the work stopped when another app took the lease over, and not
done again before it is due."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

import storage
from bot.config import Settings
from handlers import create_app
from handlers.runtime import Runtime, Timing, utc_now
from handlers.scheduled.leased import LeaseLost, under_lease

#: A lease of 0.3 s, renewed every 0.1 s: work of half a second outlives it unless it is renewed.
LEASE = 0.3


@pytest.fixture
def runtimes(tmp_path):
    """Two apps' runtimes on one SQLite database, as two processes would be."""
    engine = storage.create_engine_from_url(f"sqlite:///{tmp_path / 'leases.db'}")
    storage.migrate(engine)
    apps = [create_app(Settings(), engine=engine, timing=Timing(lease=LEASE)) for _ in range(2)]
    yield [app.runtime for app in apps]
    engine.dispose()


async def test_work_outliving_its_lease_keeps_it_and_the_other_app_does_not_do_it(runtimes):
    first, second = runtimes
    done: list[str] = []

    async def work(by: Runtime) -> None:
        await asyncio.sleep(LEASE * 2)
        done.append(by.holder)

    async def later() -> object:
        await asyncio.sleep(LEASE * 1.5)  # past the first lease: only a renewal keeps it
        return await under_lease(second, "sweep:T1", lambda: work(second))

    finished, taken_by_second = await asyncio.gather(under_lease(first, "sweep:T1", lambda: work(first)), later())
    assert finished is not None and taken_by_second is None
    assert done == [first.holder]


async def test_work_whose_lease_another_app_took_over_is_stopped(runtimes):
    first, second = runtimes
    stopped = asyncio.Event()

    async def long_work() -> None:
        try:
            await asyncio.sleep(30)
        finally:
            stopped.set()

    async def take_over() -> None:
        await asyncio.sleep(LEASE / 2)
        with first.session() as session:  # as if it had expired: seen from a clock far ahead
            assert storage.take_lease(
                "sweep:T1",
                second.holder,
                now=utc_now() + timedelta(hours=1),
                lasting=timedelta(hours=2),
                session=session,
            )

    with pytest.raises(LeaseLost):
        await asyncio.gather(under_lease(first, "sweep:T1", long_work), take_over())
    assert stopped.is_set()


async def test_work_is_not_done_again_before_it_is_due_unless_asked(runtimes):
    first, second = runtimes
    runs: list[str] = []

    async def work(by: Runtime) -> None:
        runs.append(by.holder)

    assert await under_lease(first, "checks:T1", lambda: work(first), due_every=60) is not None
    assert await under_lease(second, "checks:T1", lambda: work(second), due_every=60) is None, "not due yet"
    assert await under_lease(second, "checks:T1", lambda: work(second)) is not None, "asked: done now"
    assert runs == [first.holder, second.holder]


async def test_failed_work_is_released_and_not_recorded_as_finished(runtimes):
    first, second = runtimes

    async def failing() -> None:
        raise RuntimeError("Slack is down")

    with pytest.raises(RuntimeError):
        await under_lease(first, "sweep:T1", failing, due_every=60)
    with first.session() as session:
        lease = storage.leases("sweep:T1", session=session)["sweep:T1"]
    assert not lease.held(utc_now()) and lease.finished_at is None

    async def nothing() -> None:
        pass

    assert await under_lease(second, "sweep:T1", nothing, due_every=60) is not None, "still due: taken at once"
