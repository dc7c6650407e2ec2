"""The fake's huddles are Slack's, as an app observes them over real HTTP: a `huddle_thread` root only
whoever can see the conversation is sent and can read (kept current in its history), and each join
and leave announced through the bot with `user_huddle_changed` and `user_change` at the same moment,
the profile's `huddle_state` and call id changing with it."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from stand_in import bot, error_of, receiving_app, stand_in_app

from fakeslack import SLACKBOT_ID, DeliveryPolicy, FakeSlack

BOT = "U0SAFEBOT1"
ANA, BEN, CY = "U0PERSON1", "U0PERSON2", "U0PERSON3"
CHANNEL = "C0MINE0001"


@pytest.fixture
async def slack():
    fake = FakeSlack(bot_user_id=BOT, delivery=DeliveryPolicy(time_scale=0.001))
    await fake.start()
    for user, name in ((ANA, "Ana"), (BEN, "Ben"), (CY, "Cy")):
        fake.add_user(user, name=name, email=f"{name.lower()}@example.org")
    fake.add_channel(CHANNEL, name="mine", members=[BOT, ANA, BEN])
    async with stand_in_app(fake):  # takes what a test does not record with `receiving_app`
        yield fake
    await fake.stop()


def events(received: list[dict], *kinds: str) -> list[dict]:
    return [body for body in received if body.get("event", {}).get("type") in kinds]


def authorized_as(body: dict) -> str:
    [authorization] = body["authorizations"]
    return authorization["user_id"]


async def root_in_history(client: AsyncWebClient, channel: str, ts: str) -> dict:
    """The one message at `ts`, read as an app polls a huddle's root."""
    answer = await client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    [message] = answer["messages"]
    assert message["ts"] == ts
    return message


async def test_a_join_and_a_leave_are_each_two_events_through_the_bot_at_the_same_moment(slack):
    dm = slack.add_dm(ANA, BEN)
    async with receiving_app(slack) as received:
        call = await slack.start_huddle(ANA, dm)
        await slack.join_huddle(BEN, call)
        await slack.leave_huddle(BEN)
        await slack.flush()
    # The two of each moment are sent concurrently, so they may arrive in either order.
    changes = sorted(
        events(received, "user_huddle_changed", "user_change"),
        key=lambda b: (b["event"]["event_ts"], b["event"]["type"] != "user_huddle_changed"),
    )
    assert [(b["event"]["type"], b["event"]["user"]["id"]) for b in changes] == [
        ("user_huddle_changed", ANA),
        ("user_change", ANA),
        ("user_huddle_changed", BEN),
        ("user_change", BEN),
        ("user_huddle_changed", BEN),
        ("user_change", BEN),
    ]
    assert {authorized_as(b) for b in changes} == {BOT}
    assert all("channel" not in b["event"] for b in changes)  # workspace-wide: no conversation named
    for huddle_changed, user_change in zip(changes[::2], changes[1::2], strict=True):
        same = {k: v for k, v in huddle_changed["event"].items() if k != "type"}
        assert same == {k: v for k, v in user_change["event"].items() if k != "type"}
        assert isinstance(same["cache_ts"], int) and isinstance(same["event_ts"], str)
    joined, left = changes[2]["event"]["user"], changes[4]["event"]["user"]
    assert joined["name"] == "ben" and joined["team_id"] == slack.team_id
    assert joined["profile"]["huddle_state"] == "in_a_huddle"
    assert joined["profile"]["huddle_state_call_id"] == call and call[0] == "R" and call[1:].isdigit()
    assert joined["profile"]["huddle_state_expiration_ts"] == 0
    assert left["profile"]["huddle_state"] == "default_unset" and "huddle_state_call_id" not in left["profile"]


async def test_a_dm_huddles_root_is_only_a_connected_participants(slack):
    dm = slack.add_dm(ANA, BEN)
    async with receiving_app(slack) as received:
        unseen = await slack.start_huddle(ANA, dm)
        await slack.leave_huddle(ANA)
        ana = AsyncWebClient(token=slack.connect_user(ANA), base_url=slack.base_url)
        seen = await slack.start_huddle(BEN, dm)
        await slack.flush()
    [root_event] = events(received, "message")
    assert authorized_as(root_event) == ANA  # never the bot, and only once Ana had connected
    event = root_event["event"]
    assert event["subtype"] == "huddle_thread" and event["room"]["id"] == seen
    assert event["channel"] == dm and event["channel_type"] == "im" and event["event_ts"] == event["ts"]
    assert event["room"]["is_dm_call"] and event["room"]["channels"] == [dm]
    history = (await ana.conversations_history(channel=dm))["messages"]
    assert [m["room"]["id"] for m in history] == [seen, unseen]
    assert await error_of(bot(slack).conversations_history(channel=dm)) == "channel_not_found"


