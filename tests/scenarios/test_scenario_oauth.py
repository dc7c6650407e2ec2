"""Installing the app and connecting accounts through Slack's OAuth, against the fake Slack's
`oauth.v2.access`: a second workspace served from the same deployment with its own bot, a member
connecting in one click from App Home, tokens sealed at rest, and forged or replayed callbacks
refused."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from builders import MINOR1, STAFF1, STRANGER, person, program
from cryptography.fernet import Fernet
from scenario_world import start_world, stop_world
from sqlalchemy import inspect, text

import storage
from handlers.listeners.oauth import BOT_SCOPES, USER_SCOPES

KEY = Fernet.generate_key().decode()
TEAM, TEAM2 = "T0TEAM0001", "T0TEAM0002"
BOT2 = "U0SAFEBOT2"


@pytest.fixture
async def oauth_world(tmp_path):
    # With OAuth each program names its workspace (`serve` refuses one that does not).
    world, runner = await start_world(
        tmp_path, program(team_id=TEAM), sweep=False, client_id="1111.2222", client_secret="fake-client-secret"
    )
    world.app.runtime.connect_base_url = world.events_url.removesuffix("/slack/events")
    world.app.runtime.seal = storage.TokenSeal(KEY)
    await world.app.sweep()
    await world.settle()
    async with aiohttp.ClientSession() as browser:
        world.notes["browser"] = browser
        world.notes["base"] = world.events_url.removesuffix("/slack/events")
        try:
            yield world
        finally:
            await stop_world(world, runner)


async def open_link(world, path: str) -> tuple[str, str]:
    """A browser opens an install or connect link: where the app sends it, and the state cookie."""
    browser = world.notes["browser"]
    async with browser.get(world.notes["base"] + path, allow_redirects=False) as response:
        assert response.status == 302, await response.text()
        return response.headers["Location"], response.headers.get("Set-Cookie", "").split(";")[0]


async def come_back(world, code: str, state: str, cookie: str) -> int:
    """Slack sends the browser back to the app with the code and the state."""
    browser = world.notes["browser"]
    query = f"/slack/oauth_redirect?code={code}&state={state}"
    async with browser.get(world.notes["base"] + query, headers={"Cookie": cookie}, allow_redirects=False) as answer:
        return answer.status


async def test_a_second_workspace_installs_the_app_and_is_served_with_its_own_bot(oauth_world):
    world = oauth_world
    team2 = world.slack.add_team(TEAM2, bot_user_id=BOT2)
    team2.add_user("U0T2ADMIN1", name="Morgan", email="morgan@mit.edu")
    team2.add_user("U0T2ADMIN2", name="Noor", email="noor@mit.edu")
    team2.add_user("U0T2MINOR1", name="Ola", email="ola@example.org")
    team2.add_user("U0T2STRANG", name="Stranger Two", email="s2@example.com")
    team2.add_channel("C0T2ALERTS", name="alerts", private=True, members=[BOT2, "U0T2ADMIN1", "U0T2ADMIN2"])
    team2.add_channel("C0T2GENERL", name="general", members=[BOT2, "U0T2ADMIN1", "U0T2MINOR1"])
    roster = (
        person("Morgan", "program_admin", "U0T2ADMIN1", email="morgan@mit.edu"),
        person("Noor", "program_admin", "U0T2ADMIN2", email="noor@mit.edu"),
        person("Ola", "minor", "U0T2MINOR1", email="ola@example.org"),
    )
    second = replace(
        program(),
        id="camp-two",
        name="Camp Two",
        team_id=TEAM2,
        alert_channel="C0T2ALERTS",
        channels=("C0T2GENERL",),
        session_channels=(),
        sessions=(),
        roster=roster,
    )
    with storage.session_scope(world.engine) as session:
        storage.save_program(second, session=session)
    world.app.runtime.cache.invalidate()

    authorize, cookie = await open_link(world, f"/slack/install?team={TEAM2}")
    asked = parse_qs(urlsplit(authorize).query)
    assert set(asked["scope"][0].split(",")) == set(BOT_SCOPES)
    assert set(asked["user_scope"][0].split(",")) == set(USER_SCOPES) and asked["team"] == [TEAM2]
    code, state = team2.approve(authorize, "U0T2ADMIN1")
    assert await come_back(world, code, state, cookie) in (200, 302)

    with storage.session_scope(world.engine) as session:
        installed = storage.installation(TEAM2, seal=world.app.runtime.seal, session=session)
        sealed = session.exec(text("SELECT sealed_bot_token FROM installations")).scalar_one()
    assert installed is not None and installed.bot_user_id == BOT2
    assert installed.bot_token not in sealed  # encrypted at rest

    await world.app.scheduled_checks()  # a workspace not swept yet is swept first
    await world.settle()
    team2.events_url = world.slack.events_url
    await team2.user_joins("U0T2STRANG", "C0T2GENERL")
    await world.settle()
    [alert] = [m for m in team2.posted("C0T2ALERTS") if "`unauthorized-member`" in m["text"]]
    assert "U0T2STRANG" in alert["text"]
    posts = [c for c in world.slack.calls_to("chat.postMessage") if c.params.get("channel") == "C0T2ALERTS"]
    assert posts and all(c.token == installed.bot_token for c in posts)
    assert world.alerts() == []  # the first workspace's alert channel heard nothing of it

    await team2.uninstall()
    await world.settle()
    with storage.session_scope(world.engine) as session:
        assert storage.installation(TEAM2, seal=world.app.runtime.seal, session=session) is None
    assert TEAM2 not in world.app.runtime.teams()


async def test_a_member_connects_from_app_home_in_one_click_and_their_dms_are_watched(oauth_world):
    world = oauth_world
    await world.slack.open_home(MINOR1)
    await world.settle()
    home = world.slack.home_of(MINOR1)
    [connect] = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"] if e.get("url")]
    link = connect["url"]
    assert link.startswith(world.notes["base"] + "/slack/install?connect=1")

    authorize, cookie = await open_link(world, link.removeprefix(world.notes["base"]))
    asked = parse_qs(urlsplit(authorize).query)
    assert asked.get("scope", [""]) == [""]  # a member is asked for their own scopes only
    assert set(asked["user_scope"][0].split(",")) == set(USER_SCOPES)
    code, state = world.slack.approve(authorize, MINOR1)
    assert await come_back(world, code, state, cookie) in (200, 302)

    with storage.session_scope(world.engine) as session:
        assert MINOR1 in storage.connected_users("T0TEAM0001", session=session)
        tokens = storage.user_tokens("T0TEAM0001", seal=world.app.runtime.seal, session=session)
        stored = session.exec(text("SELECT sealed_token FROM user_tokens")).all()
    assert all(tokens[MINOR1] not in row[0] for row in stored)

    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hi Alex")
    await world.settle()
    assert len(world.alerts_for("dm-adult-minor")) == 1
    await world.slack.open_home(MINOR1)
    await world.settle()
    assert "Connect your account" not in json.dumps(world.slack.home_of(MINOR1))


async def test_unconnected_members_are_reminded_with_the_connect_button(oauth_world):
    world = oauth_world
    reminders = [m for m in world.direct_messages(STAFF1) if "connect your account" in m["text"].lower()]
    assert reminders
    [button] = [e for e in reminders[0]["blocks"][-1]["elements"] if e.get("url")]
    assert "/slack/install?connect=1&team=T0TEAM0001" in button["url"]


@pytest.mark.parametrize(
    "tampering", ["forged-state", "no-cookie", "replayed-code", "wrong-cookie", "altered-expiry", "expired"]
)
async def test_a_forged_or_replayed_callback_stores_nothing(oauth_world, tampering):
    world = oauth_world
    authorize, cookie = await open_link(world, "/slack/install?connect=1&team=T0TEAM0001")
    code, state = world.slack.approve(authorize, STRANGER)
    if tampering == "replayed-code":
        assert await come_back(world, code, state, cookie) in (200, 302)
        with storage.session_scope(world.engine) as session:
            storage.forget_user_tokens("T0TEAM0001", [STRANGER], session=session)
        status = await come_back(world, code, state, cookie)
    elif tampering == "forged-state":
        status = await come_back(world, code, "forged-state", cookie.replace(state, "forged-state"))
    elif tampering == "no-cookie":
        status = await come_back(world, code, state, "")
    elif tampering == "altered-expiry":  # a later expiry, the signature kept
        expires, rest = state.split(".", 1)
        altered = f"{int(expires) + 3600}.{rest}"
        status = await come_back(world, code, altered, cookie.replace(state, altered))
    elif tampering == "expired":
        world.clock.advance(minutes=11)
        status = await come_back(world, code, state, cookie)
    else:
        other, _ = await open_link(world, "/slack/install?connect=1")
        status = await come_back(world, code, state, cookie.replace(state, parse_qs(urlsplit(other).query)["state"][0]))
    assert 400 <= status < 500
    with storage.session_scope(world.engine) as session:
        assert STRANGER not in storage.connected_users("T0TEAM0001", session=session)


def row_counts(engine) -> dict[str, int]:
    """How many rows each table holds."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {table: connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one() for table in tables}


