"""App Home, the dashboard's buttons, "Report a concern", the roster modal and onboarding, end to
end: what each role sees, and what Slack received."""

from __future__ import annotations

import json
import re

import pytest
from builders import ADMIN1, ALERTS, DLC, GENERAL, GUARD1, MINOR1, MINOR2, PENDING, STAFF1, STRANGER, program

import storage
from bot.access import Command
from bot.model import EnforcementMode
from handlers.slack.blocks import ACKNOWLEDGE_ACTION, CONDUCT_ACKNOWLEDGE_ACTION, RESOLVE_ACTION
from handlers.slack.views import CONCERN_SHORTCUT

MENTION = re.compile(r"<@(U[A-Z0-9]+)")


async def open_home(world, user: str) -> dict:
    assert await world.slack.open_home(user) == 200
    await world.settle()
    home = world.slack.home_of(user)
    assert home is not None and home["type"] == "home"
    return home


def buttons(view: dict) -> list[dict]:
    return [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


# -- App Home ------------------------------------------------------------------------------------


async def test_an_administrators_home_is_the_dashboard_and_its_buttons_act(world):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    home = await open_home(world, ADMIN1)
    text = json.dumps(home)
    assert "Spaces in order" in text and "Open incidents (1)" in text and "unauthorized-member" in text
    [acknowledge] = [b for b in buttons(home) if b["action_id"] == ACKNOWLEDGE_ACTION]
    status, _ = await world.slack.block_action(ADMIN1, ACKNOWLEDGE_ACTION, acknowledge["value"], in_home=True)
    assert status == 200
    await world.settle()  # the alert and the Home tab are updated after the answer
    [incident] = world.incidents("unauthorized-member")
    assert incident.acknowledged_by == ADMIN1
    [alert] = world.alerts_for("unauthorized-member")
    assert any(m["text"].startswith(":eyes: Acknowledged") for m in world.thread(alert))
    assert ACKNOWLEDGE_ACTION not in json.dumps(world.slack.home_of(ADMIN1))  # republished, acknowledged
    status, _ = await world.slack.block_action(ADMIN1, RESOLVE_ACTION, acknowledge["value"], in_home=True)
    await world.settle()
    assert world.incidents("unauthorized-member")[0].status.value == "resolved"
    assert "Open incidents (0)" in json.dumps(world.slack.home_of(ADMIN1))
    update = world.slack.calls_to("chat.update")[-1]
    assert RESOLVE_ACTION not in json.dumps(update.params.get("blocks"))  # the alert lost its buttons


@pytest.mark.parametrize(
    ("user", "role_words"),
    [
        pytest.param(MINOR1, "participant (minor)", id="minor"),
        pytest.param(GUARD1, "parent or guardian", id="guardian"),
        pytest.param(STAFF1, "facilitator (staff)", id="staff"),
    ],
)
async def test_everyone_elses_home_shows_their_role_and_rules_and_nobody_else(world, user, role_words):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    home = await open_home(world, user)
    text = json.dumps(home)
    assert role_words in text and "expectations" in text
    assert "unauthorized-member" not in text and "Open incidents" not in text
    assert set(MENTION.findall(text)) == set(), "a member's Home names nobody"
    [button] = buttons(home)
    assert button["action_id"] == CONDUCT_ACKNOWLEDGE_ACTION
    await world.slack.block_action(user, CONDUCT_ACKNOWLEDGE_ACTION, button["value"], in_home=True)
    await world.settle()
    assert "You acknowledged" in json.dumps(world.slack.home_of(user))
    with storage.session_scope(world.engine) as session:
        assert user in storage.acknowledged_users(world.program.id, session=session)


async def test_an_account_on_no_roster_sees_only_the_general_rules(world):
    home = await open_home(world, STRANGER)
    text = json.dumps(home)
    assert "not on a program's roster" in text and not buttons(home) and not MENTION.search(text)


async def test_a_non_administrator_cannot_press_a_dashboard_button(world):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    [incident] = world.incidents("unauthorized-member")
    for user in (STAFF1, MINOR1, GUARD1, STRANGER, PENDING):
        await world.slack.block_action(user, RESOLVE_ACTION, str(incident.id), in_home=True)
    assert world.incidents("unauthorized-member")[0].status.value == "open"


# -- Report a concern ----------------------------------------------------------------------------


async def test_a_concern_goes_to_the_alert_channel_with_the_messages_link(world):
    message = await world.slack.user_says(STAFF1, GENERAL, "see you all at 3")
    status, _ = await world.slack.message_shortcut(
        MINOR1, CONCERN_SHORTCUT, channel_id=GENERAL, message_ts=message["ts"]
    )
    assert status == 200
    await world.settle()  # the form opens after the answer
    [modal] = world.slack.views("views.open")
    before = {u: len(world.direct_messages(u)) for u in (STAFF1, ADMIN1, DLC)}
    values = {"note": {"value": {"type": "plain_text_input", "value": "He asked me to add him elsewhere"}}}
    status, _ = await world.slack.submit_view(MINOR1, modal, values)
    assert status == 200
    await world.settle()
    [alert] = [m for m in world.slack.posted(ALERTS) if "reported a concern" in m["text"]]
    assert f"<@{MINOR1}>" in alert["text"] and f"<@{STAFF1}>" in alert["text"]
    assert "https://fake.slack.com/archives/" in alert["text"] and "add him elsewhere" in alert["text"]
    assert any("Thank you for speaking up" in m["text"] for m in world.direct_messages(MINOR1))
    assert {u: len(world.direct_messages(u)) for u in (STAFF1, ADMIN1, DLC)} == before  # no single adult told
    with storage.session_scope(world.engine) as session:
        [entry] = [e for e in storage.audit_entries(world.program.id, session=session) if e.action == "report_concern"]
    assert "add him elsewhere" not in json.dumps(dict(entry.detail))  # the note is not stored


# -- the roster modal ----------------------------------------------------------------------------


async def roster_modal(world, user=ADMIN1) -> dict:
    status, _ = await world.slack.slash_command(str(Command.ROSTER), user_id=user, channel_id=GENERAL)
    assert status == 200
    await world.settle()  # the form opens after the answer
    return world.slack.views("views.open")[-1]


def person_form(**fields) -> dict:
    values = {}
    for block, value in fields.items():
        if block in ("role", "background_check"):
            values[block] = {"value": {"type": "static_select", "selected_option": {"value": value}}}
        elif block == "slack_user":
            values[block] = {"value": {"type": "users_select", "selected_user": value}}
        elif block == "recording_consent":
            values[block] = {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}] if value else []}}
        else:
            values[block] = {"value": {"type": "plain_text_input", "value": value}}
    return values


