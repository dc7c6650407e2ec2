"""Queued Slack actions as types: each action's payload round-trips, the payloads stored by today's
producers (and by earlier versions) are read back as the right action and written back unchanged, a
malformed payload is refused with a clear reason, and in the running app a malformed stored action
fails for good, logged, without stopping the worker."""

from __future__ import annotations

import ast
import dataclasses
import json
import logging
from datetime import date
from pathlib import Path
from typing import get_args

import pytest
from builders import ADMIN1, ALERTS, GENERAL, MINOR1, SESSION, STAFF1, STRANGER
from hypothesis import given
from hypothesis import strategies as st
from scenarios.scenario_world import BOT_USER, TEAM, start_world, stop_world
from sqlmodel import select

import storage
from bot.access import Command
from handlers.slack.api import PermanentFailure
from handlers.worker.queued import (
    ACTION,
    KEY,
    DirectMessage,
    Escalation,
    Invitation,
    Kick,
    LockdownAlert,
    MalformedAction,
    Post,
    PostAlert,
    QueuedAction,
    Resolution,
    SendReport,
    ThreadUpdate,
    from_payload,
    queue,
)
from storage.tables import InboxRow

ROOT = Path(__file__).resolve().parent.parent
KINDS = get_args(QueuedAction)


def test_every_action_names_its_own_op():
    assert len({kind.OP for kind in KINDS}) == len(KINDS) == 10


# -- round trips ---------------------------------------------------------------------------------


def built(kind: type) -> st.SearchStrategy:
    """Any value of `kind`, every field (those with defaults too) drawn from its type."""
    return st.builds(kind, **{f.name: ... for f in dataclasses.fields(kind)})


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
@given(data=st.data())
def test_every_action_survives_the_round_trip_through_stored_json(kind, data):
    action = data.draw(built(kind))
    stored = json.loads(json.dumps(action.to_payload()))
    assert from_payload(stored) == action
    assert from_payload(stored).to_payload() == stored


def test_an_action_naming_an_incident_is_tied_to_a_finding():
    assert Post("C1", "text", incident=4).for_finding
    assert not Post("C1", "text").for_finding
    assert Post("C1", "text", for_finding=True).to_payload()["incident"] is None


# -- what is stored today ----------------------------------------------------------------------------

WARNING = "Please keep contact with minors in program spaces."

