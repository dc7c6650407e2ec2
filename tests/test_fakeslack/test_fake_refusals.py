"""The fake refuses removals and invitations as Slack does, by the workspace's settings and the kind of
account, with the error codes of Slack's method reference; and it announces a channel made private, a
channel's new id and a deleted message the way Slack does."""

from __future__ import annotations

import pytest
from stand_in import bot, error_of, receiving_app

from fakeslack import FakeSlack
from fakeslack.workspace import ADMINS, EVERYONE_EXCEPT_GUESTS, OWNERS

BOT = "U0SAFEBOT1"
MEMBER, ADMIN, OWNER, GUEST, SOLO = "U0MEMBER01", "U0ADMIN001", "U0OWNER001", "U0GUEST001", "U0SOLO0001"


@pytest.fixture
async def slack():
    fake = FakeSlack(bot_user_id=BOT)
    await fake.start()
    fake.add_user(MEMBER, name="Member")
    fake.add_user(ADMIN, name="Admin", is_admin=True)
    fake.add_user(OWNER, name="Owner", is_owner=True)
    fake.add_user(GUEST, name="Guest", is_restricted=True)
    fake.add_user(SOLO, name="Solo", is_ultra_restricted=True)
    fake.add_channel("C0GENERAL1", name="general", members=[BOT, MEMBER, ADMIN, OWNER])
    fake.make_general("C0GENERAL1")
    fake.add_channel("C0PUBLIC01", name="public", members=[BOT, MEMBER, ADMIN, OWNER, SOLO])
    fake.add_channel("C0PRIVATE1", name="private", private=True, members=[BOT, MEMBER, ADMIN])
    fake.add_channel("C0NOBOT001", name="no-bot", members=[MEMBER])
    yield fake
    await fake.stop()


def as_user(slack: FakeSlack, user: str):
    from slack_sdk.web.async_client import AsyncWebClient

    return AsyncWebClient(token=slack.connect_user(user), base_url=slack.base_url)


async def test_by_default_only_owners_and_admins_remove_people_from_public_channels(slack):
    assert await error_of(bot(slack).conversations_kick(channel="C0PUBLIC01", user=MEMBER)) == "restricted_action"
    assert await error_of(as_user(slack, MEMBER).conversations_kick(channel="C0PUBLIC01", user=SOLO)) == (
        "restricted_action"
    )
    await as_user(slack, ADMIN).conversations_kick(channel="C0PUBLIC01", user=SOLO)
    assert SOLO not in slack.conversations["C0PUBLIC01"].members


async def test_by_default_any_member_and_the_bot_remove_people_from_private_channels(slack):
    await bot(slack).conversations_kick(channel="C0PRIVATE1", user=MEMBER)
    assert slack.conversations["C0PRIVATE1"].members == [BOT, ADMIN]


@pytest.mark.parametrize(
    ("setting", "allowed"),
    [
        pytest.param(EVERYONE_EXCEPT_GUESTS, {BOT, MEMBER, ADMIN, OWNER}, id="everyone-except-guests"),
        pytest.param(ADMINS, {ADMIN, OWNER}, id="admins"),
        pytest.param(OWNERS, {OWNER}, id="owners"),
    ],
)
async def test_the_workspace_setting_decides_who_may_remove(slack, setting, allowed):
    slack.workspace.settings.remove_from_public_channels = setting
    members = slack.conversations["C0PUBLIC01"].members
    for caller in (BOT, MEMBER, ADMIN, OWNER):
        client = bot(slack) if caller == BOT else as_user(slack, caller)
        members.append(GUEST)
        call = client.conversations_kick(channel="C0PUBLIC01", user=GUEST)
        if caller in allowed:
            await call
        else:
            assert await error_of(call) == "restricted_action", caller
            members.remove(GUEST)


async def test_removals_slack_never_allows(slack):
    slack.workspace.settings.remove_from_public_channels = EVERYONE_EXCEPT_GUESTS
    client = bot(slack)
    assert await error_of(client.conversations_kick(channel="C0GENERAL1", user=MEMBER)) == "cant_kick_from_general"
    dm = slack.add_dm(BOT, MEMBER)
    assert await error_of(client.conversations_kick(channel=dm, user=MEMBER)) == "method_not_supported_for_channel_type"
    group = slack.add_group_dm([BOT, MEMBER, ADMIN])
    assert await error_of(client.conversations_kick(channel=group, user=MEMBER)) == (
        "method_not_supported_for_channel_type"
    )
    assert await error_of(client.conversations_kick(channel="C0NOBOT001", user=MEMBER)) == "not_in_channel"
    assert await error_of(client.conversations_kick(channel="C0PUBLIC01", user=GUEST)) == "not_in_channel"
    assert await error_of(client.conversations_kick(channel="C0PUBLIC01", user=BOT)) == "cant_kick_self"
    assert await error_of(client.conversations_kick(channel="C0PUBLIC01", user="U0NOBODY01")) == "user_not_found"


