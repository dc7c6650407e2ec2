"""Socket Mode, for real: the app connects to the fake Slack's WebSocket (`apps.connections.open`
with the app-level token) and receives events, commands and button presses as envelopes it
acknowledges. An event is stored (the same road as over HTTP: validated, group commit, one row per
`event_id`) before its ack; a redelivery is stored once; a socket replaced or dropped loses nothing.
Its HTTP side serves no unsigned route: a forged POST changes nothing."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from dataclasses import replace

import aiohttp
import pytest
from builders import ADMIN1, ALERTS, GENERAL, MINOR1, NOW, STAFF1, STRANGER
from scenario_world import BOT_USER, SIGNING_SECRET, TEAM, World, start_world, stop_world, until
from sqlalchemy.exc import OperationalError
from test_scenario_crash import AppProcess, dm_alerts, prepare, quiet
from test_scenario_delivery_policy import SqliteLocked, notices, settled, swept_since
from test_scenario_delivery_policy import get as health_get

import storage
from fakeslack import FakeSlack
from fakeslack.socket_mode import EVENTS_API
from handlers.runtime import Timing
from handlers.slack.blocks import ACKNOWLEDGE_ACTION, when

APP_TOKEN = "xapp-1-A0SAFE0001-fake-app-token"


# -- the HTTP side in Socket Mode ------------------------------------------------------------------


async def post(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    """POST `body` to the app: its status and headers."""
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as answer:
        await answer.read()
        return answer.status, dict(answer.headers)


async def get(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status


def forged_join(world) -> bytes:
    return forged_join_of(world.slack)


def forged_join_of(slack: FakeSlack) -> bytes:
    """What an attacker who can reach the port sends: a stranger "joined" a program channel (the
    app would alert, and in a lockdown kick someone)."""
    event = {"type": "member_joined_channel", "user": STRANGER, "channel": GENERAL, "channel_type": "C"}
    return json.dumps(slack.envelope({**event, "event_ts": "1751812200.000100"})).encode()


def nothing_stored(world) -> bool:
    with storage.session_scope(world.engine) as session:
        return storage.pending_count(session=session) == 0 and storage.retrying(session=session)[0] == 0


@pytest.mark.parametrize("signing_secret", ["", "a-secret-the-app-has"], ids=["no-secret", "with-secret"])
async def test_in_socket_mode_a_forged_unsigned_event_is_refused_and_changes_nothing(tmp_path, signing_secret):
    world, runner = await start_world(tmp_path, signing_secret=signing_secret, app_token=APP_TOKEN)
    try:
        status, headers = await post(world.events_url, forged_join(world), {"Content-Type": "application/json"})
        assert status == 404  # Slack sends nothing over HTTP in Socket Mode: the route is not served
        assert headers.get("X-Slack-No-Retry") == "1"
        signed = forged_join(world)  # signed with a secret, even the app's own: not served either
        status, headers = await post(world.events_url, signed, world.slack.signed_headers(signed))
        assert status == 404 and headers.get("X-Slack-No-Retry") == "1"
        await world.settle()
        assert world.alerts() == [] and nothing_stored(world)
        assert await get(world.events_url.replace("/slack/events", "/healthz")) == 200
    finally:
        await stop_world(world, runner)


async def test_over_http_without_a_signing_secret_every_request_is_refused(tmp_path):
    """No secret means nothing can be signed for this app: a verifier of None refuses, it does not skip."""
    world, runner = await start_world(tmp_path, signing_secret="")
    try:
        body = forged_join(world)
        for headers in ({"Content-Type": "application/json"}, world.slack.signed_headers(body)):
            status, answer_headers = await post(world.events_url, body, headers)
            assert status == 401 and answer_headers.get("X-Slack-No-Retry") == "1"
        await world.settle()
        assert world.alerts() == [] and nothing_stored(world)
    finally:
        await stop_world(world, runner)


async def test_over_http_an_unsigned_request_is_refused_with_no_retry(world):
    status, headers = await post(world.events_url, forged_join(world), {"Content-Type": "application/json"})
    assert status == 401 and headers.get("X-Slack-No-Retry") == "1"


async def test_in_socket_mode_the_oauth_routes_are_still_served(tmp_path):
    world, runner = await start_world(
        tmp_path, signing_secret="", app_token=APP_TOKEN, client_id="1111.2222", client_secret="fake-client-secret"
    )
    try:
        base = world.events_url.removesuffix("/slack/events")
        async with aiohttp.ClientSession() as browser:
            async with browser.get(base + "/slack/install", allow_redirects=False) as answer:
                assert answer.status == 302
            async with browser.get(base + "/slack/oauth_redirect?code=x&state=forged") as answer:
                assert answer.status < 500 and answer.status != 404
    finally:
        await stop_world(world, runner)


# -- the app over Socket Mode -----------------------------------------------------------------------


@pytest.fixture
async def socket_world(tmp_path):
    """The program's workspace after the start-up sweep, with the app connected over Socket Mode
    (no signing secret) and every delivery going over its WebSocket."""
    timing = Timing(poll_every=0.05, socket_ping_every=0.2)
    world, runner = await start_world(tmp_path, sweep=False, signing_secret="", app_token=APP_TOKEN, timing=timing)
    assert world.slack.app_token == APP_TOKEN
    world.slack.socket_mode = True
    world.slack.sockets.ack_timeout = 1.0
    world.slack.sockets.refresh_grace = 0.5
    try:
        await world.app.connect_socket_mode()
        await world.slack.sockets.wait_connected()
        await world.app.sweep()
        await world.settle()
        yield world
    finally:
        await stop_world(world, runner)


def stored(world: World) -> int:
    """Events stored and not yet dealt with."""
    with storage.session_scope(world.engine) as session:
        return storage.pending_count(session=session)


def events_sent(world: World) -> list[dict]:
    return [e for e in world.slack.sockets.sent if e["type"] == EVENTS_API]


async def stranger_joins(world: World, n: int) -> None:
    user = f"U0STRANGE{n}"
    world.slack.add_user(user, name=f"Stranger {n}", email=f"stranger{n}@example.com")
    await world.slack.user_joins(user, GENERAL)


async def test_a_violation_over_socket_mode_is_stored_before_its_ack_and_alerts_once(socket_world):
    world = socket_world
    acks = len(world.slack.sockets.acks)
    await world.slack.user_joins(STRANGER, GENERAL)  # returns once Slack has the ack
    assert stored(world) == 1  # already in the inbox when the ack arrived
    assert len(world.slack.sockets.acks) == acks + 1
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1
    assert world.slack.calls_to("apps.connections.open")[0].token == APP_TOKEN


async def test_an_envelope_redelivered_after_its_ack_was_lost_is_stored_once_and_alerts_once(socket_world):
    world = socket_world
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    world.slack.sockets.lose_acks = 1  # the app stored it and acked; the ack never reached Slack
    await world.slack.user_says(STAFF1, dm, "hey, add me on snap")
    first, again = events_sent(world)[-2:]
    assert (first["retry_attempt"], again["retry_attempt"], again["retry_reason"]) == (0, 1, "timeout")
    assert first["payload"]["event_id"] == again["payload"]["event_id"]
    assert stored(world) == 1
    event = first["payload"]["event"]  # and Slack's own retry, sent again later
    assert await world.slack.deliver_event(event, event_id=first["payload"]["event_id"], retry_num=2) == 200
    assert stored(world) == 1
    await world.settle()
    assert len(world.alerts_for("dm-adult-minor")) == 1


async def test_a_slash_command_is_answered_over_the_socket(socket_world):
    world = socket_world
    status, answer = await world.slack.slash_command("/minors-status", user_id=STAFF1, channel_id=GENERAL)
    assert status == 200 and isinstance(answer, dict)
    assert "Splash 2026 Online" in answer["text"] + repr(answer.get("blocks"))
    status, answer = await world.slack.slash_command("/minors-lockdown", user_id=MINOR1, channel_id=GENERAL)
    assert status == 200 and isinstance(answer, dict) and "<@U" not in answer["text"]  # refused, names nobody


async def test_an_alerts_button_is_handled_over_the_socket(socket_world):
    world = socket_world
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    [incident] = world.incidents("unauthorized-member")
    [alert] = world.alerts_for("unauthorized-member")
    status, _ = await world.slack.block_action(
        ADMIN1, ACKNOWLEDGE_ACTION, str(incident.id), channel_id=ALERTS, message_ts=alert["ts"]
    )
    assert status == 200
    await world.settle()
    [after] = world.incidents("unauthorized-member")
    assert after.acknowledged_by == ADMIN1


async def test_an_event_bolt_cannot_authorize_is_stored_and_judged_as_over_http(socket_world):
    """Through an installation the app has no bot for (a Slack Connect partner's): Bolt's
    authorization finds none and would ack it unstored; over HTTP it is stored and judged, and so
    it is here: the contact details and the DM are alerted. They are judged in the partner's
    workspace, so by the partner's program: the bot token's program (no `team_id`) is that
    workspace's alone, and its roster is never matched against another workspace's accounts."""
    world = socket_world
    world.connect(MINOR1)
    partners = replace(world.program, id="partner-camp", team_id="T0PARTNER1", channels=(), session_channels=())
    with storage.session_scope(world.engine) as session:
        storage.save_program(replace(partners, sessions=()), session=session)
    world.app.runtime.cache.invalidate()
    partner = world.slack.add_team("T0PARTNER1", bot_user_id="U0PARTBOT1")
    said = {"type": "message", "user": STAFF1, "text": "text me at 617-555-0142 anytime", "team": world.slack.team_id}
    ts = world.slack.workspace.new_ts()
    assert (
        await partner.deliver_event({**said, "ts": ts, "event_ts": ts, "channel": GENERAL, "channel_type": "channel"})
        == 200
    )
    assert stored(world) == 1
    dm = world.slack.add_dm(STAFF1, MINOR1)
    ts = world.slack.workspace.new_ts()
    minor = {"team_id": "T0PARTNER1", "user_id": MINOR1, "is_bot": False, "enterprise_id": None}
    event = {**said, "text": "hey", "ts": ts, "event_ts": ts, "channel": dm, "channel_type": "im"}
    assert await partner.deliver_event(event, authorizations=[{**minor, "is_enterprise_install": False}]) == 200
    assert stored(world) == 2
    await world.settle()
    assert len(world.alerts_for("off-platform-contact")) == 1
    assert len(world.alerts_for("dm-adult-minor")) == 1


async def test_the_apps_own_events_are_stored_as_over_http(socket_world):
    """Bolt drops the app's own events before any middleware (`ignoring_self_events`); over HTTP they
    are stored like any other, and so they are here."""
    world = socket_world
    ts = world.slack.workspace.new_ts()
    own = {"type": "message", "user": BOT_USER, "bot_id": "B0SAFEBOT1", "text": "a reminder", "ts": ts}
    assert (
        await world.slack.deliver_event({**own, "event_ts": ts, "channel": GENERAL, "channel_type": "channel"}) == 200
    )
    assert stored(world) == 1
    await world.settle()
    assert stored(world) == 0


MALFORMED_PAYLOADS = [
    pytest.param({"type": "event_callback", "event": "x", "team_id": 5}, id="wrong-types"),
    pytest.param({"type": "event_callback", "event_id": ["x"], "event": {"type": "team_join"}}, id="list-event-id"),
    pytest.param({"type": "event_callback"}, id="no-event"),
    pytest.param({"type": "app_rate_limited", "minute_rate_limited": 1518467820}, id="not-an-event-callback"),
    pytest.param({}, id="empty"),
]


@pytest.mark.parametrize("payload", MALFORMED_PAYLOADS)
async def test_a_malformed_envelope_is_acked_and_logged_and_the_app_keeps_working(socket_world, payload, caplog):
    world = socket_world
    with caplog.at_level(logging.INFO):
        ack = await world.slack.sockets.deliver(EVENTS_API, payload)
    assert ack is not None  # Slack would only send it again
    assert stored(world) == 0
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1


async def test_an_event_the_database_cannot_store_is_not_acked_and_slack_redelivers_it(socket_world, monkeypatch):
    world = socket_world
    failures: list[str] = []

    def down_once(name: str):
        real = getattr(storage, name)

        def enqueue(*args, **kwargs):
            if not failures:
                failures.append(name)
                raise OperationalError("INSERT INTO inbox", {}, Exception("the database is down"))
            return real(*args, **kwargs)

        return enqueue

    for name in ("enqueue_event", "enqueue_events", "enqueue_claimed_events"):
        monkeypatch.setattr(storage, name, down_once(name))
    await world.slack.user_joins(STRANGER, GENERAL)
    sent = events_sent(world)[-2:]
    assert [e["retry_attempt"] for e in sent] == [0, 1] and len(failures) == 1
    acked = {a.envelope_id for a in world.slack.sockets.acks}
    assert sent[0]["envelope_id"] not in acked and sent[1]["envelope_id"] in acked
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1


async def test_in_socket_mode_an_outage_is_surfaced_told_and_swept_too(socket_world, tmp_path):
    """Over Socket Mode an event the database cannot take is not acknowledged, and Slack sends it
    again: the rest is as over HTTP."""
    world = socket_world
    outage = SqliteLocked(tmp_path / "scenario.db")
    sent = len(events_sent(world))
    outage.begin()
    try:
        joined = asyncio.create_task(world.slack.user_joins(STRANGER, GENERAL))
        await until(lambda: len(events_sent(world)) >= sent + 2)  # not acknowledged: sent again
        status, health = await health_get(world, "/healthz")
        assert status == 503 and health["deliveries_refused"] >= 1
        world.clock.advance(minutes=1)
        back = time.monotonic()
    finally:
        outage.end()
    await joined
    await until(lambda: swept_since(world, back))
    await settled(world)
    [notice] = notices(world)
    assert when(NOW) in notice["text"]
    assert len(world.alerts_for("unauthorized-member")) == 1
    status, health = await health_get(world, "/healthz")
    assert status == 200 and health["retried_by_slack"] >= 1


def named_in_alerts(world: World) -> set[str]:
    """The strangers the alert channel (alerts and their threads) names."""
    return {n for n in range(1, 20) if any(f"<@U0STRANGE{n}>" in m["text"] for m in world.slack.posted(ALERTS))}


async def test_after_refresh_requested_the_app_reconnects_and_no_event_is_lost(socket_world):
    world = socket_world
    await stranger_joins(world, 1)
    await world.slack.sockets.disconnect("refresh_requested")
    await asyncio.gather(*(stranger_joins(world, n) for n in range(2, 6)))  # while it moves
    await world.slack.sockets.wait_connected(opened=2)
    await stranger_joins(world, 6)
    await world.settle()
    assert named_in_alerts(world) == set(range(1, 7))
    assert world.slack.sockets.connected == 1


async def test_after_a_dropped_socket_the_app_reconnects_and_no_event_is_lost(socket_world):
    world = socket_world
    await stranger_joins(world, 1)
    opened = world.slack.sockets.opened
    assert world.slack.sockets.drop() == 1
    await asyncio.gather(*(stranger_joins(world, n) for n in range(2, 5)))  # wait for the new socket
    assert world.slack.sockets.opened > opened
    in_flight = asyncio.gather(*(stranger_joins(world, n) for n in range(5, 9)))
    await asyncio.sleep(0)
    world.slack.sockets.drop()  # with deliveries on their way
    await in_flight
    await world.settle()
    assert named_in_alerts(world) == set(range(1, 9))


# -- a real process ---------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_a_real_process_killed_right_after_its_acks_deals_with_every_event_after_restart(tmp_path):
    """`safe-contact serve` in Socket Mode (no signing secret), SIGKILLed as soon as Slack has the
    acks of a flood of events: each ack meant stored, so the restarted process judges them all."""
    async with FakeSlack(signing_secret=SIGNING_SECRET, team_id=TEAM, bot_user_id=BOT_USER, socket_mode=True) as slack:
        database = prepare(slack, tmp_path)
        app = AppProcess(slack, database, env={"SLACK_APP_TOKEN": slack.app_token, "SLACK_SIGNING_SECRET": ""})
        try:
            await app.start()
            await slack.sockets.wait_connected()
            await quiet(slack)
            status, headers = await post(slack.events_url, forged_join_of(slack), {"Content-Type": "application/json"})
            assert status == 404 and headers.get("X-Slack-No-Retry") == "1"  # the process serves no unsigned route
            dm = slack.add_dm(STAFF1, MINOR1)
            await asyncio.gather(*(slack.user_says(STAFF1, GENERAL, f"see you at {n % 12 + 1}") for n in range(300)))
            await slack.user_says(STAFF1, dm, "hey, add me on snap")
            acked = {a.envelope_id for a in slack.sockets.acks}
            assert all(e["envelope_id"] in acked for e in slack.sockets.sent[-301:])
            app.kill()
            await app.stop()
            engine = storage.create_engine_from_url(f"sqlite:///{database}")
            with storage.session_scope(engine) as session:
                unfinished = storage.pending_count(session=session) + len(storage.claimants(session=session))
            opened = slack.sockets.opened
            await app.start()
            await slack.sockets.wait_connected(opened=opened + 1)
            await until(lambda: len(dm_alerts(slack)) >= 1)
            await quiet(slack)
            assert len(dm_alerts(slack)) == 1
            with storage.session_scope(engine) as session:
                assert storage.pending_count(session=session) == 0 and storage.claimants(session=session) == []
            engine.dispose()
            assert unfinished, "the kill came after everything was done: the test proved nothing"
        finally:
            await app.stop()
