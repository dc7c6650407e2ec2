"""What Slack does to an app in real life, end to end: retried deliveries, forged and malformed
requests, rate limits and outages, unacknowledged incidents, and buttons pressed by the wrong person."""

from __future__ import annotations

import json

from builders import ADMIN1, ADMIN2, DLC, GENERAL, MINOR1, STAFF1, STRANGER

import storage
from handlers.slack.blocks import ACKNOWLEDGE_ACTION, RESOLVE_ACTION


async def stranger_alert(world):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    [alert] = world.alerts_for("unauthorized-member")
    return alert


async def test_a_redelivered_event_is_stored_and_alerted_once(world):
    event = {"type": "member_joined_channel", "user": STRANGER, "channel": GENERAL, "channel_type": "C"}
    world.slack.conversations[GENERAL].members.append(STRANGER)
    for retry in (None, 1, 2):
        status = await world.slack.deliver_event(
            event, event_id="Ev0SAME0001", retry_num=retry, retry_reason="http_timeout"
        )
        assert status == 200
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1


async def test_a_forged_or_stale_request_gets_401_and_changes_nothing(world):
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEAM0001",
            "event_id": "Ev0FORGED01",
            "event": {"type": "member_joined_channel", "user": STRANGER, "channel": GENERAL},
        }
    ).encode()
    for headers in (
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", "X-Slack-Signature": "v0=deadbeef", "X-Slack-Request-Timestamp": "1"},
    ):
        status, _ = await world.slack.send_raw(body, headers)
        assert status == 401
    with storage.session_scope(world.engine) as session:
        assert storage.pending_count(session=session) == 0


async def test_a_malformed_signed_request_gets_a_4xx_and_the_app_keeps_working(world):
    status, _ = await world.slack.send_raw(b"{not json", world.slack.signed_headers(b"{not json"))
    assert 400 <= status < 500
    assert (await stranger_alert(world))["text"]


async def test_rate_limits_and_outages_delay_an_alert_but_never_lose_or_double_it(world):
    world.slack.fail_next("chat.postMessage", error="ratelimited", status=429, retry_after=1, times=1)
    world.slack.fail_next("conversations.members", error="internal_error", status=500, times=1)
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1


async def test_an_unacknowledged_critical_incident_escalates_to_every_administrator_once(world):
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hi")
    await world.settle()
    world.clock.advance(minutes=16)
    for _ in range(2):
        await world.app.scheduled_checks()
        await world.settle()
    for admin in (ADMIN1, ADMIN2, DLC):
        escalations = [m for m in world.direct_messages(admin) if "Nobody has acknowledged" in m["text"]]
        assert len(escalations) == 1


async def test_an_acknowledged_incident_does_not_escalate(world):
    alert = await stranger_alert(world)
    status, _ = await world.slack.block_action(
        ADMIN1,
        ACKNOWLEDGE_ACTION,
        alert["blocks"][-1]["elements"][0]["value"],
        channel_id=alert["channel"],
        message_ts=alert["ts"],
    )
    assert status == 200
    world.clock.advance(minutes=20)
    await world.app.scheduled_checks()
    await world.settle()
    assert not [m for m in world.direct_messages(ADMIN2) if "Nobody has acknowledged" in m["text"]]
    assert world.incidents("unauthorized-member")[0].status.value == "acknowledged"
    assert any("Acknowledged by" in m["text"] for m in world.thread(alert))


async def test_only_administrators_may_resolve(world):
    alert = await stranger_alert(world)
    incident = alert["blocks"][-1]["elements"][-1]["value"]
    await world.slack.block_action(
        STAFF1, RESOLVE_ACTION, incident, channel_id=alert["channel"], message_ts=alert["ts"]
    )
    await world.settle()  # the refusal is told after the answer
    assert world.incidents("unauthorized-member")[0].status.value == "open"
    assert "Only the program's administrators" in world.slack.responses[-1]["text"]
    await world.slack.block_action(
        ADMIN2, RESOLVE_ACTION, incident, channel_id=alert["channel"], message_ts=alert["ts"]
    )
    await world.settle()
    assert world.incidents("unauthorized-member")[0].status.value == "resolved"
    with storage.session_scope(world.engine) as session:
        assert [e.action for e in storage.audit_entries(session=session) if e.actor == ADMIN2] == ["resolve"]
    updated = world.slack.calls_to("chat.update")[-1].params
    assert not [b for b in updated["blocks"] if b["type"] == "actions"]  # the buttons are gone


