"""The database must never freeze the app. PostgreSQL hangs for real, for eight seconds: a migration
holds the inbox table (`LOCK TABLE ... ACCESS EXCLUSIVE` in another connection), or the connection
stalls (a TCP relay in front of the server stops forwarding, as a network that drops packets or a
server frozen by its disk does). Meanwhile the app runs as `serve` runs it (worker and checks on
their own), and Slack's deliveries, a slash command and `/healthz` are each answered within a second;
once the database is back, every event is judged and every alert sent once.

And SQLite runs out of room (SQLite's `PRAGMA max_page_count`, set on every connection the app
takes: the same SQLITE_FULL error a full disk gives, without a small filesystem, which needs root to
mount): `/healthz` says 503 while writes fail, though reads still answer, the write-ahead log is cut
to nothing, and once there is room again the app takes events without a restart."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from builders import ADMIN1, GENERAL, MINOR1, STAFF1, STRANGER, program
from scenario_world import World, start_world, stop_world, until
from sqlalchemy import event
from test_scenario_socket_mode import APP_TOKEN

import storage
from fakeslack.delivery import DELIVERED, DeliveryPolicy
from handlers.runtime import Timing

TEAM, TEAM2 = "T0TEAM0001", "T0TEAM0002"

#: Slack's retries (at once, after a minute, after five), scaled so that the last comes about eleven
#: seconds after the first attempt: after the database is back.
RETRIES_AFTER_THE_HANG = DeliveryPolicy(time_scale=0.03)
#: How long the database hangs: as long as a migration's table lock may take.
HANG = 8.0
#: Each answer is due within this many seconds (the issue's bound; the old code took 3 to 10).
WITHIN = 1.0
VIOLATIONS = ("add me on snapchat: mina.codes", "text me at 555-867-5309 after class")


class StallingRelay:
    """A TCP relay in front of PostgreSQL, in threads of its own. `stall` stops forwarding in both
    directions while every connection stays open (nothing is reset: the app's calls just wait);
    `flow` forwards again, what was held included."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.flowing = threading.Event()
        self.flowing.set()
        self._open = True
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        self.flowing.clear()

    def flow(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self._open = False
        self.flowing.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        with self._listener:
            while self._open:
                try:
                    client, _ = self._listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.target)
                self._sockets += [client, upstream]
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                self.flowing.wait()
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)


class TableLocked:
    """A migration holds the inbox table for `HANG` seconds, in a connection of its own."""

    name = "table-locked"

    def __init__(self, engine: storage.Engine):
        self.engine = engine
        self.held = threading.Event()

    def begin(self) -> threading.Thread:
        def hold() -> None:
            with self.engine.connect() as migration:
                migration.exec_driver_sql("SET lock_timeout = 0")
                migration.exec_driver_sql("BEGIN")
                migration.exec_driver_sql("LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE")
                self.held.set()
                time.sleep(HANG)
                migration.exec_driver_sql("ROLLBACK")

        holder = threading.Thread(target=hold, daemon=True)
        holder.start()
        assert self.held.wait(5)
        return holder


class ConnectionStalled:
    """The app's connections to PostgreSQL stall for `HANG` seconds."""

    name = "connection-stalled"

    def __init__(self, relay: StallingRelay):
        self.relay = relay

    def begin(self) -> threading.Thread:
        self.relay.stall()
        mender = threading.Timer(HANG, self.relay.flow)
        mender.daemon = True
        mender.start()
        return mender


@pytest.fixture(params=["table-locked", "connection-stalled"])
async def hung_world(request, tmp_path) -> AsyncIterator[tuple[World, TableLocked | ConnectionStalled]]:
    """The program's world on PostgreSQL behind a relay, its background work running as in `serve`,
    and a way to make the database hang."""
    url = request.getfixturevalue("postgres_schema_url")
    relay = StallingRelay(url.host, url.port or 5432)
    # The app's own bounds, not the test server's: the relay's address instead of the server's.
    app_url = url.set(host="127.0.0.1", port=relay.port).difference_update_query(["connect_timeout"])
    engine = storage.create_engine_from_url(app_url.render_as_string(hide_password=False))
    storage.migrate(engine)
    direct = storage.create_engine_from_url(url.render_as_string(hide_password=False))
    hang: TableLocked | ConnectionStalled = (
        TableLocked(direct) if request.param == "table-locked" else ConnectionStalled(relay)
    )
    world, runner = await start_world(tmp_path, engine=engine, delivery=RETRIES_AFTER_THE_HANG)
    world.connect(MINOR1)
    await world.app.start()  # the worker, sweeps and checks on their own, as `serve` runs them
    try:
        yield world, hang
    finally:
        relay.flow()
        await stop_world(world, runner)
        relay.close()
        direct.dispose()