#: The payloads the producers store, one of every shape, written out as the database holds them.
STORED = [
    pytest.param(
        {"op": "alert", "incident": 7},
        PostAlert(incident=7),
        id="alert",
    ),
    pytest.param(
        {"op": "thread", "incident": 7, "text": "New: <@U0STRANGER> is in the channel."},
        ThreadUpdate(incident=7, text="New: <@U0STRANGER> is in the channel."),
        id="thread",
    ),
    pytest.param(
        {"op": "resolved", "incident": 7, "text": "Resolved: A later check found the condition gone."},
        Resolution(incident=7, text="Resolved: A later check found the condition gone."),
        id="resolved",
    ),
    pytest.param(  # enforce, Warn with a channel
        {"op": "post", "incident": 7, "channel": "C0SESSION1", "text": WARNING},
        Post(channel="C0SESSION1", text=WARNING, incident=7),
        id="post-warning",
    ),
    pytest.param(  # enforce, Warn for a finding without an incident
        {"op": "post", "incident": None, "channel": "C0SESSION1", "text": WARNING},
        Post(channel="C0SESSION1", text=WARNING, for_finding=True),
        id="post-warning-without-incident",
    ),
    pytest.param(  # enforce, ThreadReply (a question: no incident)
        {"op": "post", "channel": "C0SESSION1", "thread_ts": "1783362600.000100", "text": WARNING, "incident": None},
        Post(channel="C0SESSION1", text=WARNING, thread_ts="1783362600.000100", for_finding=True),
        id="post-thread-reply",
    ),
    pytest.param(  # enforce, ThreadReply for an incident
        {"op": "post", "channel": "C0SESSION1", "thread_ts": "1783362600.000100", "text": WARNING, "incident": 7},
        Post(channel="C0SESSION1", text=WARNING, thread_ts="1783362600.000100", incident=7),
        id="post-thread-reply-with-incident",
    ),
    pytest.param(  # commands (lockdown, unlock) and interactions (a concern, the thanks)
        {"op": "post", "channel": "C0ALERTS01", "text": ":lock: <#C0SESSION1> is locked down."},
        Post(channel="C0ALERTS01", text=":lock: <#C0SESSION1> is locked down."),
        id="post-notice",
    ),
    pytest.param(  # enforce, Warn to people
        {"op": "dm", "user": "U0STAFF1", "text": WARNING, "rule": "dm-adult-minor", "program": "p1", "incident": 7},
        DirectMessage(user="U0STAFF1", text=WARNING, rule="dm-adult-minor", program="p1", incident=7),
        id="dm-warning",
    ),
    pytest.param(
        {"op": "dm", "user": "U0MINOR1", "text": WARNING, "rule": "dm-adult-minor", "program": "p1", "incident": None},
        DirectMessage(user="U0MINOR1", text=WARNING, rule="dm-adult-minor", program="p1", for_finding=True),
        id="dm-warning-without-incident",
    ),
    pytest.param(  # onboarding: the welcome
        {"op": "dm", "user": "U0MINOR1", "text": "Welcome", "rule": "conduct-not-acknowledged", "program": "p1"},
        DirectMessage(user="U0MINOR1", text="Welcome", rule="conduct-not-acknowledged", program="p1"),
        id="dm-welcome",
    ),
    pytest.param(  # stored by versions before reminders had buttons
        {"op": "dm", "incident": 7, "user": "U0STAFF1", "text": WARNING},
        DirectMessage(user="U0STAFF1", text=WARNING, incident=7),
        id="dm-without-rule-and-program",
    ),
    pytest.param(  # enforce, Invite
        {"op": "invite", "channel": "C0SESSION1", "user": "U0DLC0001", "reason": "A DLC admin joins.", "incident": 7},
        Invitation(channel="C0SESSION1", user="U0DLC0001", reason="A DLC admin joins.", incident=7),
        id="invite-remedy",
    ),
    pytest.param(  # commands, unlock: bringing people back
        {"op": "invite", "channel": "C0SESSION1", "user": "U0MINOR1", "reason": "", "lockdown": 3},
        Invitation(channel="C0SESSION1", user="U0MINOR1", lockdown=3),
        id="invite-readmission",
    ),
    pytest.param(  # stored by versions before readmissions named their lockdown
        {"op": "invite", "channel": "C0SESSION1", "user": "U0MINOR1", "reason": ""},
        Invitation(channel="C0SESSION1", user="U0MINOR1"),
        id="invite-readmission-without-lockdown",
    ),
    pytest.param(
        {"op": "escalate", "incident": 7, "user": "U0ADMIN1"},
        Escalation(incident=7, user="U0ADMIN1"),
        id="escalate",
    ),
    pytest.param(  # commands (lockdown) and judge (keeping a locked-down channel closed)
        {"op": "kick", "channel": "C0SESSION1", "user": "U0MINOR1", "alert_channel": "C0ALERTS01", "lockdown": 3},
        Kick(channel="C0SESSION1", user="U0MINOR1", alert_channel="C0ALERTS01", lockdown=3),
        id="kick",
    ),
    pytest.param(  # stored by versions before kicks named their lockdown
        {"op": "kick", "channel": "C0SESSION1", "user": "U0MINOR1", "alert_channel": "C0ALERTS01"},
        Kick(channel="C0SESSION1", user="U0MINOR1", alert_channel="C0ALERTS01"),
        id="kick-without-lockdown",
    ),
    pytest.param(  # commands (lockdown): its alert, before the kicks
        {"op": "lockdown-alert", "lockdown": 3},
        LockdownAlert(lockdown=3),
        id="lockdown-alert",
    ),
    pytest.param(
        {"op": "report", "user": "U0ADMIN1", "programs": ["p1", "p2"], "since": "2026-06-01"},
        SendReport(user="U0ADMIN1", programs=("p1", "p2"), since=date(2026, 6, 1)),
        id="report-since",
    ),
    pytest.param(
        {"op": "report", "user": "U0ADMIN1", "programs": ["p1"], "since": ""},
        SendReport(user="U0ADMIN1", programs=("p1",)),
        id="report-all",
    ),
]


@pytest.mark.parametrize(("payload", "action"), STORED)
def test_a_stored_payload_reads_as_its_action_and_writes_back_unchanged(payload, action):
    assert from_payload(payload) == action
    assert action.to_payload() == payload
    assert from_payload(payload).to_payload() == payload


def test_every_kind_of_action_has_a_stored_shape():
    assert {type(p.values[1]) for p in STORED} == set(KINDS)


