"""Channels, end to end: who is in a program space and a private space with minors, and live
sessions with too few adults; remedies (invitations) and automatic resolution."""

from __future__ import annotations

from builders import ADMIN1, DLC, GENERAL, GUARD1, MINOR1, MINOR2, PENDING, SESSION, STAFF1, STAFF2, STRANGER
from scenario_world import BOT_USER

PROJECT = "C0PROJECT1"


async def test_a_private_channel_with_a_minor_gets_a_dlc_admin_and_the_guardian_invited(world):
    await world.slack.create_channel(PROJECT, name="project-x", creator=STAFF1, private=True, members=[STAFF1, MINOR1])
    await world.slack.user_joins(BOT_USER, PROJECT)  # someone adds the app
    await world.settle()

    [dlc_alert] = world.alerts_for("private-space-without-dlc-admin")
    [guardian_alert] = world.alerts_for("guardian-cannot-see")
    assert f"<#{PROJECT}>" in dlc_alert["text"] and f"<@{MINOR1}>" in guardian_alert["text"]
    invited = {c.params["users"] for c in world.slack.calls_to("conversations.invite") if c.ok}
    assert invited == {DLC, GUARD1}
    said = [m["text"] for m in world.slack.posted(channel=PROJECT)]
    assert any("DLC administrator" in t for t in said) and any("guardian" in t for t in said)


async def test_once_the_invited_people_are_in_the_incidents_resolve_themselves(world):
    await world.slack.create_channel(PROJECT, name="project-x", creator=STAFF1, private=True, members=[STAFF1, MINOR1])
    await world.slack.user_joins(BOT_USER, PROJECT)
    await world.settle()
    # The fake Slack adds invited members and announces them as Slack does.
    for user in (DLC, GUARD1):
        await world.slack.deliver_event(
            {"type": "member_joined_channel", "user": user, "channel": PROJECT, "channel_type": "G"}
        )
    await world.settle()
    assert {i.rule: i.status.value for i in world.incidents() if i.channel == PROJECT} == {
        "private-space-without-dlc-admin": "resolved",
        "guardian-cannot-see": "resolved",
    }
    [alert] = world.alerts_for("private-space-without-dlc-admin")
    assert any("Resolved" in m["text"] for m in world.thread(alert))


async def test_a_stranger_joining_a_program_channel_is_alerted(world):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    [alert] = world.alerts_for("unauthorized-member")
    assert f"<@{STRANGER}>" in alert["text"] and f"<#{GENERAL}>" in alert["text"]


async def test_an_uncleared_adult_joining_minors_is_alerted(world):
    await world.slack.user_joins(PENDING, GENERAL)
    await world.settle()
    [alert] = world.alerts_for("uncleared-adult")
    assert f"<@{PENDING}>" in alert["text"]


async def test_a_session_left_with_one_adult_is_alerted_then_resolved_when_a_second_returns(world):
    await world.slack.user_leaves(STAFF2, SESSION)
    await world.settle()
    [alert] = world.alerts_for("session-needs-two-adults")
    assert f"<#{SESSION}>" in alert["text"]
    assert any("two program adults" in m["text"] for m in world.slack.posted(channel=SESSION))

    await world.slack.user_joins(ADMIN1, SESSION)
    await world.settle()
    [incident] = world.incidents("session-needs-two-adults")
    assert incident.status.value == "resolved"
    assert any("condition gone" in m["text"] for m in world.thread(alert))


async def test_during_a_live_session_only_adults_online_count(world):
    world.slack.set_presence(STAFF2, "away")
    await world.app.scheduled_checks()
    await world.settle()
    [alert] = world.alerts_for("session-needs-two-adults")
    assert "online" in alert["text"]
    world.slack.set_presence(STAFF2, "active")
    world.clock.advance(minutes=5)
    world.app.runtime.presence_checked.clear()
    await world.app.scheduled_checks()
    await world.settle()
    assert world.incidents("session-needs-two-adults")[0].status.value == "resolved"


async def test_archiving_a_channel_settles_its_incidents(world):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    await world.slack.archive_channel(GENERAL)
    await world.settle()
    assert [i.status.value for i in world.incidents("unauthorized-member")] == ["resolved"]


async def test_a_benign_join_is_quiet(world):
    await world.slack.user_joins(STAFF1, SESSION)
    await world.slack.user_joins(MINOR2, GENERAL)
    await world.settle()
    assert world.alerts() == []
