"""The Block Kit builders: Slack's limits hold however large a program is, a member's Home names
nobody else, and the modals carry the fields the handlers read."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from builders import GENERAL, NOW, ROSTER, STAFF1, program

from bot.access import Command, commands_for
from bot.model import Incident, IncidentStatus, Person, Role, Severity
from bot.status import Coverage, ProgramOverview, SpaceStatus
from handlers.slack.blocks import ACKNOWLEDGE_ACTION, CONDUCT_ACKNOWLEDGE_ACTION, RESOLVE_ACTION, when
from handlers.slack.views import admin_home, concern_modal, help_blocks, member_home, roster_modal, space_blocks


def incident(n: int) -> Incident:
    return Incident(
        id=n,
        program_id="splash-2026",
        rule="unauthorized-member",
        subject=f"C{n}",
        scope=GENERAL,
        severity=Severity.HIGH,
        status=IncidentStatus.OPEN,
        summary=f"<@U0X{n}> is in <#{GENERAL}> but not on the roster.",
        opened_at=NOW,
    )


def space(n: int, **changes) -> SpaceStatus:
    values = dict(
        program_id="splash-2026",
        channel=f"C0SPACE{n:04d}",
        name=f"space-{n}",
        is_private=False,
        is_session_channel=False,
        live_session=None,
        next_session=None,
        app_is_member=True,
        locked=False,
        program_adults=(STAFF1,),
        active_adults=None,
        dlc_admins=(),
        minors=(),
        minors_without_guardian=(),
        minors_without_consent=(),
        not_acknowledged=(),
        not_connected=None,
        not_on_roster=(),
    )
    return SpaceStatus(**{**values, **changes})


def overview(spaces: int) -> ProgramOverview:
    return ProgramOverview(
        program=program(),
        spaces=tuple(space(n) for n in range(spaces)),
        open_incidents={"unauthorized-member": 3},
        coverage=Coverage(members=10, connected=None, acknowledged=4),
        upcoming=program().sessions,
        without_account=(),
    )


def test_the_dashboard_stays_within_slacks_limit_of_100_blocks():
    view = admin_home([overview(200), overview(5)], [incident(n) for n in range(200)], now=NOW)
    assert len(view["blocks"]) <= 100
    text = json.dumps(view)
    assert "more not shown here" in text and "`/minors-report` exports them all" in text
    ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(ids) == len(set(ids)), "block ids are unique within a view"


def test_the_dashboard_offers_acknowledge_only_for_unacknowledged_incidents():
    acknowledged = replace(incident(2), acknowledged_by="U0ADMIN1", status=IncidentStatus.ACKNOWLEDGED)
    view = admin_home([overview(1)], [incident(1), acknowledged], now=NOW)
    actions = [(e["action_id"], e["value"]) for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == [(ACKNOWLEDGE_ACTION, "1"), (RESOLVE_ACTION, "1"), (RESOLVE_ACTION, "2")]


def test_a_members_home_names_nobody_and_asks_for_what_is_missing():
    minor = next(p for p in ROSTER if p.role is Role.MINOR)
    view = member_home([(program(), minor, False)])
    text = json.dumps(view)
    assert not re.search(r"<@U", text)
    [button] = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == CONDUCT_ACKNOWLEDGE_ACTION and button["value"] == "splash-2026"
    assert "Acknowledge" not in json.dumps(member_home([(program(), minor, True)])["blocks"][-1])
    connect = member_home([(program(), minor, True)], connect_url="https://example.org/connect")
    assert "https://example.org/connect" in json.dumps(connect)


def test_a_space_with_a_huge_membership_keeps_within_a_sections_3000_characters():
    crowd = tuple(f"U0MEMBER{n:04d}" for n in range(600))
    blocks = space_blocks(space(1, not_on_roster=crowd, minors_without_consent=crowd), program())
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert "and 580 more" in json.dumps(blocks)


def test_the_roster_modal_carries_the_fields_the_handler_reads_and_fits_a_large_roster():
    roster = tuple(
        Person(name=f"P{n}", email=f"p{n}@example.org", role=Role.MINOR, slack_id=f"U0P{n:04d}") for n in range(400)
    )
    prog = replace(program(), roster=roster)
    modal = roster_modal(prog, {p.email: p.slack_id for p in roster})
    assert len(modal["blocks"]) <= 100 and modal["private_metadata"] == "splash-2026"
    inputs = {b["block_id"] for b in modal["blocks"] if b["type"] == "input"}
    expected = {"name", "email", "role", "slack_user", "guardian_of", "background_check", "recording_consent"}
    assert expected | {"remove", "csv"} == inputs
    sections = [b["text"]["text"] for b in modal["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 and not t.endswith("<@U0P") for t in sections)
    assert "p399@example.org" in json.dumps(modal) or "more not shown here" in json.dumps(modal)


def test_the_concern_modal_remembers_the_message():
    modal = concern_modal(GENERAL, "1751812200.000100", STAFF1)
    assert json.loads(modal["private_metadata"]) == {"channel": GENERAL, "ts": "1751812200.000100", "author": STAFF1}


def test_help_lists_the_commands_given():
    text = json.dumps(help_blocks(commands_for([None]), is_admin=False))
    assert Command.HELP.value in text and Command.LOCKDOWN.value not in text


def test_a_time_s_fallback_text_is_in_utc_whatever_the_time_zone_it_was_given_in():
    """Slack shows the fallback where it cannot render the date token (notifications, old clients):
    a session at 14:00 in New York is 18:00 UTC, not '14:00 UTC'."""
    eastern = datetime(2026, 7, 6, 14, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert when(eastern).endswith("|2026-07-06 18:00 UTC>")
    assert when(eastern).startswith(f"<!date^{int(eastern.timestamp())}^")
