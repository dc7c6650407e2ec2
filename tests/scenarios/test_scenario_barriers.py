"""`safe-contact barriers` in a fresh process against the fake Slack's Enterprise Grid: the check,
`--apply`, and what it says without an org admin's token or with the wrong one."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_world import command_line

from fakeslack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
ADULTS = ["U0ADMIN001", "U0ADMIN002", "U0DLCADM01", "U0STAFF001", "U0STAFF002"]
MINORS = ["U0MINOR001", "U0MINOR002"]


async def cli(*args: str, tmp_path, env: dict) -> tuple[int, str, str]:
    return await command_line(*args, database=tmp_path / "safe_contact.db", cwd=tmp_path, env=env)


@pytest.fixture
async def grid(tmp_path):
    async with FakeSlack(team_id="T0TEAM0001") as slack:
        names = {"U0ADMIN001": "avery@mit.edu", "U0ADMIN002": "blake@mit.edu", "U0DLCADM01": "dana@mit.edu"}
        names |= {"U0STAFF001": "sam@mit.edu", "U0STAFF002": "lee@mit.edu", "U0GUARD001": "pat@example.org"}
        names |= {"U0MINOR001": "alex@example.org", "U0MINOR002": "jo@example.org"}
        for user, email in names.items():
            slack.add_user(user, name=email.split("@")[0].title(), email=email)
        slack.add_usergroup("S0MINORS01", name="Splash minors", users=MINORS)
        slack.add_usergroup("S0ADULTS01", name="Splash staff", users=ADULTS)
        env = {"SLACK_API_URL": slack.base_url, "SLACK_ORG_ADMIN_TOKEN": slack.org_admin_token("U0ADMIN001")}
        code, _, err = await cli("import", str(ROOT / "examples" / "program.toml"), tmp_path=tmp_path, env={})
        assert code == 0, err
        yield slack, env


GROUPS = ("--minors-group", "S0MINORS01", "--adults-group", "S0ADULTS01")


async def test_without_an_org_admin_token_it_explains_what_is_needed(tmp_path):
    code, out, err = await cli("barriers", *GROUPS, tmp_path=tmp_path, env={})
    assert code == 2 and out == ""
    assert "SLACK_ORG_ADMIN_TOKEN" in err and "Enterprise Grid" in err and "admin.barriers:write" in err


async def test_a_missing_barrier_is_reported_then_applied(grid, tmp_path):
    slack, env = grid
    code, out, _ = await cli("barriers", *GROUPS, tmp_path=tmp_path, env=env)
    assert code == 1 and "no information barrier separates" in out
    assert slack.workspace.barriers == {}  # a check changes nothing
    code, out, _ = await cli("barriers", *GROUPS, "--apply", tmp_path=tmp_path, env=env)
    assert code == 0, out
    assert "Applied: created the barrier" in out and "kept apart" in out
    [barrier] = slack.workspace.barriers.values()
    assert barrier["primary_usergroup"]["id"] == "S0MINORS01"
    assert [g["id"] for g in barrier["barriered_from_usergroups"]] == ["S0ADULTS01"]
    assert sorted(barrier["restricted_subjects"]) == ["call", "im", "mpim"]
    code, out, _ = await cli("barriers", *GROUPS, tmp_path=tmp_path, env=env)
    assert code == 0 and "Applied" not in out


async def test_groups_holding_the_wrong_people_are_named(grid, tmp_path):
    slack, env = grid
    slack.add_usergroup("S0ADULTS01", name="Splash staff", users=[*ADULTS[:-1], "U0GUARD001", "U0MINOR002"])
    code, out, _ = await cli("barriers", *GROUPS, "--apply", tmp_path=tmp_path, env=env)
    assert code == 1
    assert "1 supervisor(s) not in the adults' group: Lee Staff" in out
    assert "1 minor(s) in the adults' group: Jo Participant" in out
    assert "guardian(s) in the adults' group, barred from their own child: Pat Parent" in out


async def test_a_token_that_is_not_an_org_admins_is_refused_clearly(grid, tmp_path):
    slack, env = grid
    env = {**env, "SLACK_ORG_ADMIN_TOKEN": slack.connect_user("U0STAFF001")}
    code, _, err = await cli("barriers", *GROUPS, tmp_path=tmp_path, env=env)
    assert code == 2 and "not an org admin's" in err and "Traceback" not in err