async def timed_get(world: World, path: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    async with (
        aiohttp.ClientSession() as client,
        client.get(world.events_url.replace("/slack/events", path)) as response,
    ):
        return response.status, await response.json(), time.monotonic() - started


async def test_acks_commands_and_healthz_answer_within_a_second_while_postgresql_hangs(hung_world):
    world, hang = hung_world
    dm = world.slack.add_dm(STAFF1, MINOR1)
    held = hang.begin()
    await asyncio.sleep(0.2)  # the hang has begun: the app's next calls wait on it

    await world.slack.user_says(STAFF1, dm, "hi, are you there?")
    for text in VIOLATIONS:
        await world.slack.user_says(MINOR1, GENERAL, text)
    await world.slack.user_says(STAFF1, GENERAL, "see you all at 4pm")
    status, _, health_took = await timed_get(world, "/healthz")
    _, answer = await world.slack.slash_command("/minors-status", user_id=ADMIN1, channel_id=GENERAL)
    command = world.slack.deliveries[-1]

    deliveries = [d for d in world.slack.event_deliveries if d.kind == "message"][-4:]
    first_attempts = [d.attempts[0] for d in deliveries]
    assert all(a.seconds < WITHIN for a in first_attempts), [a.seconds for a in first_attempts]
    assert all(a.status == 503 for a in first_attempts)  # not stored in time: Slack is to retry
    assert health_took < WITHIN and status == 503  # answered, and not ok
    assert command.answered_after is not None and command.answered_after < WITHIN, command.answered_after
    assert command.status == 200 and not command.timed_out, answer
    assert held.is_alive(), "the database hung for less time than the scenario took"

    await asyncio.to_thread(held.join)  # the database is back
    await until(lambda: all(d.outcome == DELIVERED for d in deliveries), limit=60)
    assert all(a.seconds < WITHIN for d in deliveries for a in d.attempts)
    await until(lambda: len(world.alerts_for("off-platform-contact")) >= 1, limit=60)
    await until(lambda: len(world.alerts_for("dm-adult-minor")) >= 1, limit=60)
    await until(lambda: not storage_pending(world), limit=60)  # every event judged
    await asyncio.sleep(1.0)  # anything sent twice would be by now
    assert len(world.alerts_for("off-platform-contact")) == 1  # both violations: one incident, one alert
    assert len(world.alerts_for("dm-adult-minor")) == 1
    status, health, health_took = await timed_get(world, "/healthz")
    assert status == 200 and health["ok"] is True and health_took < WITHIN


async def test_over_socket_mode_commands_and_healthz_answer_within_a_second_while_a_table_is_locked(
    postgres_schema_url, tmp_path
):
    """Over Socket Mode: a command's ack and `/healthz` within a second; an event that cannot be stored
    in time is not acknowledged, Slack sends it again, and once the lock is gone it is judged, once."""
    engine = storage.create_engine_from_url(postgres_schema_url.render_as_string(hide_password=False))
    storage.migrate(engine)
    timing = Timing(poll_every=0.05, socket_ping_every=0.2, probe_every=0.2)
    world, runner = await start_world(
        tmp_path, sweep=False, engine=engine, signing_secret="", app_token=APP_TOKEN, timing=timing
    )
    world.slack.socket_mode = True
    try:
        await world.app.connect_socket_mode()
        await world.slack.sockets.wait_connected()
        await world.app.sweep()
        await world.settle()
        await world.app.start()  # the worker, sweeps and checks on their own, as `serve` runs them
        held = TableLocked(engine).begin()
        await asyncio.sleep(0.2)
        joined = asyncio.create_task(world.slack.user_joins(STRANGER, GENERAL))
        started = time.monotonic()
        status, answer = await world.slack.slash_command("/minors-status", user_id=ADMIN1, channel_id=GENERAL)
        command_took = time.monotonic() - started
        health, _, health_took = await timed_get(world, "/healthz")

        assert command_took < WITHIN and status == 200, (command_took, answer)
        assert health_took < WITHIN and health == 503
        assert held.is_alive(), "the database hung for less time than the scenario took"
        await asyncio.to_thread(held.join)
        await asyncio.wait_for(joined, timeout=60)  # redelivered until acknowledged, once stored
        await until(lambda: len(world.alerts_for("unauthorized-member")) >= 1, limit=60)
        await asyncio.sleep(1.0)
        assert len(world.alerts_for("unauthorized-member")) == 1
    finally:
        await stop_world(world, runner)


async def test_an_install_coming_back_while_postgresql_stalls_holds_up_no_answer_to_slack(
    postgres_schema_url, tmp_path
):
    """The browser coming back from Slack's install page (the state's single use and the installation
    are written) while the database stalls: the browser waits, Slack's deliveries and `/healthz` do
    not; once the database is back, the installation is stored."""
    relay = StallingRelay(postgres_schema_url.host, postgres_schema_url.port or 5432)
    app_url = postgres_schema_url.set(host="127.0.0.1", port=relay.port).difference_update_query(["connect_timeout"])
    engine = storage.create_engine_from_url(app_url.render_as_string(hide_password=False))
    storage.migrate(engine)
    world, runner = await start_world(
        tmp_path,
        program(team_id=TEAM),
        sweep=False,
        engine=engine,
        client_id="1111.2222",
        client_secret="fake-client-secret",
    )
    team2 = world.slack.add_team(TEAM2, bot_user_id="U0SAFEBOT2")
    team2.add_user("U0T2ADMIN1", name="Morgan", email="morgan@mit.edu")
    base = world.events_url.removesuffix("/slack/events")
    try:
        await world.app.start()
        async with aiohttp.ClientSession() as browser:
            async with browser.get(f"{base}/slack/install?team={TEAM2}", allow_redirects=False) as link:
                authorize, cookie = link.headers["Location"], link.headers["Set-Cookie"].split(";")[0]
            code, state = team2.approve(authorize, "U0T2ADMIN1")
            hang = ConnectionStalled(relay).begin()
            redirect = f"{base}/slack/oauth_redirect?code={code}&state={state}"
            came_back = asyncio.create_task(browser.get(redirect, headers={"Cookie": cookie}, allow_redirects=False))
            answers: list[tuple[int, float]] = []
            probing = time.monotonic()  # the test shares the app's loop: a frozen loop stretches the sleeps
            for _ in range(6):  # over the first three seconds of the stall, the callback waiting
                await asyncio.sleep(0.5)
                status, _, health_took = await timed_get(world, "/healthz")
                answers.append((status, health_took))
            started = time.monotonic()
            await world.slack.user_says(STAFF1, GENERAL, "see you all at 4pm")
            delivery_took = time.monotonic() - started

            assert all(took < WITHIN and status == 503 for status, took in answers), answers
            asleep = time.monotonic() - probing - sum(took for _, took in answers)
            assert asleep < 6 * 0.5 + WITHIN, asleep  # the loop never froze meanwhile
            assert delivery_took < WITHIN, delivery_took
            assert hang.is_alive(), "the database stalled for less time than the scenario took"
            answer = await asyncio.wait_for(came_back, timeout=60)
            assert answer.status in (200, 302)
        with storage.session_scope(engine) as session:
            assert storage.installation(TEAM2, seal=world.app.runtime.seal, session=session) is not None
    finally:
        relay.flow()
        await stop_world(world, runner)
        relay.close()


def storage_pending(world: World) -> int:
    with storage.session_scope(world.engine) as session:
        return storage.pending_count(session=session)


# -- a full disk ------------------------------------------------------------------------------------


class PageLimit:
    """SQLite's `max_page_count` on every connection the app checks out: `fill` lets the database
    grow no more (SQLite keeps it at the current size), `free` gives it room again."""

    UNLIMITED = 1_073_741_823

    def __init__(self, engine: storage.Engine):
        self.limit = self.UNLIMITED
        event.listen(engine, "checkout", self._apply)

    def _apply(self, dbapi_connection, _record, _proxy) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={self.limit}").fetchall()

    def fill(self) -> None:
        self.limit = 1

    def free(self) -> None:
        self.limit = self.UNLIMITED


@pytest.fixture
async def full_world(tmp_path) -> AsyncIterator[tuple[World, PageLimit, Path]]:
    world, runner = await start_world(tmp_path)
    try:
        yield world, PageLimit(world.engine), tmp_path / "scenario.db-wal"
    finally:
        await stop_world(world, runner)


async def test_a_full_disk_is_not_ok_the_log_is_cut_and_the_app_recovers_without_a_restart(full_world):
    world, disk, log = full_world
    with contextlib.closing(sqlite3.connect(world.engine.url.database)) as compact:
        compact.execute("VACUUM")  # no free page left inside the file: the next page needs the disk
    assert log.stat().st_size > 0  # the sweep's writes are in the write-ahead log
    disk.fill()

    status, health, took = await timed_get(world, "/healthz")  # reads answer, writes cannot
    assert status == 503 and health["ok"] is False and health["database"] == "not taking writes", health
    assert took < WITHIN
    assert log.stat().st_size == 0  # the write-ahead log gave its space back
    for n in range(400):  # until an event needs a page the database cannot have
        await world.slack.user_says(STAFF1, GENERAL, f"see you all at 4pm, item {n}")
        if world.slack.event_deliveries[-1].attempts[0].status != 200:
            break
    refused = world.slack.event_deliveries[-1]
    assert refused.attempts[0].status == 503  # a database failure: Slack retries it
    await asyncio.sleep(1.0)  # several outage probes (every 0.2 s): reads answer, writes do not

    status, health, took = await timed_get(world, "/healthz")
    assert status == 503 and health["ok"] is False, health
    assert took < WITHIN

    disk.free()  # room again (files deleted, the disk grown)
    await until(lambda: refused.outcome == DELIVERED, limit=30)  # Slack's retry is stored
    await until(lambda: world.app.deliveries.outage is None)
    message = await world.slack.user_says(MINOR1, GENERAL, VIOLATIONS[0])
    assert world.delivery(message)["event_id"]  # delivered, and stored
    assert world.slack.event_deliveries[-1].attempts[0].status == 200
    await world.settle()
    assert len(world.alerts_for("off-platform-contact")) == 1
    status, health, _ = await timed_get(world, "/healthz")
    assert status == 200 and health["ok"] is True
