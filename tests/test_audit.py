"""The audit of Slack export archives: an archive built here that breaks every rule an export can
show, the real archive in Slack's reference data, partial and corrupt archives, and every output
format read back."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builders import (
    ADMIN1,
    DLC,
    GENERAL,
    GUARD1,
    GUARD2,
    MINOR1,
    MINOR2,
    MINOR3,
    NOW,
    PENDING,
    PRIVATE,
    SESSION,
    SESSION_WINDOW,
    STAFF1,
    STAFF2,
    STRANGER,
    program,
)
from export_builder import DAY, Export, huddle, message, user

from bot.audit import NOT_IN_AN_EXPORT, PAST_CALL_NOTE, audit_program
from bot.audit_report import CSV_COLUMNS, SCHEMA, findings_per_day, render_csv, render_html, render_json, render_text
from bot.rules import CATALOGUE
from handlers.audit.export import ArchiveError, read_export
from handlers.audit.live import build_report

REAL_ARCHIVE = Path(__file__).resolve().parents[2] / "shared" / "slack-reference" / "exports"
REAL_ARCHIVE /= "slack-export-viewer-testarchive.zip"


LOBBY = "C0LOBBY001"
ZOOM_LINK = "https://mit.zoom.us/j/81234567890"
#: The program with a live Zoom session, whose link is posted where a stranger reads it.
WITH_ZOOM = program(sessions=(replace(SESSION_WINDOW, access_info=f"Zoom {ZOOM_LINK} Passcode: 482913"),))


def everything_wrong() -> Export:
    """A program's workspace where every rule an export can show is broken once."""
    users = [
        user(ADMIN1, "Avery", "avery@mit.edu"),  # the second program admin has no account
        user(DLC, "Dana", "dana.home@gmail.com"),  # unverified-admin-account
        user(STAFF1, "Sam", "sam@mit.edu"),
        user(STAFF2, "Lee", "lee@mit.edu"),
        user(PENDING, "Pending", "pending@mit.edu"),
        user(MINOR1, "Alex", "alex@example.org"),
        user(MINOR2, "Jo", "jo@example.org"),
        user(MINOR3, "Kim", "kim@example.org"),
        user(GUARD1, "Pat", "pat@example.org"),
        user(GUARD2, "Robin", "robin@example.org"),
        user(STRANGER, "Stranger", "stranger@example.com"),
    ]
    later = DAY + timedelta(hours=3)
    video = {"id": "F0VIDEO001", "name": "session.mp4", "mimetype": "video/mp4", "filetype": "mp4"}
    export = Export(users)
    export.conversation(
        "channels.json",
        GENERAL,
        [ADMIN1, DLC, STAFF1, STAFF2, PENDING, MINOR1, MINOR2, GUARD1, GUARD2, STRANGER],
        name="general",
        messages=[
            message(STAFF1, "text me at 617-555-0142 after class", at=later),
            message(STAFF2, "for homework, mix bleach and ammonia at home", at=later + timedelta(days=1)),
            message(MINOR1, "Can we go over problem 3 again on Tuesday at 3:30?"),
        ],
    )
    export.conversation(
        "channels.json",
        SESSION,
        [STAFF1, MINOR1, MINOR2],
        name="session-1",
        messages=[
            message(STAFF1, "", at=later, files=[video]),
            huddle("R0SESSION1", SESSION, [STAFF1, MINOR1, MINOR2], at=later),  # call-needs-two-adults
        ],
    )
    export.conversation("groups.json", PRIVATE, [STAFF1, MINOR1], name="project-x")
    export.conversation(
        "channels.json",
        LOBBY,
        [STAFF1, STRANGER],
        name="maker-lobby",
        messages=[message(STRANGER, "lunch?"), message(STAFF1, f"tonight: {ZOOM_LINK}", at=later)],
    )
    export.conversation(
        "dms.json",
        "D0DM000001",
        [STAFF1, MINOR1],
        messages=[
            message(STAFF1, "hi Alex"),
            huddle("R0DMCALL01", "D0DM000001", [STAFF1, MINOR1], at=DAY + timedelta(hours=1), is_dm_call=True),
        ],
    )
    export.conversation("dms.json", "D0DM000002", [MINOR1, MINOR2], messages=[message(MINOR1, "hey")])
    export.conversation("mpims.json", "G0MPIM0001", [STAFF2, MINOR2, MINOR3], name="mpdm-lee--jo--kim-1")
    return export


