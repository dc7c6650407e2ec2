"""What Slack really sends when a channel or a message changes, end to end: a channel made private is a
message in it (`channel_convert_to_private`), and the private-space rules judge it at once; a shared
private channel gets a new id (`channel_id_changed`), and everything the app knows about it follows;
a deleted message (`message_deleted`) is nobody's new words, and the evidence stays."""

from __future__ import annotations

import logging

from builders import ADMIN1, DLC, GENERAL, GUARD1, MINOR1, STAFF1, STAFF2, program
from scenario_world import BOT_USER, TEAM
from test_scenario_commands import ask

import storage
from bot.access import Command
from bot.model import ConversationKind, EnforcementMode

PROJECT = "C0PROJECT1"
OLD, NEW = "G0PROJECT1", "C0PROJECT1"


def invited(world) -> set[str]:
    return {c.params["users"] for c in world.slack.calls_to("conversations.invite") if c.ok}


def stored(world, channel: str):
    with storage.session_scope(world.engine) as session:
        return storage.get_conversation(channel, session=session)


# -- channel_convert_to_private ---------------------------------------------------------------------


async def test_a_channel_made_private_is_judged_as_a_private_space_at_once(world):
    await world.slack.create_channel(PROJECT, name="project-x", creator=STAFF1, members=[STAFF1, MINOR1])
    await world.slack.user_joins(BOT_USER, PROJECT)
    await world.settle()
    assert world.alerts_for("private-space-without-dlc-admin") == [] and invited(world) == set()

    await world.slack.convert_to_private(PROJECT, by=STAFF1)
    await world.settle()  # no sweep: the message itself says what the channel is now

    assert stored(world, PROJECT).kind is ConversationKind.PRIVATE_CHANNEL
    [dlc_alert] = world.alerts_for("private-space-without-dlc-admin")
    assert f"<#{PROJECT}>" in dlc_alert["text"]
    assert len(world.alerts_for("guardian-cannot-see")) == 1
    assert invited(world) == {DLC, GUARD1}


async def test_a_channel_made_public_again_settles_the_private_space_incidents(started):
    def prepare(slack):
        slack.add_channel(PROJECT, name="project-x", private=True, members=[BOT_USER, STAFF1, MINOR1])

    world = await started(program(mode=EnforcementMode.OBSERVE, channels=(GENERAL, PROJECT)), prepare)
    assert {i.rule for i in world.incidents() if i.is_open} >= {"private-space-without-dlc-admin"}
    await world.slack.convert_to_public(PROJECT, by=STAFF1)
    await world.settle()
    assert stored(world, PROJECT).kind is ConversationKind.PUBLIC_CHANNEL
    statuses = {i.rule: i.status.value for i in world.incidents() if i.channel == PROJECT}
    assert statuses["private-space-without-dlc-admin"] == "resolved"
    assert statuses["guardian-cannot-see"] == "resolved"


# -- channel_id_changed -------------------------------------------------------------------------------


def project_named_by_its_old_id(slack) -> None:
    slack.add_channel(OLD, name="project-x", private=True, members=[BOT_USER, STAFF1, STAFF2, MINOR1])


async def test_a_shared_private_channel_keeps_its_incidents_and_program_under_its_new_id(started, caplog):
    """In observe mode nobody is invited, so the private-space incidents stay open across the change."""
    world = await started(program(mode=EnforcementMode.OBSERVE, channels=(GENERAL, OLD)), project_named_by_its_old_id)
    before = {i.rule: i.id for i in world.incidents() if i.is_open and i.channel == OLD}
    assert {"private-space-without-dlc-admin", "guardian-cannot-see"} <= set(before)

    with caplog.at_level(logging.WARNING):
        await world.slack.change_channel_id(OLD, NEW)
        await world.settle()

    assert stored(world, OLD) is None and stored(world, NEW).members == {BOT_USER, STAFF1, STAFF2, MINOR1}
    with storage.session_scope(world.engine) as session:
        moved = {i.rule: i.id for i in storage.open_incidents(world.program.id, scope=NEW, session=session)}
    assert moved == before  # the same incidents, not new ones
    [watched] = world.app.runtime.cache.programs(TEAM)
    assert watched.channels == (GENERAL, NEW)
    [warning] = [m for m in world.alerts() if f"`{OLD}`" in m["text"]]
    assert f"<#{NEW}>" in warning["text"] and "program file" in warning["text"] and "channels" in warning["text"]
    assert any(OLD in r.getMessage() and "program file" in r.getMessage() for r in caplog.records)

    await world.slack.user_joins(DLC, NEW)  # a later check of the channel settles the moved incident
    await world.settle()
    [incident] = world.incidents("private-space-without-dlc-admin")
    assert incident.id == before["private-space-without-dlc-admin"] and incident.status.value == "resolved"


