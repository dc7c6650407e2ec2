"""Direct messages and group DMs, end to end: the app sees them through connected accounts only,
and a DM between an adult and a minor reaches the alert channel with both people named."""

from __future__ import annotations

from builders import GUARD1, MINOR1, MINOR2, STAFF1, STAFF2
from scenario_world import BOT_USER


async def test_an_adult_messaging_a_minor_is_alerted_and_both_are_told(world):
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hey, how is the homework going?")
    await world.settle()

    [alert] = world.alerts_for("dm-adult-minor")
    assert f"<@{STAFF1}>" in alert["text"] and f"<@{MINOR1}>" in alert["text"]
    assert alert["blocks"][-1]["type"] == "actions"  # Acknowledge and Resolve
    assert "not allowed" in world.direct_messages(STAFF1)[-1]["text"]
    assert "You are not in trouble" in world.direct_messages(MINOR1)[-1]["text"]
    # The bot token was never used on the DM: the pair came from the event itself.
    assert not [c for c in world.slack.calls if c.params.get("channel") == dm]


async def test_more_messages_in_the_same_dm_do_not_alert_again(world):
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    for text in ("hi", "are you there?", "ok bye"):
        await world.slack.user_says(STAFF1, dm, text)
    await world.slack.user_says(MINOR1, dm, "hi!")
    await world.settle()
    assert len(world.alerts_for("dm-adult-minor")) == 1
    assert len(world.incidents("dm-adult-minor")) == 1


async def test_a_dm_seen_through_the_sender_is_resolved_with_their_token(world):
    world.connect(STAFF1)  # only the adult connected: the event comes through the sender
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hello")
    await world.settle()
    [alert] = world.alerts_for("dm-adult-minor")
    assert f"<@{MINOR1}>" in alert["text"]
    lookups = [c for c in world.slack.calls if c.params.get("channel") == dm]
    assert lookups and all(c.token != world.slack.bot_token for c in lookups)


async def test_two_minors_in_a_dm_get_a_reminder_not_a_reprimand(world):
    world.connect(MINOR1)
    dm = world.slack.add_dm(MINOR1, MINOR2)
    await world.slack.user_says(MINOR2, dm, "did you finish the lab?")
    await world.settle()
    [alert] = world.alerts_for("dm-between-minors")
    assert f"<@{MINOR1}>" in alert["text"] and f"<@{MINOR2}>" in alert["text"]
    for minor in (MINOR1, MINOR2):
        assert "program channels" in world.direct_messages(minor)[-1]["text"]


async def test_a_parent_messaging_their_own_child_is_not_an_incident(world):
    world.connect(MINOR1)
    dm = world.slack.add_dm(GUARD1, MINOR1)
    await world.slack.user_says(GUARD1, dm, "dinner at 6, call me 617-555-0142 if late")
    await world.settle()
    assert world.alerts() == []


async def test_a_group_dm_with_a_minor_is_alerted(world):
    world.connect(MINOR1)
    group = world.slack.add_group_dm([STAFF1, STAFF2, MINOR1])
    await world.slack.user_says(STAFF2, group, "quick question for you both")
    await world.settle()
    [alert] = world.alerts_for("group-dm-with-minor")
    assert f"<@{MINOR1}>" in alert["text"]
    assert "program channel" in world.direct_messages(STAFF2)[-1]["text"]


async def test_a_dm_between_people_who_never_connected_is_invisible_and_never_read(world):
    dm = world.slack.add_dm(STAFF1, MINOR1)
    world.slack.reset_calls()
    await world.slack.user_says(STAFF1, dm, "hello")
    await world.settle()
    assert world.alerts() == []
    assert not [c for c in world.slack.calls if c.params.get("channel") == dm]


async def test_the_apps_own_direct_messages_are_ignored(world):
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hello")
    await world.settle()
    calls = len(world.slack.calls)
    bot_dm = world.slack.add_dm(BOT_USER, MINOR1)
    await world.slack.deliver_event(
        {
            "type": "message",
            "channel": bot_dm,
            "user": BOT_USER,
            "text": "a warning",
            "ts": "1.000200",
            "channel_type": "im",
        }
    )
    await world.settle()
    assert len(world.slack.calls) == calls


async def test_a_sweep_finds_private_spaces_the_bot_is_not_in_through_a_connected_minor(world):
    world.slack.add_channel("C0HIDDEN01", name="hidden", private=True, members=[STAFF1, MINOR1])
    group = world.slack.add_group_dm([STAFF2, MINOR2, STAFF1])
    world.connect(MINOR1)
    world.connect(MINOR2)
    await world.app.sweep()
    await world.settle()
    [space] = world.alerts_for("private-space-without-dlc-admin")
    assert "<#C0HIDDEN01>" in space["text"]
    [mpim] = world.alerts_for("group-dm-with-minor")
    assert f"<@{MINOR2}>" in mpim["text"]
    hidden = [c for c in world.slack.calls_to("conversations.members") if c.params.get("channel") == "C0HIDDEN01"]
    assert hidden and all(c.token and c.token.startswith("xoxp-") for c in hidden)  # the minor's token, not the bot's
    assert group in {c.params.get("channel") for c in world.slack.calls_to("conversations.members")}
