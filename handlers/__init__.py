"""Slack I/O, the only code that speaks to Slack. `create_app` builds the Bolt app with every
listener and wires it to the running app (`handlers.server.SafeContactApp`: the routes, the inbox
worker, the sweeps and the scheduled checks)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import cast

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse

import storage
from bot.config import Settings
from handlers.listeners import commands, interactions
from handlers.listeners.oauth import WorkspaceAuthorize, oauth_flow
from handlers.runtime import Runtime, Timing, WorkspaceCache, utc_now
from handlers.server import SafeContactApp
from handlers.slack.api import SlackApi, api_error, web_client
from handlers.slack.budget import Budget

__all__ = ["SafeContactApp", "create_app"]

SLACK_LIBRARIES = ("slack_sdk", "slack_bolt")


def quiet_slack_libraries() -> None:
    """slack_sdk and Bolt log whole request and response bodies at DEBUG: what people wrote, and what
    the app posts (evidence included). Logs never hold message text, so they stop at INFO, whatever
    `LOG_LEVEL` says: their parents, and every logger of theirs made so far (Bolt gives each of its
    loggers the root's level when it makes it, which would win over the parents')."""
    for name, library in [("", logging.getLogger(n)) for n in SLACK_LIBRARIES] + list(
        logging.Logger.manager.loggerDict.items()
    ):
        if isinstance(library, logging.Logger) and (not name or name.startswith(SLACK_LIBRARIES)):
            library.setLevel(max(logging.INFO, library.getEffectiveLevel()))


def create_app(
    settings: Settings,
    *,
    engine: storage.Engine,
    timing: Timing | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> SafeContactApp:
    """Build the app. The database must be migrated; nothing talks to Slack until `start`."""
    quiet_slack_libraries()
    timing = timing or Timing(sweep_every=settings.sweep_seconds, lease=settings.lease_seconds)
    budget = Budget(distributed=settings.distributed, time_scale=settings.slack_time_scale)
    api = SlackApi.connect(settings.bot_token, settings.api_url, budget=budget)
    runtime = Runtime(
        engine=engine,
        api=api,
        cache=WorkspaceCache(engine, programs_ttl=timing.programs_ttl),
        seal=storage.TokenSeal(settings.encryption_key),
        timing=timing,
        clock=clock,
        connect_enabled=settings.oauth_enabled,
        connect_base_url=settings.public_url,
        call_grace=timedelta(seconds=settings.call_grace_seconds),
    )
    # Bolt's own client gets its token from `authorize` for each request.
    client = web_client("", settings.api_url)
    bolt = AsyncApp(
        client=client,
        # Bolt's base logger: every logger Bolt makes (its listeners', its middlewares') takes this
        # one's level, INFO at most (see `quiet_slack_libraries`).
        logger=logging.getLogger("slack_bolt.AsyncApp"),
        # The identity of each workspace's bot, kept in memory: no Web API call per request.
        # Bolt takes an `AsyncAuthorize` as it is (its own type hint names only plain callables).
        authorize=cast(Callable[..., Awaitable[AuthorizeResult]], WorkspaceAuthorize(runtime)),
        oauth_flow=oauth_flow(settings, runtime, client) if settings.oauth_enabled else None,
        signing_secret=settings.signing_secret,
        # Commands and interactions: the listener runs before Slack gets its answer. (Events never
        # reach Bolt: `handlers.listeners.events` stores them before their acknowledgement.)
        process_before_response=True,
        request_verification_enabled=True,
    )
    interactions.register(bolt, runtime)
    commands.register(bolt, runtime)
    quiet_slack_libraries()  # the loggers Bolt made for the listeners just registered

    @bolt.error
    async def on_error(error, body, logger):
        """A payload whose fields have the wrong shape or size is refused (400, which the server marks
        `X-Slack-No-Retry: 1`: Slack would only send it again); anything else (the database is down)
        is a 500, so that Slack retries it later."""
        logger.warning("a request failed: %s", api_error(error))
        # RecursionError: JSON nested too deep (a view's metadata); OverflowError: a number too
        # large for the database. Both are the request's doing, and would be refused again.
        if isinstance(error, (AttributeError, TypeError, KeyError, ValueError, RecursionError, OverflowError)):
            return BoltResponse(status=400, body="")
        return None

    return SafeContactApp(settings, runtime, bolt)
