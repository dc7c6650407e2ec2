"""What Slack refuses, end to end: removals and invitations that the workspace's settings or the kind
of account forbid. Each is tried once, never retried, and the administrators are told at once, in the
thread of the alert it belongs to, what to do by hand."""

from __future__ import annotations

from builders import (
    ADMIN1,
    ALERTS,
    GENERAL,
    GUARD1,
    GUARD2,
    MINOR1,
    MINOR2,
    MINOR3,
    NOW,
    SESSION,
    STAFF1,
    STRANGER,
    program,
)
from scenario_world import BOT_USER, TEAM
from test_scenario_commands import ask

import storage
from bot.access import Command
from fakeslack.workspace import ADMINS
from handlers.worker.queued import Kick, queue

PROJECT = "C0PROJECT1"
SHARED, PARTNER_PERSON = "C0SHARED01", "U0PARTNER1"


def nothing_left_to_retry(world) -> bool:
    with storage.session_scope(world.engine) as session:
        return storage.pending_count(session=session) == 0


def lockdown_alert(world) -> dict:
    [alert] = [m for m in world.alerts() if m["text"].startswith(":lock:")]
    return alert


def kicks(world, user: str) -> list:
    return [c for c in world.slack.calls_to("conversations.kick") if c.params["user"] == user]


def invitations(world, user: str) -> list:
    return [c for c in world.slack.calls_to("conversations.invite") if c.params["users"] == user]


async def private_project_with(world, *members: str) -> None:
    await world.slack.create_channel(PROJECT, name="project-x", creator=STAFF1, private=True, members=list(members))
    await world.slack.user_joins(BOT_USER, PROJECT)  # someone adds the app
    await world.settle()


async def test_a_lockdown_slack_will_not_carry_out_says_so_in_its_alert_at_once(world):
    """By Slack's default only workspace owners and admins remove people from public channels, and the
    app is neither: every removal is refused, once each, and the lockdown's alert says so."""
    world.slack.workspace.settings.remove_from_public_channels = ADMINS
    await world.slack.user_joins(STRANGER, SESSION)
    await world.settle()
    await ask(world, Command.LOCKDOWN, f"<#{SESSION}> zoom-bombing", user=ADMIN1)
    await world.settle()

    removing = (MINOR1, MINOR2, MINOR3, STRANGER)
    assert set(world.slack.conversations[SESSION].members) >= set(removing)  # nobody was removed
    for user in removing:
        [kick] = kicks(world, user)  # tried once, not eight times
        assert kick.error == "restricted_action"
    alert = lockdown_alert(world)
    replies = world.thread(alert)
    for user in removing:
        [told] = [m for m in replies if f"<@{user}>" in m["text"]]
        assert f"a workspace admin must remove <@{user}> from <#{SESSION}>" in told["text"]
        assert "only workspace owners and admins remove people from public channels" in told["text"]
    refreshed = world.slack.calls_to("chat.update")[-1].params
    assert refreshed["ts"] == alert["ts"] and "Slack refused to remove" in refreshed["text"]
    assert all(f"<@{u}>" in refreshed["text"] for u in removing)
    assert not [m for m in world.alerts() if "Could not remove" in m["text"]]  # nothing outside the thread
    assert nothing_left_to_retry(world)


async def test_someone_joining_a_locked_down_channel_slack_will_not_let_the_app_remove(world):
    world.slack.workspace.settings.remove_from_public_channels = ADMINS
    await ask(world, Command.LOCKDOWN, f"<#{SESSION}>", user=ADMIN1)
    await world.settle()
    await world.slack.user_joins(STRANGER, SESSION)
    await world.settle()
    [kick] = kicks(world, STRANGER)
    assert kick.error == "restricted_action"
    assert [m for m in world.thread(lockdown_alert(world)) if f"<@{STRANGER}>" in m["text"]]
    assert nothing_left_to_retry(world)


async def test_nobody_can_be_removed_from_general(world):
    world.slack.make_general(GENERAL)
    await ask(world, Command.LOCKDOWN, f"<#{GENERAL}>", user=ADMIN1)
    await world.settle()
    [kick] = kicks(world, MINOR1)
    assert kick.error == "cant_kick_from_general"
    [told] = [m for m in world.thread(lockdown_alert(world)) if f"<@{MINOR1}>" in m["text"]]
    assert "Slack lets nobody remove anyone from #general" in told["text"]
    assert nothing_left_to_retry(world)


async def test_a_lockdown_after_the_app_was_taken_out_of_the_channel(world):
    """`not_in_channel` means the app is not in the channel, or the person left already: the app
    looks, and tells only the first."""
    await ask(world, Command.LOCKDOWN, f"<#{SESSION}>", user=ADMIN1)
    world.slack.conversations[SESSION].members.remove(MINOR3)  # left on their own meanwhile
    world.slack.conversations[SESSION].members.remove(BOT_USER)  # and someone removed the app
    await world.settle()
    assert kicks(world, MINOR1)[0].error == "not_in_channel"
    replies = world.thread(lockdown_alert(world))
    [told] = [m for m in replies if f"<@{MINOR1}>" in m["text"]]
    assert f"Safe Contact is not a member of <#{SESSION}>" in told["text"]
    assert not [m for m in replies if f"<@{MINOR3}>" in m["text"]]  # gone already: nothing to do
    assert nothing_left_to_retry(world)


