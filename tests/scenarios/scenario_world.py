"""The world a scenario runs in: the real app served over HTTP on a free port, a migrated SQLite
database, and the fake Slack (its Web API on another port) with a workspace holding the test
program's people and channels. Slack's side is driven through the fake, which signs every request
as Slack does; assertions are on what the fake received."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from builders import (
    ADMIN1,
    ADMIN2,
    ALERTS,
    DLC,
    GENERAL,
    MINOR1,
    MINOR2,
    MINOR3,
    NOW,
    PENDING,
    SESSION,
    STAFF1,
    STAFF2,
    STRANGER,
    program,
)

import storage
from bot.config import Settings
from bot.model import Program
from fakeslack import DeliveryPolicy, FakeSlack, RateLimits
from fakeslack.workspace import EVERYONE_EXCEPT_GUESTS
from handlers import SafeContactApp, create_app
from handlers.runtime import Timing

SIGNING_SECRET = "scenario-signing-secret"
ROOT = Path(__file__).resolve().parents[2]
BOT_USER = "U0SAFEBOT1"
TEAM = "T0TEAM0001"
#: Slack's delivery policy a hundred times faster: retries at once, after 0.6 s and after 3 s; an hour is 36 s.
SCENARIO_DELIVERY = DeliveryPolicy(time_scale=0.01)
#: The app's Web API budget on the same hundredfold clock (`Settings.slack_time_scale`).
SCENARIO_SLACK_TIME_SCALE = 0.01


class Clock:
    """The app's clock: the scenario moves it (15 minutes to an escalation) instead of waiting."""

    def __init__(self, start: datetime):
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class World:
    slack: FakeSlack
    app: SafeContactApp
    engine: storage.Engine
    clock: Clock
    program: Program
    events_url: str
    notes: dict = field(default_factory=dict)

    async def settle(self) -> None:
        """Let the worker deal with everything stored so far, with what that queued, and with the
        events Slack sends back about the app's own actions (an invitation is a join); and let the
        commands and buttons finish what they left for after their answer."""
        for _ in range(20):
            followed_up = await self.app.runtime.followups.wait()
            await self.app.worker.drain()
            if not await self.slack.flush() and not followed_up:
                return

    def delivery(self, message: dict) -> dict:
        """The Events API delivery the fake made of a message someone said (`user_says`)."""
        return next(e for e in self.slack.envelopes if e["event"].get("ts") == message["ts"])

    def alerts(self) -> list[dict]:
        """Top-level posts in the alert channel."""
        return [m for m in self.slack.posted(channel=ALERTS) if not m.get("thread_ts")]

    def thread(self, alert: dict) -> list[dict]:
        return [m for m in self.slack.posted(channel=ALERTS) if m.get("thread_ts") == alert["ts"]]

    def alerts_for(self, rule: str) -> list[dict]:
        return [a for a in self.alerts() if f"`{rule}`" in a["text"]]

    def direct_messages(self, user: str) -> list[dict]:
        """What the app sent `user` in its DM with them."""
        dm = self.slack.add_dm(BOT_USER, user)
        return self.slack.posted(channel=dm)

    def incidents(self, rule: str | None = None) -> list:
        with storage.session_scope(self.engine) as session:
            found = storage.incidents_since(self.program.id, NOW - timedelta(days=365), session=session)
        return [i for i in found if rule is None or i.rule == rule]

    def connect(self, user: str) -> None:
        """The account's owner connected it (what the OAuth flow stores)."""
        token = self.slack.connect_user(user)
        with storage.session_scope(self.engine) as session:
            storage.save_user_token(
                TEAM, user, token, scopes="im:history,mpim:history", seal=storage.TokenSeal(), now=NOW, session=session
            )


def free_port() -> int:
    """A port on loopback that nothing listens on now, for an app process of its own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_environment(slack: FakeSlack, database: Path, port: int, **overrides: str) -> dict[str, str]:
    """The environment of a `safe-contact serve` process against `slack`, on the SQLite file
    `database`, listening on `port`: this process's own, without its Slack or Safe Contact settings,
    then `overrides` (an empty value removes a setting)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAFE_CONTACT_"))}
    env.update(
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.base_url,
        DATABASE_URL=f"sqlite:///{database}",
        PORT=str(port),
        SAFE_CONTACT_SLACK_TIME_SCALE=str(SCENARIO_SLACK_TIME_SCALE),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v}


async def quiet(slack: FakeSlack, *, seconds: float = 0.7, limit: float = 30.0) -> None:
    """Wait until the app has made no Web API call for `seconds`."""
    waited, seen = 0.0, -1
    while waited < limit:
        if len(slack.calls) == seen:
            return
        seen = len(slack.calls)
        await asyncio.sleep(seconds)
        waited += seconds
    raise AssertionError("the app never went quiet")


