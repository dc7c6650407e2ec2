"""Program-wide rules, end to end: the start-up sweep, account changes, and guardians' access
information for live sessions."""

from __future__ import annotations

from dataclasses import replace

from builders import ADMIN2, DLC, GUARD1, GUARD2, MINOR1, MINOR2, STAFF1, person, program

import storage

PROJECT = "C0PROJECT1"


async def test_the_start_up_sweep_finds_what_happened_before_the_app_started(started):
    def prepare(slack):
        slack.add_channel(PROJECT, name="project-x", private=True, members=["U0SAFEBOT1", STAFF1, MINOR1])

    world = await started(prepare=prepare)
    assert len(world.alerts_for("private-space-without-dlc-admin")) == 1
    methods = {c.method for c in world.slack.calls}
    assert methods <= {
        "auth.test",
        "users.list",
        "conversations.list",
        "conversations.members",
        "users.getPresence",
        "chat.postMessage",
        "chat.update",
        "conversations.invite",
    }


async def test_a_quiet_workspace_sweeps_without_alerts_and_guardians_get_the_access_information(world):
    assert world.alerts() == []
    for guardian in (GUARD1, GUARD2):
        [notice] = [m for m in world.direct_messages(guardian) if "live session is scheduled" in m["text"]]
        assert "Zoom 123" in notice["text"]


async def test_a_sweep_repeated_changes_nothing(world):
    posted = len(world.slack.calls_to("chat.postMessage"))
    await world.app.sweep()
    await world.settle()
    assert len(world.slack.calls_to("chat.postMessage")) == posted


async def test_a_guardian_without_an_account_is_reported_as_not_informed(started):
    roster = tuple(replace(p, slack_id=None) if p.slack_id == GUARD2 else p for p in program().roster)
    world = await started(prog=program(roster=roster), prepare=lambda slack: slack.users.pop(GUARD2, None))
    [alert] = world.alerts_for("guardian-not-informed")
    assert "robin@example.org" in alert["text"] or "Robin" in alert["text"]


async def test_too_few_program_admins_is_found_by_the_sweep(started):
    world = await started(prepare=lambda slack: slack.users.pop(ADMIN2, None))
    assert len(world.alerts_for("too-few-program-admins")) == 1


async def test_an_admin_changing_to_a_personal_email_is_alerted(world):
    await world.slack.change_user(DLC, email="dana.home@gmail.com")
    await world.settle()
    [alert] = world.alerts_for("unverified-admin-account")
    assert f"<@{DLC}>" in alert["text"] or "Dana" in alert["text"]


async def test_a_new_account_matching_a_roster_email_is_recognised(world):
    newcomer = person("Quinn", "minor", None, email="quinn@example.org")
    assert newcomer.slack_id is None
    await world.slack.new_user("U0QUINN001", name="Quinn", email="quinn@example.org")
    await world.settle()
    assert world.alerts() == []
    assert world.app.runtime.cache.accounts("T0TEAM0001")["U0QUINN001"].email == "quinn@example.org"


async def test_observe_mode_alerts_administrators_and_tells_nobody_else(started):
    from bot.model import EnforcementMode

    world = await started(prog=program(mode=EnforcementMode.OBSERVE))
    world.connect(MINOR1)
    dm = world.slack.add_dm(STAFF1, MINOR1)
    await world.slack.user_says(STAFF1, dm, "hi")
    await world.settle()
    assert len(world.alerts_for("dm-adult-minor")) == 1
    assert world.direct_messages(STAFF1) == [] and not world.direct_messages(MINOR1)


async def test_the_welcome_has_a_button_and_only_those_who_did_not_press_it_are_reminded_a_day_later(world):
    [welcome] = [m for m in world.direct_messages(MINOR1) if "expectations" in m["text"]]
    assert world.incidents("conduct-not-acknowledged") == []  # nobody is reminded as they are welcomed
    button = welcome["blocks"][-1]["elements"][0]
    status, _ = await world.slack.block_action(MINOR1, button["action_id"], button["value"])
    assert status == 200
    await world.settle()
    assert "Thank you" in world.slack.responses[-1]["text"]
    world.clock.advance(hours=25)
    await world.app.scheduled_checks()
    await world.settle()
    reminded = {p for i in world.incidents("conduct-not-acknowledged") for p in i.people}
    assert reminded and MINOR1 not in reminded
    assert all(i.status.value == "open" for i in world.incidents("conduct-not-acknowledged"))
    [reminder] = [
        m for m in world.direct_messages(MINOR2) if m["text"].startswith("Welcome to Splash 2026 Online! Please")
    ]
    assert reminder["blocks"][-1]["elements"][0]["action_id"] == button["action_id"]


async def test_with_account_connection_configured_unconnected_people_are_reminded(started):
    world = await started(client_id="1234.5678", client_secret="connect-secret")
    reminded = {
        u
        for u in (MINOR1, STAFF1, GUARD1)
        if any("connect your account" in m["text"] for m in world.direct_messages(u))
    }
    assert reminded == {MINOR1, STAFF1, GUARD1}
    assert world.alerts() == []  # a reminder, recorded for status, not an alert
    assert {tuple(i.people) for i in world.incidents("monitoring-not-connected")} >= {(MINOR1,), (STAFF1,)}


async def test_without_account_connection_nobody_is_asked_to_connect(world):
    assert not any("connect your account" in m["text"] for m in world.direct_messages(MINOR1))
    assert world.incidents("monitoring-not-connected") == []


async def test_a_revoked_token_stops_the_dm_watch_through_it(world):
    world.connect(MINOR1)
    await world.slack.revoke_tokens([MINOR1])
    await world.settle()
    with storage.session_scope(world.engine) as session:
        assert storage.connected_users("T0TEAM0001", session=session) == frozenset()
    await world.app.sweep()  # the sweep no longer reads through the revoked token
    assert not [c for c in world.slack.calls if c.token and "minor" in c.token and not c.ok]
