"""Every answer the fake Slack gives is one Slack's own method reference allows: a success matches the
method's `output` JSON schema, an error is a code the method (or every method) may return. The
workload is the demo's program day (the real app against the fake) and direct calls, with good
arguments and with common mistakes, of every method the fake implements; a method added to the fake
without a call here fails the coverage check."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import jsonschema
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from stand_in import stand_in_app

import cli.demo
from fakeslack import FakeSlack
from fakeslack.reference import find_reference_dir
from fakeslack.web_api import METHODS

REFERENCE = find_reference_dir()
pytestmark = pytest.mark.skipif(REFERENCE is None, reason="Slack's method reference is not beside the project")

#: Answered outside the method table: authenticated by the app's client id and secret, or by its
#: app-level token, not by a workspace's token.
OUTSIDE_THE_TABLE = frozenset({"oauth.v2.access", "apps.connections.open"})

#: Errors every method may return; Slack documents them once, not with each method.
COMMON_ERRORS = frozenset(
    {
        "access_denied",
        "accesslimited",
        "account_inactive",
        "deprecated_endpoint",
        "ekm_access_denied",
        "enterprise_is_restricted",
        "fatal_error",
        "internal_error",
        "invalid_arg_name",
        "invalid_arguments",
        "invalid_array_arg",
        "invalid_auth",
        "invalid_charset",
        "invalid_form_data",
        "invalid_post_type",
        "is_bot",
        "method_deprecated",
        "missing_post_type",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
        "not_authed",
        "org_login_required",
        "ratelimited",
        "request_timeout",
        "service_unavailable",
        "team_access_not_granted",
        "team_added_to_org",
        "token_expired",
        "token_revoked",
        "two_factor_setup_required",
    }
)

_ID = {"type": "string"}
_TS = {"type": "string", "pattern": r"^\d+\.\d+$"}
_OBJECT = {"type": "object"}

#: The reference names shared objects (`{"schema": "user"}`) without defining them. Identifiers and
#: timestamps are strings (in Slack's formats), the objects objects with their id; any other name
#: is left open rather than guessed.
NAMED_SCHEMAS: dict[str, dict] = {
    "user_id": {"type": "string", "pattern": r"^[UW][A-Z0-9]+$"},
    "team_id": {"type": "string", "pattern": r"^[TE][A-Z0-9]+$"},
    "enterprise_id": {"type": "string", "pattern": r"^E[A-Z0-9]+$"},
    "app_id": {"type": "string", "pattern": r"^A[A-Z0-9]+$"},
    "bot_id": {"type": "string", "pattern": r"^B[A-Z0-9]+$"},
    "channel": {"type": "string", "pattern": r"^[CDG][A-Z0-9]+$"},
    "file_id": {"type": "string", "pattern": r"^F[A-Z0-9]+$"},
    "ts": _TS,
    "user": {**_OBJECT, "required": ["id"], "properties": {"id": {"$ref": "#/$defs/user_id"}}},
    "conversation": {
        **_OBJECT,
        "required": ["id", "created"],
        "properties": {"id": {"$ref": "#/$defs/channel"}, "created": {"type": "integer"}},
    },
    "message": {**_OBJECT, "required": ["type", "ts"], "properties": {"type": _ID, "ts": _TS}},
    "team": {**_OBJECT, "required": ["id"], "properties": {"id": {"$ref": "#/$defs/team_id"}}},
    "team-summary": {**_OBJECT, "required": ["id"], "properties": {"id": {"$ref": "#/$defs/team_id"}}},
    "information_barrier": {**_OBJECT, "required": ["id"]},
    "blocks": {"type": "array", "items": _OBJECT},
    "view": {**_OBJECT, "required": ["id", "type"]},
    "modal": {**_OBJECT, "required": ["id", "type"], "properties": {"type": {"const": "modal"}}},
    "publishable-view": {**_OBJECT, "required": ["id", "type"]},
    "home": _OBJECT,
    "response_metadata": _OBJECT,
}

#: Where the reference contradicts itself or Slack, by method and the JSON pointer of the part
#: concerned: a `oneOf` is read as `anyOf`, anything else is set aside.
ERRATA: dict[tuple[str, str], str] = {
    ("oauth.v2.access", "/properties/token_type/enum"): (
        "the schema allows only 'granular_bot'; the same file's examples, Slack's answers and slack_sdk say 'bot'"
    ),
    ("conversations.open", "/properties/channel/oneOf"): (
        "a full conversation object also matches the second choice, an object with an id, so no answer "
        "with return_im could ever pass 'exactly one'"
    ),
}


def reference(method: str) -> dict:
    assert REFERENCE is not None
    return json.loads((REFERENCE / f"{method}.json").read_text())


def output_schema(method: str) -> dict | None:
    """The method's `output` as standard JSON Schema (Draft 7): named objects resolved, errata set aside."""
    output = reference(method).get("output")
    if output is None:
        return None
    schema = _resolved(copy.deepcopy(output))
    for erratum_method, pointer in ERRATA:
        if erratum_method == method:
            *path, last = pointer.strip("/").split("/")
            node = schema
            for part in path:
                node = node[part]
            if last == "oneOf":
                node["anyOf"] = node.pop("oneOf")
            else:
                del node[last]
    schema["$defs"] = {name: _resolved(copy.deepcopy(named)) for name, named in NAMED_SCHEMAS.items()}
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


