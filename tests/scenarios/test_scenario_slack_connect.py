"""Slack Connect, end to end: a channel shared with another organisation. Its events carry the host
organisation's `team_id` at the top and the installation's in `authorizations`; its external
members are in no `users.list` and are read with `users.info`; its files arrive as an id only."""

from __future__ import annotations

from builders import GENERAL, MINOR1, MINOR2, STAFF1, STAFF2, STRANGER, program
from scenario_world import BOT_USER, TEAM
from sqlmodel import select

import storage
from storage.tables import InboxRow

PARTNER = "T0PARTNER1"
SHARED = "C0SHARED01"
EXTERNAL = "U0PARTNER1"


def shared_channel(slack, *members: str) -> None:
    slack.add_shared_channel(SHARED, name="robotics-with-partner", host_team=PARTNER, members=[BOT_USER, *members])


async def test_a_shared_channels_violation_alerts_though_its_outer_team_is_the_host_organisations(started):
    world = await started(program(team_id=TEAM), lambda slack: shared_channel(slack, STAFF1, MINOR1))
    said = await world.slack.user_says(STAFF1, SHARED, "text me at 617-555-0134 if you get stuck")
    await world.settle()

    assert world.delivery(said)["team_id"] == PARTNER  # what Slack sends, and why this once failed
    [alert] = world.alerts_for("off-platform-contact")
    assert f"<#{SHARED}>" in alert["text"]
    with storage.session_scope(world.engine) as session:
        assert storage.get_conversation(SHARED, session=session).team_id == TEAM


async def test_the_inbox_row_names_the_installation_that_received_the_event(started):
    world = await started(program(team_id=TEAM), lambda slack: shared_channel(slack, STAFF1, MINOR1))
    await world.slack.user_says(STAFF1, SHARED, "hello")  # stored; the worker has not run yet
    with storage.session_scope(world.engine) as session:
        stored = session.exec(select(InboxRow.team_id).where(InboxRow.status == "pending")).all()
    assert stored == [TEAM]


async def test_an_external_member_is_flagged_and_read_with_users_info_once(started):
    def prepare(slack):
        slack.add_external_user(EXTERNAL, team_id=PARTNER, name="Partner Person", email="pp@partner.example")
        shared_channel(slack, STAFF1, STAFF2, MINOR1)

    world = await started(program(team_id=TEAM, channels=(GENERAL, SHARED)), prepare)
    assert world.alerts() == []
    await world.slack.user_joins(EXTERNAL, SHARED)
    await world.settle()

    [alert] = world.alerts_for("unauthorized-member")
    assert f"<@{EXTERNAL}> (external account)" in alert["text"]
    # A second event in the channel, and a sweep that lists it again, read the account from the cache.
    world.slack.add_user("U0NEWCOMER", name="New", email="new@example.com")
    await world.slack.user_joins("U0NEWCOMER", SHARED)
    await world.app.sweep()
    await world.settle()
    reads = [c for c in world.slack.calls_to("users.info") if c.params.get("user") == EXTERNAL]
    assert len(reads) == 1
    with storage.session_scope(world.engine) as session:
        [stored] = [a for a in storage.list_accounts(TEAM, session=session) if a.id == EXTERNAL]
    assert stored.is_external


async def test_an_external_member_present_before_the_first_sweep_is_read_by_the_sweep(started):
    def prepare(slack):
        slack.add_external_user(EXTERNAL, team_id=PARTNER, name="Partner Person")
        shared_channel(slack, STAFF1, STAFF2, MINOR1, EXTERNAL)

    world = await started(program(team_id=TEAM, channels=(GENERAL, SHARED)), prepare)
    [alert] = world.alerts_for("unauthorized-member")
    assert f"<@{EXTERNAL}> (external account)" in alert["text"]
    assert len([c for c in world.slack.calls_to("users.info") if c.params.get("user") == EXTERNAL]) == 1


async def test_a_workspace_member_is_not_external_however_slack_spells_it(world):
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    [alert] = world.alerts_for("unauthorized-member")
    assert "external" not in alert["text"]


async def test_an_id_only_recording_in_a_shared_channel_is_read_with_files_info_and_judged(started):
    world = await started(program(channels=(GENERAL, SHARED)), lambda slack: shared_channel(slack, STAFF1, MINOR2))
    said = await world.slack.user_shares_file(
        STAFF1, SHARED, name="session-3.mp4", mimetype="video/mp4", filetype="mp4"
    )
    await world.settle()

    [sent] = world.delivery(said)["event"]["files"]
    assert sent.get("file_access") == "check_file_info" and "name" not in sent  # Slack sent the id only
    assert [c.params.get("file") for c in world.slack.calls_to("files.info")] == [sent["id"]]
    [alert] = world.alerts_for("recording-without-consent")
    assert f"<@{MINOR2}>" in alert["text"]
