"""Bad input: bodies that are not what Slack sends, fields of the wrong type, unknown events, huge
and strange messages. Each gets a 4xx or a logged skip, never a 5xx, and the app keeps working. A
property-based test feeds the worker generated event payloads."""

from __future__ import annotations

import json
import uuid

import pytest
from builders import GENERAL, MINOR1, STAFF1, STRANGER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_world import TEAM
from sqlmodel import select

import storage
from handlers.worker.judge import HANDLED_EVENTS
from storage.tables import InboxRow

FORM = "application/x-www-form-urlencoded"
MALFORMED = [
    pytest.param(b"null", "application/json", id="json-null"),
    pytest.param(b"[]", "application/json", id="json-list"),
    pytest.param(b"42", "application/json", id="json-number"),
    pytest.param(b'"text"', "application/json", id="json-string"),
    pytest.param(b'{"type": "event_callback", "event": "x", "team_id": 5}', "application/json", id="wrong-types"),
    pytest.param(
        b'{"type": "event_callback", "event_id": ["x"], "event": {"type": "team_join"}}',
        "application/json",
        id="list-event-id",
    ),
    pytest.param(
        b'{"type": "event_callback", "event": {"type": "message", "channel": 5, "user": ["U1"], "text": {"a": 1}}}',
        "application/json",
        id="message-of-wrong-types",
    ),
    pytest.param(b'{"type": "url_verification", "challenge": null}', "application/json", id="null-challenge"),
    pytest.param(b'{"type": "block_actions"}', "application/json", id="actions-without-anything"),
    pytest.param(b"payload=null", FORM, id="form-null-payload"),
    pytest.param(b"payload=%5B%5D", FORM, id="form-list-payload"),
    pytest.param(b"payload=%7B%7D", FORM, id="form-empty-payload"),
    pytest.param(b"command=%2Fminors-status&user_id=&team_id=", FORM, id="command-without-people"),
    pytest.param(b"\xff\xfe not utf-8", "application/json", id="not-utf8"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_a_malformed_signed_body_gets_a_4xx_or_a_skip_never_a_5xx(world, body, content_type):
    status, _ = await world.slack.send_raw(body, world.slack.signed_headers(body, content_type=content_type))
    assert status < 500
    await world.settle()
    await world.slack.user_joins(STRANGER, GENERAL)  # and the app keeps working
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
async def test_a_malformed_unsigned_body_gets_401_before_anything_reads_it(world, body, content_type):
    status, _ = await world.slack.send_raw(body, {"Content-Type": content_type})
    assert status == 401
    with storage.session_scope(world.engine) as session:
        assert storage.pending_count(session=session) == 0


ODD_TEXTS = [
    pytest.param("x" * 100_000, id="100-KB"),
    pytest.param("\u202egnp.exe\u202c \u200b\u200d\ufeff text me at 617\u2011555\u20110142", id="bidi-and-zero-width"),
    pytest.param("📞 𝟔𝟏𝟕-𝟓𝟓𝟓-𝟎𝟏𝟒𝟐 🧪🔥 call me", id="emoji-and-math-digits"),
    pytest.param("\x00\x07 control \udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), id="controls"),
]


@pytest.mark.parametrize("text", ODD_TEXTS)
async def test_huge_and_strange_messages_are_judged_without_harm(world, text):
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, text)
    await world.settle()
    assert len(world.alerts_for("dm-adult-minor")) == 1
    with storage.session_scope(world.engine) as session:
        for incident in storage.open_incidents(world.program.id, session=session):
            assert len(storage.incident_evidence(incident.id, session=session) or "") <= 500


# -- generated payloads, straight to the worker -------------------------------------------------------

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
IDS = st.sampled_from(["U0STAFF1", "U0MINOR1", "U0STRANGER", "C0GENERAL1", "D0NOWHERE1", "", "U0SAFEBOT1"])
FIELDS = ("channel", "user", "text", "subtype", "ts", "thread_ts", "files", "message", "tokens", "tab", "bot_id")
EVENT_TYPES = sorted(HANDLED_EVENTS | {"reaction_added", "", "app_mention"})
EVENTS = st.fixed_dictionaries(
    {"type": st.sampled_from(EVENT_TYPES)},
    optional={name: IDS | VALUES for name in FIELDS},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=EVENTS, authorization=st.sampled_from([None, "U0SAFEBOT1", "U0MINOR1", 5]))
async def test_the_worker_survives_any_event_payload(world, event, authorization):
    envelope = {"type": "event_callback", "team_id": TEAM, "event_id": f"Ev{uuid.uuid4().hex}", "event": event}
    if authorization is not None:
        envelope["authorizations"] = [{"user_id": authorization, "is_bot": authorization == "U0SAFEBOT1"}]
    with storage.session_scope(world.engine) as session:
        storage.enqueue_event(envelope["event_id"], TEAM, "event", envelope, now=world.clock(), session=session)
    await world.app.worker.drain()
    with storage.session_scope(world.engine) as session:
        stuck = session.exec(select(InboxRow.id).where(InboxRow.status == "claimed")).all()
    assert stuck == [], f"left claimed: {json.dumps(event, default=str)[:200]}"


GARBAGE = [
    {"type": "message", "channel": None, "user": 5},
    {"type": "message", "channel": "D0NOWHERE1", "user": "U0STAFF1", "files": "not a list"},
    {"type": "message", "subtype": "message_changed", "channel": "C0GENERAL1", "message": [1, 2]},
    {"type": "member_joined_channel", "channel": ["C0GENERAL1"], "user": {"id": "U1"}},
    {"type": "team_join", "user": "U0STRANGER"},
    {"type": "user_change", "user": {"id": None}},
    {"type": "tokens_revoked", "tokens": {"oauth": "U0MINOR1"}},
    {"type": "channel_rename", "channel": 42},
    {"type": "app_home_opened", "user": ["U0ADMIN1"], "tab": "home"},
    {"type": "reaction_added"},
]


async def test_after_garbage_the_app_still_alerts(world):
    for event in GARBAGE:
        envelope = {"type": "event_callback", "team_id": TEAM, "event_id": f"Ev{uuid.uuid4().hex}", "event": event}
        with storage.session_scope(world.engine) as session:
            storage.enqueue_event(envelope["event_id"], TEAM, "event", envelope, now=world.clock(), session=session)
    await world.settle()
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1
