"""The fake keeps a post's metadata as Slack does (shown only to a reader who asks), and can answer a
post late after making it: a post whose answer the app never got is in the conversation all the same."""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from test_fake_matches_slacks_schemas import Inspector

from fakeslack import FakeSlack

BOT = "U0SAFEBOT1"
CHANNEL = "C0MINE0001"
MARK = {"event_type": "safe_contact_posted", "event_payload": {"key": "inbox-7"}}


@pytest.fixture
async def slack():
    fake = FakeSlack(bot_user_id=BOT)
    await fake.start()
    fake.add_user("U0PERSON1", name="Person 1", email="p1@example.org")
    fake.add_channel(CHANNEL, name="mine", members=[BOT, "U0PERSON1"])
    yield fake
    await fake.stop()


def bot(slack: FakeSlack, *, timeout: int = 30) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.base_url, timeout=timeout)


async def test_a_posts_metadata_is_given_only_to_a_reader_who_asks(slack):
    inspector = Inspector()
    inspector.watch(slack)
    client = bot(slack)
    posted = await client.chat_postMessage(channel=CHANNEL, text="hello", metadata=MARK)
    await client.chat_postMessage(channel=CHANNEL, text="a reply", thread_ts=posted["ts"], metadata=MARK)
    plain = (await client.conversations_history(channel=CHANNEL))["messages"]
    assert all("metadata" not in m for m in plain)
    full = (await client.conversations_history(channel=CHANNEL, include_all_metadata=True))["messages"]
    assert [m["metadata"] for m in full] == [MARK]
    thread = (await client.conversations_replies(channel=CHANNEL, ts=posted["ts"], include_all_metadata=True))[
        "messages"
    ]
    assert [m["metadata"] for m in thread] == [MARK, MARK]
    assert inspector.problems == []


@pytest.mark.parametrize(
    ("metadata", "error"),
    [("not json", "invalid_metadata_format"), ({"event_type": "x"}, "invalid_metadata_schema")],
)
async def test_malformed_metadata_is_refused_and_nothing_is_posted(slack, metadata, error):
    with pytest.raises(SlackApiError) as refused:
        await bot(slack).api_call("chat.postMessage", json={"channel": CHANNEL, "text": "x", "metadata": metadata})
    assert refused.value.response["error"] == error
    assert slack.posted(channel=CHANNEL) == []


async def test_a_post_answered_after_the_app_gave_up_is_in_the_channel(slack):
    slack.answer_latencies["chat.postMessage"] = 3.0
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        await bot(slack, timeout=1).chat_postMessage(channel=CHANNEL, text="accepted, never answered")
    [message] = slack.posted(channel=CHANNEL)
    assert message["text"] == "accepted, never answered"
