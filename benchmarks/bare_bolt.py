"""The baseline: a bare Bolt AsyncApp that acknowledges every event and does nothing, served by
aiohttp exactly as Safe Contact is (`python benchmarks/bare_bolt.py PORT SIGNING_SECRET`)."""

from __future__ import annotations

import sys

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult


def main() -> None:
    port, secret = int(sys.argv[1]), sys.argv[2]

    async def authorize(enterprise_id, team_id, user_id, logger):
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bare", bot_user_id="UBARE")

    bolt = AsyncApp(signing_secret=secret, authorize=authorize, process_before_response=True)

    @bolt.event("message")
    async def ack_message(ack):
        await ack()

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    application = web.Application()
    application.router.add_post("/slack/events", handle)
    application.router.add_get("/healthz", health)
    web.run_app(application, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
