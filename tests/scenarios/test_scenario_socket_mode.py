"""Socket Mode, for real: the app connects to the fake Slack's WebSocket (`apps.connections.open`
with the app-level token) and receives events, commands and button presses as envelopes it
acknowledges. Its HTTP side then serves no unsigned route: a forged POST changes nothing."""

from __future__ import annotations

import json

import aiohttp
import pytest
from builders import GENERAL, STRANGER
from scenario_world import start_world, stop_world

import storage

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
    """What an attacker who can reach the port sends: a stranger "joined" a program channel (the
    app would alert, and in a lockdown kick someone)."""
    event = {"type": "member_joined_channel", "user": STRANGER, "channel": GENERAL, "channel_type": "C"}
    return json.dumps(world.slack.envelope({**event, "event_ts": "1751812200.000100"})).encode()


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