async def test_a_channel_huddles_root_is_sent_to_the_bot_and_kept_current_in_history(slack):
    async with receiving_app(slack) as received:
        call = await slack.start_huddle(ANA, CHANNEL)
        await slack.flush()
        [root_event] = events(received, "message")
        await slack.join_huddle(BEN, call)
        await slack.flush()
    assert authorized_as(root_event) == BOT
    assert events(received, "message") == [root_event]  # Slackbot's edits are no events by default
    event = root_event["event"]
    assert event["user"] == SLACKBOT_ID and event["text"] == "" and event["no_notifications"]
    assert event["channel_type"] == "channel" and event["room"]["participants"] == [ANA]
    root = await root_in_history(bot(slack), CHANNEL, event["ts"])
    room = root["room"]
    assert room["id"] == call and room["participants"] == [ANA, BEN] and room["participant_history"] == [ANA, BEN]
    assert set(room["participants_events"]) == {ANA, BEN} and room["participants_events"][BEN]["joined"]
    assert room["participants_events"][BEN]["user_team"] == slack.team_id
    assert room["created_by"] == ANA and room["channels"] == [CHANNEL] and not room["is_dm_call"]
    assert room["thread_root_ts"] == event["ts"] and isinstance(room["date_start"], int) and room["date_end"] == 0
    assert room["call_family"] == "huddle" and not room["has_ended"] and not room["is_scheduled"]
    assert room["huddle_link"] == f"https://app.slack.com/huddle/{slack.team_id}/{CHANNEL}"
    [replied] = (await bot(slack).conversations_replies(channel=CHANNEL, ts=event["ts"]))["messages"]
    assert replied["room"] == room
    assert slack.huddle_root(call) == root and slack.huddle(call) == room


async def test_what_the_app_reads_is_a_copy_of_the_root(slack):
    call = await slack.start_huddle(ANA, CHANNEL)
    root = await root_in_history(bot(slack), CHANNEL, slack.huddle_root(call)["ts"])
    root["room"]["participants"].append(CY)
    slack.huddle(call)["participants"].append(CY)
    assert slack.huddle(call)["participants"] == [ANA]


async def test_history_reads_one_message_by_its_ts_between_others(slack):
    before = await slack.user_says(ANA, CHANNEL, "before")
    call = await slack.start_huddle(ANA, CHANNEL)
    await slack.user_says(BEN, CHANNEL, "after")
    ts = slack.huddle_root(call)["ts"]
    assert (await root_in_history(bot(slack), CHANNEL, ts))["subtype"] == "huddle_thread"
    older = await bot(slack).conversations_history(channel=CHANNEL, latest=ts, limit=1)
    assert [m["ts"] for m in older["messages"]] == [before["ts"]]  # `latest` itself only if `inclusive`


async def test_root_updates_are_message_changed_events_when_the_fake_is_told_to(slack):
    slack.huddle_root_updates_as_events = True
    async with receiving_app(slack) as received:
        call = await slack.start_huddle(ANA, CHANNEL)
        await slack.join_huddle(BEN, call)
        await slack.flush()
    [root_event, changed] = [b["event"] for b in events(received, "message")]
    assert changed["subtype"] == "message_changed" and changed["hidden"] and changed["channel"] == CHANNEL
    assert changed["message"]["ts"] == root_event["ts"] and changed["message"]["room"]["participants"] == [ANA, BEN]
    assert changed["previous_message"]["room"]["participants"] == [ANA]


async def test_the_last_one_out_ends_the_huddle_and_its_root_stays(slack):
    call = await slack.start_huddle(ANA, CHANNEL)
    await slack.join_huddle(BEN, call)
    await slack.leave_huddle(ANA, call)
    assert not slack.huddle(call)["has_ended"] and slack.huddle(call)["participants"] == [BEN]
    await slack.leave_huddle(BEN)
    room = (await root_in_history(bot(slack), CHANNEL, slack.huddle_root(call)["ts"]))["room"]
    assert room["has_ended"] and room["date_end"] >= room["date_start"] > 0
    assert room["participants"] == [] and room["participant_history"] == [ANA, BEN]
    with pytest.raises(ValueError, match="ended"):
        await slack.join_huddle(CY, call)


