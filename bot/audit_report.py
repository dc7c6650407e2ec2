"""An audit's findings in four formats: `text` for a person (counts first, then by severity), `json`
for machines (the schema below, versioned), `csv` one row per finding, and `html` a single
self-contained page to file or print (summary, findings per rule and per space, and a timeline of
findings over the program's days). Pure: everything is escaped, nothing is fetched.

JSON schema `safe-contact-audit/1`:
    {"schema": "safe-contact-audit/1", "generated_at": ISO-8601, "source": {"kind": "workspace"|"export",
     "name": str, "team_id": str}, "programs": [id], "not_checked": {rule: reason},
     "summary": {"findings": int, "by_severity": {severity: int}, "by_rule": {rule: int}},
     "calls": {"judged": int, "unreadable": int, "note": str},
     "findings": [{"program", "rule", "severity", "summary", "subject", "time": ISO-8601,
                   "occurrences": int, "evidence": str,
                   "conversation": {"id", "name", "kind"} | null,
                   "people": [{"id", "name", "role"}]}]}
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.audit import PAST_CALL_NOTE, AuditFinding
from bot.inert import csv_row, plain_line
from bot.model import Conversation, Directory
from bot.report import with_names
from bot.rules import rule_by_symbol

SCHEMA = "safe-contact-audit/1"
CSV_COLUMNS = (
    "program",
    "rule",
    "severity",
    "time",
    "conversation",
    "conversation_name",
    "people",
    "summary",
    "evidence",
    "occurrences",
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Space:
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    source_kind: str
    source_name: str
    team_id: str
    generated_at: datetime
    programs: tuple[str, ...]
    findings: tuple[AuditFinding, ...]
    not_checked: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, Person] = field(default_factory=dict)
    spaces: Mapping[str, Space] = field(default_factory=dict)
    #: How many past calls (huddle roots) were judged, and how many roots could not be read.
    past_calls: int = 0
    unreadable_calls: int = 0

    def calls_note(self) -> list[str]:
        """What the report says of past calls: how many, who "their people" are, what was left out."""
        if not self.past_calls and not self.unreadable_calls:
            return []
        lines = [
            f"{self.past_calls} past call(s) judged from their huddle roots. A call's people are {PAST_CALL_NOTE}: "
            "a call whose whole history is one minor and one adult was 1:1, but two program adults in a "
            "call's history may not have been in it together, and such a call is not flagged."
        ]
        if self.unreadable_calls:
            lines.append(f"{self.unreadable_calls} huddle root(s) could not be read and were left out.")
        return lines

    def by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s.label: counts[s] for s in sorted(counts, reverse=True)}

    def by_rule(self) -> dict[str, int]:
        return dict(Counter(f.rule for f in self.findings).most_common())

    def person(self, user_id: str) -> Person:
        return self.people.get(user_id) or Person(user_id, "not on the roster")

    def space(self, conversation: str | None) -> Space | None:
        if not conversation:
            return None
        return self.spaces.get(conversation) or Space(conversation, "unknown")

    def readable(self, text: str) -> str:
        """Slack markup as names: `<@U1>` is `Alex`, `<#C1>` is `#general`."""

        def channel(ident: str, label: str | None) -> str:
            space = self.space(ident)
            return "#" + (label or (space.name if space else ident))

        return with_names(text, lambda ident: self.person(ident).name, channel)


def people_and_spaces(
    directories: Iterable[Directory], conversations: Iterable[Conversation]
) -> tuple[dict[str, Person], dict[str, Space]]:
    """Who is who (roster name and role, else the account's name) and what each conversation is called."""
    people: dict[str, Person] = {}
    for directory in directories:
        for account in directory.accounts.values():
            person = directory.person(account.id)
            if person is not None:
                role = person.role.value.replace("_", " ")
            else:  # Slackbot and apps are nobody, not someone missing from the roster
                role = "bot" if directory.is_bot(account.id) else "not on the roster"
            if account.id not in people or person is not None:
                people[account.id] = Person((person.name if person else "") or account.name or account.id, role)
        for person in directory.program.roster:
            user_id = directory.account_id(person)
            if user_id:
                people[user_id] = Person(person.name or user_id, person.role.value.replace("_", " "))
    spaces = {c.id: Space(c.name or c.id, c.kind.value) for c in conversations}
    return people, spaces


# -- text ------------------------------------------------------------------------------------------


def render_text(report: AuditReport) -> str:
    """For a person: the counts, the findings by severity, what was not checked. Each line is made
    a `plain_line`, so that no name (a person's, a channel's, the archive's) adds a line or hides text."""
    lines = [
        f"Safe Contact audit of {report.source_kind} {report.source_name}",
        f"Programs: {', '.join(report.programs)} · generated {report.generated_at.isoformat(timespec='seconds')}",
        "",
    ]
    if not report.findings:
        lines.append("No findings.")
    else:
        counts = ", ".join(f"{n} {label}" for label, n in report.by_severity().items())
        lines.append(f"{len(report.findings)} finding(s): {counts}")
        for severity in sorted({f.severity for f in report.findings}, reverse=True):
            lines += ["", f"{severity.label.upper()}"]
            for finding in (f for f in report.findings if f.severity is severity):
                where = report.space(finding.conversation)
                place = f" in #{where.name}" if where else ""
                times = f" ({finding.occurrences} times)" if finding.occurrences > 1 else ""
                when = finding.at.strftime("%Y-%m-%d %H:%M")
                lines.append(f"  {finding.rule}{place} · {when}{times}")
                lines.append(f"    {report.readable(finding.summary)}")
    if report.not_checked:
        lines += ["", "Not checked:"]
        lines += [f"  {rule}: {reason}" for rule, reason in report.not_checked.items()]
    if notes := report.calls_note():
        lines += ["", "Calls:", *(f"  {note}" for note in notes)]
    return "\n".join(plain_line(line) for line in lines) + "\n"


# -- json ------------------------------------------------------------------------------------------


def render_json(report: AuditReport) -> str:
    document = {
        "schema": SCHEMA,
        "generated_at": report.generated_at.isoformat(),
        "source": {"kind": report.source_kind, "name": report.source_name, "team_id": report.team_id},
        "programs": list(report.programs),
        "not_checked": dict(report.not_checked),
        "summary": {"findings": len(report.findings), "by_severity": report.by_severity(), "by_rule": report.by_rule()},
        "calls": {"judged": report.past_calls, "unreadable": report.unreadable_calls, "note": PAST_CALL_NOTE},
        "findings": [_finding_json(report, f) for f in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding_json(report: AuditReport, finding: AuditFinding) -> dict[str, object]:
    space = report.space(finding.conversation)
    return {
        "program": finding.program_id,
        "rule": finding.rule,
        "severity": finding.severity.label,
        "summary": report.readable(finding.summary),
        "subject": finding.subject,
        "time": finding.at.isoformat(),
        "occurrences": finding.occurrences,
        "evidence": finding.evidence,
        "conversation": None if space is None else {"id": finding.conversation, "name": space.name, "kind": space.kind},
        "people": [{"id": u, "name": report.person(u).name, "role": report.person(u).role} for u in finding.people],
    }


# -- csv -------------------------------------------------------------------------------------------


def render_csv(report: AuditReport) -> str:
    """One row per finding; no cell can be taken for a formula by the spreadsheet that opens it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for finding in report.findings:
        space = report.space(finding.conversation)
        writer.writerow(
            csv_row(
                {
                    "program": finding.program_id,
                    "rule": finding.rule,
                    "severity": finding.severity.label,
                    "time": finding.at.isoformat(),
                    "conversation": finding.conversation or "",
                    "conversation_name": space.name if space else "",
                    "people": "; ".join(f"{report.person(u).name} ({u})" for u in finding.people),
                    "summary": report.readable(finding.summary),
                    "evidence": finding.evidence,
                    "occurrences": finding.occurrences,
                }
            )
        )
    return out.getvalue()


# -- html ------------------------------------------------------------------------------------------

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#1b1b1b;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ddd;padding:.3em .5em;
text-align:left;vertical-align:top}th{background:#f3f5f8}.critical{color:#a00}.high{color:#b45f06}
.summary td{font-size:1.1em}svg text{font:11px system-ui,sans-serif}@media print{h2{break-after:avoid}}
"""


def render_html(report: AuditReport) -> str:
    e = html.escape
    generated = report.generated_at.isoformat(timespec="seconds")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Safe Contact audit: {e(report.source_name)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Safe Contact audit</h1><p>{e(report.source_kind.capitalize())} <b>{e(report.source_name)}</b> · "
        f"programs {e(', '.join(report.programs))} · generated {e(generated)}</p>",
        "<h2>Summary</h2><table class='summary'><tr><th>Findings</th>"
        + "".join(f"<th>{e(label)}</th>" for label in report.by_severity())
        + f"</tr><tr><td>{len(report.findings)}</td>"
        + "".join(f"<td>{n}</td>" for n in report.by_severity().values())
        + "</tr></table>",
    ]
    if not report.findings:
        parts.append("<p>No findings.</p>")
    parts.append("<h2>Findings over the program's days</h2>" + _timeline_svg(report))
    parts.append("<h2>Findings per rule</h2>")
    for rule, count in report.by_rule().items():
        described = rule_by_symbol(rule)
        parts.append(
            f"<h3 class='{e(described.severity.label)}'>{e(rule)} ({count})</h3>"
            f"<p><i>{e(described.clause)}</i></p><table><tr><th>When</th><th>Where</th><th>What</th></tr>"
        )
        for finding in (f for f in report.findings if f.rule == rule):
            space = report.space(finding.conversation)
            where = "#" + space.name if space else ""
            parts.append(
                f"<tr><td>{e(finding.at.strftime('%Y-%m-%d %H:%M'))}</td><td>{e(where)}</td>"
                f"<td>{e(report.readable(finding.summary))}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        "<h2>Findings per space</h2><table><tr><th>Space</th><th>Kind</th><th>Findings</th><th>Rules</th></tr>"
    )
    per_space = Counter(f.conversation or "" for f in report.findings)
    for conversation, count in per_space.most_common():
        space = report.space(conversation)
        rules = ", ".join(sorted({f.rule for f in report.findings if (f.conversation or "") == conversation}))
        label = "#" + space.name if space else "the program as a whole"
        parts.append(
            f"<tr><td>{e(label)}</td><td>{e(space.kind if space else '')}</td><td>{count}</td><td>{e(rules)}</td></tr>"
        )
    parts.append("</table>")
    if report.not_checked:
        parts.append("<h2>Not checked</h2><ul>")
        parts += [f"<li><b>{e(rule)}</b>: {e(reason)}</li>" for rule, reason in report.not_checked.items()]
        parts.append("</ul>")
    if notes := report.calls_note():
        parts.append("<h2>Calls</h2>" + "".join(f"<p>{e(note)}</p>" for note in notes))
    parts.append("</body></html>\n")
    return "".join(parts)


def findings_per_day(report: AuditReport) -> dict[date, int]:
    """How many findings were first seen on each day, every day from the first to the last."""
    counts = Counter(f.at.date() for f in report.findings)
    if not counts:
        return {}
    first, last = min(counts), max(counts)
    days = (last - first).days
    if days > 366:  # a stray old message must not draw a year of empty days
        return dict(sorted(counts.items()))
    return {
        date.fromordinal(first.toordinal() + i): counts.get(date.fromordinal(first.toordinal() + i), 0)
        for i in range(days + 1)
    }


def _timeline_svg(report: AuditReport) -> str:
    per_day = findings_per_day(report)
    if not per_day:
        return "<p>No findings to chart.</p>"
    width, height, top = max(300, 28 * len(per_day)), 160, max(per_day.values())
    bar = width / len(per_day)
    shapes = []
    for i, (day, count) in enumerate(per_day.items()):
        h = 0 if not count else max(2, (height - 40) * count / top)
        x = i * bar
        shapes.append(
            f"<rect x='{x + 3:.1f}' y='{height - 20 - h:.1f}' width='{bar - 6:.1f}' height='{h:.1f}' fill='#1d4f91'>"
            f"<title>{day.isoformat()}: {count}</title></rect>"
        )
        if count:
            shapes.append(f"<text x='{x + bar / 2:.1f}' y='{height - 24 - h:.1f}' text-anchor='middle'>{count}</text>")
        if len(per_day) <= 31 or i % 7 == 0:
            shapes.append(
                f"<text x='{x + bar / 2:.1f}' y='{height - 5}' text-anchor='middle'>{day.strftime('%m-%d')}</text>"
            )
    return (
        f"<svg role='img' aria-label='findings per day' xmlns='http://www.w3.org/2000/svg' width='{width:.0f}' "
        f"height='{height}' viewBox='0 0 {width:.0f} {height}'>{''.join(shapes)}</svg>"
    )


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv, "html": render_html}
