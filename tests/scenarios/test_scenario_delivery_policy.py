"""Slack's delivery policy, end to end: the fake retries a failed delivery three times (at once,
after a minute and after five, scaled down) and then drops it. The database goes away for real,
on SQLite (another process holds the write lock) and on PostgreSQL (the server goes away behind a
TCP relay). Deliveries get a quick 503, which Slack retries, and `/healthz` says so. Once the
database is back, the retried events are judged, the administrators are told which window may have
lost events, and a sweep runs. Refusals carry `X-Slack-No-Retry: 1`, so Slack does not send them
again. `app_rate_limited` gets the same notice and sweep."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from builders import GENERAL, MINOR1, NOW, STAFF1, STRANGER
from scenario_world import TEAM, World, start_world, stop_world, until

import storage
from fakeslack.delivery import DELIVERED, DROPPED, REFUSED
from handlers.slack.blocks import when

# -- two real outages -----------------------------------------------------------------------------


class SqliteLocked:
    """Another process holds SQLite's write lock (a backup, a migration, a long import): every other
    writer waits out the busy timeout, then fails with "database is locked"."""

    name = "sqlite-locked"

    def __init__(self, database: Path):
        self.database = database
        self.holder: sqlite3.Connection | None = None

    def begin(self) -> None:
        self.holder = sqlite3.connect(self.database, isolation_level=None, check_same_thread=False)
        self.holder.execute("BEGIN IMMEDIATE")

    def end(self) -> None:
        if self.holder is not None:
            self.holder.execute("ROLLBACK")
            self.holder.close()
            self.holder = None


class Relay:
    """A TCP relay in front of PostgreSQL, in threads of its own (the app's database calls block its
    event loop). `cut` resets every relayed connection and refuses new ones, as a server restart or
    a failover does; `mend` lets connections through again, on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = 0
        self._open = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self.mend()

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._open = True
        self._listener = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._listener.start()

    def cut(self) -> None:
        self._open = False
        if self._listener is not None:
            self._listener.join()
        with self._lock:
            relayed, self._sockets = self._sockets, []
        for sock in relayed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self._open:
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.target)
                with self._lock:
                    self._sockets += [client, upstream]
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


class PostgresDown:
    """PostgreSQL goes away: connections reset, new ones refused, until it is back."""

    name = "postgres-down"

    def __init__(self, relay: Relay):
        self.relay = relay

    def begin(self) -> None:
        self.relay.cut()

    def end(self) -> None:
        self.relay.mend()


@pytest.fixture(params=["sqlite-locked", "postgres-down"])
async def outage_world(request, tmp_path) -> AsyncIterator[tuple[World, SqliteLocked | PostgresDown]]:
    """The program's world, and a way to take its database away and bring it back."""
    outage: SqliteLocked | PostgresDown
    engine = None
    if request.param == "postgres-down":
        url = request.getfixturevalue("postgres_schema_url")
        relay = Relay(url.host, url.port or 5432)
        # The app's own connect timeout, not the test server's: the relay's address instead of the server's.
        url = url.set(host="127.0.0.1", port=relay.port).difference_update_query(["connect_timeout"])
        engine = storage.create_engine_from_url(url.render_as_string(hide_password=False))
        storage.migrate(engine)
        outage = PostgresDown(relay)
    else:
        outage = SqliteLocked(tmp_path / "scenario.db")
    world, runner = await start_world(tmp_path, engine=engine)
    try:
        yield world, outage
    finally:
        if isinstance(outage, SqliteLocked):
            outage.end()
        await stop_world(world, runner)
        if isinstance(outage, PostgresDown):
            outage.relay.cut()


# -- helpers --------------------------------------------------------------------------------------


async def get(world: World, path: str) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(world.events_url.replace("/slack/events", path)) as response,
    ):
        return response.status, await response.json()


async def post(world: World, body: bytes, headers: dict, *, path: str = "/slack/events", method: str = "POST"):
    """One request to the app; its status and headers."""
    async with (
        aiohttp.ClientSession() as client,
        client.request(method, world.events_url.replace("/slack/events", path), data=body, headers=headers) as answer,
    ):
        await answer.read()
        return answer.status, answer.headers


def last_delivery(world: World, kind: str):
    return [d for d in world.slack.event_deliveries if d.kind == kind][-1]


async def settled(world: World, *, quiet: float = 0.3) -> None:
    """Settle until the app has made no Web API call for `quiet` seconds: the sweep after an outage
    runs on its own, and what it finds is queued for the worker."""
    seen = -1
    while len(world.slack.calls) != seen:
        seen = len(world.slack.calls)
        await world.settle()
        await asyncio.sleep(quiet)