def _resolved(node: object, *, names: bool = False) -> object:
    """`{"schema": name}` as a reference to the named schema (or nothing, for a name not known)."""
    if isinstance(node, list):
        return [_resolved(n) for n in node]
    if not isinstance(node, dict):
        return node
    if names:  # the keys of `properties` are field names, not keywords
        return {k: _resolved(v) for k, v in node.items()}
    resolved = {k: _resolved(v, names=k in ("properties", "patternProperties")) for k, v in node.items()}
    name = resolved.pop("schema", None)
    if isinstance(name, str) and name in NAMED_SCHEMAS:
        resolved = {"allOf": [{"$ref": f"#/$defs/{name}"}], **resolved}
    return resolved


def method_errors(method: str) -> frozenset[str]:
    return frozenset(reference(method).get("errors") or ()) | COMMON_ERRORS


@dataclass
class Inspector:
    """Holds every answer to the reference as the fake sends it."""

    answers: int = 0
    problems: list[str] = field(default_factory=list)
    succeeded: set[str] = field(default_factory=set)
    failed: set[tuple[str, str]] = field(default_factory=set)

    def __call__(self, method: str, body: dict) -> None:
        self.answers += 1
        if body.get("ok"):
            self.succeeded.add(method)
            schema = output_schema(method)
            if schema is not None:
                for error in jsonschema.Draft7Validator(schema).iter_errors(body):
                    where = "/".join(str(p) for p in error.absolute_path) or "(the answer)"
                    self.problems.append(f"{method}: {where}: {error.message}")
        else:
            code = str(body.get("error"))
            self.failed.add((method, code))
            if code not in method_errors(method):
                self.problems.append(f"{method}: error {code!r} is not one the method returns")

    def watch(self, slack: FakeSlack) -> FakeSlack:
        slack.answer_watchers.append(self)
        return slack


BOT = "U0SAFEBOT1"
P1, P2, P3, P4 = "U0PERSON1", "U0PERSON2", "U0PERSON3", "U0PERSON4"
PUBLIC, MINE, SECRET, GROUP = "C0PUBLIC01", "C0MINE0001", "C0SECRET01", "C0GROUP001"


INSTALLS = {
    "workspace": {},
    "grid-workspace": {"enterprise_id": "E0FAKEORG1"},
    "org-level": {"enterprise_id": "E0FAKEORG1", "is_enterprise_install": True},
}


