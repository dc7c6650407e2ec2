"""`safe-contact audit` of the live workspace, in a fresh process against the fake Slack the running
app watches: it changes nothing in Slack, and it finds what the live app found."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from builders import GENERAL, MINOR1, MINOR2, SESSION, STAFF1, STAFF2, STRANGER
from scenario_world import command_line

import storage
from bot.audit import PAST_CALL_NOTE

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"chat.postMessage", "chat.update", "conversations.invite", "conversations.kick", "views.publish"}


async def cli(*args: str, world, tmp_path) -> tuple[int, str, str]:
    env = {"SLACK_BOT_TOKEN": world.slack.bot_token, "SLACK_API_URL": world.slack.base_url}
    return await command_line(*args, database=tmp_path / "scenario.db", cwd=tmp_path, env=env)


async def test_a_live_audit_changes_nothing_and_finds_what_the_app_found(world, tmp_path):
    world.connect(MINOR1)
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.slack.user_says(STAFF1, GENERAL, "text me at 617-555-0142 tonight")
    world.slack.add_channel("C0PROJECT1", name="project", private=True, members=["U0SAFEBOT1", STAFF1, MINOR2])
    await world.slack.user_joins("U0SAFEBOT1", "C0PROJECT1")
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hi Alex")
    await world.settle()
    with storage.session_scope(world.engine) as session:
        live = {(i.rule, i.subject) for i in storage.open_incidents(world.program.id, session=session)}
    assert {"unauthorized-member", "off-platform-contact", "dm-adult-minor"} <= {rule for rule, _ in live}

    world.slack.reset_calls()
    code, out, err = await cli("audit", "--format", "json", world=world, tmp_path=tmp_path)
    assert code == 1, err
    assert not WRITES & {c.method for c in world.slack.calls}, "an audit posts, invites and changes nothing"
    assert {c.method for c in world.slack.calls} >= {"users.list", "conversations.list", "conversations.history"}
    document = json.loads(out)
    # The audit runs on today's clock, the app on the scenario's: a day has passed since everyone was
    # welcomed, so the audit (rightly) reminds who has not acknowledged. Everything else agrees.
    audited = {(f["rule"], f["subject"]) for f in document["findings"] if f["rule"] != "conduct-not-acknowledged"}
    assert audited == live
    assert document["not_checked"] == {} and document["source"]["kind"] == "workspace"


async def test_a_live_audit_leaves_out_another_workspaces_program(world, tmp_path):
    """Its roster listed by email would otherwise match this workspace's accounts."""
    with storage.session_scope(world.engine) as session:
        storage.save_program(replace(world.program, team_id="T0OTHER001"), session=session)
    code, out, err = await cli("audit", "--format", "json", world=world, tmp_path=tmp_path)
    assert code == 2
    assert "program 'splash-2026' belongs to workspace 'T0OTHER001', not 'T0TEAM0001': left out." in err
    assert "no program to audit belongs to workspace 'T0TEAM0001'" in err and out == ""


async def test_the_stored_incident_record_as_a_page(world, tmp_path):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    code, out, _ = await cli("report", "--format", "html", "--since", "2026-07-01", world=world, tmp_path=tmp_path)
    assert code == 0 and "unauthorized-member" in out and "Stranger (U0STRANGER)" in out


def lasted(world, call_id: str, minutes: int) -> None:
    """The fake's clock moves a second per event: the huddle's root is made to say it ran longer."""
    room = world.slack.workspace.huddle(call_id).room
    room["date_start"] = room["date_end"] - minutes * 60


async def test_a_live_audit_finds_past_calls_in_the_history_it_reads(world, tmp_path):
    """Sam huddled with Alex in their DM, which Alex connected, and #session-1 held a huddle with AI
    notes on while Jo, who has no recording consent, was in it. Both roots are in the history the
    audit pages anyway, so both calls are found without another Web API call."""
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    one_to_one = await world.slack.start_huddle(STAFF1, dm)
    await world.slack.join_huddle(MINOR1, one_to_one)
    await world.slack.leave_huddle(MINOR1, one_to_one)
    await world.slack.leave_huddle(STAFF1, one_to_one)
    session = await world.slack.start_huddle(STAFF1, SESSION)
    for person in (STAFF2, MINOR2):
        await world.slack.join_huddle(person, session)
    world.slack.set_huddle_notes(session, transcript=True)
    for person in (MINOR2, STAFF2, STAFF1):
        await world.slack.leave_huddle(person, session)
    lasted(world, one_to_one, 15)
    lasted(world, session, 60)
    await world.settle()

    world.slack.reset_calls()
    code, out, err = await cli("audit", "--format", "json", world=world, tmp_path=tmp_path)
    assert code == 1, err
    document = json.loads(out)
    calls = {f["subject"]: f for f in document["findings"] if f["subject"] in (one_to_one, session)}
    assert calls[one_to_one]["rule"] == "call-adult-minor" and calls[one_to_one]["conversation"]["id"] == dm
    assert {p["id"] for p in calls[one_to_one]["people"]} == {STAFF1, MINOR1}
    assert calls[session]["rule"] == "recording-without-consent" and calls[session]["conversation"]["id"] == SESSION
    assert MINOR2 in {p["id"] for p in calls[session]["people"]}
    assert document["calls"] == {"judged": 2, "unreadable": 0, "note": PAST_CALL_NOTE}
    methods = {c.method for c in world.slack.calls}
    assert "conversations.history" in methods and not methods & {"conversations.replies", "calls.info"}
