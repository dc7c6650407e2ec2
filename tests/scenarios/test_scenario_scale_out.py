"""Scale-out: two app instances, each with its own HTTP server, worker and connection pool, on one
PostgreSQL database. Slack's deliveries are spread over both, as a load balancer would; the inbox is
claimed with `FOR UPDATE SKIP LOCKED`, so every event is dealt with exactly once and every violation
alerted once, whichever instance took it."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from builders import MINOR1, MINOR2
from scenario_world import SIGNING_SECRET, serve_app, start_world, stop_world
from sqlmodel import select

import storage
from bot.config import Settings
from handlers import create_app
from handlers.runtime import Timing
from storage.tables import InboxRow

pytestmark = pytest.mark.postgres
ADULTS = [f"U0ADULT{n:03d}" for n in range(24)]


async def test_a_burst_spread_over_two_instances_is_dealt_with_exactly_once(tmp_path, postgres_engine):
    world, runner = await start_world(tmp_path, engine=postgres_engine)
    settings = Settings(bot_token=world.slack.bot_token, signing_secret=SIGNING_SECRET, api_url=world.slack.base_url)
    second = create_app(settings, engine=postgres_engine, timing=Timing(poll_every=0.05), clock=world.clock)
    await second.start(background=False)
    second.worker.name = "second-instance:1"
    second_runner, second_url = await serve_app(second)
    try:
        world.connect(MINOR1)
        world.connect(MINOR2)
        for adult in ADULTS:
            world.slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
        urls = itertools.cycle([world.events_url, second_url])
        for adult, minor in zip(ADULTS, itertools.cycle([MINOR1, MINOR2]), strict=False):
            world.slack.events_url = next(urls)
            dm = world.slack.add_dm(adult, minor)
            await world.slack.user_says(adult, dm, "hi, it's me")
        taken = [0, 0]
        for _ in range(40):  # both workers at once, until there is nothing left for either
            counts = await asyncio.gather(world.app.worker.run_once(limit=5), second.worker.run_once(limit=5))
            taken = [taken[0] + counts[0], taken[1] + counts[1]]
            if not any(counts) and not await world.slack.flush():
                break
        assert taken[0] > 0 and taken[1] > 0, f"both instances worked: {taken}"
        with storage.session_scope(postgres_engine) as session:
            events = session.exec(select(InboxRow).where(InboxRow.kind == "event")).all()
            workers = {row.claimed_by for row in session.exec(select(InboxRow))}
        assert {row.status for row in events} == {"done"}
        assert all(row.attempts == 1 for row in events), "an event was claimed twice"
        dm_alerts = world.alerts_for("dm-adult-minor")
        assert len(dm_alerts) == len(ADULTS)
        assert len({a["text"] for a in dm_alerts}) == len(ADULTS)  # one per conversation, none doubled
        assert len(world.incidents("dm-adult-minor")) == len(ADULTS)
        assert workers == {None}  # claims are released on completion
    finally:
        await second.stop()
        await second_runner.cleanup()
        await stop_world(world, runner)
