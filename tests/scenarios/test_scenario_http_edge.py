"""The HTTP edge, attacked from outside (loopback only): slow clients, bodies that cannot be parsed
safely, replayed signed requests, and where the app listens. Slack's deliveries and `/healthz` must
keep being answered, and nothing may be stored or acted on twice."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode, urlsplit

import aiohttp
import pytest
from builders import ADMIN2, GENERAL
from scenario_world import TEAM, command_line, serve_app
from served import ServedApp, served
from sqlalchemy import text

import storage
from bot.access import Command
from handlers import create_app
from handlers.runtime import Timing
from handlers.slack.blocks import ACKNOWLEDGE_ACTION

NO_RETRY = "X-Slack-No-Retry"
__all__ = ["served"]  # the fixture


def inbox_rows(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM inbox")).scalar_one()


async def open_connection(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(url)
    return await asyncio.open_connection(parts.hostname, parts.port)


async def answer_of(reader: asyncio.StreamReader, *, limit: float) -> bytes:
    """What the app sends back before it closes the connection (b"" if it just closes)."""
    return await asyncio.wait_for(reader.read(), timeout=limit)


# -- slow clients ---------------------------------------------------------------------------------


async def test_a_body_that_never_finishes_is_cut_off_and_nothing_is_stored(world):
    """A signed head, then a body dripped a byte at a time and never finished: the app stops
    waiting after a few seconds (408, connection closed) and stores nothing."""
    body = json.dumps({"type": "event_callback", "event_id": "Ev0SLOW", "event": {"type": "team_join"}}).encode()
    headers = world.slack.signed_headers(body)
    reader, writer = await open_connection(world.events_url)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    length = len(body) + 100  # more than will ever come
    writer.write(f"POST /slack/events HTTP/1.1\r\nHost: app\r\nContent-Length: {length}\r\n{head}\r\n".encode())

    async def drip() -> None:
        for byte in body:
            writer.write(bytes([byte]))
            await asyncio.sleep(0.5)

    dripping = asyncio.create_task(drip())
    started = time.monotonic()
    try:
        answer = await answer_of(reader, limit=20)
    finally:
        dripping.cancel()
        writer.close()
    assert time.monotonic() - started < 15
    assert answer.startswith(b"HTTP/1.1 408") and NO_RETRY.encode() in answer
    assert inbox_rows(world.engine) == 0


async def slow_drip(app: ServedApp, count: int) -> list[asyncio.StreamWriter]:
    """`count` connections that each send half a request's head and then nothing."""
    writers = []
    for _ in range(count):
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", app.port), timeout=2)
        except (OSError, TimeoutError):
            continue  # a connection the app (or the kernel's backlog) refused: the attacker's loss
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: app\r\nX-Slow: ")
        writers.append(writer)
    await asyncio.sleep(0.5)
    return writers


async def timed(request) -> tuple[int, float]:
    """A request's status and how long it took (status 0: no answer within 10 s)."""
    started = time.monotonic()
    try:
        status = await asyncio.wait_for(request, timeout=10)
    except (TimeoutError, aiohttp.ClientError, OSError):
        status = 0
    return status, time.monotonic() - started


