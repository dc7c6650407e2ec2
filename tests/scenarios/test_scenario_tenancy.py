"""Tenancy over real HTTP: a program belongs to one workspace, and nobody's authority crosses one;
an administrator acts only on their own program's spaces, and a conversation two programs share is
acted on by its owners alone, keeping every owner's cleared adults.

Two worlds: one deployment serving two workspaces through OAuth, where the second workspace holds an
account carrying the email of an administrator the first program lists by email only; and one
workspace holding two programs, one of whose minors is in the other's session channel."""

from __future__ import annotations

import json
from dataclasses import replace

import aiohttp
import pytest
from builders import (
    ADMIN1,
    ADMIN2,
    ALERTS,
    DLC,
    GENERAL,
    GUARD1,
    MINOR1,
    SESSION,
    STAFF1,
    STAFF2,
    STRANGER,
    person,
    program,
)
from scenario_world import start_world, stop_world

import storage
from bot.access import Command, refusal
from handlers.slack.blocks import RESOLVE_ACTION
from handlers.slack.views import CONCERN_SHORTCUT, ROSTER_CALLBACK

TEAM2, BOT2 = "T0TEAM0002", "U0SAFEBOT2"
#: An account of the second workspace whose profile carries Blake's email (Blake, a program admin of
#: the first workspace's program, is on its roster by email only).
IMPOSTOR = "U0T2BLAKE1"
T2_CHANNEL = "C0T2GENERL"


# -- two workspaces --------------------------------------------------------------------------------


async def install(world, team, installer: str) -> None:
    """`installer` installs the app in `team` through the OAuth flow, as a browser does."""
    base = world.events_url.removesuffix("/slack/events")
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{base}/slack/install?team={team.team_id}", allow_redirects=False) as response:
            assert response.status == 302
            authorize, cookie = response.headers["Location"], response.headers["Set-Cookie"].split(";")[0]
        code, state = team.approve(authorize, installer)
        back = f"{base}/slack/oauth_redirect?code={code}&state={state}"
        async with browser.get(back, headers={"Cookie": cookie}, allow_redirects=False) as answer:
            assert answer.status in (200, 302)


@pytest.fixture
async def two_workspaces(tmp_path):
    """The first workspace's program names no workspace (as a one-workspace deployment may), and
    lists Blake by email only; a second workspace installed the app and holds an account with
    Blake's email."""
    roster = tuple(replace(p, slack_id=None) if p.slack_id == ADMIN2 else p for p in program().roster)
    world, runner = await start_world(
        tmp_path, program(roster=roster), sweep=False, client_id="1111.2222", client_secret="fake-client-secret"
    )
    world.slack.add_user(ADMIN2, name="Blake", email="blake@mit.edu")
    team2 = world.slack.add_team(TEAM2, bot_user_id=BOT2)
    team2.add_user("U0T2ADMIN1", name="Morgan", email="morgan@other.org")
    team2.add_user(IMPOSTOR, name="Blake", email="blake@mit.edu")
    team2.add_channel(T2_CHANNEL, name="general", members=[BOT2, "U0T2ADMIN1", IMPOSTOR])
    try:
        await install(world, team2, "U0T2ADMIN1")
        team2.events_url = world.slack.events_url
        await world.app.sweep()
        await world.settle()
        world.notes["team2"] = team2
        yield world
    finally:
        await stop_world(world, runner)


async def ask_in(world, team, command: Command, text: str = "", *, user: str, channel: str) -> str:
    """What the asker is finally told, in `team`."""
    status, body = await team.slash_command(str(command), text=text, user_id=user, channel_id=channel)
    assert status == 200, body
    await world.app.runtime.followups.wait()
    followed = world.slack.responses_to(world.slack.deliveries[-1])
    return (followed[-1] if followed else body)["text"]


async def test_another_workspaces_account_with_an_admins_email_is_nobody_here(two_workspaces):
    """The finding: it resolved the first workspace's incidents, saw the program overview and had
    `/minors-report` sent to itself."""
    world, team2 = two_workspaces, two_workspaces.notes["team2"]
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.settle()
    [incident] = world.incidents("unauthorized-member")

    texts = {
        Command.STATUS: "",
        Command.REPORT: "",
        Command.ROSTER: "",
        Command.LOCKDOWN: f"<#{SESSION}|session-1>",
        Command.UNLOCK: f"<#{SESSION}|session-1>",
        Command.CONSENT: f"<@{MINOR1}|alex> revoked",
        Command.SESSION: f"<#{SESSION}|session-1> 2026-07-07T14:00-04:00 16:00 Zoom 999",
    }
    for command, text in texts.items():
        told = await ask_in(world, team2, command, text, user=IMPOSTOR, channel=T2_CHANNEL)
        assert told == refusal(command), command
    await team2.block_action(IMPOSTOR, RESOLVE_ACTION, str(incident.id), in_home=True)
    await world.settle()
    await team2.open_home(IMPOSTOR)
    await world.settle()

    assert world.incidents("unauthorized-member")[0].status.value == "open"
    assert world.slack.views("views.open") == []  # no roster modal
    assert world.slack.calls_to("files.completeUploadExternal") == []  # no incident record sent
    assert "Splash" not in json.dumps(team2.home_of(IMPOSTOR))  # no dashboard
    with storage.session_scope(world.engine) as session:
        assert not [e for e in storage.audit_entries(session=session) if e.actor == IMPOSTOR]

    # Blake's own account, in the program's workspace, is still found by email.
    told = await ask_in(world, world.slack, Command.STATUS, user=ADMIN2, channel=GENERAL)
    assert told == "Where your programs stand."


