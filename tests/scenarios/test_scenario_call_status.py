"""Live calls in status, end to end: `/minors-status` and App Home show a session's huddle with its
adults and minors, and say its two-adult check was measured in the call; a call elsewhere with a
minor (a DM) is shown to administrators and never to staff. A session that meets in its huddle is
measured by the call, so Slack is not asked who is online; one that meets at a Zoom link still is."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from builders import (
    ADMIN1,
    DLC,
    HUDDLE_ACCESS,
    MINOR1,
    MINOR2,
    MINOR3,
    PENDING,
    SESSION,
    SESSION_WINDOW,
    STAFF1,
    STAFF2,
    program,
)

from bot.access import Command

GRACE = 30
#: The session meets in its channel's huddle (its access information links to Slack).
IN_SLACK = replace(SESSION_WINDOW, access_info=HUDDLE_ACCESS)


async def ask(world, command: Command, text: str = "", *, user: str) -> str:
    """Everything the asker is finally told (the answer, or what followed through its response_url)."""
    status, body = await world.slack.slash_command(str(command), text=text, user_id=user, channel_id=SESSION)
    assert status == 200, body
    await world.app.runtime.followups.wait()
    followed = world.slack.responses_to(world.slack.deliveries[-1])
    answer = followed[-1] if followed else body
    return answer.get("text", "") + json.dumps(answer.get("blocks") or [])


async def home(world, user: str) -> str:
    assert await world.slack.open_home(user) == 200
    await world.settle()
    view = world.slack.home_of(user)
    assert view is not None
    return json.dumps(view)


async def session_huddle_and_a_dm_call(world) -> None:
    """Sam and Lee (facilitators) with Alex and Jo in #session-1's huddle, and facilitator Pending
    (background check not cleared) calling Kim in their DM, both for longer than the grace."""
    call = await world.slack.start_huddle(STAFF1, SESSION)
    for person in (STAFF2, MINOR1, MINOR2):
        await world.slack.join_huddle(person, call)
    dm = world.slack.add_dm(PENDING, MINOR3)
    dm_call = await world.slack.start_huddle(PENDING, dm)
    await world.slack.join_huddle(MINOR3, dm_call)
    await world.settle()
    world.clock.advance(seconds=GRACE + 90)
    await world.settle()


async def test_status_and_home_show_the_session_huddle_to_staff_and_admins_and_the_dm_call_to_admins_only(started):
    world = await started(prog=program(sessions=(IN_SLACK,)))
    await session_huddle_and_a_dm_call(world)
    session_line = f"Live call in <#{SESSION}>"
    adults = f"program adults 2 (<@{STAFF1}>, <@{STAFF2}>)"
    minors = f"minors 2 (<@{MINOR1}>, <@{MINOR2}>)"
    elsewhere = "Calls elsewhere with the program's minors"
    dm_call = f"minors 1 (<@{MINOR3}>); other roster people 1 (<@{PENDING}>)"

    for admin in (ADMIN1, DLC):
        overview = await ask(world, Command.STATUS, user=admin)
        assert session_line in overview and adults in overview and minors in overview, overview
        assert "measured in the call, 2 program adult(s) in it" in overview
        assert elsewhere in overview and dm_call in overview
        dashboard = await home(world, admin)
        assert session_line in dashboard and adults in dashboard and minors in dashboard
        assert elsewhere in dashboard and dm_call in dashboard

    staff = await ask(world, Command.STATUS, user=STAFF2)
    assert session_line in staff and adults in staff and minors in staff
    assert elsewhere not in staff and dm_call not in staff, "staff never see a call elsewhere"
    assert f"<@{PENDING}>)" not in staff
    assert "Live call" not in await home(world, STAFF2), "staff's Home is about them only"
    assert "Live call" not in await home(world, MINOR1)

    space = await ask(world, Command.STATUS, f"<#{SESSION}>", user=STAFF1)
    assert "measured in the call, 2 program adult(s) in it" in space and session_line in space
    assert "AI notes off" in space


async def test_a_session_left_in_its_huddle_by_one_adult_needs_one_more_in_status(started):
    world = await started(prog=program(sessions=(IN_SLACK,)))
    await session_huddle_and_a_dm_call(world)
    await world.slack.leave_huddle(STAFF2)
    await world.settle()
    space = await ask(world, Command.STATUS, f"<#{SESSION}>", user=ADMIN1)
    assert "measured in the call, 1 program adult(s) in it" in space and "needs 1 more" in space


@pytest.mark.parametrize(
    ("window", "asks_presence", "measure"),
    [
        pytest.param(IN_SLACK, False, "no call running yet", id="meets-in-slack"),
        pytest.param(SESSION_WINDOW, True, "by presence (the session runs outside Slack)", id="meets-at-a-zoom-link"),
    ],
)
async def test_presence_is_asked_only_for_a_live_session_that_meets_outside_slack(
    started, window, asks_presence, measure
):
    world = await started(prog=program(sessions=(window,)))
    space = await ask(world, Command.STATUS, f"<#{SESSION}>", user=ADMIN1)
    assert measure in space
    asked = world.slack.calls_to("users.getPresence")
    assert bool(asked) is asks_presence, [c.params for c in asked]
    if asks_presence:
        assert "active now: 2" in space
    else:
        assert "active now" not in space