async def test_opening_the_install_link_stores_nothing_until_the_browser_comes_back(oauth_world):
    """Anyone may open the install link, as often as they like: it writes no row. The state that
    comes back is used once (any process can finish the flow), and only then is a row written."""
    world = oauth_world
    before = row_counts(world.engine)
    links = [await open_link(world, "/slack/install?connect=1&team=T0TEAM0001") for _ in range(30)]
    assert row_counts(world.engine) == before
    authorize, cookie = links[-1]
    code, state = world.slack.approve(authorize, STRANGER)
    assert await come_back(world, code, state, cookie) in (200, 302)
    with storage.session_scope(world.engine) as session:
        assert STRANGER in storage.connected_users("T0TEAM0001", session=session)


async def test_without_a_public_address_no_connect_link_is_offered(tmp_path):
    world, runner = await start_world(tmp_path, client_id="1111.2222", client_secret="fake-client-secret")
    try:
        await world.slack.open_home(MINOR1)
        await world.settle()
        assert "Connect your account" not in json.dumps(world.slack.home_of(MINOR1))
    finally:
        await stop_world(world, runner)


async def test_install_and_connect_links_need_oauth_configured(world):
    async with aiohttp.ClientSession() as browser:
        base = world.events_url.removesuffix("/slack/events")
        async with browser.get(base + "/slack/install", allow_redirects=False) as response:
            assert response.status in (404, 405)


async def test_a_connected_members_private_channel_without_the_app_is_read_with_the_scope_slack_requires(
    oauth_world,
):
    """Slack delivers the user event `message.groups` only through a token granted `groups:history`:
    a member connected through the app's own link, in a private channel the app is not in, is how a
    phone number shared with a minor there is seen."""
    world = oauth_world
    await world.slack.open_home(MINOR1)
    await world.settle()
    home = world.slack.home_of(MINOR1)
    [connect] = [e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"] if e.get("url")]
    authorize, cookie = await open_link(world, connect["url"].removeprefix(world.notes["base"]))
    code, state = world.slack.approve(authorize, MINOR1)
    assert await come_back(world, code, state, cookie) in (200, 302)

    hidden = world.slack.add_channel("C0HIDDEN01", name="study-group", private=True, members=[STAFF1, MINOR1])
    await world.slack.user_says(STAFF1, hidden, "text me at 617-555-0134 after class")
    await world.settle()
    assert len(world.alerts_for("off-platform-contact")) == 1