def swept_since(world: World, moment: float) -> bool:
    """Whether the app listed the workspace (a sweep) after `moment` (`time.monotonic()`)."""
    listed = {c.method for c in world.slack.calls if c.at > moment}
    return {"users.list", "conversations.list"} <= listed


def notices(world: World) -> list[dict]:
    return [m for m in world.alerts() if "may have been lost" in m["text"] or "may not have been" in m["text"]]


def outage_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and "database" in r.getMessage()]


# -- the database goes away -----------------------------------------------------------------------


async def test_an_outage_within_slacks_retries_loses_nothing_and_the_administrators_are_told(outage_world, caplog):
    world, outage = outage_world
    caplog.set_level(logging.INFO)
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    outage.begin()
    await world.slack.user_says(STAFF1, dm, "hi, are you there?")
    await world.slack.user_says(MINOR1, GENERAL, "add me on snapchat: mina.codes")
    direct, spoken = [d for d in world.slack.event_deliveries if d.kind == "message"][-2:]
    await until(lambda: len(direct.attempts) >= 3 and len(spoken.attempts) >= 3)  # two retries refused as well
    for delivery in (direct, spoken):
        assert [a.status for a in delivery.attempts[:3]] == [503, 503, 503]
        assert not any(a.no_retry for a in delivery.attempts)  # Slack is meant to retry these
        assert max(a.seconds for a in delivery.attempts) < 3.0  # answered within Slack's deadline
    status, health = await get(world, "/healthz")
    assert status == 503 and health["ok"] is False
    assert health["deliveries_refused"] >= 6 and health["since"] == NOW.isoformat()

    world.clock.advance(minutes=6)  # Slack's last retry comes about six minutes after the first attempt
    back = time.monotonic()
    outage.end()
    await until(lambda: direct.outcome == DELIVERED and spoken.outcome == DELIVERED)
    await until(lambda: swept_since(world, back))
    await settled(world)

    assert len(world.alerts_for("dm-adult-minor")) == 1  # the retried event and the sweep: one alert
    assert len(world.alerts_for("off-platform-contact")) == 1  # what was said is judged too
    [notice] = notices(world)
    assert when(NOW) in notice["text"] and when(NOW + timedelta(minutes=6)) in notice["text"]
    assert "sweep" in notice["text"]
    status, health = await get(world, "/healthz")
    assert status == 200 and health["ok"] is True and health["deliveries_refused"] == 0
    assert health["retried_by_slack"] == sum(len(d.retries) for d in world.slack.event_deliveries)
    assert len(outage_errors(caplog)) == 1  # one ERROR for the outage, not one per delivery


async def test_an_outage_longer_than_slacks_retries_loses_messages_and_the_sweep_rebuilds_membership(outage_world):
    world, outage = outage_world
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    outage.begin()
    await world.slack.user_says(STAFF1, dm, "hi, are you there?")
    await world.slack.user_says(MINOR1, GENERAL, "add me on snapchat: mina.codes")
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.slack.flush()  # every retry refused: Slack drops them
    assert [d.outcome for d in list(world.slack.event_deliveries)[-3:]] == [DROPPED] * 3
    await until(lambda: world.app.inbox.idle)  # the last write under way, behind the lock, has failed too
    world.clock.advance(minutes=10)
    back = time.monotonic()
    outage.end()
    await until(lambda: swept_since(world, back))  # no event came: the app found out by itself
    await settled(world)

    [notice] = notices(world)
    assert when(NOW) in notice["text"]
    assert len(world.alerts_for("unauthorized-member")) == 1  # membership: rebuilt by the sweep
    assert len(world.alerts_for("dm-adult-minor")) == 1  # the DM exists: the sweep lists it
    assert world.alerts_for("off-platform-contact") == []  # what was said in the window is lost
    status, _ = await get(world, "/healthz")
    assert status == 200


async def test_a_refused_delivery_is_answered_quickly_with_the_database_down(outage_world):
    """How fast: well within Slack's 3 seconds, so that Slack sees a 503 it retries, not a timeout."""
    world, outage = outage_world
    outage.begin()
    await world.slack.user_says(MINOR1, GENERAL, "hello")
    first = last_delivery(world, "message").attempts[0]
    assert first.status == 503 and first.seconds < 2.0


# -- refusals Slack must not retry ----------------------------------------------------------------

