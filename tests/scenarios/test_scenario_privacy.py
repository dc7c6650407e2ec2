"""Privacy by default: message text kept only as incident evidence and only for the retention period;
no token and no message text in any log line, whatever happens."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from builders import GENERAL, MINOR1, MINOR2, STAFF1, STRANGER

import storage

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
