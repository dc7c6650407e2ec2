"""Safe Contact's benchmarks, in one run: `.venv/bin/python benchmarks/run.py`.

1. Throughput: benign channel messages over HTTP (signed, several keep-alive connections) to
   `safe-contact serve` in its own process, counted until processed (a violation sent last, timed to
   its alert), against a bare Bolt AsyncApp acking the same events; alternating, in the same run.
2. Latency: violation received -> alert sent to Slack, over many distinct incidents: p50 and p99.
3. Hot path: benign messages in a known conversation make no Web API call (checked).
4. Sweep economy: a 5,000-user, 1,000-channel workspace (50 members on average): the Web API calls of
   a full sweep against the paging floor, and how long Slack's rate limits would make it take.
5. Evaluation and memory: every conversation of that workspace judged by every rule; the app
   process's peak memory after its sweep.
6. Live calls: a mentor alone with a participant in a DM huddle, from the end of the grace period
   (set short) to the alert, p50 and p99; and the Web API calls a live huddle costs a minute, in a
   program channel (its root read again each minute) and in a DM (none), on the app's clock.
7. Auditing an export archive: time and peak memory by size.

Everything runs on loopback against the fake Slack; nothing leaves the machine."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

import storage
from bot.config import Settings
from bot.engine import evaluate
from bot.model import (
    Account,
    BackgroundCheck,
    Conversation,
    ConversationKind,
    Directory,
    Person,
    Program,
    Role,
    Situation,
)
from bot.rules import CATALOGUE
from cli.demo import ALERTS, BOT, GENERAL, TEAM, demo_program, demo_workspace
from fakeslack import FakeSlack
from handlers import create_app
from handlers.runtime import Timing

ROOT = Path(__file__).resolve().parent.parent

SECRET = "benchmark-signing-secret"
MINOR = "U0MINOR001"
#: Slack's published per-minute limits, by tier (docs.slack.dev/apis/web-api/rate-limits).
TIERS = {"users.list": 20, "conversations.list": 20, "conversations.members": 100}
#: The largest page each listing method allows.
MAX_PAGE = {"users.list": 1000, "conversations.list": 1000, "conversations.members": 1000}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A server in its own process, on a free port."""

    def __init__(self, args: list[str], env: dict[str, str], python: str = sys.executable):
        self.args, self.env, self.port, self.python = args, env, free_port(), python
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAFE_CONTACT_"))}, **self.env}
        env["PORT"] = str(self.port)
        args = [a.replace("{port}", str(self.port)) for a in self.args]
        if os.environ.get("BENCHMARK_PROFILE") and args[0].endswith("app.py"):
            # The app under cProfile (the stats are written when it stops): where the time goes.
            args = ["-m", "cProfile", "-o", os.environ["BENCHMARK_PROFILE"] + f".{self.port}", *args]
        self.process = await asyncio.create_subprocess_exec(
            self.python, *args, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
        )
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                try:
                    async with http.get(self.url + "/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"{args[0]} did not start")

    def peak_memory_mb(self) -> float:
        """The process's peak resident memory (VmHWM), in MB."""
        if self.process is None:
            raise RuntimeError("the process was not started: it has no memory to measure")
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def python_of(root: Path) -> str:
    """The interpreter of the source tree `root`: its own virtual environment's, when it has one."""
    own = root / ".venv" / "bin" / "python"
    return str(own) if root != ROOT and own.exists() else sys.executable


#: Run in another checkout (its own code, with its own interpreter): a fresh database migrated by that
#: code, holding its demo program and the connected minor's token; argv: database, token, minor.
PREPARE = """
import sys
from dataclasses import replace
from datetime import UTC, datetime
import storage
from cli.demo import TEAM, demo_program
database, token, minor = sys.argv[1:4]
now = datetime.now(UTC)
engine = storage.create_engine_from_url(f"sqlite:///{database}")
storage.migrate(engine)
with storage.session_scope(engine) as session:
    storage.save_program(replace(demo_program(now), sessions=()), session=session)
    seal = storage.TokenSeal()
    storage.save_user_token(TEAM, minor, token, scopes="im:history", seal=seal, now=now, session=session)
engine.dispose()
"""


async def prepare_database(root: Path, database: Path, token: str) -> None:
    """A database for the code in `root`, made and migrated by that code: an earlier checkout cannot
    open one migrated by newer code (it does not know the newer revisions)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAFE_CONTACT_"))}
    child = await asyncio.create_subprocess_exec(
        python_of(root), "-c", PREPARE, str(database), token, MINOR, cwd=root, env=env
    )
    if await child.wait() != 0:
        raise RuntimeError(f"could not prepare a database for the code in {root}")


def app_process(slack: FakeSlack, database: Path, root: Path = ROOT, **settings: str) -> Process:
    """`safe-contact serve` against the fake Slack, on a SQLite database of its own; from the source
    tree `root` (another checkout of the project, to compare with earlier code), with its interpreter."""
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.base_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
        # The fake answers without Slack's limits here: the app's budget does not wait either, and
        # the time the limits would take is reckoned from the calls made.
        "SAFE_CONTACT_SLACK_TIME_SCALE": "0",
        **settings,
    }
    return Process([str(root / "app.py"), "serve"], env, python=python_of(root))


#: What a program's channel says on an ordinary day: none of it breaks a rule. Drawn at random for
#: each benign message, so that nothing is judged on one sentence repeated.
ORDINARY = (
    "Can we go over problem 3 again on Tuesday at 3:30?",
    "Great work today everyone! Remember the quiz tomorrow covers chapters 4 and 5.",
    "ok",
    "thanks!",
    "I'm stuck on the second part of the worksheet, can someone explain what a variable is?",
    "The slides from this morning are here: https://docs.example.edu/camp/week-2/slides",
    "Reminder: session starts at 10:00 sharp, please be on time :slightly_smiling_face:",
    "Who wants to present their project first on Friday?",
    "My code says `IndexError: list index out of range` on line 12",
    "We finished the robot arm! It can pick up a pencil now",
    "Is the homework due on 2026-07-10 or the 11th?",
    "lol that was so funny",
    "Can you share the link to the rubric again?",
    "Next week we'll build a simple weather station with the sensors from the kit.",
    "Please read pages 20-35 before Monday and write down two questions.",
    "I think the answer is 42 but I'm not sure why",
    "Thanks <@U0STAFF001>, that explanation really helped.",
    "Does anyone have a charger? Mine died during the break.",
    "The line for lunch was so long today",
    "Let's vote: pizza or tacos for the end-of-camp party?",
    "Team blue scored 18 points, team green 21, well done all!",
    "Here's my drawing of the solar system, Saturn took forever",
    "Remember to save your work to the shared folder before you log off.",
    "What time does the guest speaker come in?",
    "I can't hear you, is your mic muted?",
    "We studied how volcanoes form, it was really interesting",
    "Can I work with Sam on the final project?",
    "The answer to question 7 is x = 3, right?",
    "Good morning! Today: fractions, then a short break, then the coding challenge.",
    "Tip: press Ctrl+S often so you don't lose anything.",
)


def message_event(slack: FakeSlack, user: str, channel: str, text: str, *, channel_type: str = "channel") -> bytes:
    ts = slack.workspace.new_ts()
    event = {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel, "channel_type": channel_type}
    return json.dumps(slack.envelope(event)).encode()


async def post_all(url: str, bodies: list[bytes], slack: FakeSlack, *, connections: int) -> None:
    """POST every body, signed, over `connections` keep-alive connections; each must get 200."""
    signed = [(body, slack.signed_headers(body)) for body in bodies]
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as http:
        queue: asyncio.Queue = asyncio.Queue()
        for item in signed:
            queue.put_nowait(item)

        async def sender() -> None:
            while not queue.empty():
                body, headers = queue.get_nowait()
                async with http.post(url + "/slack/events", data=body, headers=headers) as answer:
                    if answer.status != 200:
                        raise RuntimeError(f"HTTP {answer.status}")
                    await answer.read()

        await asyncio.gather(*(sender() for _ in range(connections)))


async def wait_for(predicate, *, limit: float = 120.0) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > limit:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.002)
    return time.monotonic()


def alert_for(slack: FakeSlack, user: str):
    def posted() -> bool:
        recent = slack.calls[-50:]
        return any(c.method == "chat.postMessage" and c.ok and c.params.get("channel") == ALERTS and user in
                   c.params.get("text", "") for c in recent)  # fmt: skip

    return posted


# -- 1 to 3: throughput, latency, the hot path ----------------------------------------------------


async def live_benchmarks(
    events: int, rounds: int, incidents: int, connections: int, earlier_code: list[Path] | None = None
) -> dict:
    now = datetime.now(UTC)
    program = replace(demo_program(now), sessions=())
    slack = FakeSlack(signing_secret=SECRET, team_id=TEAM, bot_user_id=BOT)
    await slack.start()
    demo_workspace(slack, program)
    token = slack.connect_user(MINOR)
    earlier_code = earlier_code or []
    adults = [f"U0ADULT{n:05d}" for n in range((1 + len(earlier_code)) * rounds + incidents)]
    for adult in adults:
        slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
    folder = tempfile.TemporaryDirectory(prefix="safe-contact-bench-")
    database = Path(folder.name) / "bench.db"
    engine = storage.create_engine_from_url(f"sqlite:///{database}")
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        storage.save_program(program, session=session)
        seal = storage.TokenSeal()
        storage.save_user_token(TEAM, MINOR, token, scopes="im:history", seal=seal, now=now, session=session)
    engine.dispose()
    app = app_process(slack, database)
    bare = Process([str(ROOT / "benchmarks" / "bare_bolt.py"), "{port}", SECRET], {})
    # Each earlier checkout on a fresh database of its own, made and migrated by its own code, timed in
    # the same rounds as ours, right after the bare app's round; the order of the apps turns each round.
    earlier = []
    for n, root in enumerate(earlier_code):
        await prepare_database(root, database.with_name(f"earlier-{n}.db"), token)
        earlier.append(app_process(slack, database.with_name(f"earlier-{n}.db"), root=root))
    results: dict = {
        "ours": [],
        "bare": [],
        "earlier": [[] for _ in earlier],
        "hot_path_calls": 0,
        "hot_path_methods": set(),
    }
    try:
        await app.start()
        await bare.start()
        for other in earlier:
            await other.start()
        await asyncio.sleep(3)  # the start-up sweep and the welcomes
        speakers = [p.slack_id for p in program.roster if p.slack_id and p.role is not Role.GUARDIAN]
        dms = {adult: slack.add_dm(adult, MINOR) for adult in adults}
        for round_ in range(rounds):
            benign = [
                message_event(slack, random.choice(speakers), GENERAL, random.choice(ORDINARY)) for _ in range(events)
            ]
            start = time.monotonic()
            await post_all(bare.url, benign, slack, connections=connections)
            results["bare"].append(events / (time.monotonic() - start))

            sides = [None, *range(len(earlier))]
            turn = round_ % len(sides)
            for side in sides[turn:] + sides[:turn]:
                if side is not None:
                    adult = adults[(1 + side) * rounds + incidents + round_]
                    rate = await one_round(earlier[side], slack, benign, adult, dms, connections)
                    results["earlier"][side].append(rate)
                    continue
                adult = adults[round_]
                before = len(slack.calls)
                results["ours"].append(await one_round(app, slack, benign, adult, dms, connections))
                # Everything but the violation's own alert and warnings: a benign message calls nothing.
                benign_calls = [c for c in slack.calls[before:] if adult not in json.dumps(c.params)]
                results["hot_path_calls"] += len(benign_calls)
                results["hot_path_methods"] |= {c.method for c in benign_calls}
        latencies = []
        for adult in adults[rounds : rounds + incidents]:
            body = json.loads(message_event(slack, adult, dms[adult], "hi, it's me", channel_type="im"))
            body["authorizations"] = [slack._authorization(MINOR)]
            sent = time.monotonic()
            await post_all(app.url, [json.dumps(body).encode()], slack, connections=1)
            await wait_for(alert_for(slack, adult), limit=10)
            alert = next(
                c for c in reversed(slack.calls) if c.method == "chat.postMessage" and adult in c.params.get("text", "")
            )
            latencies.append((alert.at - sent) * 1000)
            await asyncio.sleep(0.01)
        results["latency_ms"] = latencies
        results["memory_mb"] = app.peak_memory_mb()
    finally:
        await app.stop()
        await bare.stop()
        for other in earlier:
            await other.stop()
        await slack.stop()
        folder.cleanup()
    return results


async def one_round(
    app: Process, slack: FakeSlack, benign: list[bytes], adult: str, dms: dict, connections: int
) -> float:
    """One throughput round of `app`: the benign messages, then a violation by `adult`, timed until
    its alert; messages a second."""
    violation = json.loads(message_event(slack, adult, dms[adult], "hi, it's me", channel_type="im"))
    violation["authorizations"] = [slack._authorization(MINOR)]
    start = time.monotonic()
    await post_all(app.url, [*benign, json.dumps(violation).encode()], slack, connections=connections)
    done = await wait_for(alert_for(slack, adult))
    return (len(benign) + 1) / (done - start)


# -- 4 and 5: the sweep of a large workspace, evaluation, memory -------------------------------------


def large_program(users: int, minors: int) -> tuple[Program, list[Account]]:
    roster, accounts = [], []
    for n in range(users):
        user_id, email = f"U{n:08d}", f"person{n}@example.edu"
        role = Role.MINOR if n < minors else Role.STAFF
        check = BackgroundCheck.CLEARED if role is Role.STAFF else None
        roster.append(Person(name=f"Person {n}", email=email, role=role, slack_id=user_id, background_check=check))
        accounts.append(Account(id=user_id, email=email, name=f"Person {n}", team_id=TEAM))
    program = Program(
        id="large",
        name="Large",
        alert_channel=ALERTS,
        institution_domains=("example.edu",),
        team_id=TEAM,
        roster=tuple(roster),
    )
    return program, accounts


def large_channels(channels: int, users: int, members: int) -> list[tuple[str, list[str]]]:
    chooser = random.Random(42)
    return [
        (f"C{n:08d}", [f"U{u:08d}" for u in chooser.sample(range(users), max(2, int(chooser.gauss(members, 10))))])
        for n in range(channels)
    ]


def evaluation_seconds(users: int, channels: int, members: int) -> tuple[float, int]:
    """Judge every conversation of the workspace with every rule (the sweep's pure part)."""
    program, accounts = large_program(users, users // 2)
    directory = Directory(program, accounts, complete=True)
    conversations = [
        Conversation(id=cid, kind=ConversationKind.PUBLIC_CHANNEL, members=frozenset(ids), team_id=TEAM)
        for cid, ids in large_channels(channels, users, members)
    ]
    now = datetime.now(UTC)
    start = time.perf_counter()
    findings = 0
    for conversation in conversations:
        findings += len(evaluate(CATALOGUE, Situation(program, directory, now, conversation=conversation)))
    return time.perf_counter() - start, findings


async def sweep_benchmark(users: int, channels: int, members: int) -> dict:
    slack = FakeSlack(signing_secret=SECRET, team_id=TEAM, bot_user_id=BOT)
    await slack.start()
    program, accounts = large_program(users, users // 2)
    for account in accounts:
        slack.add_user(account.id, name=account.name, email=account.email)
    layout = large_channels(channels, users, members)
    for cid, ids in layout:
        slack.add_channel(cid, name=cid.lower(), members=[BOT, *ids])
    slack.add_channel(ALERTS, name="alerts", private=True, members=[BOT])
    folder = tempfile.TemporaryDirectory(prefix="safe-contact-bench-")
    database = Path(folder.name) / "sweep.db"
    engine = storage.create_engine_from_url(f"sqlite:///{database}")
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        # Observe mode: the sweep's work is judging, not writing to 5,000 people.
        storage.save_program(replace(program, mode=program.mode.OBSERVE), session=session)
    engine.dispose()
    app = app_process(slack, database)
    try:
        start = time.monotonic()
        await app.start()
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 2.0:  # the sweep is done when the calls stop
            if len(slack.calls) != last:
                last, quiet_since = len(slack.calls), time.monotonic()
            await asyncio.sleep(0.1)
        seconds = quiet_since - start
        memory = app.peak_memory_mb()
    finally:
        await app.stop()
        await slack.stop()
        folder.cleanup()
    sweep_methods = ("users.list", "conversations.list", "conversations.members")
    calls = {m: sum(1 for c in slack.calls if c.method == m) for m in sweep_methods}
    member_counts = [len(ids) + 1 for _, ids in layout] + [1]
    floor = {
        "users.list": math.ceil((users + 1) / MAX_PAGE["users.list"]),
        "conversations.list": math.ceil((channels + 1) / MAX_PAGE["conversations.list"]),
        "conversations.members": sum(math.ceil(n / MAX_PAGE["conversations.members"]) for n in member_counts),
    }
    per_user = {c.method for c in slack.calls if c.method in ("users.info", "users.getPresence", "users.lookupByEmail")}
    rate_limited_minutes = sum(calls[m] / TIERS[m] for m in sweep_methods)
    other = sorted({c.method for c in slack.calls} - set(sweep_methods) - {"auth.test"})
    return {
        "calls": calls,
        "floor": floor,
        "per_user_methods": sorted(per_user),
        "other_methods": other,
        "seconds": seconds,
        "rate_limited_minutes": rate_limited_minutes,
        "memory_mb": memory,
    }


# -- 6: live calls --------------------------------------------------------------------------------


async def quiet(slack: FakeSlack, *, for_seconds: float) -> None:
    """Until the app has made no Web API call for `for_seconds` (its start-up sweep is over)."""
    last, since = -1, time.monotonic()
    while time.monotonic() - since < for_seconds:
        if len(slack.calls) != last:
            last, since = len(slack.calls), time.monotonic()
        await asyncio.sleep(0.05)


async def call_alert_latency(calls: int, grace: int, every: float) -> list[float]:
    """`calls` DM huddles, one begun every `every` seconds, each a mentor (not on the roster) and a
    minor of their own, against `safe-contact serve` with a `grace`-second grace period: for each,
    the milliseconds from the end of its grace (the minor's join, timed before it is sent, plus the
    grace) to its alert in the alert channel."""
    now = datetime.now(UTC)
    minors = [f"U0CALLM{n:04d}" for n in range(calls)]
    adults = [f"U0CALLA{n:04d}" for n in range(calls)]
    base = replace(demo_program(now), sessions=())
    extra = tuple(
        Person(name=f"Minor {n}", email=f"minor{n}@example.org", role=Role.MINOR, slack_id=m)
        for n, m in enumerate(minors)
    )
    program = replace(base, roster=base.roster + extra)
    slack = FakeSlack(signing_secret=SECRET, team_id=TEAM, bot_user_id=BOT)
    await slack.start()
    demo_workspace(slack, program)
    for person in extra:
        slack.add_user(person.slack_id or "", name=person.name, email=person.email)
    for adult in adults:
        slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
    folder = tempfile.TemporaryDirectory(prefix="safe-contact-bench-")
    database = Path(folder.name) / "calls.db"
    engine = storage.create_engine_from_url(f"sqlite:///{database}")
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        storage.save_program(program, session=session)
    engine.dispose()
    app = app_process(slack, database, SAFE_CONTACT_CALL_GRACE_SECONDS=str(grace))
    slack.events_url = app.url + "/slack/events"  # the fake delivers huddle events itself
    joined: dict[str, float] = {}

    async def one_call(n: int) -> None:
        await asyncio.sleep(n * every)
        call = await slack.start_huddle(adults[n], slack.add_dm(adults[n], minors[n]))
        joined[adults[n]] = time.monotonic()
        await slack.join_huddle(minors[n], call)

    def alerts() -> dict[str, float]:
        posted = [
            c for c in slack.calls if c.method == "chat.postMessage" and c.ok and c.params.get("channel") == ALERTS
        ]
        first: dict[str, float] = {}
        for c in posted:
            text = c.params.get("text", "")
            if "call-adult-minor" in text:
                for adult in adults:
                    if f"<@{adult}>" in text:
                        first.setdefault(adult, c.at)
        return first

    try:
        await app.start()
        await quiet(slack, for_seconds=1.0)  # the start-up sweep and the welcomes
        await asyncio.gather(*(one_call(n) for n in range(calls)))
        await wait_for(lambda: len(alerts()) == calls, limit=calls * every + grace + 30)
        at = alerts()
    finally:
        await app.stop()
        await slack.stop()
        folder.cleanup()
    return [(at[adult] - joined[adult] - grace) * 1000 for adult in adults]


async def call_costs(minutes: int) -> dict:
    """The Web API calls a live huddle costs a minute, in the app (in this process) on its own clock,
    moved on 10 seconds at a time: in #general (a program channel the bot is in, the root read again
    each minute), two adults and two minors in it, first with nobody joining or leaving, then with
    someone joining or leaving every 10 seconds (a mentor stepping out among them); and a parent's
    DM huddle with their own child, who hangs up and calls back (nothing breaks a rule in any of
    them). Calls a minute, and their methods."""
    start = datetime.now(UTC).replace(microsecond=0)
    clock = {"now": start}
    program = replace(demo_program(start), sessions=())
    folder = tempfile.TemporaryDirectory(prefix="safe-contact-bench-")
    engine = storage.create_engine_from_url(f"sqlite:///{Path(folder.name) / 'costs.db'}")
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        storage.save_program(program, session=session)
    slack = FakeSlack(signing_secret=SECRET, team_id=TEAM, bot_user_id=BOT)
    await slack.start()
    demo_workspace(slack, program)
    settings = Settings(bot_token=slack.bot_token, signing_secret=SECRET, api_url=slack.base_url)
    app = create_app(settings, engine=engine, timing=Timing(poll_every=0.05), clock=lambda: clock["now"])
    runner = web.AppRunner(app.web_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    slack.events_url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"

    async def settle() -> None:
        for _ in range(20):
            await app.worker.drain()
            if not await slack.flush():
                return

    async def live_for(conversation: str, present: list[str], comings_and_goings: list[str]) -> tuple[float, set]:
        """A huddle `present` start in `conversation` (the first starts it); each ten seconds of app
        time the next of `comings_and_goings` joins it (or leaves, if in it). Its calls a minute, and
        their methods, from the moment they are all in it until it ends."""
        call = await slack.start_huddle(present[0], conversation)
        for who in present[1:]:
            await slack.join_huddle(who, call)
        await settle()
        before = len(slack.calls)
        for tick in range(minutes * 6):
            if comings_and_goings:
                who = comings_and_goings[tick % len(comings_and_goings)]
                if who in slack.huddle(call)["participants"]:
                    await slack.leave_huddle(who)
                else:
                    await slack.join_huddle(who, call)
            clock["now"] += timedelta(seconds=10)
            await settle()
        made = slack.calls[before:]
        for who in list(slack.huddle(call)["participants"]):
            await slack.leave_huddle(who)
        await settle()
        return len(made) / minutes, {c.method for c in made}

    try:
        await app.start(background=False)
        await settle()
        people = ["U0STAFF001", "U0STAFF002", "U0MINOR001", "U0MINOR002"]  # two adults throughout
        steady = await live_for(GENERAL, people, [])
        # Each minute a mentor steps out for 10 seconds (one adult left: the call is judged again when
        # its grace would end), a participant drops out and back, and an administrator looks in.
        moving = await live_for(GENERAL, people, [*["U0STAFF002"] * 2, *["U0MINOR001"] * 2, *["U0ADMIN001"] * 2])
        dm = await live_for(slack.add_dm("U0GUARD001", "U0MINOR001"), ["U0GUARD001", "U0MINOR001"], ["U0MINOR001"])
    finally:
        await app.stop()
        await runner.cleanup()
        await slack.stop()
        engine.dispose()
        folder.cleanup()
    return {"steady": steady, "moving": moving, "dm": dm, "minutes": minutes}


# -- 7: auditing an export archive ---------------------------------------------------------------


def write_export(folder: Path, accounts: list[Account], channels: int, days: int, per_day: int) -> int:
    """A Slack export in its folder layout: `channels` channels of 30 people each, `days` daily files
    of `per_day` ordinary messages each. How many messages it holds."""
    chooser = random.Random(7)
    users = [{"id": a.id, "team_id": TEAM, "name": a.id.lower(), "profile": {"email": a.email}} for a in accounts]
    (folder / "users.json").write_text(json.dumps(users))
    start = datetime(2026, 7, 6, tzinfo=UTC).timestamp()
    listed = []
    for n in range(channels):
        name, members = f"channel-{n}", chooser.sample([a.id for a in accounts], 30)
        listed.append({"id": f"C{n:08d}", "name": name, "created": int(start), "members": members})
        (folder / name).mkdir()
        for day in range(days):
            at = start + day * 86400
            said = [
                {"type": "message", "user": chooser.choice(members), "text": chooser.choice(ORDINARY),
                 "ts": f"{at + k * 60:.6f}"}
                for k in range(per_day)
            ]  # fmt: skip
            (folder / name / f"2026-07-{6 + day:02d}.json").write_text(json.dumps(said))
    (folder / "channels.json").write_text(json.dumps(listed))
    return channels * days * per_day


async def export_benchmark(sizes: list[int]) -> list[dict]:
    """`safe-contact audit --export` of archives of several sizes, in its own process: its time and
    its peak memory, which should not grow with the archive (messages are read a conversation at a
    time)."""
    program, accounts = large_program(600, 300)
    results = []
    for channels in sizes:
        with tempfile.TemporaryDirectory(prefix="safe-contact-bench-") as folder:
            root = Path(folder)
            (root / "export").mkdir()
            messages = write_export(root / "export", accounts, channels, days=10, per_day=50)
            megabytes = sum(f.stat().st_size for f in (root / "export").rglob("*.json")) / 1e6
            database = root / "audit.db"
            engine = storage.create_engine_from_url(f"sqlite:///{database}")
            storage.migrate(engine)
            with storage.session_scope(engine) as session:
                storage.save_program(program, session=session)
            engine.dispose()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAFE_CONTACT_"))}
            env["DATABASE_URL"] = f"sqlite:///{database}"
            arguments = ["audit", "--export", str(root / "export"), "--format", "json", "--output", str(root / "out")]
            start = time.monotonic()
            child = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "app.py"), *arguments, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            peak = 0.0
            while child.returncode is None:
                with contextlib.suppress(OSError, StopIteration):
                    status = Path(f"/proc/{child.pid}/status").read_text()
                    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
                    peak = max(peak, int(line.split()[1]) / 1024)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(child.wait(), timeout=0.05)
            if child.returncode not in (0, 1):
                raise RuntimeError(f"the audit failed ({child.returncode})")
            results.append(
                {"messages": messages, "megabytes": megabytes, "seconds": time.monotonic() - start, "peak_mb": peak}
            )
    return results


def throughput_table(live: dict, earlier_code: list[Path]) -> str:
    """Throughput alone: each app's rate, its ratio to the bare app of the same rounds, and ours paired
    with each earlier checkout's (medians of the round-by-round ratios)."""
    bare = live["bare"]
    lines = ["| code | messages/s | vs bare Bolt | ours vs it |", "|---|---|---|---|"]
    for name, rates in [("this code", live["ours"]), *zip(map(str, earlier_code), live["earlier"], strict=True)]:
        to_bare = statistics.median(r / b for r, b in zip(rates, bare, strict=True))
        paired = statistics.median(o / r for o, r in zip(live["ours"], rates, strict=True))
        lines.append(f"| {name} | {statistics.median(rates):.0f} | {to_bare:.2f}x | {paired:.2f}x |")
    lines.append(f"\nbare Bolt by round (messages/s): {', '.join(f'{b:.0f}' for b in bare)}")
    for name, rates in [("this code", live["ours"]), *zip(map(str, earlier_code), live["earlier"], strict=True)]:
        lines.append(f"{name} by round (messages/s): {', '.join(f'{r:.0f}' for r in rates)}")
    return "\n".join(lines)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(len(ordered) * share) - 1))]


def table(live: dict, sweep: dict, evaluation: tuple[float, int], exports: list[dict], huddles: dict, args) -> str:
    ours, bare = statistics.median(live["ours"]), statistics.median(live["bare"])
    latencies = sorted(live["latency_ms"])
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, math.ceil(len(latencies) * 0.99) - 1)]
    calls, floor = sum(sweep["calls"].values()), sum(sweep["floor"].values())
    over = 100 * (calls - floor) / floor
    per_user = ", ".join(sweep["per_user_methods"]) or "none"
    # Each round of ours is timed right after a round of the bare app: the median of those paired
    # ratios cancels the machine's slower and faster spells better than a ratio of medians.
    costs = huddles["costs"]
    ratio = statistics.median(o / b for o, b in zip(live["ours"], live["bare"], strict=True))
    rows = [
        (
            "throughput (benign messages/s)",
            f"{ours:.0f} vs bare Bolt {bare:.0f}: {ratio:.2f}x",
            ">= 0.7x",
            ratio >= 0.7,
        ),
        (
            "violation -> alert p50 / p99",
            f"{p50:.0f} / {p99:.0f} ms ({len(latencies)} incidents)",
            "p99 < 500 ms",
            p99 < 500,
        ),
        (
            "call joined -> alert, beyond the grace p50 / p99",
            f"{percentile(huddles['latency_ms'], 0.5):.0f} / {percentile(huddles['latency_ms'], 0.99):.0f} ms "
            f"({len(huddles['latency_ms'])} DM calls, grace {args.call_grace} s)",
            "p99 < 500 ms",
            percentile(huddles["latency_ms"], 0.99) < 500,
        ),
        (
            "Web API calls a live call costs per minute",
            f"program channel {costs['steady'][0]:.1f} steady, {costs['moving'][0]:.1f} with someone joining or "
            f"leaving every 10 s; DM {costs['dm'][0]:.1f} ({costs['minutes']} min of app time each)",
            "0 in a DM",
            costs["dm"][0] == 0,
        ),
        *(
            (
                f"throughput vs earlier code {n + 1}",
                f"{ours:.0f} vs {statistics.median(rates):.0f}: "
                f"{statistics.median(o / e for o, e in zip(live['ours'], rates, strict=True)):.2f}x",
                "(reported)",
                True,
            )
            for n, rates in enumerate(live["earlier"])
        ),
        ("Web API calls for benign messages", str(live["hot_path_calls"]), "0", live["hot_path_calls"] == 0),
        (
            f"sweep calls ({args.users} users, {args.channels} channels)",
            f"{calls} vs floor {floor}: +{over:.1f}%; per-user calls: {per_user}",
            "within 5%, none per user",
            calls <= floor * 1.05 and not sweep["per_user_methods"],
        ),
        (
            "sweep under Slack's rate limits",
            f"{sweep['rate_limited_minutes']:.1f} min (loopback: {sweep['seconds']:.1f} s)",
            "(reported)",
            True,
        ),
        (
            "evaluating every conversation",
            f"{evaluation[0]:.2f} s ({args.channels} conversations)",
            "< 2 s",
            evaluation[0] < 2,
        ),
        ("app peak memory (after the sweep)", f"{sweep['memory_mb']:.0f} MB", "< 300 MB", sweep["memory_mb"] < 300),
        *(
            (
                f"audit of an export ({run['messages']:,} messages)",
                f"{run['seconds']:.1f} s, peak memory {run['peak_mb']:.0f} MB ({run['megabytes']:.0f} MB of JSON)",
                "(reported)",
                True,
            )
            for run in exports
        ),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [
        f"Safe Contact benchmarks · {datetime.now(UTC):%Y-%m-%d} · {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "",
        f"| {'measure':<{width}} | result | target | met |",
        f"|{'-' * (width + 2)}|---|---|---|",
    ]
    for name, result, target, met in rows:
        lines.append(f"| {name:<{width}} | {result} | {target} | {'yes' if met else 'NO'} |")
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="benign messages per throughput round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--incidents", type=int, default=200, help="violations timed for latency")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--calls", type=int, default=60, help="DM huddles timed from their grace's end to the alert")
    parser.add_argument("--call-grace", type=int, default=1, help="the grace period for those, in seconds")
    parser.add_argument("--call-minutes", type=int, default=10, help="app minutes a huddle's Web API calls are counted")
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument(
        "--export-channels", type=int, nargs="*", default=[20, 160], help="sizes of the audited exports (500 a channel)"
    )
    parser.add_argument(
        "--earlier-code",
        type=Path,
        action="append",
        help="another checkout of Safe Contact (earlier code; may be given more than once): its throughput is "
        "measured in the same rounds, on a database made and migrated by its own code",
    )
    parser.add_argument(
        "--throughput-only", action="store_true", help="measure throughput alone (no latency, sweep or audits)"
    )
    args = parser.parse_args()
    random.seed(1)
    incidents = 0 if args.throughput_only else args.incidents
    live = await live_benchmarks(args.events, args.rounds, incidents, args.connections, args.earlier_code)
    if args.throughput_only:
        print(throughput_table(live, args.earlier_code or []))
        return 0
    sweep = await sweep_benchmark(args.users, args.channels, args.members)
    evaluation = evaluation_seconds(args.users, args.channels, args.members)
    huddles: dict = {
        "latency_ms": await call_alert_latency(args.calls, args.call_grace, every=0.1),
        "costs": await call_costs(args.call_minutes),
    }
    exports = await export_benchmark(args.export_channels)
    print(table(live, sweep, evaluation, exports, huddles, args))
    rounds = ", ".join(f"{o:.0f}/{b:.0f}" for o, b in zip(live["ours"], live["bare"], strict=True))
    print(f"\nthroughput by round (Safe Contact/bare Bolt, messages/s): {rounds}")
    for n, rates in enumerate(live["earlier"]):
        print(f"earlier code {n + 1} by round (messages/s): {', '.join(f'{e:.0f}' for e in rates)}")
    print(f"\nsweep calls by method: {sweep['calls']}; floor: {sweep['floor']}; other calls: {sweep['other_methods']}")
    costs = huddles["costs"]
    channel_methods, dm_methods = sorted(costs["steady"][1] | costs["moving"][1]), sorted(costs["dm"][1])
    print(f"a live call's Web API calls by method: in a program channel {channel_methods}, in a DM {dm_methods}")
    if live["hot_path_methods"]:
        print(f"calls made during benign messages: {sorted(live['hot_path_methods'])}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