def roster_emails(world) -> list[str]:
    with storage.session_scope(world.engine) as session:
        return [p.email for p in storage.get_program(world.program.id, session=session).roster]


async def test_the_roster_modal_lists_the_roster_and_adds_a_person(world):
    modal = await roster_modal(world)
    listing = json.dumps(modal["blocks"])
    assert "alex@example.org" in listing and f"<@{MINOR1}>" in listing
    form = person_form(name="Quinn", email="quinn@example.org", role="minor", slack_user="U0QUINN001")
    status, body = await world.slack.submit_view(ADMIN1, modal, form)
    assert status == 200 and not body
    assert "quinn@example.org" in roster_emails(world)
    with storage.session_scope(world.engine) as session:
        [entry] = [e for e in storage.audit_entries(world.program.id, session=session) if e.action == "roster_change"]
    assert entry.actor == ADMIN1 and entry.detail["added"] == ["quinn@example.org"]


async def test_a_bad_person_is_refused_field_by_field_and_nothing_changes(world):
    modal = await roster_modal(world)
    before = roster_emails(world)
    status, body = await world.slack.submit_view(
        ADMIN1, modal, person_form(name="X", email="not-an-email", role="staff")
    )
    assert status == 200 and body["response_action"] == "errors" and "not-an-email" in body["errors"]["email"]
    _, body = await world.slack.submit_view(ADMIN1, modal, person_form(remove="alex@example.org"))
    assert "guardian" in body["errors"]["remove"]  # Pat is Alex's guardian
    assert roster_emails(world) == before


async def test_a_roster_csv_uploaded_in_slack_replaces_the_roster(world):
    modal = await roster_modal(world)
    good = (
        "name,email,slack_id,role,guardian_of,background_check,recording_consent\n"
        f"Avery,avery@mit.edu,{ADMIN1},program_admin,,cleared,\n"
        f"Dana,dana@mit.edu,{DLC},dlc_admin,,cleared,\n"
        f"Alex,alex@example.org,{MINOR1},minor,,,yes\n"
    )
    file = world.slack.add_file(ADMIN1, "roster.csv", good.encode())
    _, body = await world.slack.submit_view(ADMIN1, modal, {"csv": {"value": {"type": "file_input", "files": [file]}}})
    assert body["response_action"] == "update"  # the form says it is reading the file...
    await world.settle()
    assert roster_emails(world) == ["avery@mit.edu", "dana@mit.edu", "alex@example.org"]
    [outcome] = world.slack.views("views.update")  # ...then what came of it
    assert "now has 3 people" in json.dumps(outcome)


async def test_a_bad_roster_csv_names_its_file_line_and_value_and_changes_nothing(world):
    modal = await roster_modal(world)
    before = roster_emails(world)
    bad = "name,email,role\nAvery,avery@mit.edu,program_admin\nBo,bo@example.org,wizard\n"
    file = world.slack.add_file(ADMIN1, "new-roster.csv", bad.encode())
    _, body = await world.slack.submit_view(ADMIN1, modal, {"csv": {"value": {"type": "file_input", "files": [file]}}})
    assert body["response_action"] == "update"
    await world.settle()
    [outcome] = world.slack.views("views.update")
    assert "Nothing was changed" in json.dumps(outcome) and "new-roster.csv:3: role 'wizard'" in json.dumps(outcome)
    assert roster_emails(world) == before


