"""The fake Slack answers as Slack does, through the real slack_sdk client over HTTP: visibility by
token, paging, errors, rate limits and outages. The scenarios are only as good as this."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from stand_in import bot, error_of, receiving_app

from fakeslack import FakeSlack
from handlers.slack.api import web_client

BOT = "U0SAFEBOT1"


@pytest.fixture
async def slack():
    fake = FakeSlack(bot_user_id=BOT)
    await fake.start()
    for n in range(1, 6):
        fake.add_user(f"U0PERSON{n}", name=f"Person {n}", email=f"p{n}@example.org")
    fake.add_channel("C0PUBLIC01", name="public", members=["U0PERSON1"])
    fake.add_channel("C0MINE0001", name="mine", members=[BOT, "U0PERSON1"])
    fake.add_channel("C0SECRET01", name="secret", private=True, members=["U0PERSON1", "U0PERSON2"])
    yield fake
    await fake.stop()


async def test_a_bot_cannot_see_a_dm_or_private_channel_it_is_not_in(slack):
    dm = slack.add_dm("U0PERSON1", "U0PERSON2")
    client = bot(slack)
    for channel in (dm, "C0SECRET01"):
        assert await error_of(client.conversations_info(channel=channel)) == "channel_not_found"
        assert await error_of(client.conversations_members(channel=channel)) == "channel_not_found"
        assert await error_of(client.conversations_history(channel=channel)) == "channel_not_found"
    listed = {
        c["id"] for c in (await client.conversations_list(types="public_channel,private_channel,im,mpim"))["channels"]
    }
    assert listed == {"C0PUBLIC01", "C0MINE0001"}


async def test_a_connected_user_sees_their_own_dm_and_private_channel(slack):
    dm = slack.add_dm("U0PERSON1", "U0PERSON2")
    user = AsyncWebClient(token=slack.connect_user("U0PERSON1"), base_url=slack.base_url)
    info = (await user.conversations_info(channel=dm))["channel"]
    assert info["is_im"] and info["user"] == "U0PERSON2"
    assert set((await user.conversations_members(channel="C0SECRET01"))["members"]) == {"U0PERSON1", "U0PERSON2"}
    outsider = AsyncWebClient(token=slack.connect_user("U0PERSON3"), base_url=slack.base_url)
    assert await error_of(outsider.conversations_info(channel=dm)) == "channel_not_found"


async def test_public_history_needs_membership(slack):
    assert await error_of(bot(slack).conversations_history(channel="C0PUBLIC01")) == "not_in_channel"


async def test_users_list_pages_with_a_cursor(slack):
    client = bot(slack)
    seen, cursor, pages = [], None, 0
    while True:
        page = await client.users_list(limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [m["id"] for m in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 4 and len(seen) == len(set(seen)) == 7  # five people, the bot and Slackbot
    assert await error_of(client.users_list(cursor="not-a-cursor")) == "invalid_cursor"


async def test_slackbot_is_listed_as_slack_lists_it_not_as_a_bot(slack):
    members = {m["id"]: m for m in (await bot(slack).users_list())["members"]}
    slackbot = members["USLACKBOT"]
    assert (slackbot["name"], slackbot["real_name"], slackbot["is_bot"], slackbot["deleted"]) == (
        "slackbot",
        "Slackbot",
        False,
        False,
    )
    assert "email" not in slackbot["profile"] and slackbot["profile"]["always_active"] is True


async def test_errors_are_slacks(slack):
    client = bot(slack)
    assert await error_of(client.chat_postMessage(channel="C0PUBLIC01", text="hi")) == "not_in_channel"
    assert await error_of(client.chat_postMessage(channel="C0MINE0001")) == "no_text"
    assert await error_of(client.conversations_invite(channel="C0MINE0001", users="U0PERSON1")) == "already_in_channel"
    assert await error_of(client.conversations_invite(channel="C0PUBLIC01", users="U0PERSON2")) == "not_in_channel"
    assert await error_of(client.users_lookupByEmail(email="nobody@example.org")) == "users_not_found"
    assert await error_of(AsyncWebClient(token="xoxb-wrong", base_url=slack.base_url).auth_test()) == "invalid_auth"


async def test_a_post_to_a_user_lands_in_the_bots_dm_with_them_and_threads_work(slack):
    client = bot(slack)
    posted = await client.chat_postMessage(channel="U0PERSON4", text="hello", blocks=[{"type": "divider"}])
    assert posted["channel"] == slack.add_dm(BOT, "U0PERSON4")
    reply = await client.chat_postMessage(channel=posted["channel"], text="more", thread_ts=posted["ts"])
    assert reply["message"]["thread_ts"] == posted["ts"]
    assert slack.calls_to("chat.postMessage")[0].params["blocks"] == [{"type": "divider"}]
    assert [m["text"] for m in slack.posted(channel=posted["channel"])] == ["hello", "more"]


async def test_a_rate_limit_says_when_to_retry_and_the_app_client_waits_for_it(slack):
    slack.fail_next("auth.test", error="ratelimited", status=429, retry_after=1)
    with pytest.raises(SlackApiError) as caught:
        await bot(slack).auth_test()
    assert caught.value.response.status_code == 429 and caught.value.response.headers["Retry-After"] == "1"
    slack.fail_next("auth.test", error="ratelimited", status=429, retry_after=1)
    slack.fail_next("users.list", error="internal_error", status=503, times=2)
    client = web_client(slack.bot_token, slack.base_url)
    assert (await client.auth_test())["user_id"] == BOT
    assert (await client.users_list())["ok"]
    assert [c.ok for c in slack.calls_to("users.list")] == [False, False, True]


async def test_an_invitation_is_announced_as_a_join(slack):
    async with receiving_app(slack) as received:
        await bot(slack).conversations_invite(channel="C0MINE0001", users="U0PERSON3")
        assert await slack.flush()
        [delivery] = received
        assert delivery["event"] == {**delivery["event"], "type": "member_joined_channel", "user": "U0PERSON3"}
        assert delivery["authorizations"][0]["user_id"] == BOT


async def test_dm_events_reach_the_app_only_through_someone_who_connected(slack):
    async with receiving_app(slack) as received:
        dm = slack.add_dm("U0PERSON1", "U0PERSON2")
        await slack.user_says("U0PERSON1", dm, "unseen")
        assert received == []
        slack.connect_user("U0PERSON2")
        await slack.user_says("U0PERSON1", dm, "seen")
        [delivery] = received
        assert delivery["authorizations"][0] == {
            **delivery["authorizations"][0],
            "user_id": "U0PERSON2",
            "is_bot": False,
        }
        assert delivery["event"]["channel_type"] == "im"


async def test_an_external_member_is_in_the_channel_but_not_in_users_list_and_users_info_reads_them(slack):
    slack.add_external_user("U0OUTSIDE1", team_id="T0PARTNER1", name="Outside")
    slack.add_shared_channel("C0SHARED01", name="shared", host_team="T0PARTNER1", members=[BOT, "U0OUTSIDE1"])
    client = bot(slack)
    listed = [m["id"] for m in (await client.users_list())["members"]]
    assert "U0OUTSIDE1" not in listed and "U0PERSON1" in listed
    assert "U0OUTSIDE1" in (await client.conversations_members(channel="C0SHARED01"))["members"]
    user = (await client.users_info(user="U0OUTSIDE1"))["user"]
    assert user["team_id"] == "T0PARTNER1" and not user.get("is_stranger")
    info = (await client.conversations_info(channel="C0SHARED01"))["channel"]
    assert info["is_ext_shared"] and info["conversation_host_id"] == "T0PARTNER1"
    assert info["context_team_id"] == slack.team_id


async def test_a_shared_channels_events_carry_the_hosts_team_and_files_as_their_id_only(slack):
    slack.add_shared_channel("C0SHARED01", name="shared", host_team="T0PARTNER1", members=[BOT, "U0PERSON1"])
    async with receiving_app(slack) as received:
        await slack.user_shares_file("U0PERSON1", "C0SHARED01", name="a.mp4", mimetype="video/mp4", filetype="mp4")
        [delivery] = received
    assert delivery["team_id"] == "T0PARTNER1" and delivery["is_ext_shared_channel"]
    assert delivery["authorizations"][0]["team_id"] == slack.team_id
    [file] = delivery["event"]["files"]
    assert file["file_access"] == "check_file_info" and "name" not in file
    assert (await bot(slack).files_info(file=file["id"]))["file"]["mimetype"] == "video/mp4"


async def test_presence_of_someone_else_is_only_active_or_away(slack):
    slack.set_presence("U0PERSON2", "away")
    assert (await bot(slack).users_getPresence(user="U0PERSON2")).data == {"ok": True, "presence": "away"}
    assert (await bot(slack).users_getPresence(user="U0PERSON1")).data == {"ok": True, "presence": "active"}


async def test_ones_own_presence_says_how_it_was_reckoned(slack):
    own = AsyncWebClient(token=slack.connect_user("U0PERSON1"), base_url=slack.base_url)
    mine = (await own.api_call("users.getPresence", http_verb="GET")).data
    assert mine == {**mine, "presence": "active", "online": True, "auto_away": False, "manual_away": False}
    assert mine["connection_count"] >= 1 and isinstance(mine["last_activity"], int)
    slack.set_presence("U0PERSON1", "away")
    mine = (await own.users_getPresence(user="U0PERSON1")).data
    assert mine == {**mine, "presence": "away", "online": False, "connection_count": 0}
