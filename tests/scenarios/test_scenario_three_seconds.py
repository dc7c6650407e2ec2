"""Slack's three-second rule, on a slow day at Slack: every Web API call takes 4.5 seconds. Slack waits
3 seconds for the app to answer a slash command, a button, a shortcut or a modal's submission, then
shows the person "operation_timeout" and drops the app's answer, whatever the app went on to do.
Each command and interaction is answered in time, so its answer cannot wait for a single call; what
needs Slack follows through the response_url (commands, message buttons) or views.update and
views.publish (modals, App Home)."""

from __future__ import annotations

import json

import pytest
from builders import ADMIN1, ALERTS, GENERAL, MINOR1, SESSION, STAFF1, STAFF2, STRANGER
from scenario_world import until

import storage
from bot.access import Command
from fakeslack import Delivery
from handlers.slack.blocks import ACKNOWLEDGE_ACTION, RESOLVE_ACTION
from handlers.slack.views import CONCERN_SHORTCUT

#: Seconds each Web API call takes: longer than Slack waits, so an answer that waited for any call
#: is late. The bounds below are no tighter than that, for a loaded machine.
LATENCY = 4.5
#: How long a follow-up may take: a few calls in a row, and the post to the response_url.
FOLLOW_UP = 60.0
CSV_FILE = (
    "name,email,slack_id,role,guardian_of,background_check,recording_consent\n"
    f"Avery,avery@mit.edu,{ADMIN1},program_admin,,cleared,\n"
    f"Alex,alex@example.org,{MINOR1},minor,,,yes\n"
)


@pytest.fixture
def slow(world):
    """The workspace as usual (swept at full speed), then Slack slows down."""
    world.slack.latency = LATENCY
    return world


def answered_in_time(status: int, body: object, delivery: Delivery) -> dict:
    assert status == 200 and not delivery.timed_out, f"Slack stopped waiting for the app: {body}"
    assert delivery.answered_after is not None and delivery.answered_after < 3.0
    return body if isinstance(body, dict) else {}


async def command(world, name: Command, text: str = "", *, user: str = ADMIN1) -> tuple[dict, Delivery]:
    status, body = await world.slack.slash_command(str(name), text=text, user_id=user, channel_id=GENERAL)
    delivery = world.slack.deliveries[-1]
    return answered_in_time(status, body, delivery), delivery


async def follow_up(world, delivery: Delivery, count: int = 1) -> list[dict]:
    """What the app posted to the delivery's response_url, once `count` messages are there."""
    await until(lambda: len(world.slack.responses_to(delivery)) >= count, limit=FOLLOW_UP)
    return world.slack.responses_to(delivery)


def everything(message: dict) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks") or [])


# -- slash commands ------------------------------------------------------------------------------


async def test_the_status_of_a_live_session_asks_slack_who_is_online_after_answering(slow):
    answer, delivery = await command(slow, Command.STATUS, f"<#{SESSION}|session-1>", user=STAFF1)
    assert f"<#{SESSION}>" in answer["text"] and "active now" not in everything(answer)
    [final] = await follow_up(slow, delivery)
    assert final["response_type"] == "ephemeral"
    assert "active now: 2" in everything(final) and f"<@{STAFF1}>" in everything(final)
    asked = [c for c in slow.slack.calls_to("users.getPresence") if c.at > delivery.sent_at]
    assert len(asked) == 2  # the two adults at once: one call's time, not two


async def test_a_lockdown_is_recorded_and_queued_before_slack_is_asked_anything(slow):
    """The lockdown stands, its removals queued, before the answer leaves: a slow Slack cannot make
    the administrator see a timeout for a lockdown that happened. Slack's member list is read
    after the answer, and someone who had just joined (the app had not heard yet) is removed too."""
    slow.slack.conversations[SESSION].members.append(STRANGER)  # joined; the event is still on its way
    answer, delivery = await command(slow, Command.LOCKDOWN, f"<#{SESSION}|session-1> zoom-bombing")
    assert ":lock:" in answer["text"] and "Removing 3 member(s)" in answer["text"]
    with storage.session_scope(slow.engine) as session:
        locked = storage.active_lockdown(SESSION, session=session)
        assert locked is not None and locked.locked_by == ADMIN1
        assert storage.pending_count(session=session) >= 3 + 2  # the removals, the notice and the alert
    [final] = await follow_up(slow, delivery)
    assert f"<@{STRANGER}>" in final["text"] and "just joined" in final["text"]
    slow.slack.latency = 0  # carrying the lockdown out is the worker's, not the three-second rule's
    await slow.settle()
    assert set(slow.slack.conversations[SESSION].members) == {"U0SAFEBOT1", STAFF1, STAFF2}


