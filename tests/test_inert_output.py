"""The inert-output helpers (`bot/inert.py`) on a corpus of hostile names and notes, and ordinary
ones that must come out unchanged (a mangled "O'Brien" is a defect too), with properties checked
on generated text."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.audit import AuditFinding
from bot.audit_report import AuditReport, Person, Space, render_csv, render_html, render_json, render_text
from bot.inert import (
    FORMULA_STARTS,
    csv_cell,
    csv_row,
    plain_line,
    slack_line,
    slack_quote,
    slack_text,
    slack_unescape,
)
from bot.model import Severity
from bot.report import INCIDENT_COLUMNS, incident_csv, incident_html, with_names
from fakeslack.mrkdwn import read

#: Names and notes an outsider may choose: each must do nothing where the app writes it.
HOSTILE = [
    '=HYPERLINK("https://evil.example","Click")',
    "+1 234",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S0ADMINS|@admins>",
    "<@U0ADMIN1>",
    "<https://evil.example|Click to verify>",
    "<#C0ALERTS01|safe-contact-alerts>",
    "&lt;!channel&gt;",
    "first line\n<!channel> second",
    "one\r\ntwo\rthree",
    "line\u2028separator\u2029paragraph",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;retitled\x07",
    "admin\u202egnp.exe",
    "\u2066isolated\u2069",
    "nul\x00byte",
    "c1\x9bcontrol",
]
#: Ordinary names and notes: these come out exactly as they went in (in every helper but Slack's,
#: which writes only `&`, `<` and `>` as entities that Slack shows as the characters).
ORDINARY = [
    "O'Brien",
    "José-María",
    "Nguyễn Thị Minh Khai",
    "<3 Sam",
    "Tom & Jerry",
    "Zoë 👩‍👩‍👧 🏳️‍🌈",
    "محمد\u200f",
    "李小龍",
    "snake_case *bold* ~strike~ `code`",
    "2026-07-06",
    "Anne-Marie",
]


@pytest.mark.parametrize("text", HOSTILE + ORDINARY)
def test_slack_text_notifies_nobody_and_links_nothing(text):
    shown = read("chat.postMessage", {"channel": "C1", "text": slack_text(text)})
    assert shown is not None
    assert (shown.broadcasts, shown.users, shown.usergroups, shown.links) == ((), (), (), ())
    assert "<" not in slack_text(text) and ">" not in slack_text(text)
    assert slack_unescape(slack_text(text)) == text


def test_slack_escapes_only_slacks_three_characters():
    assert slack_text("<!channel> Tom & Jerry") == "&lt;!channel&gt; Tom &amp; Jerry"
    assert slack_text("&lt;") == "&amp;lt;"  # shown as typed: "&lt;", not "<"
    assert slack_text('O\'Brien "quoted" José') == 'O\'Brien "quoted" José'


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_names_come_out_unchanged(text):
    assert plain_line(text) == text
    assert csv_cell(text) == text or text.startswith("-")
    assert slack_unescape(slack_line(text)) == text


def test_a_name_starting_with_a_dash_is_kept_readable():
    assert csv_cell("-Anne") == "'-Anne"  # OWASP: the quote shows; the name is still there


@pytest.mark.parametrize("text", HOSTILE)
def test_no_hostile_cell_starts_a_formula(text):
    assert not csv_cell(text).startswith(FORMULA_STARTS)


def test_python_csv_still_quotes_the_neutralised_cells():
    row = {"name": '=HYPERLINK("https://evil.example","x")', "note": "a,b\nc", "n": 3}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writerow(csv_row(row))
    [read_back] = list(csv.reader(io.StringIO(out.getvalue())))
    assert read_back == ['\'=HYPERLINK("https://evil.example","x")', "a,b\nc", "3"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_plain_line_is_one_line_without_escapes(text):
    line = plain_line(text)
    assert line.splitlines() == [line] or line == ""
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in line)
    assert not set(line) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_plain_line_shows_what_it_replaced():
    assert plain_line("Eve\nCRITICAL") == "Eve CRITICAL"
    assert plain_line("\x1b[2J") == "\ufffd[2J"
    assert plain_line("admin\u202egnp.exe") == "admin\ufffdgnp.exe"


def test_every_line_of_a_quote_is_quoted():
    quoted = slack_quote("He said:\n<!channel> look\r\n\nat <https://evil.example|this>")
    assert quoted == "> He said:\n> &lt;!channel&gt; look\n> \n> at &lt;https://evil.example|this&gt;"
    assert slack_quote("") == ""


def test_reports_read_escaped_names_back():
    summary = "<#C1> has members not on the roster: &lt;3 Sam &amp; <@U1>."
    plain = with_names(summary, lambda uid: "<!channel> Eve", lambda cid, label: "#general")
    assert plain == "#general has members not on the roster: <3 Sam & <!channel> Eve."


# -- properties ------------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)


@given(TEXT)
def test_escaped_text_has_no_angle_brackets_and_comes_back(text):
    escaped = slack_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert slack_unescape(escaped) == text


@given(TEXT)
def test_every_ampersand_of_escaped_text_starts_an_entity(text):
    escaped = slack_text(text)
    rest = escaped
    while "&" in rest:
        rest = rest[rest.index("&") :]
        assert rest.startswith(("&amp;", "&lt;", "&gt;"))
        rest = rest[1:]


@given(TEXT)
def test_a_csv_cell_never_starts_a_formula(text):
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell == text or cell == "'" + text


@given(TEXT)
def test_a_quote_never_lets_a_line_out(text):
    quoted = slack_quote(text)
    assert all(line.startswith("> ") for line in quoted.split("\n")) or quoted == ""
    shown = read("chat.postMessage", {"channel": "C1", "text": quoted})
    assert shown is not None and not (shown.broadcasts or shown.users or shown.links)


@given(TEXT)
def test_a_plain_line_is_always_one_line(text):
    line = plain_line(text)
    assert len(line.splitlines()) <= 1
    assert len(line) == len(text)  # one character for one: nothing is hidden by dropping it


# -- every format of the audit and the incident record ---------------------------------------------


def hostile_audit():
    name = '=HYPERLINK("https://evil.example")\n<script>alert(1)</script>\x1b[2J'
    finding = AuditFinding(
        program_id="splash-2026",
        rule="unauthorized-member",
        severity=Severity.HIGH,
        subject="C1",
        summary="<#C1> has members not on the roster: <@U1>.",
        people=("U1",),
        conversation="C1",
        at=datetime(2026, 7, 6, tzinfo=UTC),
        evidence="-1 555 0100",
    )
    return AuditReport(
        source_kind="export",
        source_name="archive\nFORGED.zip",
        team_id="T1",
        generated_at=datetime(2026, 7, 7, tzinfo=UTC),
        programs=("splash-2026",),
        findings=(finding,),
        people={"U1": Person(name, "not on the roster")},
        spaces={"C1": Space("gen<b>eral\u202e", "public_channel")},
    )


def test_every_audit_format_keeps_a_hostile_name_inert():
    report = hostile_audit()
    text = render_text(report)
    assert "FORGED" not in text.splitlines() and "\x1b" not in text and "\u202e" not in text
    assert len([line for line in text.splitlines() if "<script>" in line]) == 1
    page = render_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page and "gen&lt;b&gt;eral" in page
    no_formula = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert all(not (cell or "").startswith(FORMULA_STARTS) for row in no_formula for cell in row.values())
    assert no_formula[0]["evidence"] == "'-1 555 0100"
    document = json.loads(render_json(report))  # for machines: the name exactly, JSON-escaped
    assert document["findings"][0]["people"][0]["name"] == report.people["U1"].name


def test_the_incident_record_page_escapes_every_cell():
    row = dict.fromkeys(INCIDENT_COLUMNS, "<img src=x onerror=alert(1)> & =1+1")
    assert "<img" not in incident_html([row], title="<b>title</b>")
    [back] = list(csv.DictReader(io.StringIO(incident_csv([row]))))
    assert back["summary"] == "<img src=x onerror=alert(1)> & =1+1"
    assert all(not cell.startswith(FORMULA_STARTS) for cell in back.values())