async def test_another_workspaces_account_cannot_save_this_programs_roster(two_workspaces):
    """The roster form's submission names its program: from another workspace it changes nothing."""
    world, team2 = two_workspaces, two_workspaces.notes["team2"]
    form = {"type": "modal", "callback_id": ROSTER_CALLBACK, "private_metadata": world.program.id, "blocks": []}
    values = {"remove": {"value": {"type": "plain_text_input", "value": "lee@mit.edu"}}}
    status, body = await team2.submit_view(IMPOSTOR, form, values)
    assert status == 200 and "Only the program's administrators" in json.dumps(body)
    with storage.session_scope(world.engine) as session:
        assert "lee@mit.edu" in [p.email for p in storage.get_program(world.program.id, session=session).roster]


async def test_a_concern_in_another_workspace_does_not_reach_this_programs_administrators(two_workspaces):
    world, team2 = two_workspaces, two_workspaces.notes["team2"]
    message = await team2.user_says("U0T2ADMIN1", T2_CHANNEL, "see you all at 3")
    await team2.message_shortcut(IMPOSTOR, CONCERN_SHORTCUT, channel_id=T2_CHANNEL, message_ts=message["ts"])
    await world.settle()
    [modal] = world.slack.views("views.open")
    values = {"note": {"value": {"type": "plain_text_input", "value": "a note"}}}
    await team2.submit_view(IMPOSTOR, modal, values)
    await world.settle()
    posts = [c for c in world.slack.calls_to("chat.postMessage") if c.params.get("channel") == ALERTS]
    assert not [c for c in posts if "concern" in c.params.get("text", "")]
    dm = team2.add_dm(BOT2, IMPOSTOR)
    assert any("No program is set up in this workspace" in m["text"] for m in team2.posted(dm))


# -- two programs in one workspace -------------------------------------------------------------------

CAMP_ALERTS, CAMP_SPACE, SHARED = "C0CAMPALRT", "C0CAMPSPCE", "C0SHARED01"
CAMP_ADMIN1, CAMP_ADMIN2, CAMP_STAFF, CAMP_MINOR = "U0CADMIN1", "U0CADMIN2", "U0CSTAFF1", "U0CMINOR1"


def camp():
    """A second program in the same workspace, defined by its channels; one of its minors is in the
    first program's session channel."""
    return replace(
        program(),
        id="camp-b",
        name="Camp B",
        alert_channel=CAMP_ALERTS,
        channels=(CAMP_SPACE,),
        session_channels=(),
        sessions=(),
        roster=(
            person("Casey", "program_admin", CAMP_ADMIN1, email="casey@mit.edu"),
            person("Devon", "program_admin", CAMP_ADMIN2, email="devon@mit.edu"),
            person("Emery", "staff", CAMP_STAFF, email="emery@mit.edu"),
            person("Fin", "minor", CAMP_MINOR, email="fin@example.org"),
        ),
    )


@pytest.fixture
async def two_programs(tmp_path):
    world, runner = await start_world(tmp_path, sweep=False)
    second = camp()
    with storage.session_scope(world.engine) as session:
        storage.save_program(second, session=session)
    for p in second.roster:
        world.slack.add_user(p.slack_id, name=p.name, email=p.email)
    bot = world.slack.bot_user_id
    world.slack.add_channel(CAMP_ALERTS, name="camp-alerts", private=True, members=[bot, CAMP_ADMIN1, CAMP_ADMIN2])
    world.slack.add_channel(CAMP_SPACE, name="camp", members=[bot, CAMP_ADMIN1, CAMP_STAFF, CAMP_MINOR])
    world.slack.workspace.conversations[SESSION].members.append(CAMP_MINOR)
    world.slack.add_channel(
        SHARED,
        name="joint-club",
        private=True,
        members=[bot, DLC, STAFF1, STAFF2, MINOR1, GUARD1, CAMP_STAFF, CAMP_MINOR],
    )
    world.app.runtime.cache.invalidate()
    try:
        await world.app.sweep()
        await world.settle()
        yield world
    finally:
        await stop_world(world, runner)


