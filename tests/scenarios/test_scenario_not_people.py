"""Slackbot and other apps are nobody: what Slackbot posts (reminders, custom responses, the root of
a huddle it keeps editing) and what apps post are not a person's words, and Slackbot, which
users.list lists with `is_bot` false, is never a member, a speaker, a roster match or an account
"not on the roster"."""

from __future__ import annotations

from builders import ADMIN1, GENERAL, MINOR1, SESSION, STAFF1, STAFF2

from fakeslack import SLACKBOT_ID

CONTACT = "Reminder: the club's number is 617-555-0142, text it any time"


def stored_members(world, channel: str) -> frozenset[str]:
    conversation = world.app.runtime.cache.conversation(channel)
    assert conversation is not None
    return conversation.members


async def asked(world, command: str, text: str) -> str:
    """What an administrator running `command` in the session channel is finally told."""
    status, body = await world.slack.slash_command(command, text=text, user_id=ADMIN1, channel_id=SESSION)
    assert status == 200, body
    await world.app.runtime.followups.wait()  # an answer may follow through the response_url
    followed = world.slack.responses_to(world.slack.deliveries[-1])
    return str(followed[-1] if followed else body)


def about_slackbot(world) -> list[str]:
    """Whatever the app said, anywhere, that names Slackbot."""
    said = [m["text"] for m in world.slack.posted()] + [str(i.people) + i.summary for i in world.incidents()]
    return [text for text in said if SLACKBOT_ID in text]


async def test_what_slackbot_posts_in_a_channel_with_minors_is_nobodys_words(world):
    await world.slack.slackbot_posts(GENERAL, CONTACT)
    await world.slack.slackbot_posts(GENERAL, CONTACT, subtype="slackbot_response")
    await world.settle()
    assert world.alerts() == [] and world.incidents() == []
    assert SLACKBOT_ID not in stored_members(world, GENERAL)


async def test_slackbot_in_a_minors_slackbot_dm_is_no_adult_messaging_her(world):
    world.connect(MINOR1)
    dm = world.slack.add_dm(MINOR1, SLACKBOT_ID)
    await world.slack.slackbot_posts(dm, CONTACT)
    await world.settle()
    assert world.alerts() == [] and about_slackbot(world) == []


async def test_a_huddle_and_its_updates_are_not_slackbot_joining_or_speaking(world):
    root = await world.slack.huddle_starts(SESSION, by=STAFF1)
    await world.slack.huddle_changes(SESSION, root["ts"], participants=[STAFF1, MINOR1])
    await world.slack.huddle_changes(SESSION, root["ts"], participants=[], ended=True)
    await world.settle()
    assert SLACKBOT_ID not in stored_members(world, SESSION)
    assert world.alerts() == [] and about_slackbot(world) == []


async def test_an_edited_slackbot_message_is_not_a_person_editing_in_contact_details(world):
    message = await world.slack.slackbot_posts(GENERAL, "The quiz is on Tuesday")
    await world.slack.user_edits(SLACKBOT_ID, GENERAL, message["ts"], CONTACT)
    await world.settle()
    assert world.alerts() == [] and SLACKBOT_ID not in stored_members(world, GENERAL)


async def test_other_apps_posts_are_not_peoples_words(world):
    await world.slack.app_posts(GENERAL, CONTACT)  # a legacy integration's bot_message
    await world.slack.app_posts(GENERAL, CONTACT, bot_user="U0OTHERBOT")  # an app's bot user
    await world.settle()
    assert world.alerts() == [] and "U0OTHERBOT" not in stored_members(world, GENERAL)


async def test_slackbot_listed_as_a_member_is_neither_counted_nor_removed(started):
    def slackbot_everywhere(slack):
        for channel in (GENERAL, SESSION):
            slack.conversations[channel].members.append(SLACKBOT_ID)

    world = await started(prepare=slackbot_everywhere)
    assert SLACKBOT_ID not in stored_members(world, GENERAL) | stored_members(world, SESSION)
    status = await asked(world, "/minors-status", f"<#{SESSION}>")
    assert "Program adults present: 2" in status and "not on the roster" not in status.lower()
    locked = await asked(world, "/minors-lockdown", f"<#{SESSION}> checking")
    assert "Removing 3 member(s)" in locked  # the three minors; Slackbot is nobody to remove
    await world.settle()
    removed = {c.params["user"] for c in world.slack.calls_to("conversations.kick")}
    assert SLACKBOT_ID not in removed and STAFF2 not in removed and MINOR1 in removed
    assert about_slackbot(world) == [] and world.alerts_for("unauthorized-member") == []