async def test_a_lockdown_holds_under_the_channels_new_id(started):
    world = await started(program(channels=(GENERAL, OLD)), project_named_by_its_old_id)
    await ask(world, Command.LOCKDOWN, f"<#{OLD}>", user=ADMIN1)
    await world.settle()
    assert MINOR1 not in world.slack.conversations[OLD].members
    await world.slack.change_channel_id(OLD, NEW)
    await world.settle()
    with storage.session_scope(world.engine) as session:
        assert storage.active_lockdown(NEW, session=session) is not None
        assert storage.active_lockdown(OLD, session=session) is None
    await world.slack.user_joins(MINOR1, NEW)
    await world.settle()
    assert MINOR1 not in world.slack.conversations[NEW].members  # taken straight out again
    answer = await ask(world, Command.UNLOCK, f"<#{NEW}>", user=ADMIN1)
    assert ":unlock:" in answer["text"]


async def test_a_new_id_for_a_channel_no_program_names_warns_nobody(started):
    def prepare(slack):
        slack.add_channel(OLD, name="project-x", private=True, members=[BOT_USER, STAFF1, MINOR1, DLC, GUARD1])

    world = await started(prepare=prepare)
    alerts = len(world.alerts())
    await world.slack.change_channel_id(OLD, NEW)
    await world.settle()
    assert stored(world, NEW) is not None and len(world.alerts()) == alerts


# -- message_deleted ------------------------------------------------------------------------------------


async def test_a_deleted_message_keeps_its_evidence_and_its_alert_is_told(world):
    said = await world.slack.user_says(STAFF1, GENERAL, "text me at (617) 555-0142 if you get stuck")
    await world.settle()
    [alert] = world.alerts_for("off-platform-contact")
    [incident] = world.incidents("off-platform-contact")
    with storage.session_scope(world.engine) as session:
        evidence = storage.incident_evidence(incident.id, session=session)
    warned = len(world.direct_messages(STAFF1))

    await world.slack.delete_message(GENERAL, said["ts"])
    await world.settle()

    [note] = [m for m in world.thread(alert) if "deleted" in m["text"]]
    assert "evidence recorded here stays" in note["text"]
    [still] = world.incidents("off-platform-contact")
    assert still.is_open and len(world.alerts_for("off-platform-contact")) == 1
    with storage.session_scope(world.engine) as session:
        assert storage.incident_evidence(incident.id, session=session) == evidence
        kinds = [e.kind for e in storage.incident_timeline(incident.id, session=session)]
    assert "message-deleted" in kinds
    assert len(world.direct_messages(STAFF1)) == warned  # the deletion is not said again


async def test_a_deleted_recording_is_noted_on_its_own_incident(world):
    shared = await world.slack.user_shares_file(
        STAFF1, GENERAL, name="session-1.mp4", mimetype="video/mp4", filetype="mp4"
    )
    await world.settle()
    [alert] = world.alerts_for("recording-without-consent")
    await world.slack.delete_message(GENERAL, shared["ts"])
    await world.settle()
    assert [m for m in world.thread(alert) if "deleted" in m["text"]]


async def test_a_deleted_ordinary_message_costs_nothing(world):
    said = await world.slack.user_says(MINOR1, GENERAL, "Can we go over problem 3 again?")
    await world.settle()
    before = world.incidents()
    world.slack.reset_calls()
    await world.slack.delete_message(GENERAL, said["ts"])
    await world.settle()
    assert world.slack.calls == [] and world.incidents() == before
