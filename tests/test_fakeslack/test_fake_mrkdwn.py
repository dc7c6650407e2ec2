"""The fake reads the app's mrkdwn as Slack does: whom a message notifies, which links it shows, and
that escaped text and `plain_text` objects do neither."""

from __future__ import annotations

from stand_in import bot

from fakeslack import FakeSlack
from fakeslack.mrkdwn import Link, read


def test_control_sequences_are_read_as_slack_reads_them():
    text = (
        "<!channel> <!here|here> <!everyone> <!group> <!subteam^S0ADMINS|@admins> <@U0ADMIN1> <@W0GRID1|x> "
        "<#C0GENERAL1|general> <!date^1783000000^{date}|2026> <https://evil.example|Click to verify> <mailto:a@b.c>"
    )
    shown = read("chat.postMessage", {"channel": "C0ALERTS01", "text": text})
    assert shown is not None and shown.channel == "C0ALERTS01"
    assert shown.broadcasts == ("channel", "here", "everyone", "channel")
    assert shown.usergroups == ("S0ADMINS",) and shown.notifies_everyone
    assert shown.users == ("U0ADMIN1", "W0GRID1")
    assert shown.links == (Link("https://evil.example", "Click to verify"), Link("mailto:a@b.c", ""))
    assert shown.links[0].disguised and not shown.links[1].disguised


def test_escaped_text_shows_as_written_and_does_nothing():
    shown = read("chat.postMessage", {"channel": "C1", "text": "&lt;!channel&gt; &lt;https://evil.example|x&gt;"})
    assert shown is not None and not (shown.broadcasts or shown.users or shown.links)


def test_blocks_mrkdwn_is_read_and_plain_text_is_not():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "<!channel> shown literally"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "hi <!here>"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "<@U1>"}]},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "<!everyone>"}}]},
    ]
    shown = read("chat.postMessage", {"channel": "C1", "text": "fallback", "blocks": blocks})
    assert shown is not None and shown.broadcasts == ("here",) and shown.users == ("U1",)
    view = read("views.publish", {"user_id": "U1", "view": {"type": "home", "blocks": blocks}})
    assert view is not None and view.broadcasts == ("here",)


def test_methods_that_show_no_text_are_not_read():
    assert read("conversations.kick", {"channel": "C1", "user": "U1"}) is None


async def test_the_fake_records_what_each_accepted_post_notified():
    async with FakeSlack() as slack:
        slack.add_channel("C0ALERTS01", name="alerts", members=[slack.bot_user_id])
        await bot(slack).chat_postMessage(channel="C0ALERTS01", text="<!here> look &lt;!channel&gt;")
        [shown] = slack.notified("C0ALERTS01")
        assert shown.method == "chat.postMessage" and shown.broadcasts == ("here",)