@pytest.fixture(params=list(INSTALLS))
async def slack(request) -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(bot_user_id=BOT, **INSTALLS[request.param])
    await fake.start()
    for n, person in enumerate((P1, P2, P3, P4), start=1):
        fake.add_user(person, name=f"Person {n}", email=f"p{n}@example.org")
    fake.add_channel(PUBLIC, name="public", members=[P1])
    fake.add_channel(MINE, name="mine", members=[BOT, P1])
    fake.add_channel(SECRET, name="secret", private=True, members=[P1, P2])
    fake.add_channel(GROUP, name="group", private=True, members=[BOT, P1])
    fake.add_usergroup("S0MINORS01", name="minors", users=[P3])
    fake.add_usergroup("S0ADULTS01", name="adults", users=[P1, P2])
    async with stand_in_app(fake):
        yield fake
    await fake.stop()


async def attempt(call: Awaitable) -> None:
    """A call expected to fail: the error's code is what the inspector looks at."""
    with contextlib.suppress(SlackApiError):
        await call


async def direct_workload(slack: FakeSlack) -> None:
    """Every method, as the app and its admins call them, then the mistakes they could make."""
    bot = AsyncWebClient(token=slack.bot_token, base_url=slack.base_url)
    user = AsyncWebClient(token=slack.connect_user(P1), base_url=slack.base_url)
    admin = AsyncWebClient(token=slack.org_admin_token(P2), base_url=slack.base_url)

    await bot.api_test(hello="world")
    await bot.auth_test()
    await user.auth_test()
    await bot.team_info()
    first = await bot.users_list(limit=2)
    await bot.users_list(limit=2, cursor=first["response_metadata"]["next_cursor"])
    await bot.users_info(user=P1)
    await bot.users_lookupByEmail(email="p2@example.org")
    await bot.users_getPresence(user=P1)
    await user.users_getPresence(user=P1)
    await bot.conversations_list(types="public_channel,private_channel", exclude_archived=True)
    await user.conversations_list(types="private_channel,mpim,im")
    await bot.users_conversations(user=P1)
    await bot.conversations_info(channel=MINE, include_num_members=True)
    await bot.conversations_members(channel=MINE)
    root = await bot.chat_postMessage(channel=MINE, text="Welcome", blocks=[{"type": "divider"}])
    await bot.chat_postMessage(channel=MINE, text="In the thread", thread_ts=root["ts"])
    await bot.chat_postMessage(channel=P3, text="A direct message")
    said = await user.chat_postMessage(channel=MINE, text="hello")
    await slack.user_says(P1, MINE, "and a message event")
    await slack.slackbot_posts(MINE, "Reminder: the quiz is on Tuesday")
    huddle = await slack.huddle_starts(MINE, by=P1)
    await slack.huddle_changes(MINE, huddle["ts"], participants=[P1, BOT])
    call = await slack.start_huddle(P1, MINE)
    await slack.join_huddle(P2, call)
    slack.set_huddle_notes(call, summary=True)
    await bot.users_info(user=P2)
    await slack.app_posts(MINE, "Build passed")
    await slack.app_posts(MINE, "Deployed", bot_user="U0OTHERBOT")
    await bot.conversations_history(channel=MINE)
    await bot.conversations_history(channel=MINE, latest=slack.huddle_root(call)["ts"], inclusive=True, limit=1)
    await attempt(bot.conversations_history(channel=MINE, latest="soon"))
    await bot.conversations_replies(channel=MINE, ts=root["ts"])
    await bot.chat_postEphemeral(channel=MINE, user=P1, text="Only you")
    await bot.chat_update(channel=MINE, ts=root["ts"], text="Welcome, all", blocks=[])
    await bot.chat_getPermalink(channel=MINE, message_ts=root["ts"])
    dm = (await bot.conversations_open(users=P4))["channel"]["id"]
    await bot.conversations_open(users=P4, return_im=True)
    await bot.conversations_open(users=f"{P3},{P4}")
    await user.conversations_info(channel=slack.add_dm(P1, P2))
    await bot.conversations_invite(channel=MINE, users=P2)
    await bot.conversations_invite(channel=GROUP, users=P2)
    await bot.conversations_kick(channel=GROUP, user=P2)  # the bot may remove people from private channels
    await bot.conversations_join(channel=PUBLIC)
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    await bot.views_publish(user_id=P1, view=home)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": []}
    await slack.slash_command("/minors-help", user_id=P1, channel_id=MINE)  # hands out a trigger_id
    trigger = slack.deliveries[-1].trigger_id
    opened = await bot.views_open(trigger_id=trigger, view=modal)
    await attempt(bot.views_open(trigger_id=trigger, view=modal))
    await attempt(bot.views_open(trigger_id="1.2.nothing", view=modal))
    await bot.views_update(view_id=opened["view"]["id"], view=modal)
    upload = await bot.files_getUploadURLExternal(filename="notes.txt", length=5)
    async with aiohttp.ClientSession() as http, http.post(upload["upload_url"], data=b"notes") as response:
        assert response.status == 200
    await bot.files_completeUploadExternal(files=[{"id": upload["file_id"], "title": "Notes"}], channel_id=MINE)
    await bot.files_info(file=upload["file_id"])
    await bot.usergroups_users_list(usergroup="S0MINORS01")
    created = await admin.admin_barriers_create(
        primary_usergroup_id="S0MINORS01",
        barriered_from_usergroup_ids=["S0ADULTS01"],
        restricted_subjects=["im", "mpim", "call"],
    )
    await admin.admin_barriers_list()
    await admin.admin_barriers_update(
        barrier_id=created["barrier"]["id"],
        primary_usergroup_id="S0MINORS01",
        barriered_from_usergroup_ids=["S0ADULTS01"],
        restricted_subjects=["im", "mpim", "call"],
    )
    await bot.chat_delete(channel=MINE, ts=root["ts"])

    # The mistakes.
    outsider = AsyncWebClient(token="xoxb-not-a-token", base_url=slack.base_url)
    await attempt(outsider.auth_test())
    await attempt(bot.users_info(user="U0NOBODY01"))
    await attempt(bot.users_lookupByEmail(email="nobody@example.org"))
    await attempt(bot.users_list(cursor="not-a-cursor"))
    await attempt(bot.conversations_list(types="everything"))
    await attempt(bot.conversations_info(channel=SECRET))
    await attempt(bot.conversations_members(channel="C0NOWHERE1"))
    await attempt(bot.conversations_history(channel=PUBLIC))
    await attempt(bot.conversations_replies(channel=MINE, ts="1.000001"))
    await attempt(bot.conversations_open(users=""))
    await attempt(bot.conversations_invite(channel=MINE, users=P1))
    await attempt(bot.conversations_invite(channel=MINE, users=BOT))
    await attempt(bot.conversations_invite(channel=dm, users=P1))
    await attempt(bot.conversations_kick(channel=MINE, user=BOT))
    await attempt(bot.conversations_kick(channel=GROUP, user=P3))
    await attempt(bot.conversations_kick(channel=MINE, user=P2))  # but not, by default, from public ones
    await attempt(bot.conversations_join(channel=dm))
    await attempt(bot.chat_postMessage(channel=PUBLIC, text="Hi"))
    await attempt(bot.api_call("chat.postMessage", json={"channel": MINE}))
    await attempt(bot.chat_postMessage(channel=MINE, text="Reply", thread_ts="1.000001"))
    await attempt(bot.chat_postEphemeral(channel=MINE, user=P4, text="Hi"))
    await attempt(bot.chat_update(channel=MINE, ts=said["ts"], text="Not mine"))
    await attempt(bot.chat_update(channel=MINE, ts="1.000001", text="Gone"))
    await attempt(bot.chat_delete(channel=MINE, ts=said["ts"]))
    await attempt(bot.chat_getPermalink(channel=MINE, message_ts="1.000001"))
    await attempt(bot.api_call("views.update", json={"view": {"type": "modal", "blocks": []}}))
    await attempt(bot.files_info(file="F0NOFILE01"))
    await attempt(bot.files_completeUploadExternal(files=[{"id": "F0NOFILE01"}]))
    await attempt(bot.usergroups_users_list(usergroup="S0NOGROUP1"))
    await attempt(bot.admin_barriers_list())
    await attempt(
        admin.admin_barriers_create(
            primary_usergroup_id="S0MINORS01", barriered_from_usergroup_ids=["S0ADULTS01"], restricted_subjects=["im"]
        )
    )
    await attempt(
        admin.admin_barriers_update(
            barrier_id="Ba0NONE001",
            primary_usergroup_id="S0MINORS01",
            barriered_from_usergroup_ids=["S0ADULTS01"],
            restricted_subjects=["im", "mpim", "call"],
        )
    )