async def test_the_health_endpoint_answers(world):
    import aiohttp

    async with (
        aiohttp.ClientSession() as client,
        client.get(world.events_url.replace("/slack/events", "/healthz")) as response,
    ):
        assert response.status == 200
        assert (await response.json())["database"] == "ok"


async def test_the_worker_started_in_the_background_handles_events_without_being_driven(world):
    import asyncio

    stop = asyncio.Event()
    task = asyncio.create_task(world.app.worker.run(stop))
    try:
        await world.slack.user_joins(STRANGER, GENERAL)
        for _ in range(100):
            if world.alerts_for("unauthorized-member"):
                break
            await asyncio.sleep(0.05)
        assert len(world.alerts_for("unauthorized-member")) == 1
    finally:
        stop.set()
        world.app.runtime.wake.set()
        await task


async def health(world) -> dict:
    import aiohttp

    async with (
        aiohttp.ClientSession() as client,
        client.get(world.events_url.replace("/slack/events", "/healthz")) as response,
    ):
        assert response.status == 200
        return await response.json()


async def test_an_action_that_keeps_failing_waits_and_shows_in_health_and_status(world):
    world.slack.fail_next("chat.postMessage", error="internal_error", status=500, times=10)
    await world.slack.user_joins(STRANGER, GENERAL)
    for _ in range(3):
        await world.app.worker.drain()
    body = await health(world)
    assert body["retrying"] >= 1 and body["pending"] >= 1
    assert world.slack.bot_token not in json.dumps(body) and world.app.settings.signing_secret not in json.dumps(body)
    _, answer = await world.slack.slash_command("/minors-status", user_id=ADMIN1, channel_id=GENERAL)
    assert "will be tried again" in json.dumps(answer) and "internal_error" in json.dumps(answer)
    with storage.session_scope(world.engine) as session:
        assert storage.open_incidents(world.program.id, session=session)  # the incident is not lost meanwhile
    world.clock.advance(minutes=10)  # past the back-off; Slack has recovered
    world.slack._failures.clear()
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1
    assert (await health(world))["retrying"] == 0


async def test_when_the_alert_channel_cannot_take_alerts_every_administrator_is_told_directly(world):
    world.slack.conversations["C0ALERTS01"].members.remove("U0SAFEBOT1")  # someone removed the app
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    assert world.alerts() == []
    for admin in (ADMIN1, ADMIN2, DLC):
        [direct] = [m for m in world.direct_messages(admin) if "`unauthorized-member`" in m["text"]]
        assert "cannot take alerts" in direct["text"]
    [incident] = world.incidents("unauthorized-member")
    with storage.session_scope(world.engine) as session:
        kinds = [e.kind for e in storage.incident_timeline(incident.id, session=session)]
    assert "action-failed" in kinds and "alerted-by-dm" in kinds


async def test_an_incident_alerted_by_dm_is_followed_up_by_dm_and_leaves_nothing_retrying(world):
    """Its alert has no thread: the updates go where the alert went, instead of waiting for a thread
    that will never exist (and failing eight times)."""
    world.slack.conversations["C0ALERTS01"].members.remove("U0SAFEBOT1")
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    await world.slack.user_leaves(STRANGER, GENERAL)  # the condition is over: the incident resolves
    await world.settle()
    for admin in (ADMIN1, ADMIN2, DLC):
        assert [m for m in world.direct_messages(admin) if "Resolved by Safe Contact" in m["text"]]
    body = await health(world)
    assert body["retrying"] == 0 and body["pending"] == 0
