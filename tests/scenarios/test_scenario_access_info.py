"""A session's access information, end to end: its join link posted in a channel with someone not on the
roster reaches the alert channel and the poster is asked to delete it; the same link in the session's
own channel, and an ordinary message in a channel that is none of the program's business, do nothing
(the latter without a single Web API call)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from builders import ADMIN1, GENERAL, SESSION, SESSION_WINDOW, STAFF1, STRANGER, program
from scenario_world import BOT_USER

import storage

LINK = "https://mit.zoom.us/j/81234567890"
ACCESS = f"Zoom <{LINK}?pwd=Ab12Cd34Ef|Join> Passcode: 482913"
LOBBY = "C0LOBBY001"


@pytest.fixture
async def world(started):
    """The program's workspace with a live Zoom session, and a channel of the workspace that is none of
    the program's spaces, where a member of the staff talks with someone not on the roster."""

    def prepare(slack):
        slack.add_channel(LOBBY, name="maker-lobby", members=[BOT_USER, STAFF1, STRANGER])

    return await started(prog=program(sessions=(replace(SESSION_WINDOW, access_info=ACCESS),)), prepare=prepare)


async def test_a_join_link_posted_where_a_stranger_reads_it_is_alerted_and_the_poster_asked_to_delete_it(world):
    said = await world.slack.user_says(STAFF1, LOBBY, f"Tonight's session: <{LINK}|join here>")
    await world.settle()
    [alert] = world.alerts_for("access-info-shared")
    assert f"<@{STAFF1}>" in alert["text"] and f"<#{LOBBY}>" in alert["text"] and f"<#{SESSION}>" in alert["text"]
    assert "482913" not in alert["text"] and "Ab12Cd34Ef" not in alert["text"]
    [warning] = [m for m in world.direct_messages(STAFF1) if "delete" in m["text"]]
    assert "program staff, parents and participants" in warning["text"]
    [incident] = world.incidents("access-info-shared")
    assert incident.subject == f"{LOBBY}:{said['ts']}" and incident.people == (STAFF1,)


async def test_the_link_in_the_sessions_own_channel_is_where_it_belongs(world):
    await world.slack.user_says(STAFF1, SESSION, f"Starting now: {LINK}")
    await world.settle()
    assert world.alerts_for("access-info-shared") == []


async def test_an_ordinary_message_in_an_unrelated_channel_makes_no_web_api_call(world):
    world.slack.reset_calls()
    await world.slack.user_says(STRANGER, LOBBY, "anyone up for lunch at 12:30? room 4-231")
    await world.slack.user_says(STAFF1, LOBBY, "sure, and bring the 3D printer notes")
    await world.settle()
    assert world.slack.calls == []
    with storage.session_scope(world.engine) as session:
        assert storage.open_incidents(world.program.id, scope=LOBBY, session=session) == []


async def test_the_poster_deleting_the_message_is_told_in_the_alerts_thread(world):
    said = await world.slack.user_says(STAFF1, LOBBY, f"Passcode for tonight: 482913, link {LINK}")
    await world.settle()
    [alert] = world.alerts_for("access-info-shared")
    await world.slack.delete_message(LOBBY, said["ts"])
    await world.settle()
    [note] = [m for m in world.thread(alert) if "deleted" in m["text"]]
    assert "evidence recorded here stays" in note["text"]


async def test_a_session_scheduled_from_slack_is_watched_for_at_once(world):
    """Its markers are made again when the command changes the programs, not at the next reload."""
    await world.slack.user_says(STRANGER, LOBBY, "morning!")  # the workspace's markers are made now
    await world.settle()
    meet = "https://meet.google.com/abc-defg-hij"
    status, _ = await world.slack.slash_command(
        "/minors-session",
        text=f"<#{SESSION}|session-1> 2026-07-07T14:00-04:00 16:00 Meet {meet}",
        user_id=ADMIN1,
        channel_id=GENERAL,
    )
    assert status == 200
    await world.settle()
    await world.slack.user_says(STAFF1, LOBBY, f"tomorrow we're on {meet}")
    await world.settle()
    [alert] = world.alerts_for("access-info-shared")
    assert "2026-07-07T18:00" in alert["text"]
