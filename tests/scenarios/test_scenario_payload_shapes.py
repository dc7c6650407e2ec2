"""Every payload shape Slack may send (with blank placeholder values), fed to the running app: none
gets a 5xx, none crashes the worker, and the app goes on catching real situations afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from builders import GENERAL, STRANGER

import storage

SHAPES = Path(__file__).resolve().parents[3] / "shared" / "slack-reference" / "payload-shapes"
EVENT_SHAPES = sorted((SHAPES / "events").glob("*.json")) if SHAPES.is_dir() else []
BACKEND_SHAPES = sorted((SHAPES / "app-backend").glob("*.json")) if SHAPES.is_dir() else []
needs_shapes = pytest.mark.skipif(not EVENT_SHAPES, reason="Slack's payload shapes are not beside the project")


@needs_shapes
async def test_every_event_shape_is_answered_and_survived(world):
    for number, path in enumerate(EVENT_SHAPES):
        envelope = json.loads(path.read_text())
        for as_sent in (dict(envelope), {**envelope, "type": "event_callback", "event_id": f"Ev0SHAPE{number:04d}"}):
            body = json.dumps(as_sent).encode()
            status, _ = await world.slack.send_raw(body, world.slack.signed_headers(body))
            assert status < 500, path.name
    await world.settle()
    with storage.session_scope(world.engine) as session:
        assert storage.pending_count(session=session) == 0  # dealt with or given up on, never stuck
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1


@needs_shapes
@pytest.mark.parametrize("path", BACKEND_SHAPES, ids=lambda p: p.stem)
async def test_every_interaction_and_command_shape_is_answered_without_a_5xx(world, path):
    payload = json.loads(path.read_text())
    if "command" in payload:
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
    else:
        form = {"payload": json.dumps(payload)}
    body = urlencode(form).encode()
    status, _ = await world.slack.send_raw(
        body, world.slack.signed_headers(body, content_type="application/x-www-form-urlencoded")
    )
    assert status < 500
