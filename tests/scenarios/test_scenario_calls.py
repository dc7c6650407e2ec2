"""Live calls (Slack huddles), end to end: the app learns who is in which call from
`user_huddle_changed` alone (nobody connected), judges a call once its grace period is over, tells
the people involved and the administrators, writes the call's story in the alert's thread, and
resolves it when the call ends or a second program adult joins. A restart or a lost event loses
nothing."""

from __future__ import annotations

from builders import GENERAL, GUARD1, MINOR1, MINOR2, SESSION, STAFF1, STAFF2
from scenario_world import SIGNING_SECRET, World, serve_app

import storage
from bot.config import Settings
from handlers import create_app
from handlers.runtime import Timing

GRACE = 30


async def past_grace(world: World, seconds: float = GRACE + 1) -> None:
    """What happened so far is dealt with, then `seconds` pass (the scenario's clock jumps)."""
    await world.settle()
    world.clock.advance(seconds=seconds)
    await world.settle()


async def test_a_mentor_alone_in_a_dm_huddle_with_a_participant_is_alerted_from_huddle_events_alone(world):
    dm = world.slack.add_dm(STAFF1, MINOR1)
    call = await world.slack.start_huddle(STAFF1, dm)
    await world.slack.join_huddle(MINOR1, call)
    await world.settle()
    assert world.alerts_for("call-adult-minor") == [], "within the grace period it is not contact yet"

    await past_grace(world)
    [alert] = world.alerts_for("call-adult-minor")
    assert f"<@{STAFF1}>" in alert["text"] and f"<@{MINOR1}>" in alert["text"]
    assert "not allowed" in world.direct_messages(STAFF1)[-1]["text"]
    assert "You are not in trouble" in world.direct_messages(MINOR1)[-1]["text"]
    # Nobody connected an account: the bot never read the DM, and never could.
    assert not [c for c in world.slack.calls if c.params.get("channel") == dm]

    world.clock.advance(seconds=120)
    await world.slack.leave_huddle(MINOR1)
    await world.settle()
    [incident] = world.incidents("call-adult-minor")
    assert not incident.is_open, "the call is no longer one to one"
    story = [m["text"] for m in world.thread(alert)]
    assert any(f"<@{MINOR1}> left the call" in line for line in story)
    assert any("Resolved" in line for line in story)


async def test_a_ring_nobody_answers_is_not_contact(world):
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.start_huddle(STAFF1, dm)
    await past_grace(world, 300)
    assert world.alerts() == [] and world.incidents() == []


async def test_a_call_answered_for_less_than_the_grace_is_not_contact(world):
    dm = world.slack.add_dm(STAFF1, MINOR1)
    call = await world.slack.start_huddle(STAFF1, dm)
    await world.slack.join_huddle(MINOR1, call)
    await world.settle()
    world.clock.advance(seconds=10)
    await world.slack.leave_huddle(MINOR1)
    await world.settle()
    await past_grace(world, 300)
    assert world.alerts() == [] and world.incidents() == []


async def test_a_parent_calling_their_own_child_is_nobodys_business(world):
    dm = world.slack.add_dm(GUARD1, MINOR1)
    call = await world.slack.start_huddle(GUARD1, dm)
    await world.slack.join_huddle(MINOR1, call)
    await past_grace(world, 300)
    assert world.alerts() == [] and world.incidents() == []


async def test_a_session_huddle_left_with_one_adult_is_flagged_and_resolves_when_a_second_joins(world):
    call = await world.slack.start_huddle(STAFF1, SESSION)
    for person in (STAFF2, MINOR1, MINOR2):
        await world.slack.join_huddle(person, call)
    await past_grace(world)
    assert world.alerts_for("call-needs-two-adults") == [], "two program adults are in it"

    await world.slack.leave_huddle(STAFF2)
    await past_grace(world)
    [alert] = world.alerts_for("call-needs-two-adults")
    assert f"<#{SESSION}>" in alert["text"] and "1 program adult(s)" in alert["text"]
    assert any("at least two program adults" in m["text"] for m in world.slack.posted(channel=SESSION))

    await world.slack.join_huddle(STAFF2, call)
    await world.settle()
    [incident] = world.incidents("call-needs-two-adults")
    assert not incident.is_open
    story = [m["text"] for m in world.thread(alert)]
    assert any(f"<@{STAFF2}> joined the call" in line for line in story)


