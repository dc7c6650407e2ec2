"""Block Kit builders: pure functions from domain objects to the messages Slack shows. Tested
without Slack; every text here also works as the notification fallback."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.inert import slack_line
from bot.model import Finding, Incident, IncidentStatus, Severity
from bot.rules import rule_by_symbol

ACKNOWLEDGE_ACTION = "incident_acknowledge"
RESOLVE_ACTION = "incident_resolve"
CONDUCT_ACKNOWLEDGE_ACTION = "conduct_acknowledge"

_SEVERITY_EMOJI = {
    Severity.CRITICAL: ":rotating_light:",
    Severity.HIGH: ":warning:",
    Severity.WARNING: ":warning:",
    Severity.MEDIUM: ":large_orange_diamond:",
    Severity.ADVISORY: ":information_source:",
    Severity.INFO: ":information_source:",
}


def alert_text(finding: Finding | Incident) -> str:
    """The alert's plain text: severity, rule symbol, and the summary naming people and channel."""
    return f"{finding.severity.label.upper()} `{finding.rule}`: {finding.summary}"


def alert_blocks(incident: Incident) -> list[dict]:
    """The alert posted for an open incident, with Acknowledge and Resolve buttons while it is open."""
    rule = rule_by_symbol(incident.rule)
    blocks: list[dict] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"{_SEVERITY_EMOJI[incident.severity]} {alert_text(incident)}"},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Policy: {rule.clause}"}],
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _status_line(incident)}]},
    ]
    if incident.status is not IncidentStatus.RESOLVED:
        buttons = []
        if incident.status is IncidentStatus.OPEN:
            buttons.append(button("Acknowledge", ACKNOWLEDGE_ACTION, str(incident.id), style="primary"))
        buttons.append(button("Resolve", RESOLVE_ACTION, str(incident.id)))
        blocks.append({"type": "actions", "block_id": f"incident-{incident.id}", "elements": buttons})
    return blocks


def button(label: str, action_id: str, value: str, *, style: str | None = None) -> dict:
    """A Block Kit button; every button of the app's messages and views is made here."""
    made = {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action_id, "value": value}
    if style:
        made["style"] = style
    return made


def _status_line(incident: Incident) -> str:
    line = f"Incident #{incident.id} · {incident.status.value} · opened {when(incident.opened_at)}"
    if incident.acknowledged_by:
        line += f" · acknowledged by <@{incident.acknowledged_by}>"
    if incident.status is IncidentStatus.RESOLVED:
        line += f" · resolved by <@{incident.resolved_by}>" if incident.resolved_by else " · resolved automatically"
    return line


def when(moment: datetime, style: str = "{date_short_pretty} {time}") -> str:
    """A time every reader sees in their own time zone (Slack renders it); the fallback is in UTC."""
    return f"<!date^{int(moment.timestamp())}^{style}|{moment.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}>"


def update_text(finding: Finding) -> str:
    """A thread reply for a new occurrence or a change of an open incident. The evidence is words
    someone wrote (read as plain text by the detectors): escaped, so that it shows as written."""
    evidence = f" Evidence: `{slack_line(finding.evidence)}`" if finding.evidence else ""
    return f"Update: {finding.summary}{evidence}"


def resolved_text(reason: str, actor: str | None) -> str:
    who = f"<@{actor}>" if actor else "Safe Contact"
    return f":white_check_mark: Resolved by {who}. {reason}".strip()


def escalation_text(incident: Incident, permalink: str | None) -> str:
    link = f" <{permalink}|See the alert.>" if permalink else ""
    return (
        f"Nobody has acknowledged this incident for 15 minutes: {alert_text(incident)}{link} "
        "Please acknowledge it or act on it now."
    )


CONNECT_ACTION = "connect_account"


def reminder_blocks(
    text: str, rule: str | None, program_id: str | None, *, connect_url: str | None = None
) -> list[dict] | None:
    """A reminder that asks for something gets the button that does it: Acknowledge for the
    expectations (the welcome is one), Connect for an account not connected (and in the welcome,
    where connecting is possible). Other notes are plain text."""
    buttons = []
    if rule == "conduct-not-acknowledged" and program_id:
        buttons.append(button("Acknowledge", CONDUCT_ACKNOWLEDGE_ACTION, program_id, style="primary"))
    if connect_url and rule in ("conduct-not-acknowledged", "monitoring-not-connected"):
        buttons.append(connect_button(connect_url))
    if not buttons:
        return None
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "block_id": f"reminder-{program_id or 'app'}", "elements": buttons},
    ]


def connect_button(url: str) -> dict:
    """A link to connect one's account: Slack opens it in the browser (the app gets a click to ack)."""
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": "Connect your account"},
        "action_id": CONNECT_ACTION,
        "url": url,
    }
