"""The demo's program day, which exercises most of the app, and what it sends Slack: every Web API
call is a real method with its required arguments, by Slack's own reference."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.demo import program_day
from fakeslack.reference import check_call, find_reference_dir, scope_problems
from fakeslack.web_api import METHODS
from handlers.listeners.oauth import BOT_SCOPES, USER_SCOPES

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = find_reference_dir()
needs_reference = pytest.mark.skipif(REFERENCE is None, reason="Slack's method reference is not beside the project")


@pytest.fixture
async def day():
    out = io.StringIO()
    slack = await program_day(out)
    return slack, out.getvalue()


async def test_the_demo_catches_each_scripted_situation(day):
    _, printed = day
    for symbol in ("dm-adult-minor", "unauthorized-member", "session-needs-two-adults", "off-platform-contact"):
        assert f"`{symbol}`" in printed
    assert "(nothing to do: no Web API call)" in printed  # the benign message
    assert "Nobody has acknowledged" in printed and "Resolved by Safe Contact" in printed
    assert "Program adults present: 2" in printed  # /minors-status's answer
    assert "removed @Casey Unknown from #live-session" in printed and "invited @Jo Participant" in printed
    assert "invited @Casey Unknown" not in printed  # an account not on the roster is not brought back


async def test_the_demo_shows_a_dm_call_and_a_session_call_flagged_after_the_grace_and_resolved(day):
    _, printed = day
    dm_call = printed[printed.index("Sam calls Alex in their DM") : printed.index("Sam starts a huddle")]
    assert "ALERT in #safe-contact-alerts: CRITICAL `call-adult-minor`: @Sam Mentor and minor @Alex" in dm_call
    assert "calls between adults and program participants are" in dm_call  # the warning to Sam
    assert "You are not in trouble" in dm_call  # the kind note to Alex
    assert "@Alex Participant left the call at" in dm_call and "Resolved by Safe Contact" in dm_call
    session_call = printed[printed.index("Sam starts a huddle") :]
    flagged = session_call.index("`call-needs-two-adults`: A call in #live-session")
    assert "has 1 program adult(s) (@Avery Admin)" in session_call[flagged:]
    resolved = session_call.index("@Lee Mentor joined the call at")
    assert flagged < resolved < session_call.index("Resolved by Safe Contact", resolved)
    assert "grace period, 30 seconds, passes" in session_call  # said, and not waited for


async def test_the_demo_never_prints_a_token(day):
    slack, printed = day
    assert slack.bot_token not in printed and "xoxp-" not in printed


@needs_reference
async def test_every_call_the_app_made_is_a_real_method_with_its_required_arguments(day, world):
    slack, _ = day
    calls = [*slack.calls, *world.slack.calls]
    assert len({c.method for c in calls}) >= 6
    problems = sorted({p for c in calls for p in check_call(c.method, c.params, REFERENCE)})
    assert problems == []
    granted = {"bot": BOT_SCOPES, "user": USER_SCOPES}
    assert sorted({p for c in calls if c.ok for p in scope_problems(c, granted, REFERENCE)}) == []


@needs_reference
def test_the_reference_check_can_fail():
    assert check_call("chat.postMessage", {"text": "hi"}, REFERENCE) == [
        "chat.postMessage: required argument 'channel' missing"
    ]
    assert check_call("chat.postMesage", {}, REFERENCE) == ["chat.postMesage: not a Web API method"]


@needs_reference
@pytest.mark.parametrize("method", sorted(METHODS))
def test_the_fake_implements_only_real_methods(method):
    assert not any("not a Web API method" in p for p in check_call(method, {}, REFERENCE))


def test_python_app_py_demo_runs_in_a_fresh_process():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "demo"], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert "`dm-adult-minor`" in result.stdout and "Traceback" not in result.stderr


def test_the_installed_console_script_runs_the_demo_from_anywhere(tmp_path):
    script = Path(sys.executable).parent / "safe-contact"
    if not script.exists():
        pytest.skip("the project is not installed in this environment (pip install -e '.[dev]')")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    result = subprocess.run([str(script), "demo"], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "`unauthorized-member`" in result.stdout
    assert list(tmp_path.iterdir()) == []  # the demo leaves nothing behind