async def test_people_of_another_organisation_are_removed_only_from_channels_this_one_hosts_by_admins(slack):
    slack.workspace.settings.remove_from_public_channels = EVERYONE_EXCEPT_GUESTS
    slack.add_external_user("U0PARTNER1", team_id="T0PARTNER1", name="Partner")
    slack.add_shared_channel("C0THEIRS01", name="theirs", host_team="T0PARTNER1", members=[BOT, ADMIN, "U0PARTNER1"])
    slack.add_channel("C0OURS0001", name="ours", members=[BOT, ADMIN, "U0PARTNER1"])
    client = bot(slack)
    assert await error_of(client.conversations_kick(channel="C0THEIRS01", user="U0PARTNER1")) == "not_supported"
    assert await error_of(client.conversations_kick(channel="C0OURS0001", user="U0PARTNER1")) == "restricted_action"
    await as_user(slack, ADMIN).conversations_kick(channel="C0OURS0001", user="U0PARTNER1")


async def test_a_single_channel_guest_already_in_their_channel_cannot_be_invited_to_another(slack):
    assert await error_of(bot(slack).conversations_invite(channel="C0PRIVATE1", users=SOLO)) == "ura_max_channels"
    slack.conversations["C0PUBLIC01"].members.remove(SOLO)
    await bot(slack).conversations_invite(channel="C0PRIVATE1", users=SOLO)  # their one channel now


async def test_a_multi_channel_guest_goes_into_private_channels_and_public_ones_by_admins_only(slack):
    await bot(slack).conversations_invite(channel="C0PRIVATE1", users=GUEST)
    assert await error_of(bot(slack).conversations_invite(channel="C0PUBLIC01", users=GUEST)) == "user_is_restricted"
    await as_user(slack, ADMIN).conversations_invite(channel="C0PUBLIC01", users=GUEST)
    assert GUEST in slack.conversations["C0PUBLIC01"].members


async def test_accounts_of_other_workspaces_cannot_be_invited(slack):
    slack.workspace.enterprise_id = "E0ORG00001"
    mate = slack.add_user("W0ORGMATE1", name="Org mate")  # of another workspace of the same org
    mate.team_id, mate.enterprise_id = "T0OTHER001", "E0ORG00001"
    slack.add_user("U0OUTSIDE1", name="Outsider").team_id = "T0ELSEWHR1"  # Slack Connect
    client = bot(slack)
    assert await error_of(client.conversations_invite(channel="C0PRIVATE1", users="W0ORGMATE1")) == (
        "org_user_not_in_team"
    )
    assert await error_of(client.conversations_invite(channel="C0PRIVATE1", users="U0OUTSIDE1")) == (
        "no_external_invite_permission"
    )


async def test_a_channel_made_private_says_so_with_a_message_of_a_private_channel(slack):
    async with receiving_app(slack) as received:
        await slack.convert_to_private("C0PUBLIC01", by=ADMIN)
        [delivery] = received
    event = delivery["event"]
    assert event["type"] == "message" and event["subtype"] == "channel_convert_to_private"
    assert event["channel"] == "C0PUBLIC01" and event["channel_type"] == "group" and event["user"] == ADMIN
    assert (await bot(slack).conversations_info(channel="C0PUBLIC01"))["channel"]["is_private"]


async def test_a_shared_private_channel_gets_a_new_id_and_only_apps_that_see_it_are_told(slack):
    slack.add_channel("G0OLDPRIV1", name="old-private", private=True, members=[BOT, MEMBER])
    slack.add_channel("G0UNSEEN01", name="unseen", private=True, members=[MEMBER])
    async with receiving_app(slack) as received:
        new = await slack.change_channel_id("G0OLDPRIV1")
        await slack.change_channel_id("G0UNSEEN01")
        [delivery] = received
    assert new == "C0OLDPRIV1"
    assert delivery["event"] == {**delivery["event"], "old_channel_id": "G0OLDPRIV1", "new_channel_id": new}
    assert await error_of(bot(slack).conversations_info(channel="G0OLDPRIV1")) == "channel_not_found"
    assert (await bot(slack).conversations_info(channel=new))["channel"]["name"] == "old-private"


async def test_a_deleted_message_comes_with_the_message_as_it_was(slack):
    async with receiving_app(slack) as received:
        said = await slack.user_says(MEMBER, "C0PUBLIC01", "call me")
        await slack.delete_message("C0PUBLIC01", said["ts"])
        deleted = received[-1]["event"]
    assert deleted["subtype"] == "message_deleted" and deleted["deleted_ts"] == said["ts"] and deleted["hidden"]
    assert deleted["previous_message"]["text"] == "call me" and deleted["previous_message"]["user"] == MEMBER
    assert slack.messages("C0PUBLIC01") == []
