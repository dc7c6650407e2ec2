"""Crashes, for real: the app runs as its own process (`safe-contact serve`) against the fake Slack,
and is killed with SIGKILL at the worst moments: right after Slack got its 200 for a DM violation,
and right after Slack accepted the alert but before the app stored that it had. Restarted, it
alerts exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import pytest
from builders import ALERTS, GENERAL, MINOR1, STAFF1, program
from scenario_world import (
    BOT_USER,
    SIGNING_SECRET,
    TEAM,
    free_port,
    populate,
    quiet,
    serve_environment,
    until,
    until_healthy,
)

import storage
from fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


class AppProcess:
    """`safe-contact serve` in its own process, on a free port, against the fake Slack; `env`
    changes its environment (an empty value unsets a variable)."""

    def __init__(self, slack: FakeSlack, database: Path, *, env: dict[str, str] | None = None):
        self.slack, self.database, self.port = slack, database, free_port()
        self.env = env or {}
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = serve_environment(self.slack, self.database, self.port, **{"LOG_LEVEL": "WARNING", **self.env})
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "app.py"), "serve", env=env, cwd=self.database.parent,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        self.slack.events_url = f"http://127.0.0.1:{self.port}/slack/events"
        if not await until_healthy(f"http://127.0.0.1:{self.port}", self.process, limit=10):
            raise AssertionError("the app did not start")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no finally, as a crash or an out-of-memory kill."""
        if self.process is not None and self.process.returncode is None:
            # Killed already and reaped, but asyncio has not yet set its return code: gone either way.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)

    async def stop(self) -> None:
        self.kill()
        if self.process is not None:
            await self.process.wait()


def prepare(slack: FakeSlack, tmp_path: Path) -> Path:
    """The program's workspace, with the minor's account connected (the app sees their DMs), and
    the app's database holding the program: its path."""
    prog = program()
    populate(slack, prog)
    token = slack.connect_user(MINOR1)
    database = tmp_path / "crash.db"
    engine = storage.create_engine_from_url(f"sqlite:///{database}")
    storage.migrate(engine)
    with storage.session_scope(engine) as session:
        storage.save_program(prog, session=session)
        storage.save_user_token(
            TEAM,
            MINOR1,
            token,
            scopes="im:history",
            seal=storage.TokenSeal(),
            now=prog.sessions[0].start,
            session=session,
        )
    engine.dispose()
    return database


@pytest.fixture
async def crashing(tmp_path):
    async with FakeSlack(signing_secret=SIGNING_SECRET, team_id=TEAM, bot_user_id=BOT_USER) as slack:
        app = AppProcess(slack, prepare(slack, tmp_path))
        try:
            await app.start()
            await quiet(slack)  # the start-up sweep and the welcomes are done
            yield slack, app
        finally:
            await app.stop()


def dm_alerts(slack: FakeSlack) -> list[dict]:
    return [m for m in slack.posted(ALERTS) if "`dm-adult-minor`" in m["text"] and not m.get("thread_ts")]


async def test_killed_right_after_slack_got_its_200_the_restarted_app_still_alerts(crashing):
    slack, app = crashing
    dm = slack.add_dm(STAFF1, MINOR1)
    await slack.user_says(STAFF1, dm, "hey, add me on snap")  # answered 200: the event is stored
    app.kill()
    await app.stop()
    await app.start()
    await until(lambda: len(dm_alerts(slack)) >= 1)
    await quiet(slack)
    assert len(dm_alerts(slack)) == 1


async def test_killed_after_slack_accepted_the_alert_it_is_not_posted_twice(crashing):
    slack, app = crashing
    slack.after_accepting["chat.postMessage"] = kill_on_the_alert(slack, app)
    dm = slack.add_dm(STAFF1, MINOR1)
    await slack.user_says(STAFF1, dm, "hey, add me on snap")
    await until(lambda: app.process is not None and app.process.returncode is not None)
    assert len(dm_alerts(slack)) == 1  # Slack has the alert; the app died before storing its ts
    await app.start()
    await quiet(slack)
    assert len(dm_alerts(slack)) == 1
    with_thread = [m for m in slack.posted(ALERTS) if m.get("thread_ts") == dm_alerts(slack)[0]["ts"]]
    assert all("dm-adult-minor" not in m["text"] for m in with_thread)


async def test_killed_amid_a_flood_every_event_it_held_in_memory_is_dealt_with_after_restart(crashing, tmp_path):
    """The events the app's worker was handed (stored as claimed by it, held in memory) are not
    lost with the process: the restarted app takes back the dead process's claims at once."""
    slack, app = crashing
    dm = slack.add_dm(STAFF1, MINOR1)
    await asyncio.gather(*(slack.user_says(STAFF1, GENERAL, f"see you at {n % 12 + 1}") for n in range(400)))
    await slack.user_says(STAFF1, dm, "hey, add me on snap")
    app.kill()
    await app.stop()
    engine = storage.create_engine_from_url(f"sqlite:///{tmp_path / 'crash.db'}")
    with storage.session_scope(engine) as session:
        unfinished = storage.pending_count(session=session) + len(storage.claimants(session=session))
    await app.start()
    await until(lambda: len(dm_alerts(slack)) >= 1)
    await quiet(slack)
    assert len(dm_alerts(slack)) == 1
    with storage.session_scope(engine) as session:
        assert storage.pending_count(session=session) == 0 and storage.claimants(session=session) == []
    engine.dispose()
    assert unfinished, "the kill came after everything was done: the test proved nothing"


async def test_killed_after_slack_accepted_a_warning_it_is_not_sent_twice(crashing):
    """The same for the direct message that reminds the adult of the rule."""
    slack, app = crashing
    slack.after_accepting["chat.postMessage"] = kill_on_the_warning(slack, app, STAFF1)
    dm = slack.add_dm(STAFF1, MINOR1)
    await slack.user_says(STAFF1, dm, "hey, add me on snap")
    await until(lambda: app.process is not None and app.process.returncode is not None)

    def warnings() -> list[dict]:
        return [m for m in slack.posted(channel=slack.add_dm(BOT_USER, STAFF1)) if "Welcome" not in m["text"]]

    [first] = warnings()  # Slack has it; the app died before recording it
    await app.start()
    await quiet(slack)
    texts = [m["text"] for m in warnings()]
    assert texts.count(first["text"]) == 1 and len(texts) == len(set(texts))


def kill_on_the_warning(slack: FakeSlack, app: AppProcess, user: str):
    """Kill the app as soon as Slack has accepted its direct message to `user` (re-armed until then)."""

    def hook(call):
        if call.params.get("channel") in (user, slack.add_dm(BOT_USER, user)):
            app.kill()
        else:
            slack.after_accepting["chat.postMessage"] = hook

    return hook


def kill_on_the_alert(slack: FakeSlack, app: AppProcess):
    """Kill the app as soon as Slack has accepted the alert (the hook fires once: re-armed until then)."""

    def hook(call):
        if "dm-adult-minor" in call.params.get("text", ""):
            app.kill()
        else:
            slack.after_accepting["chat.postMessage"] = hook

    return hook