TOO_LARGE = json.dumps({"type": "event_callback", "event": {"type": "message", "text": "x" * 1_100_000}}).encode()
WRONG_IDS = b'{"type": "event_callback", "event": {"type": "team_join"}, "team_id": 5}'
#: Bolt fails on it (a TypeError matching its listeners), and `on_error` refuses it.
NOT_A_LIST = {"type": "block_actions", "team": {"id": TEAM}, "actions": "x"}
ACTIONS_NOT_A_LIST = f"payload={quote(json.dumps(NOT_A_LIST))}".encode()
REFUSALS = [
    pytest.param("POST", "/slack/events", b"{not json", "signed", 400, id="not-json"),
    pytest.param("POST", "/slack/events", WRONG_IDS, "signed", 400, id="wrong-types"),
    pytest.param("POST", "/slack/events", b'{"type": "event_callback"}', "unsigned", 401, id="unsigned"),
    pytest.param("POST", "/slack/events", TOO_LARGE, "signed", 413, id="too-large"),
    pytest.param("POST", "/slack/events", b'{"type": "no_such_payload"}', "signed", 404, id="unknown-payload"),
    pytest.param("POST", "/slack/events", b"payload=%7B%7D", "form", 404, id="unknown-form-payload"),
    pytest.param("POST", "/slack/events", ACTIONS_NOT_A_LIST, "form", 400, id="bolt-on-error"),
    pytest.param("GET", "/slack/events", b"", "unsigned", 405, id="wrong-method"),
    pytest.param("POST", "/slack/event", b"{}", "signed", 404, id="wrong-path"),
]


@pytest.mark.parametrize(("method", "path", "body", "signing", "status"), REFUSALS)
async def test_every_refusal_says_no_retry(world, method, path, body, signing, status):
    content_type = "application/x-www-form-urlencoded" if signing == "form" else "application/json"
    headers = world.slack.signed_headers(body, content_type=content_type) if signing != "unsigned" else {}
    answered, answer_headers = await post(world, body, headers, path=path, method=method)
    assert answered == status
    assert answer_headers.get("X-Slack-No-Retry") == "1"


async def test_a_malformed_delivery_is_not_sent_again(world):
    assert await world.slack.deliver_body(b"{not json") == 400
    await world.slack.flush()
    delivery = last_delivery(world, "raw")
    assert delivery.outcome == REFUSED and len(delivery.attempts) == 1


# -- Slack rate-limits the workspace --------------------------------------------------------------


async def test_app_rate_limited_is_acknowledged_and_told_and_a_sweep_finds_what_was_not_delivered(world, caplog):
    caplog.set_level(logging.INFO)
    world.slack.fill_hourly_allowance()  # the workspace's next event is over Slack's 30,000 an hour
    before = time.monotonic()
    await world.slack.user_joins(STRANGER, GENERAL)
    assert last_delivery(world, "member_joined_channel").reason == "rate limited"  # never sent
    notice_delivery = last_delivery(world, "app_rate_limited")
    assert notice_delivery.outcome == DELIVERED and notice_delivery.attempts[0].status == 200
    await until(lambda: swept_since(world, before))
    await settled(world)

    [notice] = notices(world)
    assert "rate-limited" in notice["text"] and "sweep" in notice["text"]
    assert len(world.alerts_for("unauthorized-member")) == 1  # the join Slack never sent, found by the sweep
    status, health = await get(world, "/healthz")
    assert status == 200 and health["rate_limited"] == 1
    assert [r for r in caplog.records if r.levelno == logging.ERROR and "rate-limited" in r.getMessage()]


async def test_the_same_rate_limited_minute_sent_twice_is_told_once(world):
    body = json.dumps(
        {
            "token": "fake-verification-token",
            "type": "app_rate_limited",
            "team_id": TEAM,
            "minute_rate_limited": 1518467820,
            "api_app_id": world.slack.app_id,
        }
    ).encode()
    for _ in range(2):
        status, _ = await post(world, body, world.slack.signed_headers(body))
        assert status == 200
    await settled(world)
    assert len(notices(world)) == 1


async def test_a_worker_starting_while_the_database_is_locked_goes_on_working_once_it_is_free(tmp_path):
    """The worker's first step (taking back dead processes' work) meets a lock another process holds:
    the worker does not die of it (nothing would be judged until a restart), and once the lock is
    gone the next violation is alerted."""
    world, runner = await start_world(tmp_path, sweep=False)
    locked = SqliteLocked(tmp_path / "scenario.db")
    try:
        locked.begin()
        await world.app.start()  # the worker's first step waits out the busy timeout, and fails
        await asyncio.sleep(1.5)
        locked.end()
        await world.slack.user_joins(STRANGER, GENERAL)
        await until(lambda: len(world.alerts_for("unauthorized-member")) == 1, limit=30)
    finally:
        locked.end()
        await stop_world(world, runner)