def audit(path: Path, prog=None):
    snapshot = read_export(path)
    return build_report([prog or WITH_ZOOM], snapshot, now=NOW, source_kind="export", source_name=str(path))


def test_an_archive_breaking_every_rule_it_can_show_is_found_rule_by_rule(tmp_path):
    report = audit(everything_wrong().folder(tmp_path))
    found = {f.rule for f in report.findings}
    expected = {r.symbol for r in CATALOGUE} - set(NOT_IN_AN_EXPORT)
    assert found == expected
    assert set(report.not_checked) == set(NOT_IN_AN_EXPORT)
    [contact] = [f for f in report.findings if f.rule == "off-platform-contact"]
    assert contact.at == DAY + timedelta(hours=3) and "617" in contact.evidence
    [dm] = [f for f in report.findings if f.rule == "dm-adult-minor"]
    assert dm.conversation == "D0DM000001" and set(dm.people) == {STAFF1, MINOR1}


def test_a_session_link_posted_in_a_channel_of_no_program_is_found(tmp_path):
    """The lobby is none of the program's business but for the link posted there, as in the live app."""
    report = audit(everything_wrong().folder(tmp_path))
    [leak] = [f for f in report.findings if f.rule == "access-info-shared"]
    assert leak.conversation == LOBBY and leak.people == (STAFF1,) and "482913" not in leak.summary
    assert leak.at == DAY + timedelta(hours=3)


def test_a_clean_archive_has_no_findings(tmp_path):
    users = [user(p.slack_id, p.name, p.email) for p in program().roster if p.slack_id]
    export = Export(users).conversation(
        "channels.json",
        SESSION,
        [STAFF1, STAFF2, MINOR1],
        name="session-1",
        messages=[message(MINOR1, "Can we go over problem 3 again on Tuesday at 3:30?")],
    )
    prog = replace(program(), sessions=())
    report = audit(export.zip(tmp_path / "clean.zip"), prog)
    assert report.findings == ()


def test_repeats_are_counted_once_with_their_first_time(tmp_path):
    export = everything_wrong()
    export.files["D0DM000001/2026-07-07.json"] = [message(STAFF1, "again", at=DAY + timedelta(days=1))]
    report = audit(export.folder(tmp_path))
    [dm] = [f for f in report.findings if f.rule == "dm-adult-minor"]
    assert dm.occurrences == 1  # one conversation, one finding, however many messages
    [contact] = [f for f in report.findings if f.rule == "off-platform-contact"]
    assert contact.occurrences == 1


def test_a_zip_with_the_export_in_a_folder_and_missing_lists_is_read(tmp_path):
    archive = everything_wrong().zip(tmp_path / "a.zip", root="Splash export Jul 6 2026/", leave_out=("mpims.json",))
    report = audit(archive)
    assert "group-dm-with-minor" not in {f.rule for f in report.findings}
    assert "dm-adult-minor" in {f.rule for f in report.findings}