async def test_a_lockdown_is_answered_in_time_even_when_slack_says_wait_ten_seconds(slow):
    """A rate limit's Retry-After sleep never runs before the answer."""
    slow.slack.latency = 0.0
    for method in ("conversations.info", "conversations.members", "users.info"):
        slow.slack.fail_next(method, error="ratelimited", status=429, retry_after=10)
    answer, _ = await command(slow, Command.LOCKDOWN, f"<#{SESSION}>")
    assert ":lock:" in answer["text"]


async def test_unlock_is_answered_at_once(slow):
    slow.slack.latency = 0.0
    await command(slow, Command.LOCKDOWN, f"<#{SESSION}>")
    await slow.settle()
    slow.slack.latency = LATENCY
    answer, _ = await command(slow, Command.UNLOCK, f"<#{SESSION}>")
    assert ":unlock:" in answer["text"] and "Bringing back 3 member(s)" in answer["text"]


async def test_a_session_given_in_local_time_is_scheduled_after_asking_slack_for_the_time_zone(slow):
    answer, delivery = await command(slow, Command.SESSION, f"<#{SESSION}> 2026-07-08T09:00 10:30 Zoom 777")
    assert "is scheduled" not in answer["text"]
    [final] = await follow_up(slow, delivery)
    assert "is scheduled" in final["text"]
    with storage.session_scope(slow.engine) as session:
        sessions = storage.get_program(slow.program.id, session=session).sessions
    [added] = [s for s in sessions if s.access_info == "Zoom 777"]
    assert added.start.hour == 13  # 09:00 in New York


async def test_a_session_given_with_its_offset_needs_no_call_and_is_scheduled_at_once(slow):
    answer, _ = await command(slow, Command.SESSION, f"<#{SESSION}> 2026-07-07T14:00-04:00 16:00 Zoom 999")
    assert "is scheduled" in answer["text"]


async def test_a_bad_session_is_refused_at_once_even_in_local_time(slow):
    answer, _ = await command(slow, Command.SESSION, f"<#{SESSION}> tomorrow 16:00")
    assert "is not a date and time" in answer["text"] and "Usage:" in answer["text"]


async def test_the_roster_modal_opens_after_the_answer_with_a_trigger_still_valid(slow):
    answer, _ = await command(slow, Command.ROSTER)
    assert "roster of Splash 2026 Online" in answer["text"]
    await until(lambda: slow.slack.calls_to("views.open"), limit=FOLLOW_UP)
    [opened] = slow.slack.calls_to("views.open")
    assert opened.ok, opened.error
    assert "alex@example.org" in json.dumps(opened.params["view"])


async def test_the_report_is_promised_at_once(slow):
    answer, _ = await command(slow, Command.REPORT, "2026-07-01")
    assert "incident(s)" in answer["text"] and "CSV" in answer["text"]


async def test_help_and_refusals_are_answered_at_once(slow):
    help_, _ = await command(slow, Command.HELP, user=MINOR1)
    assert "/minors-help" in everything(help_)
    refused, _ = await command(slow, Command.LOCKDOWN, f"<#{SESSION}>", user=MINOR1)
    assert "administrators" in refused["text"]


# -- buttons ---------------------------------------------------------------------------------------


async def stranger_incident(world) -> tuple[dict, str]:
    """An open incident with its alert (made at full speed), then Slack slows down."""
    world.slack.latency = 0.0
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    [alert] = world.alerts_for("unauthorized-member")
    world.slack.latency = LATENCY
    return alert, alert["blocks"][-1]["elements"][0]["value"]


async def test_acknowledge_on_the_alert_answers_first_then_updates_the_alert(world):
    alert, incident = await stranger_incident(world)
    status, body = await world.slack.block_action(
        ADMIN1, ACKNOWLEDGE_ACTION, incident, channel_id=ALERTS, message_ts=alert["ts"]
    )
    answered_in_time(status, body, world.slack.deliveries[-1])
    assert world.incidents("unauthorized-member")[0].acknowledged_by == ADMIN1  # recorded before the answer
    await until(lambda: any("Acknowledged by" in m["text"] for m in world.thread(alert)), limit=FOLLOW_UP)
    updated = world.slack.calls_to("chat.update")[-1].params
    assert ACKNOWLEDGE_ACTION not in json.dumps(updated["blocks"])


async def test_resolve_on_the_dashboard_answers_first_then_republishes_the_home(world):
    _, incident = await stranger_incident(world)
    status, body = await world.slack.block_action(ADMIN1, RESOLVE_ACTION, incident, in_home=True)
    answered_in_time(status, body, world.slack.deliveries[-1])
    assert world.incidents("unauthorized-member")[0].status.value == "resolved"
    await until(lambda: "Open incidents (0)" in json.dumps(world.slack.home_of(ADMIN1) or {}), limit=FOLLOW_UP)


