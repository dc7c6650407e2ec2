"""What people say, end to end: contact details, hazardous activities and recordings reach the
alert channel; ordinary messages make no Web API call at all."""

from __future__ import annotations

from builders import GENERAL, MINOR1, MINOR2, STAFF1


async def test_a_benign_message_in_a_known_channel_makes_no_web_api_call(world):
    world.slack.reset_calls()
    for text in ("Can we go over problem 3 again?", "The quiz is on 7/14 at 3:30", "email sam@mit.edu"):
        await world.slack.user_says(MINOR1, GENERAL, text)
    await world.slack.user_says(STAFF1, GENERAL, "Great question! Order #5551234 ships Friday.")
    await world.settle()
    assert world.slack.calls == []


async def test_a_phone_number_shared_with_minors_is_alerted_and_the_sender_warned(world):
    await world.slack.user_says(STAFF1, GENERAL, "text me at (617) 555-0142 if you get stuck")
    await world.settle()
    [alert] = world.alerts_for("off-platform-contact")
    assert f"<@{STAFF1}>" in alert["text"] and f"<#{GENERAL}>" in alert["text"]
    assert "phone numbers" in world.direct_messages(STAFF1)[-1]["text"]


async def test_a_second_handle_from_the_same_person_goes_into_the_alerts_thread(world):
    await world.slack.user_says(MINOR1, GENERAL, "add me on snapchat: mina.codes")
    await world.settle()
    await world.slack.user_says(MINOR1, GENERAL, "or discord.gg/abcdef")
    await world.settle()
    [alert] = world.alerts_for("off-platform-contact")
    assert len(world.thread(alert)) == 1 and "Update" in world.thread(alert)[0]["text"]


async def test_an_edit_that_adds_contact_details_is_caught(world):
    message = await world.slack.user_says(MINOR2, GENERAL, "see you tomorrow")
    await world.slack.user_edits(MINOR2, GENERAL, message["ts"], "see you tomorrow, my number is 617-555-0199")
    await world.settle()
    assert len(world.alerts_for("off-platform-contact")) == 1


async def test_a_hazardous_home_activity_gets_a_thread_reply_naming_the_safety_contact(world):
    message = await world.slack.user_says(STAFF1, GENERAL, "Tonight, mix bleach and ammonia at home and note the fumes")
    await world.settle()
    replies = [m for m in world.slack.posted(channel=GENERAL) if m.get("thread_ts") == message["ts"]]
    assert len(replies) == 1 and "environment@mit.edu" in replies[0]["text"]
    assert len(world.alerts_for("hazardous-activity")) == 1


async def test_a_recording_where_a_minor_has_no_consent_is_alerted(world):
    await world.slack.user_shares_file(STAFF1, GENERAL, name="session-1.mp4", mimetype="video/mp4", filetype="mp4")
    await world.settle()
    [alert] = world.alerts_for("recording-without-consent")
    assert f"<@{STAFF1}>" in alert["text"]


async def test_a_clip_recorded_in_slack_is_a_recording_though_nothing_else_says_so(world):
    """A clip known only by Slack's file subtype: no media name, a generic mimetype and filetype."""
    await world.slack.user_shares_file(
        STAFF1, GENERAL, name="", mimetype="application/octet-stream", filetype="binary", subtype="slack_video"
    )
    await world.settle()
    [alert] = world.alerts_for("recording-without-consent")
    assert f"<@{STAFF1}>" in alert["text"]


async def test_a_photo_and_a_lesson_about_radiation_are_not_alarms(world):
    await world.slack.user_shares_file(MINOR1, GENERAL, name="my-poster.png", mimetype="image/png", filetype="png")
    await world.slack.user_says(STAFF1, GENERAL, "Today we studied radiation in class: alpha, beta and gamma.")
    await world.settle()
    assert world.alerts() == []