async def app_level_workload(slack: FakeSlack) -> None:
    client = AsyncWebClient(base_url=slack.base_url)
    await client.apps_connections_open(app_token=slack.app_token)
    await attempt(client.apps_connections_open(app_token=slack.bot_token))
    await attempt(client.apps_connections_open(app_token="xapp-1-not-a-token"))


async def oauth_workload(slack: FakeSlack) -> None:
    authorize = (
        f"https://slack.com/oauth/v2/authorize?client_id={slack.client_id}&scope=chat:write&user_scope=im:history"
    )
    code, _ = slack.approve(authorize, P1)
    client = AsyncWebClient(base_url=slack.base_url)
    await client.oauth_v2_access(client_id=slack.client_id, client_secret=slack.client_secret, code=code)
    await attempt(client.oauth_v2_access(client_id=slack.client_id, client_secret=slack.client_secret, code=code))


class _WatchedFakeSlack(FakeSlack):
    """The demo's fake Slack, its answers held to the reference."""

    inspector: Inspector | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if _WatchedFakeSlack.inspector is not None:
            _WatchedFakeSlack.inspector.watch(self)


@contextlib.contextmanager
def watched_demo(inspector: Inspector, monkeypatch) -> Iterator[None]:
    monkeypatch.setattr(_WatchedFakeSlack, "inspector", inspector)
    monkeypatch.setattr(cli.demo, "FakeSlack", _WatchedFakeSlack)
    yield


