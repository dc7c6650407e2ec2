"""What the fake-Slack tests share: a stand-in app that Slack's deliveries go to, a bot client of the
fake's, and the error code of a call Slack refuses."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack

#: A stand-in app's answer to one delivery.
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def accepted(request: web.Request) -> web.Response:
    """A stand-in app that takes every delivery with 200 and looks at none."""
    return web.Response()


@contextlib.asynccontextmanager
async def stand_in_app(slack: FakeSlack, handler: Handler = accepted) -> AsyncIterator[None]:
    """A local app answering the fake's deliveries (`POST /slack/events`) with `handler`; the fake is
    pointed at it for as long as the block lasts."""
    application = web.Application()
    application.router.add_post("/slack/events", handler)
    runner = web.AppRunner(application)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    [socket, *_] = runner.addresses
    slack.events_url = f"http://127.0.0.1:{socket[1]}/slack/events"
    try:
        yield
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def receiving_app(slack: FakeSlack) -> AsyncIterator[list[dict]]:
    """A stand-in app that records the JSON of every delivery the fake makes to it."""
    received: list[dict] = []

    async def events(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response()

    async with stand_in_app(slack, events):
        yield received


def bot(slack: FakeSlack) -> AsyncWebClient:
    """A Web API client with the fake's bot token."""
    return AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)


async def error_of(call: Awaitable[object]) -> str:
    """The `error` Slack answers `call` with; the test fails if Slack accepts it."""
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]
