"""Privacy by default: message text kept only as incident evidence and only for the retention period;
no token and no message text in any log line, whatever happens."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

from builders import ADMIN2, ALERTS, GENERAL, MINOR1, MINOR2, STAFF1, STRANGER
from scenario_world import TEAM, quiet
from served import served

import storage
from handlers.slack.views import CONCERN_SHORTCUT

__all__ = ["served"]  # the fixture

ROOT = Path(__file__).resolve().parents[2]
SAID = (
    "text me at 617-555-0142 tonight",
    "or call 617-555-0199 instead",
    "hey Alex this is just between us",
    "for homework, mix bleach and ammonia at home",
)


async def test_no_token_and_no_message_text_in_any_log_line(world, caplog):
    caplog.set_level(logging.DEBUG)
    world.connect(MINOR1)
    user_token = world.slack.connect_user(MINOR1)
    world.slack.fail_next("chat.postMessage", error="internal_error", status=500)  # a failure is logged too
    await world.slack.user_says(STAFF1, GENERAL, SAID[0])
    await world.settle()
    await world.slack.user_says(STAFF1, GENERAL, SAID[1])  # a repeat: its evidence goes into the alert's thread
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, SAID[2])
    await world.slack.user_says(STAFF1, GENERAL, SAID[3])
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.slack.revoke_tokens([MINOR2])
    await world.settle()
    assert len(world.alerts()) >= 3  # it all happened
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert logged, "the scenario logged something"
    secrets = (world.slack.bot_token, user_token, world.app.settings.signing_secret, "xoxb-", "xoxp-")
    for secret in secrets:
        assert secret not in logged, f"a token is in the logs: {secret[:5]}…"
    for text in SAID:
        assert text not in logged
    assert "617-555-01" not in logged and "bleach" not in logged  # not even the evidence
    [alert] = world.alerts_for("off-platform-contact")
    assert any("617-555-0199" in m["text"] for m in world.thread(alert))  # it was sent to Slack, not logged


async def test_evidence_is_kept_for_the_retention_period_then_blanked(world):
    await world.slack.user_says(STAFF1, GENERAL, SAID[0])
    await world.settle()
    [incident] = world.incidents("off-platform-contact")
    with storage.session_scope(world.engine) as session:
        assert "617" in storage.incident_evidence(incident.id, session=session)
    world.clock.advance(days=364)
    await world.app.purge()
    with storage.session_scope(world.engine) as session:
        assert "617" in storage.incident_evidence(incident.id, session=session)
    world.clock.advance(days=2)
    await world.app.purge()
    with storage.session_scope(world.engine) as session:
        assert storage.incident_evidence(incident.id, session=session) == ""
        assert storage.get_incident(incident.id, session=session) is not None  # the record stays
        assert storage.pending_count(session=session) == 0


def test_purge_from_the_command_line_and_a_bad_retention(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, str(ROOT / "app.py"), "purge"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "older than 365 days" in ok.stdout
    env["SAFE_CONTACT_RETENTION_DAYS"] = "a year"
    bad = subprocess.run([sys.executable, str(ROOT / "app.py"), "purge"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "SAFE_CONTACT_RETENTION_DAYS" in bad.stderr and bad.stderr.count("\n") == 1


#: A distinct marker in everything people say below, with a phone number (which becomes evidence).
MARKER = "QUOKKA-4417"
FAIL_INBOX_WRITES = """CREATE TRIGGER fail_inbox_writes BEFORE INSERT ON inbox
BEGIN SELECT RAISE(ABORT, 'the disk is failing'); END"""


async def test_nothing_of_a_message_is_in_any_log_line_at_debug_even_when_a_write_fails(served):
    """`safe-contact serve` at `LOG_LEVEL=DEBUG`, over real HTTP: a message with a phone number
    (judged, alerted), a command and a concern note carrying the marker; then the database refuses
    every write to the inbox, and a delivery and a concern fail. No log line holds the marker."""
    slack, serve = served
    app = await serve(env={"LOG_LEVEL": "DEBUG"})
    await quiet(slack)
    said = await slack.user_says(STAFF1, GENERAL, f"{MARKER} text me at 617-555-0142")
    await slack.slash_command("/minors-status", text=f"{MARKER} 617-555-0142", user_id=ADMIN2, channel_id=GENERAL)
    await report_concern(slack, said["ts"], f"{MARKER} he gave me 617-555-0142")
    await quiet(slack)
    assert any(MARKER in m["text"] for m in slack.posted(ALERTS))  # it all reached Slack
    with sqlite3.connect(serve.database) as failing:
        failing.execute(FAIL_INBOX_WRITES)
    await slack.deliver_body(event_body(f"{MARKER} second number 617-555-0199"))
    await report_concern(slack, said["ts"], f"{MARKER} again 617-555-0199")
    await quiet(slack)
    logged = app.logged()
    assert "the disk is failing" in logged  # the writes failed, and it was logged
    assert MARKER not in logged
    assert "617-555-01" not in logged


async def report_concern(slack, ts: str, note: str) -> None:
    """MINOR1 reports a concern about the message at `ts`, with `note`."""
    await slack.message_shortcut(MINOR1, CONCERN_SHORTCUT, channel_id=GENERAL, message_ts=ts)
    await quiet(slack)
    modal = slack.views("views.open")[-1]
    await slack.submit_view(MINOR1, modal, {"note": {"value": {"type": "plain_text_input", "value": note}}})


def event_body(text: str) -> bytes:
    event = {"type": "message", "user": STAFF1, "channel": GENERAL, "text": text, "ts": "1783000000.000100"}
    return json.dumps(
        {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0FAILING", "event_time": 1783000000, "event": event}
    ).encode()