# -- malformed payloads -----------------------------------------------------------------------------

MALFORMED = [
    pytest.param({"op": "explode", "incident": 7}, "unknown queued action 'explode'", id="unknown-op"),
    pytest.param({"incident": 7}, "no 'op'", id="no-op"),
    pytest.param({"op": 5}, "'op' of type int", id="op-not-text"),
    pytest.param({"op": "alert"}, "'alert' lacks 'incident'", id="missing-incident"),
    pytest.param({"op": "alert", "incident": None}, "'incident' should be an integer, not NoneType", id="null-id"),
    pytest.param({"op": "alert", "incident": True}, "'incident' should be an integer, not bool", id="bool-id"),
    pytest.param(
        {"op": "thread", "incident": "abc", "text": "x"}, "'incident' should be an integer, not str", id="text-id"
    ),
    pytest.param({"op": "thread", "incident": 7}, "'thread' lacks 'text'", id="missing-text"),
    pytest.param({"op": "post", "channel": 5, "text": "x"}, "'channel' should be text, not int", id="channel-number"),
    pytest.param(
        {"op": "post", "channel": "C1", "text": "x", "incident": "7"}, "'incident' should be an integer", id="id-text"
    ),
    pytest.param({"op": "post", "channel": "C1", "text": "x", "thread_ts": 17.5}, "'thread_ts'", id="ts-number"),
    pytest.param({"op": "dm", "user": "U1", "text": "x", "rule": ["r"]}, "'rule' should be text", id="rule-list"),
    pytest.param({"op": "kick", "channel": "C1", "user": "U1"}, "'kick' lacks 'alert_channel'", id="kick-no-alert"),
    pytest.param({"op": "invite", "channel": "C1"}, "'invite' lacks 'user'", id="invite-nobody"),
    pytest.param(
        {"op": "kick", "channel": "C1", "user": "U1", "alert_channel": "C2", "lockdown": "3"},
        "'lockdown' should be an integer",
        id="kick-lockdown-text",
    ),
    pytest.param({"op": "lockdown-alert"}, "'lockdown-alert' lacks 'lockdown'", id="lockdown-alert-none"),
    pytest.param({"op": "escalate", "incident": 7, "user": None}, "'user' should be text", id="escalate-to-none"),
    pytest.param(
        {"op": "report", "user": "U1", "programs": "p1", "since": ""}, "'programs' should be a list", id="programs-text"
    ),
    pytest.param(
        {"op": "report", "user": "U1", "programs": ["p1", 2], "since": ""}, "list of texts", id="programs-mixed"
    ),
    pytest.param(
        {"op": "report", "user": "U1", "programs": ["p1"], "since": "last week"}, "'since' should be a date", id="since"
    ),
]


@pytest.mark.parametrize(("payload", "reason"), MALFORMED)
def test_a_malformed_payload_is_refused_with_its_reason(payload, reason):
    with pytest.raises(MalformedAction, match=reason.replace("(", r"\(")):
        from_payload(payload)


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(MalformedAction, match="JSON object, not list"):
        from_payload(["alert", 7])  # type: ignore[arg-type]


def test_a_malformed_action_is_a_permanent_failure_that_does_not_quote_the_payload():
    with pytest.raises(PermanentFailure) as refused:
        from_payload({"op": "post", "channel": "C1", "text": ["my phone is 617 555 0142"]})
    assert "617" not in str(refused.value) and "'text' should be text, not list" in str(refused.value)


# -- nobody else writes payloads -----------------------------------------------------------------------

QUEUED = ROOT / "handlers" / "worker" / "queued.py"