async def test_users_list_and_info_carry_the_huddle_state(slack):
    call = await slack.start_huddle(ANA, CHANNEL)
    members = {u["id"]: u["profile"] for u in (await bot(slack).users_list())["members"]}
    assert members[ANA]["huddle_state"] == "in_a_huddle" and members[ANA]["huddle_state_call_id"] == call
    assert members[BEN]["huddle_state"] == "default_unset" and "huddle_state_call_id" not in members[BEN]
    assert members[BEN]["huddle_state_expiration_ts"] == 0
    await slack.leave_huddle(ANA)
    profile = (await bot(slack).users_info(user=ANA))["user"]["profile"]
    assert profile["huddle_state"] == "default_unset" and "huddle_state_call_id" not in profile


async def test_joining_another_huddle_leaves_the_first(slack):
    first = await slack.start_huddle(ANA, CHANNEL)
    await slack.join_huddle(BEN, first)
    second = await slack.start_huddle(BEN, slack.add_dm(BEN, CY))
    assert slack.huddle(first)["participants"] == [ANA]
    assert slack.users[BEN].huddle_state_call_id == second


async def test_without_delivery_the_state_changes_and_nothing_is_sent(slack):
    async with receiving_app(slack) as received:
        call = await slack.start_huddle(ANA, CHANNEL, call_id="R0123456789", deliver=False)
        await slack.join_huddle(BEN, call, deliver=False)
        await slack.leave_huddle(ANA, deliver=False)
        await slack.flush()
    assert received == [] and call == "R0123456789"
    assert slack.huddle(call)["participants"] == [BEN]
    profile = (await bot(slack).users_info(user=BEN))["user"]["profile"]
    assert profile["huddle_state"] == "in_a_huddle" and profile["huddle_state_call_id"] == call


async def test_nobody_outside_a_dm_is_in_its_huddle(slack):
    dm = slack.add_dm(ANA, BEN)
    call = await slack.start_huddle(ANA, dm)
    with pytest.raises(ValueError, match="not in"):
        await slack.join_huddle(CY, call)
    with pytest.raises(ValueError, match="not in"):
        await slack.start_huddle(CY, dm)
    assert slack.huddle(call)["participants"] == [ANA] and slack.users[CY].huddle_state == "default_unset"


async def test_ai_notes_are_in_the_rooms_recording_flags(slack):
    call = await slack.start_huddle(ANA, CHANNEL)
    assert slack.huddle(call)["recording"]["summary"] is False
    slack.set_huddle_notes(call, transcript=True, summary=True)
    recording = (await root_in_history(bot(slack), CHANNEL, slack.huddle_root(call)["ts"]))["room"]["recording"]
    assert recording["transcript"] and recording["summary"] and not recording["notetaking"]


async def test_huddle_events_count_toward_the_hourly_allowance(slack):
    dm = slack.add_dm(ANA, BEN)
    async with receiving_app(slack) as received:
        slack.fill_hourly_allowance()
        await slack.start_huddle(ANA, dm)
        await slack.flush()
    assert [b["type"] for b in received] == ["app_rate_limited"]
    limited = [d.kind for d in slack.event_deliveries if d.reason == "rate limited"]
    assert sorted(limited) == ["user_change", "user_huddle_changed"]


async def test_a_group_dm_huddle_is_a_dm_call_the_bot_hears_of_only_by_its_people(slack):
    group = slack.add_group_dm([ANA, BEN, CY])
    slack.connect_user(CY)
    async with receiving_app(slack) as received:
        call = await slack.start_huddle(BEN, group)
        await slack.flush()
    [root_event] = events(received, "message")
    assert authorized_as(root_event) == CY and root_event["event"]["channel_type"] == "mpim"
    assert root_event["event"]["room"]["is_dm_call"] and root_event["event"]["room"]["channels"] == [group]
    [huddle_changed] = events(received, "user_huddle_changed")
    assert authorized_as(huddle_changed) == BOT and huddle_changed["event"]["user"]["id"] == BEN
    assert huddle_changed["event"]["user"]["profile"]["huddle_state_call_id"] == call