@pytest.mark.parametrize(
    ("damage", "message_words"),
    [
        pytest.param(lambda p: p.write_bytes(b"not a zip"), "not a zip archive", id="not-a-zip"),
        pytest.param(
            lambda p: zipfile.ZipFile(p, "w").writestr("readme.txt", "hi"), "not a Slack export", id="no-export"
        ),
        pytest.param(
            lambda p: zipfile.ZipFile(p, "w").writestr("channels.json", "[{"),
            "channels.json is not valid JSON",
            id="bad-json",
        ),
        pytest.param(
            lambda p: zipfile.ZipFile(p, "w").writestr("channels.json", '{"a": 1}'),
            "channels.json is not a list",
            id="not-list",
        ),
    ],
)
def test_a_corrupt_archive_is_refused_in_one_line(tmp_path, damage, message_words):
    path = tmp_path / "archive.zip"
    damage(path)
    with pytest.raises(ArchiveError, match=message_words) as error:
        read_export(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_a_corrupt_daily_file_is_named(tmp_path):
    folder = everything_wrong().folder(tmp_path)
    (folder / "general" / "2026-07-06.json").write_text('{"not": "a list"}')
    with pytest.raises(ArchiveError, match=r"general/2026-07-06.json is not a list of messages"):
        read_export(folder)


def test_the_real_archive_from_slacks_reference_data(tmp_path):
    if not REAL_ARCHIVE.exists():
        pytest.skip("Slack's reference data is not beside the project")
    snapshot = read_export(REAL_ARCHIVE)
    assert snapshot.team_id == "T0BMHLSRH" and len(snapshot.accounts) == 4
    assert {c.name for c in snapshot.conversations} == {"enrique", "traveling-sailor"}
    assert sum(len(m) for m in snapshot.messages.values()) > 40
    # A program running in that workspace: one of its people is a minor, another an unlisted adult.
    harry, *others = sorted(a.id for a in snapshot.accounts)
    enrique = next(c for c in snapshot.conversations if c.name == "enrique")
    prog = replace(
        program(),
        roster=(replace(program().roster[6], slack_id=harry),),
        channels=(enrique.id,),
        session_channels=(),
        sessions=(),
    )
    report = build_report([prog], snapshot, now=NOW, source_kind="export", source_name="reference archive")
    unauthorized = [f for f in report.findings if f.rule == "unauthorized-member"]
    assert unauthorized and unauthorized[0].conversation == enrique.id
    assert set(others) <= set(unauthorized[0].people)
    assert report.findings[0].at.year == 2016  # conversation findings date from the archive, not today


# -- the formats, read back -------------------------------------------------------------------------


@pytest.fixture
def report(tmp_path):
    return audit(everything_wrong().folder(tmp_path))


def test_json_follows_its_schema(report):
    document = json.loads(render_json(report))
    assert document["schema"] == SCHEMA and document["source"]["kind"] == "export"
    assert document["summary"]["findings"] == len(document["findings"]) == len(report.findings)
    assert sum(document["summary"]["by_severity"].values()) == len(report.findings)
    first = document["findings"][0]
    fields = "program rule severity summary subject time occurrences evidence conversation people"
    assert set(first) == set(fields.split())
    assert first["severity"] == "critical" and first["rule"] == "dm-adult-minor"
    assert {p["name"] for p in first["people"]} == {"Sam", "Alex"} and first["conversation"]["kind"] == "im"
    assert "<@" not in json.dumps(document["findings"])  # people are named, not in Slack markup


def test_csv_has_one_row_per_finding(report):
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert len(rows) == len(report.findings) and list(rows[0]) == list(CSV_COLUMNS)
    assert {r["rule"] for r in rows} == {f.rule for f in report.findings}


def test_text_gives_counts_first_then_severity_groups(report):
    text = render_text(report)
    lines = text.splitlines()
    assert lines[3].startswith(f"{len(report.findings)} finding(s): 2 critical")
    assert text.index("CRITICAL") < text.index("HIGH") < text.index("MEDIUM")
    assert "Not checked:" in text
    assert "Calls:" in text and "2 past call(s) judged" in text and "not necessarily all at the same time" in text


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.seen: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        self.links += [v for k, v in attrs if k in ("href", "src")]
        if tag not in ("meta", "br"):  # the page's only void elements
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_one_self_contained_well_formed_page(report):
    page = _Page()
    page.feed(render_html(report))
    assert page.open == []
    assert "svg" in page.seen and page.seen.count("table") >= 3
    assert page.links == []  # nothing fetched: styles inline, no scripts, no images
    text = " ".join(page.text)
    assert "Findings per rule" in text and "Findings per space" in text and "dm-adult-minor" in text


def test_html_escapes_what_people_wrote(tmp_path):
    export = everything_wrong()
    export.files["general/2026-07-06.json"] = [message(STAFF1, "<script>alert(1)</script> text me at 617-555-0142")]
    html = render_html(audit(export.folder(tmp_path)))
    assert "<script>" not in html


def test_the_timeline_covers_every_day_from_the_first_finding_to_the_last(report):
    days = findings_per_day(report)
    assert list(days) == sorted(days) and sum(days.values()) == len(report.findings)
    assert all((b - a).days == 1 for a, b in zip(list(days), list(days)[1:], strict=False))


def test_audit_program_reports_nothing_for_conversations_outside_the_program(tmp_path):
    export = Export([user(STRANGER, "Stranger"), user("U0OTHER001", "Other")])
    export.conversation(
        "dms.json", "D0ELSE0001", [STRANGER, "U0OTHER001"], messages=[message(STRANGER, "617-555-0142")]
    )
    snapshot = read_export(export.folder(tmp_path))
    findings = audit_program(replace(program(), roster=program().roster[:3]), snapshot, now=NOW)
    assert all(f.conversation != "D0ELSE0001" for f in findings)


def test_an_exports_messages_are_read_when_the_audit_asks_for_them_not_held(tmp_path):
    """So an archive of any size is audited in the memory of one conversation: what the snapshot
    gives for a conversation is what the archive holds when asked."""
    folder = everything_wrong().folder(tmp_path)
    snapshot = read_export(folder)
    assert [m.text for m in snapshot.messages["D0DM000001"]] == ["hi Alex"]
    day = next((folder / "D0DM000001").glob("*.json"))
    day.write_text(json.dumps([message(STAFF1, "text me at 617-555-0134")]))
    assert [m.text for m in snapshot.messages["D0DM000001"]] == ["text me at 617-555-0134"]
    assert set(snapshot.messages) == {c.id for c in snapshot.conversations}


# -- past calls ---------------------------------------------------------------------------------------


def calls_workspace(*roots_by_place: tuple[str, list[dict]]) -> Export:
    """The program's people, a DM between Sam and Alex, one between Pat and their child Alex, and the
    session channel, each with the huddle roots given for it."""
    users = [user(p.slack_id, p.name, p.email) for p in program().roster if p.slack_id]
    roots = dict(roots_by_place)
    export = Export(users)
    export.conversation("dms.json", "D0SAMALEX1", [STAFF1, MINOR1], messages=roots.get("D0SAMALEX1", []))
    export.conversation("dms.json", "D0PATALEX1", [GUARD1, MINOR1], messages=roots.get("D0PATALEX1", []))
    export.conversation(
        "channels.json",
        SESSION,
        [STAFF1, STAFF2, ADMIN1, DLC, MINOR1, MINOR2],
        name="session-1",
        messages=roots.get(SESSION, []),
    )
    return export


def call_findings(report):
    return [f for f in report.findings if f.subject.startswith("R0")]


def test_a_past_one_to_one_call_in_a_dm_is_found_dated_from_its_start(tmp_path):
    start = DAY + timedelta(hours=2)
    export = calls_workspace(("D0SAMALEX1", [huddle("R0DMCALL01", "D0SAMALEX1", [STAFF1, MINOR1], at=start)]))
    report = audit(export.folder(tmp_path), replace(program(), sessions=()))
    [found] = call_findings(report)
    assert (found.rule, found.subject, found.at) == ("call-adult-minor", "R0DMCALL01", start)
    assert found.conversation == "D0SAMALEX1" and set(found.people) == {STAFF1, MINOR1}
    assert "in a direct message" in found.summary and PAST_CALL_NOTE in found.evidence
    assert "about 20 min" in found.evidence
    assert report.past_calls == 1 and report.by_rule()["call-adult-minor"] == 1


@pytest.mark.parametrize(
    ("place", "history", "lasted"),
    [
        pytest.param("D0SAMALEX1", [STAFF1, MINOR1], timedelta(seconds=10), id="a-ten-second-call-is-a-ring"),
        pytest.param("D0PATALEX1", [GUARD1, MINOR1], timedelta(hours=1), id="a-parent-with-their-own-child"),
        pytest.param("D0SAMALEX1", [STAFF1], timedelta(hours=1), id="nobody-answered"),
        pytest.param(SESSION, [STAFF1, STAFF2, MINOR1, MINOR2], timedelta(hours=1), id="two-program-adults"),
    ],
)
def test_a_past_call_that_broke_no_rule_is_not_reported(tmp_path, place, history, lasted):
    export = calls_workspace((place, [huddle("R0CALL0001", place, history, lasted=lasted)]))
    report = audit(export.folder(tmp_path), replace(program(), sessions=()))
    assert call_findings(report) == [] and report.past_calls == 1


def test_the_grace_the_settings_give_is_the_one_a_past_call_is_judged_by(tmp_path):
    export = calls_workspace(
        ("D0SAMALEX1", [huddle("R0DMCALL01", "D0SAMALEX1", [STAFF1, MINOR1], lasted=timedelta(seconds=10))])
    )
    snapshot = read_export(export.folder(tmp_path))
    report = build_report(
        [program()], snapshot, now=NOW, source_kind="export", source_name="x", call_grace=timedelta(seconds=5)
    )
    assert [f.rule for f in call_findings(report)] == ["call-adult-minor"]


def test_a_session_huddle_with_one_program_adult_and_two_minors_needs_two_adults(tmp_path):
    root = huddle("R0SESSION1", SESSION, [STAFF1, MINOR1, MINOR2], at=DAY + timedelta(hours=3))
    report = audit(calls_workspace((SESSION, [root])).folder(tmp_path), replace(program(), sessions=()))
    [found] = call_findings(report)
    assert (found.rule, found.conversation) == ("call-needs-two-adults", SESSION)
    assert "1 program adult(s)" in found.summary and set(found.people) == {STAFF1, MINOR1, MINOR2}


def test_two_program_adults_in_a_calls_history_are_trusted_to_have_been_there_together(tmp_path):
    """The documented limit: Slack keeps everyone who was ever in the call, not who was there when.
    Lee may have left before Alex and Jo joined; the audit cannot tell, and says so."""
    root = huddle("R0SESSION1", SESSION, [STAFF1, STAFF2, MINOR1, MINOR2])
    report = audit(calls_workspace((SESSION, [root])).folder(tmp_path), replace(program(), sessions=()))
    assert call_findings(report) == []
    assert "may not have been in it together" in render_text(report)


def test_a_recorded_call_with_a_minor_without_consent_is_recording_without_consent(tmp_path):
    recorded = huddle(
        "R0SESSION1", SESSION, [STAFF1, STAFF2, MINOR1, MINOR2], recording={"transcript": True, "summary": True}
    )
    report = audit(calls_workspace((SESSION, [recorded])).folder(tmp_path), replace(program(), sessions=()))
    [found] = call_findings(report)
    assert found.rule == "recording-without-consent" and found.conversation == SESSION
    assert MINOR2 in found.people and MINOR1 not in found.people  # Alex has consent on record, Jo has not
    assert "summary, transcript" in found.summary


def test_a_consented_minors_recorded_call_is_not_reported(tmp_path):
    recorded = huddle("R0SESSION1", SESSION, [STAFF1, STAFF2, MINOR1], recording={"notetaking": True})
    report = audit(calls_workspace((SESSION, [recorded])).folder(tmp_path), replace(program(), sessions=()))
    assert call_findings(report) == []


def test_a_roots_last_version_is_the_call(tmp_path):
    """Slack edits the root as people come and go: the version written last says who was ever in it."""
    early = huddle("R0DMCALL01", "D0SAMALEX1", [STAFF1], lasted=timedelta(seconds=2))
    early.update(subtype="huddle_thread", date_end=0)
    early["room"].update(date_end=0, has_ended=False, participants=[STAFF1])
    final = huddle("R0DMCALL01", "D0SAMALEX1", [STAFF1, MINOR1], lasted=timedelta(minutes=5))
    export = calls_workspace(("D0SAMALEX1", [final]))
    export.files["D0SAMALEX1/2026-07-05.json"] = [early]  # an older day's file with the first version
    report = audit(export.folder(tmp_path), replace(program(), sessions=()))
    assert [f.rule for f in call_findings(report)] == ["call-adult-minor"] and report.past_calls == 1


def test_a_root_without_an_end_is_judged_at_the_last_time_slack_wrote_it(tmp_path):
    running = huddle("R0DMCALL01", "D0SAMALEX1", [STAFF1, MINOR1], lasted=timedelta(minutes=5))
    running["room"].update(date_end=0, has_ended=False, participants=[STAFF1, MINOR1])
    written_once = huddle("R0DMCALL02", "D0SAMALEX1", [STAFF1, MINOR1], at=DAY + timedelta(hours=1))
    written_once["room"].update(date_end=0, has_ended=False)
    del written_once["edited"]
    report = audit(
        calls_workspace(("D0SAMALEX1", [running, written_once])).folder(tmp_path), replace(program(), sessions=())
    )
    assert [f.subject for f in call_findings(report)] == ["R0DMCALL01"]  # the other lasted no known time


@pytest.mark.parametrize(
    ("damage", "unreadable"),
    [
        pytest.param(lambda root: root.pop("room"), True, id="no-room"),
        pytest.param(lambda root: root.update(room="R0BROKEN01"), True, id="room-not-an-object"),
        pytest.param(lambda root: root["room"].update(id=None), True, id="no-room-id"),
        pytest.param(lambda root: root["room"].update(date_start="soon"), True, id="no-start"),
        pytest.param(lambda root: root["room"].update(participant_history=MINOR1), True, id="history-not-a-list"),
        pytest.param(lambda root: root["room"].update(participant_history=None), True, id="history-null"),
        pytest.param(lambda root: root["room"].update(date_end="later"), False, id="end-unreadable-is-no-end"),
        pytest.param(lambda root: root["room"].update(recording=["transcript"]), False, id="recording-garbled"),
    ],
)
def test_a_root_whose_room_is_malformed_is_left_out_and_counted(tmp_path, caplog, damage, unreadable):
    """Never a crash: a root the audit cannot read is counted, and the report and the log say how
    many (the log nothing else); the other roots are judged as ever."""
    broken = huddle("R0BROKEN01", "D0SAMALEX1", [STAFF1, MINOR1])
    damage(broken)
    fine = huddle("R0DMCALL01", "D0SAMALEX1", [STAFF1, MINOR1], at=DAY + timedelta(hours=1))
    report = audit(calls_workspace(("D0SAMALEX1", [broken, fine])).folder(tmp_path), replace(program(), sessions=()))
    assert "R0DMCALL01" in {f.subject for f in call_findings(report)}
    assert report.unreadable_calls == int(unreadable) and report.past_calls == 2 - int(unreadable)
    said = "1 huddle root(s) could not be read" in render_text(report)
    logged = "1 huddle root(s) without a readable room were left out" in caplog.text
    assert said == logged == unreadable and "R0BROKEN01" not in caplog.text
    assert json.loads(render_json(report))["calls"]["unreadable"] == int(unreadable)