def op_literals(path: Path) -> list[int]:
    """Lines where a module spells the payload key "op" itself: a string "op" anywhere, or `op=` in
    a call to `dict`."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Constant) and node.value == "op":
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            lines.extend(k.value.lineno for k in node.keywords if k.arg == "op")
    return sorted(lines)


def test_only_the_queued_module_spells_out_payloads():
    modules = [p for package in ("handlers", "bot", "cli") for p in sorted((ROOT / package).rglob("*.py"))]
    assert QUEUED in modules
    offences = {str(p.relative_to(ROOT)): op_literals(p) for p in modules if p != QUEUED and op_literals(p)}
    assert offences == {}


def test_the_scan_finds_a_payload_spelled_out(tmp_path):
    offender = tmp_path / "offender.py"
    offender.write_text('queue({"op": "post", "channel": c})\nx = dict(op="kick")\nif p.get("op"):\n    pass\n')
    assert op_literals(offender) == [1, 2, 3]
    assert op_literals(QUEUED)  # it does find the ones where they belong


# -- in the running app -----------------------------------------------------------------------------


@pytest.fixture
async def world(tmp_path):
    world, runner = await start_world(tmp_path)
    try:
        yield world
    finally:
        await stop_world(world, runner)


BAD_ACTIONS = [
    {"op": "thread", "incident": "abc", "text": "x"},
    {"op": "explode"},
    {"op": "post", "text": "no channel"},
    {"channel": "C0GENERAL1", "text": "no op"},
]


async def test_a_malformed_stored_action_fails_for_good_logged_and_the_worker_goes_on(world, caplog):
    caplog.set_level(logging.WARNING, logger="handlers.worker.loop")
    with storage.session_scope(world.engine) as session:
        for payload in BAD_ACTIONS:
            storage.enqueue_event(None, TEAM, ACTION, payload, now=world.clock(), session=session)
        queue(Post(channel=ALERTS, text="still here"), team_id=TEAM, session=session, now=world.clock())
    await world.app.worker.drain()

    with storage.session_scope(world.engine) as session:
        rows = session.exec(select(InboxRow).where(InboxRow.kind == ACTION)).all()
    failed = [r for r in rows if r.status == "failed"]
    assert len(failed) == len(BAD_ACTIONS) and all(r.attempts == 1 for r in failed)  # never retried
    assert {r.status for r in rows} <= {"failed", "done"}
    reasons = sorted(r.last_error or "" for r in failed)
    assert reasons == [
        "a queued action with no 'op'",
        "queued action 'post' lacks 'channel'",
        "queued action 'thread': 'incident' should be an integer, not str",
        "unknown queued action 'explode'",
    ]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "failed for good" in r.getMessage()]
    assert sorted(r.args[0] for r in warnings) == sorted(r.id for r in failed)  # type: ignore[index]
    assert any("should be an integer" in r.getMessage() for r in warnings)

    assert any(m["text"] == "still here" for m in world.slack.posted(channel=ALERTS))  # the good one went out
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1


async def test_what_the_app_queues_reads_back_as_it_was_stored(world, monkeypatch):
    """The producers' payloads, caught on their way to the inbox, each read back unchanged."""
    stored: list[dict] = []
    enqueue = storage.enqueue_event

    def spy(event_id, team_id, kind, payload, **options):
        if kind == ACTION:
            stored.append(json.loads(json.dumps(payload)))
        return enqueue(event_id, team_id, kind, payload, **options)

    monkeypatch.setattr(storage, "enqueue_event", spy)
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hi")  # an alert, warnings
    await world.settle()
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    world.slack.add_user(OUTSIDER, name="Outsider", email="outsider@example.com")
    await world.slack.user_joins(OUTSIDER, GENERAL)  # the incident's thread
    await world.settle()
    for user in (STRANGER, OUTSIDER):
        await world.slack.user_leaves(user, GENERAL)  # resolved
    await world.slack.create_channel(PROJECT, name="project-x", creator=STAFF1, private=True, members=[STAFF1, MINOR1])
    await world.slack.user_joins(BOT_USER, PROJECT)  # invitations
    await world.settle()
    await command(world, Command.LOCKDOWN, f"<#{SESSION}> zoom-bombing")  # kicks and posts
    await world.settle()
    await world.slack.user_joins(MINOR1, SESSION)  # kept out
    await world.settle()
    await command(world, Command.UNLOCK, f"<#{SESSION}>")  # readmissions
    await command(world, Command.REPORT, "2026-06-01")
    await world.settle()
    world.clock.advance(minutes=16)
    await world.app.scheduled_checks()  # escalations
    await world.settle()

    assert {p["op"] for p in stored} == {kind.OP for kind in KINDS}
    for payload in stored:
        assert isinstance(payload.pop(KEY), str)  # the action's own key, beside its fields (see `queue`)
        assert from_payload(payload).to_payload() == payload
    shapes = {tuple(sorted(p.values[0])) for p in STORED}
    assert {tuple(sorted(p)) for p in stored} <= shapes  # every key set is one of today's


PROJECT = "C0PROJECT1"
OUTSIDER = "U0OUTSIDE2"


async def command(world, name: Command, text: str) -> None:
    status, body = await world.slack.slash_command(str(name), text=text, user_id=ADMIN1, channel_id=GENERAL)
    assert status == 200, body