async def until_healthy(base_url: str, process: asyncio.subprocess.Process, *, limit: float = 15.0) -> bool:
    """Wait until the app process at `base_url` answers `GET /healthz` with 200: False if it exits
    first or does not within `limit` seconds."""
    async with aiohttp.ClientSession() as http:
        for _ in range(int(limit / 0.05)):
            try:
                async with http.get(f"{base_url}/healthz") as answer:
                    if answer.status == 200:
                        return True
            except aiohttp.ClientError:
                pass
            if process.returncode is not None:
                return False
            await asyncio.sleep(0.05)
    return False


async def until(predicate, *, limit: float = 30.0) -> None:
    """Wait for `predicate` to hold (for an app whose worker runs on its own); fail after `limit` s."""
    for _ in range(int(limit / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("it never happened")


def populate(slack: FakeSlack, prog: Program) -> None:
    """The workspace as the program left it the day before: everyone in place, nothing wrong. Its
    owner let members (and so the app) remove people from public channels, as the README asks of a
    program whose sessions are public channels (Slack's default lets only admins)."""
    slack.workspace.settings.remove_from_public_channels = EVERYONE_EXCEPT_GUESTS
    for person in prog.roster:
        if person.slack_id:
            slack.add_user(person.slack_id, name=person.name, email=person.email)
    slack.add_user(STRANGER, name="Stranger", email="stranger@example.com")
    roster_ids = [p.slack_id for p in prog.roster if p.slack_id and p.slack_id != PENDING]
    slack.add_channel(GENERAL, name="general", members=[BOT_USER, *roster_ids])
    slack.add_channel(SESSION, name="session-1", members=[BOT_USER, STAFF1, STAFF2, MINOR1, MINOR2, MINOR3])
    slack.add_channel(ALERTS, name="safe-contact-alerts", private=True, members=[BOT_USER, ADMIN1, ADMIN2, DLC])


async def serve_app(app: SafeContactApp) -> tuple[web.AppRunner, str]:
    """The app's HTTP side on a free local port; its `/slack/events` address."""
    runner = web.AppRunner(app.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/slack/events"


async def start_world(
    tmp_path,
    prog: Program | None = None,
    *,
    sweep: bool = True,
    engine=None,
    timing: Timing | None = None,
    delivery: DeliveryPolicy = SCENARIO_DELIVERY,
    enterprise_id: str | None = None,
    is_enterprise_install: bool = False,
    rate_limits: RateLimits | None = None,
    **settings_changes: str,
) -> tuple[World, web.AppRunner]:
    """The world; on `engine` (migrated, e.g. PostgreSQL) instead of a SQLite file when given, and
    in a workspace of the Enterprise Grid org `enterprise_id` when given. `settings_changes`
    override the settings (`signing_secret=""`, `app_token="xapp-…"`). With `rate_limits`, the fake
    enforces Slack's tiers (give the app's budget the same time scale: `slack_time_scale=`)."""
    prog = prog or program()
    slack = FakeSlack(
        signing_secret=SIGNING_SECRET,
        team_id=TEAM,
        bot_user_id=BOT_USER,
        enterprise_id=enterprise_id,
        is_enterprise_install=is_enterprise_install,
        delivery=delivery,
        rate_limits=rate_limits,
    )
    await slack.start()
    populate(slack, prog)
    if engine is None:
        engine = storage.create_engine_from_url(f"sqlite:///{tmp_path / 'scenario.db'}")
        storage.migrate(engine)
    with storage.session_scope(engine) as session:
        storage.save_program(prog, session=session)
    with storage.session_scope(engine) as session:
        prog = storage.get_program(prog.id, session=session)  # with its session windows' ids
    clock = Clock(NOW)
    given: dict = {"bot_token": slack.bot_token, "signing_secret": SIGNING_SECRET, "api_url": slack.base_url}
    given["slack_time_scale"] = SCENARIO_SLACK_TIME_SCALE  # the app's Web API budget, as fast as the fake's clocks
    settings = Settings(**{**given, **settings_changes})
    app = create_app(settings, engine=engine, timing=timing or Timing(poll_every=0.05, probe_every=0.2), clock=clock)
    runner, slack.events_url = await serve_app(app)
    await app.start(background=False)
    world = World(slack=slack, app=app, engine=engine, clock=clock, program=prog, events_url=slack.events_url)
    if sweep:
        await app.sweep()
        await world.settle()
    return world, runner


async def stop_world(world: World, runner: web.AppRunner) -> None:
    await world.app.stop()
    await runner.cleanup()
    await world.slack.stop()
    world.engine.dispose()


async def command_line(*args: str, database: Path, cwd: Path, env: dict | None = None) -> tuple[int, str, str]:
    """`python app.py ARGS` in its own process, with only the settings given (the fake Slack, on
    this process's event loop, keeps answering meanwhile): exit status, standard output and error."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAFE_CONTACT_"))}
    environment.update(DATABASE_URL=f"sqlite:///{database}", **(env or {}))
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "app.py"), *args, env=environment, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode(), err.decode()
