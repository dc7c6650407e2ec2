"""The incident record as rows: what a program office files after a program (`/minors-report`).
People are named as well as mentioned, so that the file reads on its own outside Slack."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.inert import csv_row, slack_unescape
from bot.model import Directory, Incident, Program

INCIDENT_COLUMNS = (
    "incident",
    "program",
    "rule",
    "severity",
    "status",
    "summary",
    "people",
    "channel",
    "opened_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "escalated_at",
)
#: Slack's markup for a person (`<@U1>`) or a channel (`<#C1|general>`).
_MARKUP = re.compile(r"<([@#])([A-Z0-9]+)(?:\|([^>]*))?>")


def with_names(text: str, person: Callable[[str], str], channel: Callable[[str, str | None], str]) -> str:
    """Slack mrkdwn as plain text: people by `person(id)`, channels by `channel(id, label)`, and the
    rest unescaped (a name in a summary is written escaped, `&lt;3 Sam`, and reads `<3 Sam`)."""
    out: list[str] = []
    last = 0
    for match in _MARKUP.finditer(text):
        kind, ident, label = match.groups()
        out.append(slack_unescape(text[last : match.start()]))
        out.append(person(ident) if kind == "@" else channel(ident, label))
        last = match.end()
    out.append(slack_unescape(text[last:]))
    return "".join(out)


def person_name(directory: Directory, user_id: str) -> str:
    """`Name (U123)` from the roster or the workspace directory; the bare id when neither knows it."""
    person = directory.person(user_id)
    account = directory.account(user_id)
    name = (person.name if person else "") or (account.name if account else "")
    return f"{name} ({user_id})" if name else user_id


def readable(text: str, directory: Directory) -> str:
    """Slack's mention markup as names: `<@U1>` becomes `Alex (U1)`, `<#C1>` becomes `#C1`."""
    return with_names(text, lambda uid: person_name(directory, uid), lambda cid, label: f"#{label or cid}")


def _moment(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def incident_rows(program: Program, directory: Directory, incidents: Iterable[Incident]) -> list[dict[str, str]]:
    """One row per incident, oldest first."""
    rows = []
    for incident in sorted(incidents, key=lambda i: (i.opened_at, i.id)):
        by = incident.resolved_by
        rows.append(
            {
                "incident": str(incident.id),
                "program": program.id,
                "rule": incident.rule,
                "severity": incident.severity.label,
                "status": incident.status.value,
                "summary": readable(incident.summary, directory),
                "people": "; ".join(person_name(directory, u) for u in incident.people),
                "channel": incident.channel or "",
                "opened_at": _moment(incident.opened_at),
                "acknowledged_at": _moment(incident.acknowledged_at),
                "acknowledged_by": person_name(directory, incident.acknowledged_by) if incident.acknowledged_by else "",
                "resolved_at": _moment(incident.resolved_at),
                "resolved_by": person_name(directory, by) if by else ("Safe Contact" if incident.resolved_at else ""),
                "escalated_at": _moment(incident.escalated_at),
            }
        )
    return rows


def incident_csv(rows: list[dict[str, str]]) -> str:
    """The rows as CSV text with a header row; no cell can be taken for a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=INCIDENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(row) for row in rows)
    return out.getvalue()


def incident_html(rows: list[dict[str, str]], *, title: str) -> str:
    """The incident record as one self-contained page to file or print."""
    e = html.escape
    head = "".join(f"<th>{e(c.replace('_', ' '))}</th>" for c in INCIDENT_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{e(row[c])}</td>" for c in INCIDENT_COLUMNS) + "</tr>" for row in rows)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title><style>"
        "body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f3f5f8}"
        f"</style></head><body><h1>{e(title)}</h1><p>{len(rows)} incident(s).</p>"
        f"<table><tr>{head}</tr>{body}</table></body></html>\n"
    )