async def test_every_answer_to_every_method_is_one_slacks_reference_allows(slack):
    inspector = Inspector()
    inspector.watch(slack)
    await direct_workload(slack)
    await oauth_workload(slack)
    await app_level_workload(slack)
    assert sorted(set(inspector.problems)) == []
    untried = sorted((set(METHODS) | OUTSIDE_THE_TABLE) - inspector.succeeded)
    assert untried == [], f"add a successful call of each to the workload: {untried}"
    assert len(inspector.failed) >= 25  # the mistakes were made, and answered


async def test_every_answer_to_the_app_on_the_demos_program_day_is_one_slacks_reference_allows(monkeypatch):
    inspector = Inspector()
    with watched_demo(inspector, monkeypatch):
        await cli.demo.program_day(io.StringIO())
    assert inspector.answers > 20 and len(inspector.succeeded) >= 8
    assert sorted(set(inspector.problems)) == []


def test_the_check_can_fail():
    inspector = Inspector()
    inspector("users.getPresence", {"ok": True, "online": True})
    inspector("conversations.members", {"ok": True, "members": ["not-a-user-id"]})
    inspector("chat.postMessage", {"ok": True, "channel": "C0ONE00001", "ts": "1.2", "message": {"ts": "1.2"}})
    inspector("chat.delete", {"ok": False, "error": "cant_update_message"})
    assert inspector.problems == [
        "users.getPresence: (the answer): 'presence' is a required property",
        "conversations.members: members/0: 'not-a-user-id' does not match '^[UW][A-Z0-9]+$'",
        "chat.postMessage: message: 'type' is a required property",
        "chat.delete: error 'cant_update_message' is not one the method returns",
    ]


def test_the_reference_is_where_the_check_expects_it():
    assert REFERENCE is not None and isinstance(REFERENCE, Path)
    for method in sorted(set(METHODS) | OUTSIDE_THE_TABLE):
        output_schema(method)  # each converts to a valid schema
