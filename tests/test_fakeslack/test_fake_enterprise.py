"""Where the app is installed, in what the fake Slack sends: a workspace on its own, a workspace of
an Enterprise Grid org, or the whole org. Each envelope, authorization, interaction payload and
`auth.test` answer has the fields Slack's Events API reference and Slack's own payloads show."""

from __future__ import annotations

import contextlib
import json
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient
from stand_in import stand_in_app

from fakeslack import FakeSlack

BOT = "U0SAFEBOT1"
TEAM = "T0TEAM0001"
ORG = "E0FAKEORG1"


@contextlib.asynccontextmanager
async def fake(**options: object):
    """The fake Slack with a stand-in app that records the bodies of what Slack sends it."""
    slack = FakeSlack(bot_user_id=BOT, team_id=TEAM, **options)  # type: ignore[arg-type]
    await slack.start()
    received: list[bytes] = []

    async def events(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response()

    slack.add_user("U0PERSON1", name="Person")
    slack.add_channel("C0MINE0001", name="mine", members=[BOT, "U0PERSON1"])
    try:
        async with stand_in_app(slack, events):
            yield slack, received
    finally:
        await slack.stop()


async def delivered_envelope(**options: object) -> dict:
    async with fake(**options) as (slack, received):
        await slack.user_says("U0PERSON1", "C0MINE0001", "hello")
        return json.loads(received[-1])


async def test_outside_grid_the_envelope_names_no_org():
    envelope = await delivered_envelope()
    assert "enterprise_id" not in envelope and "is_enterprise_install" not in envelope
    assert (envelope["team_id"], envelope["context_team_id"], envelope["context_enterprise_id"]) == (TEAM, TEAM, None)
    assert envelope["authorizations"] == [
        {"enterprise_id": None, "team_id": TEAM, "user_id": BOT, "is_bot": True, "is_enterprise_install": False}
    ]
    assert list(envelope) == [
        "token",
        "team_id",
        "context_team_id",
        "context_enterprise_id",
        "api_app_id",
        "event",
        "type",
        "event_id",
        "event_time",
        "authorizations",
        "is_ext_shared_channel",
        "event_context",
    ]


async def test_in_a_grid_workspace_the_envelope_and_authorization_name_the_org():
    envelope = await delivered_envelope(enterprise_id=ORG)
    assert (envelope["team_id"], envelope["enterprise_id"]) == (TEAM, ORG)
    assert (envelope["context_team_id"], envelope["context_enterprise_id"]) == (TEAM, ORG)
    assert envelope["authorizations"] == [
        {"enterprise_id": ORG, "team_id": TEAM, "user_id": BOT, "is_bot": True, "is_enterprise_install": False}
    ]


async def test_an_org_level_install_has_no_workspace_in_its_authorization():
    envelope = await delivered_envelope(enterprise_id=ORG, is_enterprise_install=True)
    assert (envelope["team_id"], envelope["enterprise_id"]) == (TEAM, ORG)  # where it happened
    assert (envelope["context_team_id"], envelope["context_enterprise_id"]) == (None, ORG)
    assert envelope["authorizations"] == [
        {"enterprise_id": ORG, "team_id": None, "user_id": BOT, "is_bot": True, "is_enterprise_install": True}
    ]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"is_enterprise_install": False}),
        ({"enterprise_id": ORG}, {"enterprise_id": ORG, "is_enterprise_install": False}),
        ({"enterprise_id": ORG, "is_enterprise_install": True}, {"enterprise_id": ORG, "is_enterprise_install": True}),
    ],
    ids=["workspace", "grid-workspace", "org-level"],
)
async def test_auth_test_says_where_the_token_is_installed(options, expected):
    async with fake(**options) as (slack, _):
        identity = (await AsyncWebClient(token=slack.bot_token, base_url=slack.base_url).auth_test()).data
        assert {k: identity.get(k) for k in ("enterprise_id", "is_enterprise_install") if k in identity} == expected
        assert identity["team_id"] == TEAM and identity["user_id"] == BOT
        team = (await AsyncWebClient(token=slack.bot_token, base_url=slack.base_url).team_info())["team"]
        assert team.get("enterprise_id") == expected.get("enterprise_id")


async def test_commands_and_button_presses_say_where_the_app_is_installed():
    async with fake(enterprise_id=ORG) as (slack, received):
        await slack.slash_command("/minors-help", user_id="U0PERSON1", channel_id="C0MINE0001")
        command = {k: v[0] for k, v in parse_qs(received[-1].decode()).items()}
        assert (command["enterprise_id"], command["is_enterprise_install"]) == (ORG, "false")
        await slack.block_action("U0PERSON1", "ack", "1", channel_id="C0MINE0001", message_ts="1.000001")
        payload = json.loads(parse_qs(received[-1].decode())["payload"][0])
        assert payload["enterprise"] == {"id": ORG, "name": "Fake Org"} and payload["is_enterprise_install"] is False
    async with fake() as (slack, received):
        await slack.slash_command("/minors-help", user_id="U0PERSON1", channel_id="C0MINE0001")
        command = {k: v[0] for k, v in parse_qs(received[-1].decode()).items()}
        assert "enterprise_id" not in command and command["is_enterprise_install"] == "false"
        await slack.submit_view("U0PERSON1", {"type": "modal", "blocks": []}, {})
        payload = json.loads(parse_qs(received[-1].decode())["payload"][0])
        assert payload["enterprise"] is None and payload["is_enterprise_install"] is False


async def test_installing_in_a_grid_workspace_names_the_org():
    async with fake(enterprise_id=ORG) as (slack, _):
        authorize = f"https://slack.com/oauth/v2/authorize?client_id={slack.client_id}&scope=chat:write"
        code, _ = slack.approve(authorize, "U0PERSON1")
        client = AsyncWebClient(base_url=slack.base_url)
        answer = await client.oauth_v2_access(client_id=slack.client_id, client_secret=slack.client_secret, code=code)
        assert answer["enterprise"] == {"id": ORG, "name": "Fake Org"} and answer["is_enterprise_install"] is False
        assert answer["team"]["id"] == TEAM
