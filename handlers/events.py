"""Event listeners: store each Events API delivery in the inbox and answer Slack at once. Nothing
else happens here; the worker does the rest. A redelivery (same `event_id`) is stored once."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

import storage
from handlers.runtime import Runtime
from handlers.worker import EVENT

log = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: Runtime) -> None:
    async def store_event(body: dict, next) -> BoltResponse | None:
        """A global middleware: every event callback is stored and acknowledged, whatever its type,
        so that no event is lost for want of a listener."""
        if body.get("type") != "event_callback":
            await next()
            return None
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            log.warning("an event callback without an event was ignored")
            return BoltResponse(status=200, body="")
        if not isinstance(body.get("team_id") or "", str) or not isinstance(body.get("event_id") or "", str):
            log.warning("an event callback with a malformed team or event id was refused")
            return BoltResponse(status=400, body="")
        with runtime.session() as session:
            stored = storage.enqueue_event(
                body.get("event_id") or None, body.get("team_id") or "", EVENT, body, now=runtime.now(), session=session
            )
        if stored:
            runtime.wake.set()
        else:
            log.info("event %s was delivered again; already stored", body.get("event_id"))
        return BoltResponse(status=200, body="")

    app.middleware(store_event)
