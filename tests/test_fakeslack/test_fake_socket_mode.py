"""The fake Slack's Socket Mode speaks the protocol slack_sdk's own aiohttp client expects: tested
with that client, not with a hand-written one. `apps.connections.open` with the app-level token,
hello, envelopes and acks, redelivery of what was not acked, disconnect and dropped sockets."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from fakeslack import FakeSlack
from handlers.slack.api import web_client

BOT = "U0SAFEBOT1"


@pytest.fixture
async def slack():
    fake = FakeSlack(bot_user_id=BOT, socket_mode=True)
    await fake.start()
    fake.sockets.ack_timeout = 0.5
    fake.sockets.refresh_grace = 0.3
    fake.add_user("U0PERSON1", name="Person 1")
    fake.add_channel("C0MINE0001", name="mine", members=[BOT, "U0PERSON1"])
    yield fake
    await fake.stop()


class Recorder:
    """A Socket Mode app that records each request and acks it (unless told not to)."""

    def __init__(self) -> None:
        self.requests: list[SocketModeRequest] = []
        self.silent = 0  # the next `silent` requests are not acked
        self.answer: dict | None = None

    async def __call__(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        self.requests.append(request)
        if self.silent > 0:
            self.silent -= 1
            return
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload=self.answer))


@contextlib.asynccontextmanager
async def connected(slack: FakeSlack, *, token: str | None = None):
    client = SocketModeClient(
        app_token=token or slack.app_token, web_client=web_client("", slack.base_url), ping_interval=0.2
    )
    recorder = Recorder()
    client.socket_mode_request_listeners.append(recorder)  # type: ignore[arg-type]
    try:
        await client.connect()
        yield client, recorder
    finally:
        await client.close()


async def open_error(slack: FakeSlack, token: str | None) -> str:
    with pytest.raises(SlackApiError) as caught:
        await web_client("", slack.base_url).apps_connections_open(app_token=token)  # type: ignore[arg-type]
    return caught.value.response["error"]


async def test_connections_open_needs_the_app_level_token(slack):
    answer = await web_client("", slack.base_url).apps_connections_open(app_token=slack.app_token)
    assert answer["ok"] and answer["url"].startswith("ws://127.0.0.1:")
    assert await open_error(slack, slack.bot_token) == "not_allowed_token_type"
    assert await open_error(slack, slack.connect_user("U0PERSON1")) == "not_allowed_token_type"
    assert await open_error(slack, "xapp-1-A0OTHER-forged") == "invalid_auth"
    assert await open_error(slack, "") == "missing_args"


async def test_an_event_arrives_as_an_envelope_and_its_ack_is_recorded(slack):
    async with connected(slack) as (_, app):
        await slack.sockets.wait_connected()
        message = await slack.user_says("U0PERSON1", "C0MINE0001", "hello")
        [request] = app.requests
        assert request.type == "events_api" and request.accepts_response_payload is False
        assert (request.retry_attempt, request.retry_reason) == (0, "")
        assert request.payload["type"] == "event_callback" and request.payload["event"]["ts"] == message["ts"]
        assert [a.envelope_id for a in slack.sockets.acks] == [request.envelope_id]


async def test_a_slash_command_and_a_button_press_are_answered_through_the_ack(slack):
    async with connected(slack) as (_, app):
        app.answer = {"response_type": "ephemeral", "text": "all clear"}
        status, body = await slack.slash_command("/minors-status", user_id="U0PERSON1", channel_id="C0MINE0001")
        assert (status, body) == (200, app.answer)
        assert app.requests[-1].type == "slash_commands" and app.requests[-1].accepts_response_payload
        assert app.requests[-1].payload["command"] == "/minors-status"
        app.answer = None
        status, body = await slack.block_action("U0PERSON1", "ack", "x", channel_id="C0MINE0001", message_ts="1.2")
        assert (status, body) == (200, "")
        assert app.requests[-1].type == "interactive" and app.requests[-1].payload["type"] == "block_actions"
        assert app.requests[-1].retry_attempt is None  # only events are retried


async def test_an_unacked_event_is_sent_again_with_the_next_retry_attempt(slack):
    async with connected(slack) as (_, app):
        app.silent = 2
        assert await slack.user_says("U0PERSON1", "C0MINE0001", "hello") is not None
        attempts = [(r.retry_attempt, r.retry_reason) for r in app.requests]
        assert attempts == [(0, ""), (1, "timeout"), (2, "timeout")]
        assert len({r.envelope_id for r in app.requests}) == 3
        assert len({r.payload["event_id"] for r in app.requests}) == 1
        assert len(slack.sockets.acks) == 1


async def test_an_event_never_acked_is_given_up_after_three_retries(slack):
    async with connected(slack) as (_, app):
        app.silent = 10
        status = await slack.deliver_event({"type": "team_join", "user": {"id": "U0NEW0001"}})
        assert status == 408 and [r.retry_attempt for r in app.requests] == [0, 1, 2, 3]


async def test_a_lost_ack_gets_the_event_redelivered(slack):
    async with connected(slack) as (_, app):
        slack.sockets.lose_acks = 1
        assert await slack.deliver_event({"type": "team_join", "user": {"id": "U0NEW0001"}}) == 200
        assert [r.retry_attempt for r in app.requests] == [0, 1] and len(slack.sockets.lost_acks) == 1


async def test_refresh_requested_moves_the_client_to_a_new_connection(slack):
    async with connected(slack) as (_, app):
        await slack.sockets.wait_connected()
        await slack.sockets.disconnect("refresh_requested")
        await slack.sockets.wait_connected(opened=2)
        assert await slack.deliver_event({"type": "team_join", "user": {"id": "U0NEW0001"}}) == 200
        assert len(app.requests) == 1 and slack.sockets.disconnects == ["refresh_requested"]


async def test_link_disabled_closes_the_connection(slack):
    async with connected(slack) as (client, _):
        await slack.sockets.wait_connected()
        first = client.current_session
        await slack.sockets.disconnect("link_disabled")
        for _ in range(200):
            if first is not None and first.closed:
                break
            await asyncio.sleep(0.01)
        assert first is not None and first.closed


async def test_a_dropped_socket_is_reconnected_and_what_was_in_flight_is_redelivered(slack):
    async with connected(slack) as (_, app):
        await slack.sockets.wait_connected()
        app.silent = 1  # the first delivery is in flight when the socket drops
        delivery = asyncio.create_task(slack.deliver_event({"type": "team_join", "user": {"id": "U0NEW0001"}}))
        while not app.requests:
            await asyncio.sleep(0.01)
        assert slack.sockets.drop() == 1
        assert await delivery == 200
        assert slack.sockets.opened >= 2 and [r.retry_attempt for r in app.requests] == [0, 1]


async def test_a_used_ticket_is_refused(slack):
    answer = await web_client("", slack.base_url).apps_connections_open(app_token=slack.app_token)
    async with connected(slack) as (client, _):
        await slack.sockets.wait_connected()
        session = client.aiohttp_client_session
        async with session.ws_connect(answer["url"]) as ws:  # first use: fine
            assert (await ws.receive_json())["type"] == "hello"
        with pytest.raises(Exception, match="401"):
            await session.ws_connect(answer["url"])