async def test_a_refused_press_is_told_through_the_response_url_after_the_answer(world):
    alert, incident = await stranger_incident(world)
    status, body = await world.slack.block_action(
        STAFF1, RESOLVE_ACTION, incident, channel_id=ALERTS, message_ts=alert["ts"]
    )
    delivery = world.slack.deliveries[-1]
    answered_in_time(status, body, delivery)
    [told] = await follow_up(world, delivery)
    assert "Only the program's administrators" in told["text"] and told["response_type"] == "ephemeral"


# -- Report a concern, and the roster form ---------------------------------------------------------


async def test_a_concern_opens_its_modal_in_time_and_is_sent_after_the_submission_is_answered(slow):
    slow.slack.latency = 0.0
    message = await slow.slack.user_says(STAFF1, GENERAL, "see you all at 3")
    slow.slack.latency = LATENCY
    status, body = await slow.slack.message_shortcut(
        MINOR1, CONCERN_SHORTCUT, channel_id=GENERAL, message_ts=message["ts"]
    )
    answered_in_time(status, body, slow.slack.deliveries[-1])
    await until(lambda: slow.slack.calls_to("views.open"), limit=FOLLOW_UP)
    [opened] = slow.slack.calls_to("views.open")
    assert opened.ok, opened.error  # opened before anything slow: the trigger was still valid
    values = {"note": {"value": {"type": "plain_text_input", "value": "He asked me to add him elsewhere"}}}
    status, body = await slow.slack.submit_view(MINOR1, opened.params["view"], values)
    answered_in_time(status, body, slow.slack.deliveries[-1])

    def queued() -> bool:
        with storage.session_scope(slow.engine) as session:
            return any(e.action == "report_concern" for e in storage.audit_entries(slow.program.id, session=session))

    await until(queued, limit=FOLLOW_UP)
    slow.slack.latency = 0.0
    await slow.settle()
    [alert] = [m for m in slow.slack.posted(ALERTS) if "reported a concern" in m["text"]]
    assert "https://fake.slack.com/archives/" in alert["text"] and "add him elsewhere" in alert["text"]


async def test_a_roster_csv_is_read_after_the_submission_is_answered_and_the_modal_tells_the_outcome(slow):
    slow.slack.latency = 0.0
    await slow.slack.slash_command(str(Command.ROSTER), user_id=ADMIN1, channel_id=GENERAL)
    await until(lambda: slow.slack.views("views.open"), limit=FOLLOW_UP)
    modal = slow.slack.views("views.open")[-1]
    file = slow.slack.add_file(ADMIN1, "roster.csv", CSV_FILE.encode())
    slow.slack.latency = LATENCY
    status, body = await slow.slack.submit_view(
        ADMIN1, modal, {"csv": {"value": {"type": "file_input", "files": [file]}}}
    )
    answer = answered_in_time(status, body, slow.slack.deliveries[-1])
    assert answer["response_action"] == "update" and "roster.csv" in json.dumps(answer["view"])
    await until(lambda: slow.slack.views("views.update"), limit=FOLLOW_UP)
    [outcome] = slow.slack.views("views.update")
    assert "2 people" in json.dumps(outcome)
    with storage.session_scope(slow.engine) as session:
        emails = [p.email for p in storage.get_program(slow.program.id, session=session).roster]
    assert emails == ["avery@mit.edu", "alex@example.org"]


async def test_a_bad_roster_csv_is_told_in_the_modal_and_changes_nothing(slow):
    slow.slack.latency = 0.0
    await slow.slack.slash_command(str(Command.ROSTER), user_id=ADMIN1, channel_id=GENERAL)
    await until(lambda: slow.slack.views("views.open"), limit=FOLLOW_UP)
    modal = slow.slack.views("views.open")[-1]
    bad = slow.slack.add_file(ADMIN1, "new-roster.csv", b"name,email,role\nBo,bo@example.org,wizard\n")
    slow.slack.latency = LATENCY
    status, body = await slow.slack.submit_view(
        ADMIN1, modal, {"csv": {"value": {"type": "file_input", "files": [bad]}}}
    )
    answered_in_time(status, body, slow.slack.deliveries[-1])
    await until(lambda: slow.slack.views("views.update"), limit=FOLLOW_UP)
    [outcome] = slow.slack.views("views.update")
    assert "new-roster.csv:2: role 'wizard'" in json.dumps(outcome) and "Nothing was changed" in json.dumps(outcome)
    with storage.session_scope(slow.engine) as session:
        assert len(storage.get_program(slow.program.id, session=session).roster) > 2
