"""One authorization, chosen by Slack: an event names ONE installation that can see it, arbitrarily,
even where the bot is a member. When it names an account whose token the app lacks, the event is
judged through another token that can see the conversation, or with the members the event itself
proves; it is never dropped silently."""

from __future__ import annotations

import logging

import aiohttp
from builders import MINOR1, MINOR2, STAFF1, STAFF2

from fakeslack import FakeSlack

PRIVATE_ROOM = "C0PRIVROOM"


async def health(world) -> dict:
    async with (
        aiohttp.ClientSession() as client,
        client.get(world.events_url.replace("/slack/events", "/healthz")) as response,
    ):
        return await response.json()


def calls_on(world, channel: str) -> list:
    return [c for c in world.slack.calls if c.params.get("channel") == channel]


async def test_a_private_channel_seen_through_a_member_without_a_token_is_judged_with_the_bots(world):
    world.slack.add_channel(PRIVATE_ROOM, name="project-x", private=True, members=[STAFF1, MINOR1, "U0SAFEBOT1"])
    world.slack.connect_user(STAFF1)  # Slack holds STAFF1's installation; the app has no token for it
    said = await world.slack.user_says(MINOR1, PRIVATE_ROOM, "text me at 617-555-0142", authorization=STAFF1)
    await world.settle()

    assert world.delivery(said)["authorizations"][0]["user_id"] == STAFF1
    [alert] = world.alerts_for("off-platform-contact")
    assert f"<#{PRIVATE_ROOM}>" in alert["text"]
    reads = calls_on(world, PRIVATE_ROOM)
    assert reads and all(c.token == world.slack.bot_token for c in reads if c.method.startswith("conversations."))


async def test_a_group_dm_seen_through_an_observer_without_a_token_is_judged_with_the_members_it_proves(world, caplog):
    group = world.slack.add_group_dm([STAFF1, STAFF2, MINOR1])
    world.slack.connect_user(MINOR1)  # the only installation that can see it; its token is not the app's
    caplog.set_level(logging.WARNING)
    await world.slack.user_says(STAFF2, group, "quick question for you")
    await world.settle()

    [alert] = world.alerts_for("group-dm-with-minor")
    assert f"<@{MINOR1}>" in alert["text"] and f"<@{STAFF2}>" in alert["text"]
    assert not [c for c in calls_on(world, group) if c.token == world.slack.bot_token]  # never the bot on a DM
    # What needs every member (is a guardian in it?) could not be decided: said, counted, not guessed.
    assert world.alerts_for("guardian-cannot-see") == []
    assert any(r.levelno == logging.WARNING and group in r.getMessage() for r in caplog.records)
    assert (await health(world))["undecided"]["members"] == 1


async def test_a_group_dm_seen_through_an_observer_without_a_token_is_read_with_the_senders(world):
    group = world.slack.add_group_dm([STAFF1, MINOR1, MINOR2])
    world.slack.connect_user(MINOR1)  # Slack names MINOR1, whose token the app lacks
    world.connect(STAFF1)  # the sender connected: their token can read the whole group DM
    await world.slack.user_says(STAFF1, group, "see you both later", authorization=MINOR1)
    await world.settle()

    [alert] = world.alerts_for("group-dm-with-minor")
    assert f"<@{MINOR1}>" in alert["text"] and f"<@{MINOR2}>" in alert["text"]
    reads = calls_on(world, group)
    assert reads and all(c.token == "xoxp-fake-u0staff1" for c in reads)
    assert (await health(world))["undecided"]["members"] == 0


async def test_a_dm_whose_other_party_is_unknown_is_counted_as_undecided_not_dropped(world, caplog):
    dm = world.slack.add_dm(STAFF1, MINOR1)
    world.slack.connect_user(STAFF1)  # Slack names the sender himself; the app has no token for him
    caplog.set_level(logging.WARNING)
    await world.slack.user_says(STAFF1, dm, "hello", authorization=STAFF1)
    await world.settle()

    assert world.alerts() == []  # nothing is guessed in front of a parent
    assert (await health(world))["undecided"]["members"] == 1
    assert any(r.levelno == logging.WARNING and dm in r.getMessage() for r in caplog.records)


async def test_slack_may_name_a_connected_member_where_the_bot_is_one_too(world):
    world.slack.add_channel(PRIVATE_ROOM, name="project-x", private=True, members=["U0SAFEBOT1", STAFF1, MINOR1])
    world.connect(STAFF1)
    said = await world.slack.user_says(STAFF1, PRIVATE_ROOM, "call me at 617-555-0142", authorization="user")
    await world.settle()
    assert world.delivery(said)["authorizations"][0]["user_id"] == STAFF1
    assert len(world.alerts_for("off-platform-contact")) == 1


async def test_the_fakes_choice_of_authorization_is_arbitrary_and_reproducible():
    async def choices(seed: int) -> list[str]:
        slack = FakeSlack(authorization_seed=seed)
        for user in ("U0A", "U0B"):
            slack.add_user(user)
            slack.connect_user(user)
        slack.add_channel("C0ROOM", name="room", private=True, members=[slack.bot_user_id, "U0A", "U0B"])
        room = slack.conversations["C0ROOM"]
        return [slack._observer(room) or "" for _ in range(30)]

    first = await choices(7)
    assert first == await choices(7)  # the same seed, the same choices
    assert {"U0SAFEBOT1", "U0A", "U0B"} == set(first)  # a user is named even where the bot is a member
    public = FakeSlack()
    public.add_user("U0A")
    public.connect_user("U0A")
    public.add_channel("C0PUB", name="pub", members=[public.bot_user_id, "U0A"])
    # A public channel's message events reach the app through the bot only (no channels:history user scope).
    assert {public._observer(public.conversations["C0PUB"]) for _ in range(10)} == {public.bot_user_id}
