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
    from handlers.worker.judge import HANDLED_EVENTS

    handled = set(HANDLED_EVENTS)
    subscribed = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    message_events = {e for e in subscribed if e.startswith("message.")}
    assert message_events == {"message.channels", "message.groups", "message.im", "message.mpim"}
    assert subscribed - message_events == handled - {"message"}
    user_events = set(manifest["settings"]["event_subscriptions"]["user_events"])
    assert user_events == {"message.im", "message.mpim", "message.groups"}


def test_the_manifest_grants_exactly_the_scopes_the_oauth_flow_asks_for(manifest):
    from handlers.listeners.oauth import BOT_SCOPES, USER_SCOPES

    scopes = manifest["oauth_config"]["scopes"]
    assert sorted(scopes["bot"]) == sorted(BOT_SCOPES)
    assert sorted(scopes["user"]) == sorted(USER_SCOPES)


def test_every_scope_is_justified_in_the_readme(manifest):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Scopes", 1)[1].split("\n## ", 1)[0]
    for kind in ("bot", "user"):
        for scope in manifest["oauth_config"]["scopes"][kind]:
            assert f"| `{scope}` | {kind} |" in section, f"{kind} scope {scope} is not justified"


def test_the_manifest_has_home_interactivity_the_shortcut_and_one_address(manifest):
    from handlers.slack.views import CONCERN_SHORTCUT

    features = manifest["features"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert [s["callback_id"] for s in features["shortcuts"]] == [CONCERN_SHORTCUT]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    base = redirect.removesuffix("/slack/oauth_redirect")
    urls = [c["url"] for c in features["slash_commands"]]
    urls += [manifest["settings"]["interactivity"]["request_url"]]
    urls += [manifest["settings"]["event_subscriptions"]["request_url"]]
    assert set(urls) == {base + "/slack/events"}


EVENTS_REFERENCE = ROOT.parent / "shared" / "slack-reference" / "events"


@pytest.mark.parametrize("kind", ["bot", "user"])
def test_every_subscribed_event_has_a_scope_that_delivers_it(manifest, kind):
    """Slack delivers an event only with one of the scopes its reference lists (`message.groups` as a
    user event needs the user scope `groups:history`): a subscription without it is silently empty."""
    if not EVENTS_REFERENCE.exists():
        pytest.skip(f"Slack's event reference is not beside the project ({EVENTS_REFERENCE})")
    granted = set(manifest["oauth_config"]["scopes"][kind])
    undelivered = []
    for event in manifest["settings"]["event_subscriptions"][f"{kind}_events"]:
        reference = EVENTS_REFERENCE / f"{event}.json"
        if not reference.exists():  # the reference holds 118 of Slack's events, not every one
            continue
        needed = json.loads(reference.read_text()).get("scopes") or []
        if needed and not granted & set(needed):
            undelivered.append(f"{event} needs one of {needed}")
    assert undelivered == []