def kicked(world, channel: str) -> set[str]:
    return {c.params["user"] for c in world.slack.calls_to("conversations.kick") if c.params["channel"] == channel}


async def test_another_programs_admin_cannot_lock_down_this_programs_session(two_programs):
    """The finding: Camp B's admin, whose minor is in Splash's session channel, locked it down and
    the app removed Splash's administrators, DLC admin, staff and minors."""
    world = two_programs
    told = await ask_in(
        world, world.slack, Command.LOCKDOWN, f"<#{SESSION}|session-1>", user=CAMP_ADMIN1, channel=GENERAL
    )
    await world.settle()
    assert "is a space of Splash 2026 Online, which you do not administer" in told
    assert kicked(world, SESSION) == set()
    with storage.session_scope(world.engine) as session:
        assert storage.active_lockdown(SESSION, session=session) is None

    told = await ask_in(
        world, world.slack, Command.UNLOCK, f"<#{SESSION}|session-1>", user=CAMP_ADMIN1, channel=GENERAL
    )
    assert "not locked down by a program you administer" in told


async def test_another_programs_admin_cannot_take_over_a_session_channel(two_programs):
    """The finding: `/minors-session` in Splash's session channel made it Camp B's."""
    world = two_programs
    text = f"<#{SESSION}|session-1> 2026-07-07T14:00-04:00 16:00 Zoom 999"
    told = await ask_in(world, world.slack, Command.SESSION, text, user=CAMP_ADMIN1, channel=GENERAL)
    assert "is a space of Splash 2026 Online, which you do not administer" in told
    with storage.session_scope(world.engine) as session:
        assert storage.get_program("camp-b", session=session).sessions == ()


async def test_a_session_in_a_channel_two_programs_share_is_refused(two_programs):
    world = two_programs
    text = f"<#{SHARED}|joint-club> 2026-07-07T14:00-04:00 16:00 Zoom 999"
    for admin in (CAMP_ADMIN1, ADMIN1):
        told = await ask_in(world, world.slack, Command.SESSION, text, user=admin, channel=GENERAL)
        assert "is shared by" in told and "Splash 2026 Online" in told and "Camp B" in told
    with storage.session_scope(world.engine) as session:
        assert all(
            not p.sessions or all(s.channel != SHARED for s in p.sessions)
            for p in storage.list_programs(session=session)
        )


async def test_a_lockdown_of_a_shared_conversation_keeps_every_programs_cleared_adults(two_programs):
    """No program declares the joint club, and both have a minor in it: either's admin may lock it
    down, but the other program's DLC admin and staff stay, its alert channel is told, and the
    lockdown's unlock brings back both programs' minors."""
    world = two_programs
    told = await ask_in(
        world, world.slack, Command.LOCKDOWN, f"<#{SHARED}|joint-club> worried", user=CAMP_ADMIN1, channel=GENERAL
    )
    await world.settle()
    assert ":lock:" in told
    assert kicked(world, SHARED) == {MINOR1, GUARD1, CAMP_MINOR}
    assert {DLC, STAFF1, STAFF2, CAMP_STAFF} <= set(world.slack.workspace.conversations[SHARED].members)
    assert [m for m in world.slack.posted(ALERTS) if "locked down" in m["text"] and SHARED in m["text"]]
    assert [m for m in world.slack.posted(CAMP_ALERTS) if "locked down" in m["text"] and SHARED in m["text"]]
    await world.slack.user_joins(CAMP_ADMIN2, SHARED)  # the other owner's cleared adult may come in
    await world.slack.user_joins(STRANGER, SHARED)
    await world.settle()
    assert CAMP_ADMIN2 not in kicked(world, SHARED) and STRANGER in kicked(world, SHARED)

    told = await ask_in(
        world, world.slack, Command.UNLOCK, f"<#{SHARED}|joint-club>", user=CAMP_ADMIN1, channel=GENERAL
    )
    await world.settle()
    assert ":unlock:" in told
    invited = {c.params["users"] for c in world.slack.calls_to("conversations.invite") if c.params["channel"] == SHARED}
    assert invited == {MINOR1, GUARD1, CAMP_MINOR}


async def test_an_admin_still_locks_down_their_own_space_with_another_programs_minor_in_it(two_programs):
    world = two_programs
    told = await ask_in(world, world.slack, Command.LOCKDOWN, f"<#{SESSION}|session-1>", user=ADMIN1, channel=GENERAL)
    await world.settle()
    assert ":lock:" in told and CAMP_MINOR in kicked(world, SESSION)
    assert {STAFF1, STAFF2} <= set(world.slack.workspace.conversations[SESSION].members)
