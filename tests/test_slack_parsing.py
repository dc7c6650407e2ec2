"""Slack's JSON into the model: which installation received an event, who is external, files that
arrive as their id only, and which messages are a person's words (Slackbot's and apps' never are)."""

from __future__ import annotations

import pytest

from bot.model import SLACKBOT_ID
from fakeslack.workspace import User
from handlers.slack.parsing import (
    account_from_user,
    conversation_from_info,
    huddle_root,
    people_members,
    receiver,
    shared_file,
    spoken_message,
)

HOME, PARTNER = "T0HOME0001", "T0PARTNER1"


def test_the_workspace_is_the_installation_slack_named_not_the_outer_team():
    # A Slack Connect payload as Slack's SDK maintainers published it: the outer fields are the
    # other organisation's.
    envelope = {
        "team_id": PARTNER,
        "enterprise_id": "E0OTHERORG",
        "authorizations": [
            {"enterprise_id": None, "team_id": HOME, "user_id": "U0BOT", "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": True,
    }
    got = receiver(envelope)
    assert (got.team_id, got.enterprise_id, got.user_id, got.is_bot, got.authorized) == (
        HOME,
        None,
        "U0BOT",
        True,
        True,
    )


def test_without_authorizations_the_outer_team_is_used_and_said_so():
    for envelope in (
        {"team_id": HOME},
        {"team_id": HOME, "authorizations": []},
        {"team_id": HOME, "authorizations": [5]},
    ):
        got = receiver(envelope)
        assert got.team_id == HOME and not got.authorized and got.user_id is None
    odd = receiver({"team_id": HOME, "authorizations": [{"user_id": 5, "is_bot": "yes"}]})
    assert (odd.team_id, odd.user_id, odd.is_bot, odd.authorized) == (HOME, None, False, False)


def test_external_means_another_organisations_team_not_is_stranger_alone():
    visible = {"id": "U0EXT", "team_id": PARTNER, "is_stranger": False, "profile": {}}
    assert account_from_user(visible, HOME).is_external
    assert account_from_user(visible, HOME).team_id == HOME  # kept in this workspace's directory
    assert account_from_user({"id": "U0X", "is_stranger": True}, HOME).is_external
    assert not account_from_user({"id": "U0ME", "team_id": HOME}, HOME).is_external
    # Enterprise Grid: a member of this workspace whose home is another of the org's, or anyone of the org.
    grid = {"id": "U0ORG", "team_id": "T0SISTER01", "enterprise_user": {"enterprise_id": "E0ORG", "teams": [HOME]}}
    assert not account_from_user(grid, HOME).is_external
    other = {"id": "U0ORG2", "team_id": "T0SISTER01", "enterprise_user": {"enterprise_id": "E0ORG", "teams": []}}
    assert not account_from_user(other, HOME, enterprise_id="E0ORG").is_external
    assert account_from_user(other, HOME, enterprise_id="E0MINE").is_external


def test_a_file_given_by_id_only_is_marked_to_be_described():
    bare = {"id": "F1", "mode": "file_access", "file_access": "check_file_info", "created": 0, "user": ""}
    assert not shared_file(bare).described and shared_file(bare).id == "F1"
    full = shared_file({"id": "F2", "name": "a.mp4", "mimetype": "video/mp4", "filetype": "mp4"})
    assert full.described and full.mimetype == "video/mp4" and full.subtype == ""
    event = {"type": "message", "subtype": "file_share", "user": "U1", "channel": "C1", "ts": "1.0", "files": [bare]}
    message = spoken_message(event, bot_user_id="U0BOT")
    assert message is not None and [f.described for f in message.files] == [False]


def test_a_clip_recorded_in_slack_keeps_its_file_subtype():
    assert shared_file({"id": "F3", "subtype": "slack_audio", "mimetype": ""}).subtype == "slack_audio"
    assert shared_file({"id": "F4", "subtype": None}).subtype == ""


BOT = "U0SAFEBOT1"
PERSON = "U0PERSON01"


def said(user: str = PERSON, **fields: object) -> dict:
    return {"type": "message", "channel": "C0CHANNEL1", "user": user, "text": "hi", "ts": "1.000001", **fields}


def edited(message: dict) -> dict:
    return {"type": "message", "subtype": "message_changed", "channel": "C0CHANNEL1", "message": message}


def test_a_persons_message_and_their_edit_are_their_words():
    for event in (said(), said(subtype="thread_broadcast"), edited(said()), edited(said(subtype="file_share"))):
        message = spoken_message(event, bot_user_id=BOT)
        assert message is not None and message.user == PERSON


@pytest.mark.parametrize(
    "event",
    [
        said(SLACKBOT_ID),
        said(SLACKBOT_ID, subtype="slackbot_response"),
        edited(said(SLACKBOT_ID)),
        edited(said(SLACKBOT_ID, subtype="huddle_thread", room={"id": "R0HUDDLE01"})),
        edited(said(PERSON, subtype="huddle_thread")),  # a root is nobody's words, whoever it names
        edited(said(SLACKBOT_ID, subtype="tombstone", text="This message was deleted.")),
        edited(edited(said())),
        said(subtype="bot_message", bot_id="B0OTHER001"),
        said(bot_id="B0OTHER001"),
        said(bot_profile={"id": "B0OTHER001", "name": "Other"}),
        edited(said(bot_profile={"id": "B0OTHER001"})),
        said(BOT),
        said(user=None),
    ],
    ids=lambda e: str(e.get("subtype") or (e.get("message") or {}).get("subtype") or e.get("user")),
)
def test_what_slackbot_and_apps_post_is_nobodys_words(event):
    assert spoken_message(event, bot_user_id=BOT) is None


def test_slackbot_as_users_list_gives_it_is_not_a_person():
    account = account_from_user(User(SLACKBOT_ID, name="Slackbot").as_slack(), "T0TEAM0001")
    assert account.is_bot and account.email == "" and account.name == "Slackbot"


def test_slackbot_is_never_a_member():
    assert people_members([PERSON, SLACKBOT_ID, "", None]) == frozenset({PERSON})
    info = {"id": "C0CHANNEL1", "name": "general", "is_channel": True}
    assert conversation_from_info(info, [PERSON, SLACKBOT_ID]).members == frozenset({PERSON})


def test_a_roots_people_that_are_not_a_list_are_nobody_not_letters():
    room = {"id": "R0HUDDLE01", "date_start": 1783296000, "participants": "U0ALEX0001", "participant_history": 7}
    root = huddle_root(
        {"subtype": "huddle_thread", "user": SLACKBOT_ID, "ts": "1783296000.000100", "room": room}, "D0DM000001"
    )
    assert root is not None and root.participants == root.history == frozenset()
