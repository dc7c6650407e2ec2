"""manifest.yml validates against Slack's app manifest schema and declares every slash command."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "slack-reference" / "manifest-schemas" / "manifest.schema.1.0.0.json"
COMMANDS = {
    "/minors-status",
    "/minors-lockdown",
    "/minors-unlock",
    "/minors-consent",
    "/minors-session",
    "/minors-roster",
    "/minors-report",
    "/minors-help",
}


@pytest.fixture(scope="module")
def manifest():
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_validates_against_slacks_schema(manifest):
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not beside the project ({SCHEMA})")
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(manifest)


def test_the_schema_check_can_fail():
    if not SCHEMA.exists():
        pytest.skip("Slack's manifest schema is not beside the project")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate({"features": {}})


def test_manifest_declares_every_slash_command(manifest):
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == COMMANDS


def test_the_manifest_subscribes_to_exactly_the_events_the_worker_handles(manifest):
    from handlers.worker import Worker

    handled = set(Worker(runtime=None, name="manifest-check").handled_events)  # type: ignore[arg-type]
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    message_events = {e for e in subscribed if e.startswith("message.")}
    assert message_events == {"message.channels", "message.groups", "message.im", "message.mpim"}
    assert subscribed - message_events == handled - {"message"}
    user_events = set(manifest["settings"]["event_subscriptions"]["user_events"])
    assert user_events == {"message.im", "message.mpim", "message.groups"}
