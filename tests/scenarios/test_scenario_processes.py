"""Two `safe-contact serve` processes, real OS processes, on one PostgreSQL database and one fake
Slack, as two instances behind a load balancer: Slack's deliveries are spread over both; every
violation is alerted once; each workspace is swept by one process per sweep interval (the fake counts
`users.list`, the first call of a sweep); every guardian notice is sent once; and a process killed in
the middle of a sweep leaves the sweep to the other, once its lease has expired."""

from __future__ import annotations

import asyncio
import math
import signal
import time
from dataclasses import replace
from datetime import timedelta
from itertools import pairwise

import pytest
from builders import ALERTS, GENERAL, GUARD1, GUARD2, SESSION_WINDOW, STAFF1, program
from scenario_world import BOT_USER, SIGNING_SECRET, TEAM, populate, until
from served import ServedApp

import storage
from fakeslack import FakeSlack
from handlers.runtime import utc_now
from handlers.scheduled.leased import sweep_lease
from handlers.scheduled.sweep import MEMBER_READERS

pytestmark = pytest.mark.postgres
#: Seconds between sweeps of the workspace, and how long a lease lasts unless renewed: short, so
#: that the test sees several sweep intervals and a takeover in seconds.
SWEEP_SECONDS, LEASE_SECONDS = 3, 2
STRANGERS = [f"U0STRANGE{n}" for n in range(8)]
#: The program's channels, one for each stranger to join: each join is a violation of its own.
CHANNELS = [f"C0CHANNEL{n}" for n in range(8)]
NOTICE = "a live session is scheduled"
#: Slow sweeps: each `conversations.members` answered this late, the 11 channels read
#: `MEMBER_READERS` at a time: a sweep longer than a lease.
SLOW_MEMBERS = 0.8
SLOW_SWEEP = math.ceil(11 / MEMBER_READERS) * SLOW_MEMBERS


def sweeps_started(slack: FakeSlack) -> list[float]:
    """When each sweep started: its `users.list` call (one page in this workspace)."""
    return [call.at for call in slack.calls_to("users.list")]


def notices_to(slack: FakeSlack, user: str) -> list[dict]:
    return [m for m in slack.posted(channel=slack.add_dm(BOT_USER, user)) if NOTICE in m.get("text", "")]


def sweep_holder(engine: storage.Engine) -> str:
    with storage.session_scope(engine) as session:
        lease = storage.leases(sweep_lease(TEAM), session=session).get(sweep_lease(TEAM))
    return lease.holder if lease is not None and lease.held(utc_now()) else ""


def last_sweep_finished(engine: storage.Engine):
    with storage.session_scope(engine) as session:
        return storage.leases(sweep_lease(TEAM), session=session)[sweep_lease(TEAM)].finished_at


async def test_two_processes_share_the_work_and_one_finishes_what_a_killed_one_started(
    tmp_path, postgres_engine, postgres_schema_url
):
    # The session is tomorrow, by the processes' own clock: its guardians are owed its access information.
    tomorrow = utc_now().replace(microsecond=0) + timedelta(days=1)
    window = replace(SESSION_WINDOW, start=tomorrow, end=tomorrow + timedelta(hours=2))
    prog = program(channels=(GENERAL, *CHANNELS), sessions=(window,))
    with storage.session_scope(postgres_engine) as session:
        storage.save_program(prog, session=session)
    env = {
        "DATABASE_URL": postgres_schema_url.render_as_string(hide_password=False),
        "SAFE_CONTACT_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "SAFE_CONTACT_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    async with FakeSlack(signing_secret=SIGNING_SECRET, team_id=TEAM, bot_user_id=BOT_USER) as slack:
        populate(slack, prog)
        for stranger, channel in zip(STRANGERS, CHANNELS, strict=True):
            slack.add_user(stranger, name=stranger, email=f"{stranger.lower()}@example.com")
            slack.add_channel(channel, name=channel.lower(), members=[BOT_USER, STAFF1])
        processes = []
        for name in ("first", "second"):
            (tmp_path / name).mkdir()
            processes.append(ServedApp(slack, tmp_path / name / "unused.db", env=env))
        first, second = processes
        try:
            await asyncio.gather(first.start(), second.start())  # started together, as after a deploy
            await until(lambda: len(sweeps_started(slack)) >= 1, limit=15)
            await asyncio.sleep(1.5)  # both processes' sweep timers have looked several times
            assert len(sweeps_started(slack)) == 1, "two processes starting together sweep the workspace once"

            # Deliveries spread over both processes, as a load balancer would: each alerted once.
            for n, (stranger, channel) in enumerate(zip(STRANGERS, CHANNELS, strict=True)):
                slack.events_url = f"{processes[n % 2].base_url}/slack/events"
                await slack.user_joins(stranger, channel)
            await until(lambda: len(alerts(slack)) >= len(STRANGERS), limit=20)
            # A later sweep sees the strangers in their channels too, and alerts nothing again.
            await until(lambda: len(sweeps_started(slack)) >= 2, limit=15)
            by_stranger = [[a for a in alerts(slack) if s in a["text"]] for s in STRANGERS]
            assert [len(found) for found in by_stranger] == [1] * len(STRANGERS), "every violation alerted once"
            assert len(notices_to(slack, GUARD1)) == 1 and len(notices_to(slack, GUARD2)) == 1

            # Slow sweeps, longer than a lease: the sweeping process renews it, and nobody takes it over.
            slack.latencies["conversations.members"] = SLOW_MEMBERS
            count = len(sweeps_started(slack))
            await until(lambda: len(sweeps_started(slack)) >= count + 2, limit=25)
            gaps = [later - earlier for earlier, later in pairwise(sweeps_started(slack))]
            assert min(gaps) >= SWEEP_SECONDS * 0.95, f"one sweep per interval, by one process: {gaps}"
            assert gaps[-1] >= SLOW_SWEEP + SWEEP_SECONDS * 0.95, f"the slow sweep was not taken over: {gaps}"

            # Kill the process that is sweeping, in the middle of its sweep (waiting on conversations.members).
            await asyncio.sleep(0.5)
            holder = sweep_holder(postgres_engine)
            killed = next(p for p in processes if p.process and f":{p.process.pid}:" in holder)
            survivor = second if killed is first else first
            killed.process.send_signal(signal.SIGKILL)
            killed_at, killed_moment, killed_sweep = utc_now(), time.monotonic(), len(sweeps_started(slack))
            await killed.process.wait()
            # The survivor takes the lease over once it expires, and sweeps the workspace in full.
            await until(lambda: (last_sweep_finished(postgres_engine) or killed_at) > killed_at, limit=20)
            assert len(sweeps_started(slack)) == killed_sweep + 1, "the survivor swept once it could"
            # The dead process renewed its lease at most a third of it before it died.
            assert sweeps_started(slack)[-1] - killed_moment >= LEASE_SECONDS * 2 / 3 - 0.1, "not before it expired"
            assert survivor.process is not None and survivor.process.returncode is None
            assert len(notices_to(slack, GUARD1)) == 1 and len(notices_to(slack, GUARD2)) == 1
            assert [len([a for a in alerts(slack) if s in a["text"]]) for s in STRANGERS] == [1] * len(STRANGERS)
        finally:
            for process in processes:
                await process.stop()


def alerts(slack: FakeSlack) -> list[dict]:
    return [m for m in slack.posted(channel=ALERTS) if not m.get("thread_ts") and "`unauthorized-member`" in m["text"]]