async def test_only_administrators_can_save_the_roster(world):
    modal = await roster_modal(world)
    before = roster_emails(world)
    form = person_form(name="Mallory", email="mallory@example.org", role="staff", background_check="cleared")
    for user in (STAFF1, MINOR1, GUARD1, STRANGER):
        _, body = await world.slack.submit_view(user, modal, form)
        assert body["response_action"] == "errors"
    assert roster_emails(world) == before


# -- onboarding ----------------------------------------------------------------------------------


async def test_everyone_on_the_roster_is_welcomed_once_with_an_acknowledge_button(world):
    for user in (MINOR1, STAFF1, ADMIN1):
        [welcome] = [m for m in world.direct_messages(user) if "expectations" in m["text"]]
        assert welcome["blocks"][-1]["elements"][0]["action_id"] == CONDUCT_ACKNOWLEDGE_ACTION
    [guardian] = [m for m in world.direct_messages(GUARD1) if "expectations" in m["text"]]
    assert "parent or guardian" in guardian["text"] and f"<@{ADMIN1}>" in guardian["text"]
    assert world.direct_messages(STRANGER) == []
    await world.app.sweep()
    await world.settle()
    assert len([m for m in world.direct_messages(MINOR1) if "expectations" in m["text"]]) == 1


async def test_a_newcomer_on_the_roster_is_welcomed_when_they_join_the_workspace(world):
    modal = await roster_modal(world)
    form = person_form(name="Quinn", email="quinn@example.org", role="minor")
    await world.slack.submit_view(ADMIN1, modal, form)
    await world.slack.new_user("U0QUINN001", name="Quinn", email="quinn@example.org")
    await world.settle()
    [welcome] = world.direct_messages("U0QUINN001")
    assert welcome["text"].startswith("Welcome to Splash 2026 Online!")


async def test_observe_mode_welcomes_nobody(started):
    world = await started(prog=program(mode=EnforcementMode.OBSERVE))
    assert world.direct_messages(MINOR1) == [] and world.direct_messages(MINOR2) == []


ROLES = {
    "program-admin": (ADMIN1, True),
    "dlc-admin": (DLC, True),
    "staff": (STAFF1, False),
    "staff-pending-check": (PENDING, False),
    "minor": (MINOR1, False),
    "guardian": (GUARD1, False),
    "unknown-account": (STRANGER, False),
}


@pytest.mark.parametrize("in_home", [False, True], ids=["on-the-alert", "on-the-dashboard"])
@pytest.mark.parametrize("action", [ACKNOWLEDGE_ACTION, RESOLVE_ACTION])
@pytest.mark.parametrize("role", list(ROLES))
async def test_alert_buttons_for_each_role(world, role, action, in_home):
    user, entitled = ROLES[role]
    world.slack.add_user("U0OTHER001", name="Other", email="other@example.com")
    await world.slack.user_joins("U0OTHER001", GENERAL)
    await world.settle()
    [incident] = world.incidents("unauthorized-member")
    [alert] = world.alerts_for("unauthorized-member")
    where = {"in_home": True} if in_home else {"channel_id": ALERTS, "message_ts": alert["ts"]}
    status, _ = await world.slack.block_action(user, action, str(incident.id), **where)
    assert status == 200
    await world.settle()
    [after] = world.incidents("unauthorized-member")
    changed = after.acknowledged_by == user or after.resolved_by == user
    assert changed is entitled
    if not entitled and not in_home:
        assert "Only the program's administrators" in world.slack.responses[-1]["text"]
        assert not MENTION.search(world.slack.responses[-1]["text"])


async def test_the_expectations_button_is_only_for_roster_members(world):
    await world.slack.block_action(STRANGER, CONDUCT_ACKNOWLEDGE_ACTION, world.program.id)
    await world.settle()
    assert world.slack.responses[-1]["text"] == "This reminder is not for you."
    with storage.session_scope(world.engine) as session:
        assert STRANGER not in storage.acknowledged_users(world.program.id, session=session)


async def test_a_button_whose_work_fails_tells_its_presser_why_as_a_command_would(world):
    """The note in the alert's thread could not be posted (Slack refused): the administrator is told so,
    privately, with Slack's reason, instead of the press failing with nothing said; the acknowledgement
    itself stands."""
    world.slack.add_user("U0OTHER001", name="Other", email="other@example.com")
    await world.slack.user_joins("U0OTHER001", GENERAL)
    await world.settle()
    [incident] = world.incidents("unauthorized-member")
    [alert] = world.alerts_for("unauthorized-member")
    world.slack.fail_next("chat.postMessage", error="not_in_channel")
    status, _ = await world.slack.block_action(
        ADMIN1, ACKNOWLEDGE_ACTION, str(incident.id), channel_id=ALERTS, message_ts=alert["ts"]
    )
    assert status == 200
    await world.settle()  # told after the answer
    assert "not_in_channel" in world.slack.responses[-1]["text"]
    assert world.slack.responses[-1]["response_type"] == "ephemeral"
    [after] = world.incidents("unauthorized-member")
    assert after.acknowledged_by == ADMIN1