async def test_a_huddle_with_two_program_adults_is_not_flagged(world):
    call = await world.slack.start_huddle(STAFF1, GENERAL)
    for person in (MINOR1, STAFF2, MINOR2):
        await world.slack.join_huddle(person, call)
    await past_grace(world, 600)
    assert world.alerts() == [] and world.incidents() == []


async def test_a_call_that_breaks_two_rules_is_one_alert(world):
    """A 1:1 call with AI notes on, in a program channel the bot is in: one alert, the recording in
    its thread (one call is one situation)."""
    call = await world.slack.start_huddle(STAFF1, GENERAL)
    await world.slack.join_huddle(MINOR2, call)  # Jo has no recording consent on record
    world.slack.set_huddle_notes(call, transcript=True)
    await past_grace(world, 61)  # the root is read again within a minute
    [alert] = world.alerts()
    assert "`call-adult-minor`" in alert["text"]
    assert any("`recording-without-consent`" in m["text"] for m in world.thread(alert))
    assert {i.rule for i in world.incidents()} == {"call-adult-minor", "recording-without-consent"}


async def test_a_lost_join_is_repaired_by_the_sweep(world):
    dm = world.slack.add_dm(STAFF1, MINOR1)
    call = await world.slack.start_huddle(STAFF1, dm)
    await world.slack.join_huddle(MINOR1, call, deliver=False)
    await past_grace(world, 120)
    assert world.alerts() == [], "the app did not hear the join"

    await world.app.sweep()
    await world.settle()
    await past_grace(world)
    assert len(world.alerts_for("call-adult-minor")) == 1


async def test_a_restart_during_a_call_loses_nothing(world):
    dm = world.slack.add_dm(STAFF1, MINOR1)
    call = await world.slack.start_huddle(STAFF1, dm)
    await world.slack.join_huddle(MINOR1, call)
    await world.settle()
    await world.app.stop()
    world.engine.dispose()

    settings = Settings(bot_token=world.slack.bot_token, signing_secret=SIGNING_SECRET, api_url=world.slack.base_url)
    world.engine = storage.create_engine_from_url(str(world.engine.url))
    again = create_app(
        settings, engine=world.engine, timing=Timing(poll_every=0.05, probe_every=0.2), clock=world.clock
    )
    runner, world.slack.events_url = await serve_app(again)
    await again.start(background=False)
    world.app = again
    try:
        await past_grace(world)
        assert len(world.alerts_for("call-adult-minor")) == 1
    finally:
        await runner.cleanup()


async def test_a_connected_participant_shows_the_app_where_the_dm_call_is(world):
    """A connected member's token sees the DM's root: the alert says the call is in a direct message."""
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    call = await world.slack.start_huddle(STAFF1, dm)
    await world.slack.join_huddle(MINOR1, call)
    await past_grace(world)
    [alert] = world.alerts_for("call-adult-minor")
    assert "in a direct message" in alert["text"]
    [first, *_] = world.thread(alert)
    assert f"<@{STAFF1}> joined at" in first["text"] and f"<@{MINOR1}> joined at" in first["text"]


async def test_a_huddle_event_that_cannot_be_read_is_logged_and_counted_never_dropped_silently(world, caplog):
    await world.slack.deliver_event({"type": "user_huddle_changed", "user": "not-an-object", "event_ts": "1.0"})
    root_without_room = {"type": "message", "subtype": "huddle_thread", "channel": "C0GENERAL1", "ts": "2.0"}
    await world.slack.deliver_event(root_without_room)
    await world.settle()
    assert world.app.runtime.undecided["huddle"] == 2
    assert "user_huddle_changed without a usable user" in caplog.text
    assert "huddle root without a usable room" in caplog.text
    assert world.alerts() == []