async def test_slow_clients_cannot_shut_out_slacks_deliveries_or_the_health_check(served):
    """With 256 file descriptors (any limit would do), 400 slow connections would take them all:
    every one the app cannot use is closed, oldest first, so a delivery and `/healthz` get in. The
    accept errors of old are not logged 298,255 times either: there are none."""
    slack, serve = served
    app = await serve(open_files=256)
    attackers = await slow_drip(app, 400)

    async def health() -> int:
        async with aiohttp.ClientSession() as http, http.get(f"{app.base_url}/healthz") as answer:
            health_said.update(await answer.json())
            return answer.status

    health_said: dict = {}

    event = {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0EDGE", "event": {"type": "team_join"}}
    body = json.dumps(event).encode()

    async def delivery() -> int:
        status, _ = await slack.send_raw(body, slack.signed_headers(body))
        return status

    try:
        healthz, healthz_took = await timed(health())
        delivered, delivery_took = await timed(delivery())
    finally:
        for writer in attackers:
            writer.close()
    print(f"\n400 slow connections: /healthz {healthz} in {healthz_took:.2f} s,", end=" ")
    print(f"a delivery {delivered} in {delivery_took:.2f} s")
    assert healthz == 200 and delivered == 200
    assert health_said["connections_closed"] > 0 and health_said["connections_refused"] == 0  # told to operators
    assert app.logged().count("out of system resource") <= 1


async def test_a_connection_that_never_finishes_its_head_or_sits_idle_is_closed(served):
    """Half a request's head and then nothing; a request answered and then nothing: both
    connections are closed after the app's 10 seconds (aiohttp's default keeps them an hour)."""
    _, serve = served
    app = await serve()
    slow_reader, slow = await asyncio.open_connection("127.0.0.1", app.port)
    slow.write(b"GET /healthz HTTP/1.1\r\nHost: app\r\nX-Slow: ")
    idle_reader, idle = await asyncio.open_connection("127.0.0.1", app.port)
    idle.write(b"GET /healthz HTTP/1.1\r\nHost: app\r\n\r\n")
    try:
        assert await answer_of(slow_reader, limit=30) == b""
        assert (await answer_of(idle_reader, limit=30)).startswith(b"HTTP/1.1 200")
    finally:
        slow.close()
        idle.close()


async def test_host_is_the_only_address_the_app_listens_on(served):
    _, serve = served
    app = await serve(env={"HOST": "127.0.0.1"})
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{app.base_url}/healthz") as answer:
            assert answer.status == 200
        with pytest.raises(aiohttp.ClientConnectionError):
            async with http.get(f"http://127.0.0.2:{app.port}/healthz", timeout=aiohttp.ClientTimeout(total=3)):
                pass


async def test_a_host_this_machine_cannot_listen_on_is_refused_clearly(tmp_path):
    """An address that is not this machine's (TEST-NET-3: binding it sends nothing anywhere)."""
    env = {"HOST": "203.0.113.7", "PORT": "3999", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    status, _, err = await command_line("serve", database=tmp_path / "app.db", cwd=tmp_path, env=env)
    assert status == 2
    assert "cannot listen on 203.0.113.7 port 3999" in err and "Traceback" not in err


# -- bodies that cannot be parsed safely ------------------------------------------------------------

DEEP = 100_000


async def post_signed(world, body: bytes, content_type: str) -> tuple[int, dict]:
    headers = world.slack.signed_headers(body, content_type=content_type)
    async with aiohttp.ClientSession() as http, http.post(world.events_url, data=body, headers=headers) as answer:
        return answer.status, dict(answer.headers)


def interaction(payload_text: str) -> bytes:
    return urlencode({"payload": payload_text}).encode()


UNPARSEABLE = [
    pytest.param(
        b'{"type": "event_callback", "event_id": "Ev0DEEP", "event": {"type": "message", "x": '
        + b"[" * DEEP
        + b"]" * DEEP
        + b"}}",
        "application/json",
        id="event-nested-too-deep-to-parse",
    ),
    pytest.param(
        json.dumps(
            {"type": "event_callback", "event_id": "Ev0DEEP2", "event": {"type": "message", "x": [[[[[[[[[]]]]]]]]]}}
        )
        .replace("[]", "[" * 400 + "]" * 400)
        .encode(),
        "application/json",
        id="event-nested-too-deep-to-keep",
    ),
    pytest.param(
        interaction('{"type": "block_actions", "actions": ' + "[" * DEEP + "]" * DEEP + "}"),
        "application/x-www-form-urlencoded",
        id="interaction-nested-too-deep",
    ),
]


@pytest.mark.parametrize(("body", "content_type"), UNPARSEABLE)
async def test_a_body_that_cannot_be_parsed_safely_is_refused_and_not_retried(world, body, content_type):
    status, headers = await post_signed(world, body, content_type)
    assert status == 400 and headers.get(NO_RETRY) == "1"
    assert inbox_rows(world.engine) == 0


async def test_a_button_naming_an_impossible_incident_is_refused_without_an_error(world):
    """A button's value is an incident's id: one too large for the database overflowed it (500)."""
    for value in ("9" * 30, str(2**63), "-1", "1_0", "٣"):
        status, answer = await world.slack.block_action(
            ADMIN2, ACKNOWLEDGE_ACTION, value, channel_id=GENERAL, message_ts="1.000100"
        )
        assert status == 200, (value, answer)
        await world.app.runtime.followups.wait()
        told = world.slack.responses_to(world.slack.deliveries[-1])
        assert any("does not name an incident" in m.get("text", "") for m in told), value


async def test_a_command_in_an_odd_charset_is_read_as_the_utf8_slack_signed(world):
    """Slack signs UTF-8; a Content-Type naming another charset (or none that exists) must not
    make the body unreadable (LookupError: 500)."""
    form = {
        "team_id": TEAM,
        "channel_id": GENERAL,
        "user_id": ADMIN2,
        "command": str(Command.HELP),
        "text": "",
        "api_app_id": world.slack.app_id,
        "trigger_id": "1.2.3",
        "response_url": "",
    }
    for charset in ("no-such-charset", "utf-16", "latin-1"):
        body = urlencode(form).encode()
        status, _ = await post_signed(world, body, f"application/x-www-form-urlencoded; charset={charset}")
        assert status == 200, charset


# -- replays ---------------------------------------------------------------------------------------


def report_form(world) -> bytes:
    return urlencode(
        {
            "token": "fake-verification-token",
            "team_id": TEAM,
            "channel_id": GENERAL,
            "user_id": ADMIN2,
            "command": str(Command.REPORT),
            "text": "2026-07-01",
            "api_app_id": world.slack.app_id,
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
            "response_url": "",
        }
    ).encode()


async def send(url: str, body: bytes, headers: dict) -> int:
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as answer:
        return answer.status


async def test_a_replayed_command_is_acted_on_once_even_by_another_process(world, tmp_path):
    """The same signed `/minors-report` (same signature, same timestamp) sent again within the
    signature's five minutes, to this process and to another one on the same database: one report."""
    other = create_app(world.app.settings, engine=world.engine, timing=Timing(poll_every=0.05), clock=world.clock)
    other_runner, other_url = await serve_app(other)
    try:
        body = report_form(world)
        headers = world.slack.signed_headers(body, content_type="application/x-www-form-urlencoded")
        assert await send(world.events_url, body, headers) == 200
        assert await send(world.events_url, body, headers) == 200  # harmless: nothing is done
        assert await send(other_url, body, headers) == 200
        await world.app.runtime.followups.wait()
        await other.runtime.followups.wait()
        await world.settle()
        await asyncio.sleep(0.5)
        assert len(world.slack.uploaded(ADMIN2)) == 1
        fresh = world.slack.signed_headers(body, content_type="application/x-www-form-urlencoded")
        fresh["X-Slack-Request-Timestamp"] = str(int(fresh["X-Slack-Request-Timestamp"]) + 1)
        assert await send(world.events_url, body, fresh) == 401  # a new timestamp needs a new signature
    finally:
        await other.stop()
        await other_runner.cleanup()
    with storage.session_scope(world.engine) as session:
        assert storage.pending_count(session=session) == 0
