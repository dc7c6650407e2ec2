"""`bot.tenancy`, case by case: who owns a conversation, what import refuses, when a program must
name its workspace."""

from __future__ import annotations

from dataclasses import replace

import pytest
from builders import GENERAL, MINOR1, SESSION, STAFF1, person, program

from bot.model import Conversation, ConversationKind, Directory
from bot.tenancy import Sourced, claim_conflicts, owners, serves_several_workspaces, without_workspace

SPLASH = program()
CAMP = replace(
    program(),
    id="camp-b",
    name="Camp B",
    channels=("C0CAMPSPCE",),
    session_channels=(),
    sessions=(),
    roster=(person("Fin", "minor", "U0CMINOR1", email="fin@example.org"),),
)


def channel(channel_id: str, *members: str, team: str = "T0TEAM0001") -> Conversation:
    return Conversation(channel_id, ConversationKind.PRIVATE_CHANNEL, frozenset(members), team_id=team)


@pytest.mark.parametrize(
    ("conversation", "expected"),
    [
        pytest.param(channel(SESSION, STAFF1, MINOR1, "U0CMINOR1"), ["splash-2026"], id="declared-by-one"),
        pytest.param(channel("C0SHARED01", MINOR1, "U0CMINOR1"), ["splash-2026", "camp-b"], id="shared-by-minors"),
        pytest.param(channel("C0CLUB0001", "U0CMINOR1", STAFF1), ["camp-b"], id="one-programs-minor"),
        pytest.param(channel("C0NOBODY01", STAFF1), [], id="nobodys"),
    ],
)
def test_owners(conversation, expected):
    directories = [Directory(SPLASH), Directory(CAMP)]
    assert [d.program.id for d in owners(directories, conversation)] == expected


def test_a_program_claiming_its_workspace_owns_every_channel_of_it_and_no_other():
    whole = Directory(replace(SPLASH, team_id="T0TEAM0001"))
    assert owners([whole, Directory(CAMP)], channel("C0ANY00001", "U0CMINOR1")) == [whole]
    assert owners([whole], channel("C0ANY00001", team="T0OTHER001")) == []


def sourced(*programs):
    return [Sourced(p, f"{p.id}.toml") for p in programs]


@pytest.mark.parametrize(
    ("programs", "expected"),
    [
        pytest.param(sourced(SPLASH, CAMP), [], id="apart"),
        pytest.param(
            sourced(SPLASH, replace(CAMP, channels=(GENERAL,))),
            ["splash-2026.toml and camp-b.toml: channel 'C0GENERAL1' is a space of both"],
            id="same-channel",
        ),
        pytest.param(
            sourced(SPLASH, replace(CAMP, sessions=SPLASH.sessions)),
            ["channel 'C0SESSION1' is a space of both"],
            id="same-session-channel",
        ),
        pytest.param(
            sourced(replace(SPLASH, team_id="T0TEAM0001"), replace(CAMP, team_id="T0TEAM0001")),
            ["'splash-2026' claims every channel of workspace 'T0TEAM0001'", "'camp-b' claims every channel"],
            id="both-claim-the-workspace",
        ),
        pytest.param(
            sourced(replace(SPLASH, team_id="T0TEAM0001"), CAMP),
            ["'camp-b' names no workspace (so it runs there too)"],
            id="a-claimed-workspace-and-a-program-naming-none",
        ),
        pytest.param(
            sourced(
                replace(SPLASH, team_id="T0TEAM0001", whole_workspace=False),
                replace(CAMP, team_id="T0TEAM0001", whole_workspace=False),
            ),
            [],
            id="sharing-a-workspace-by-channels",
        ),
        pytest.param(
            sourced(replace(SPLASH, team_id="T0TEAM0001"), replace(CAMP, team_id="T0OTHER001")),
            [],
            id="each-its-own-workspace",
        ),
    ],
)
def test_claim_conflicts(programs, expected):
    problems = claim_conflicts(programs)
    assert len(problems) == len(expected), problems
    assert all(any(e in p for p in problems) for e in expected), problems


def test_conflicts_already_stored_are_not_an_imports_doing():
    stored = sourced(SPLASH, replace(CAMP, channels=(GENERAL,)))
    assert claim_conflicts(stored, changed={"other"}) == []
    assert claim_conflicts(stored, changed={"camp-b"})


def test_where_a_program_must_name_its_workspace():
    assert not serves_several_workspaces(oauth_enabled=False, installed_teams=[])
    assert not serves_several_workspaces(oauth_enabled=False, installed_teams=["T0TEAM0001"])
    assert serves_several_workspaces(oauth_enabled=False, installed_teams=["T0TEAM0001", "T0TEAM0002"])
    assert serves_several_workspaces(oauth_enabled=True, installed_teams=[])
    [problem] = without_workspace(sourced(SPLASH, replace(CAMP, team_id="T0TEAM0001")))
    assert problem.startswith("splash-2026.toml: program.team_id: program 'splash-2026' names no workspace")