async def test_a_lockdown_of_another_organisations_channel_cannot_remove_its_people(started):
    """Slack Connect: people of another organisation can be removed only from channels this one hosts."""

    def prepare(slack):
        slack.add_external_user(PARTNER_PERSON, team_id="T0PARTNER1", name="Partner Person")
        slack.add_shared_channel(
            SHARED, name="robotics", host_team="T0PARTNER1", members=[BOT_USER, STAFF1, MINOR1, PARTNER_PERSON]
        )

    world = await started(program(channels=(GENERAL, SHARED)), prepare)
    await ask(world, Command.LOCKDOWN, f"<#{SHARED}>", user=ADMIN1)
    await world.settle()
    [kick] = kicks(world, PARTNER_PERSON)
    assert kick.error == "not_supported"
    [told] = [m for m in world.thread(lockdown_alert(world)) if f"<@{PARTNER_PERSON}>" in m["text"]]
    assert "only an admin of the organisation that owns" in told["text"]
    assert MINOR1 not in world.slack.conversations[SHARED].members  # the program's own minor is out
    assert nothing_left_to_retry(world)


async def test_a_guardian_who_is_a_single_channel_guest_is_not_retried_and_the_admins_learn_what_to_do(started):
    """Guardians are often single-channel guests: already in their one channel, Slack refuses to add
    them to another (`ura_max_channels`) however often it is asked."""
    world = await started(prepare=lambda slack: setattr(slack.users[GUARD1], "is_ultra_restricted", True))
    await private_project_with(world, STAFF1, MINOR1)

    [invitation] = invitations(world, GUARD1)
    assert invitation.error == "ura_max_channels"
    [alert] = world.alerts_for("guardian-cannot-see")
    [told] = [m for m in world.thread(alert) if f"<@{GUARD1}>" in m["text"]]
    assert f"<@{GUARD1}> is a single-channel guest" in told["text"]
    assert "make them a multi-channel guest" in told["text"] and f"<#{PROJECT}>" in told["text"]
    [incident] = world.incidents("guardian-cannot-see")
    with storage.session_scope(world.engine) as session:
        kinds = [e.kind for e in storage.incident_timeline(incident.id, session=session)]
    assert "action-failed" in kinds
    assert nothing_left_to_retry(world)


async def test_unlock_cannot_bring_back_someone_now_of_another_workspace_of_the_org(world):
    """On Enterprise Grid an account can leave this workspace for another of the organisation's while a
    session is closed: Slack then refuses to add it (`org_user_not_in_team`)."""
    await ask(world, Command.LOCKDOWN, f"<#{SESSION}>", user=ADMIN1)
    await world.settle()
    world.slack.workspace.enterprise_id = "E0ORG00001"
    moved = world.slack.users[MINOR3]
    moved.team_id, moved.enterprise_id = "T0OTHER001", "E0ORG00001"
    await ask(world, Command.UNLOCK, f"<#{SESSION}>", user=ADMIN1)
    await world.settle()
    [invitation] = invitations(world, MINOR3)
    assert invitation.error == "org_user_not_in_team"
    [told] = [m for m in world.thread(lockdown_alert(world)) if f"<@{MINOR3}>" in m["text"]]
    assert "not to this workspace" in told["text"] and "org admin" in told["text"]
    assert nothing_left_to_retry(world)


async def test_unlock_that_cannot_bring_a_guest_back_says_so_in_the_lockdowns_thread(started):
    """A multi-channel guest may be added to a public channel by an admin only (by default): the
    lockdown takes them out, and reopening cannot bring them back."""

    def prepare(slack):
        slack.users[GUARD2].is_restricted = True
        slack.conversations[SESSION].members.append(GUARD2)

    world = await started(prepare=prepare)
    await ask(world, Command.LOCKDOWN, f"<#{SESSION}>", user=ADMIN1)
    await world.settle()
    assert GUARD2 not in world.slack.conversations[SESSION].members
    await ask(world, Command.UNLOCK, f"<#{SESSION}>", user=ADMIN1)
    await world.settle()
    [invitation] = invitations(world, GUARD2)
    assert invitation.error == "user_is_restricted"
    [told] = [m for m in world.thread(lockdown_alert(world)) if f"<@{GUARD2}>" in m["text"]]
    assert f"<@{GUARD2}> is a guest" in told["text"] and f"<#{SESSION}>" in told["text"]
    assert {MINOR1, MINOR2, MINOR3} <= set(world.slack.conversations[SESSION].members)  # the others are back
    assert nothing_left_to_retry(world)


async def test_a_group_dm_cannot_be_locked_down_and_the_asker_learns_why_at_once(world):
    group = world.slack.add_group_dm([BOT_USER, STAFF1, MINOR1])
    answer = await ask(world, Command.LOCKDOWN, f"<#{group}>", user=ADMIN1)
    assert "Slack lets nobody remove anyone from one" in answer["text"]
    await world.settle()
    assert world.slack.calls_to("conversations.kick") == []
    with storage.session_scope(world.engine) as session:
        assert storage.active_lockdown(group, session=session) is None


async def test_a_removal_queued_before_kicks_named_their_lockdown_is_told_in_the_alert_channel(world):
    """Items stored by an earlier version name only the alert channel."""
    world.slack.workspace.settings.remove_from_public_channels = ADMINS
    with storage.session_scope(world.engine) as session:
        queue(Kick(channel=SESSION, user=MINOR1, alert_channel=ALERTS), team_id=TEAM, session=session, now=NOW)
    await world.settle()
    [told] = [m for m in world.alerts() if f"<@{MINOR1}>" in m["text"]]
    assert "a workspace admin must remove" in told["text"]
    assert nothing_left_to_retry(world)
