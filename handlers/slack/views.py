"""Block Kit for the ways in: command answers, `/minors-status`, App Home, and the roster and concern
modals. Pure functions from domain objects to blocks, tested without Slack. Slack caps a message at
50 blocks and a view at 100: long lists are cut with a line saying how many more there are."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.access import PURPOSE, USAGE, Command
from bot.inert import slack_line, slack_quote, slack_unescape
from bot.model import Incident, Lockdown, Person, Program, Role, SessionWindow, Severity
from bot.onboarding import expectations
from bot.rules import rule_by_symbol
from bot.rules.common import channel_ref, mentions
from bot.status import CallStatus, Measure, ProgramOverview, SessionCheck, SpaceStatus
from handlers.slack.blocks import (
    ACKNOWLEDGE_ACTION,
    CONDUCT_ACKNOWLEDGE_ACTION,
    RESOLVE_ACTION,
    alert_text,
    button,
    connect_button,
    when,
)

ROSTER_CALLBACK = "roster_edit"
CONCERN_CALLBACK = "report_concern"
#: The message shortcut's callback id (manifest `shortcuts`).
CONCERN_SHORTCUT = "report_concern"
ROLE_LABELS = {
    Role.MINOR: "participant (minor)",
    Role.STAFF: "facilitator (staff)",
    Role.PROGRAM_ADMIN: "program administrator",
    Role.DLC_ADMIN: "DLC administrator",
    Role.GUARDIAN: "parent or guardian",
}
_MESSAGE_BLOCKS = 50
_VIEW_BLOCKS = 100
_SECTION_TEXT = 3000


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:_SECTION_TEXT]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:_SECTION_TEXT]}]}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def mentioned(user_ids: Iterable[str]) -> str:
    """At most 20 mentions, then how many more, or "nobody"."""
    return mentions(user_ids, limit=20) or "nobody"


def capped(blocks: list[dict], limit: int) -> list[dict]:
    """At most `limit` blocks; the last says how many were left out."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    return [*kept, context(f"…and {len(blocks) - len(kept)} more not shown here.")]


# -- help ----------------------------------------------------------------------------------------


def help_blocks(commands: Sequence[Command], *, is_admin: bool) -> list[dict]:
    """What the app does, and the commands the asker may use."""
    lines = "\n".join(f"• `{USAGE[c]}`: {PURPOSE[c]}" for c in commands)
    blocks = [
        section(
            "*Safe Contact* keeps this workspace's programs for minors safe: it watches for private "
            "contact between adults and minors, private spaces without a DLC administrator, sessions "
            "with fewer than two adults, contact details and recordings shared with minors, and tells "
            "the program's administrators at once."
        ),
        section(f"*What you can use*\n{lines}"),
        context(
            "Anyone can use *Report a concern* from a message's ⋮ menu: it goes to the program's "
            "administrators, never to a single adult."
        ),
    ]
    if is_admin:
        blocks.append(context("Your App Home tab shows the program's dashboard."))
    return blocks


# -- status --------------------------------------------------------------------------------------


def running_for(duration: timedelta | None) -> str:
    """How long a call has run, to the minute: "for 4 min", "for 1 h 05 min"."""
    if duration is None:
        return "since a time Slack did not say"
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "for less than a minute"
    hours, minutes = divmod(minutes, 60)
    return f"for {hours} h {minutes:02d} min" if hours else f"for {minutes} min"


def call_line(call: CallStatus) -> str:
    """A live call on one line: where, how long, who (program adults, minors, other roster people,
    accounts not on the roster) and whether its AI notes are on."""
    parts = [
        f"program adults {len(call.program_adults)} ({mentioned(call.program_adults)})",
        f"minors {len(call.minors)} ({mentioned(call.minors)})",
    ]
    if call.other_roster:
        parts.append(f"other roster people {len(call.other_roster)} ({mentioned(call.other_roster)})")
    if call.not_on_roster:
        parts.append(f"others, not on the roster {len(call.not_on_roster)} ({mentioned(call.not_on_roster)})")
    notes = (
        f"AI notes on ({', '.join(sorted(f.value for f in call.ai_notes))}) :warning:"
        if call.ai_notes
        else "AI notes off"
    )
    return f":telephone_receiver: Live call {call.place} {running_for(call.running_for)}: {'; '.join(parts)}. {notes}."


def check_line(check: SessionCheck) -> str:
    """How a live session's two-adult check was measured, and what it counted."""
    where = channel_ref(check.window.channel)
    if check.measure is Measure.IN_CALL:
        adults = check.adults_in_call or ()
        return f"Two adults in {where}: measured {check.measure.value}, {len(adults)} program adult(s) in it."
    if check.measure is Measure.BY_PRESENCE:
        return f"Two adults in {where}: measured {check.measure.value}: program adults online count."
    return (
        f"Two adults in {where}: {check.measure.value} (the session meets in Slack): program adults as members count."
    )


def space_lines(status: SpaceStatus) -> list[str]:
    """The facts of one space, one line each."""
    lines = []
    if status.locked:
        lines.append(":lock: *Locked down*: only the program's cleared adults are in it.")
    if not status.app_is_member:
        lines.append(":warning: Safe Contact is not a member: invite it so that the space is watched.")
    adults = f"Program adults present: {len(status.program_adults)} ({mentioned(status.program_adults)})"
    if status.active_adults is not None:
        adults += f"; active now: {len(status.active_adults)}"
    if status.adults_needed:
        adults += f" :warning: needs {status.adults_needed} more"
    lines.append(adults)
    if status.live_session is not None:
        lines.append(f"Live session now, until {when(status.live_session.end, '{time}')}.")
        if status.check is not None:
            lines.append(check_line(status.check))
    elif status.next_session is not None:
        lines.append(f"Next session: {when(status.next_session.start)}.")
    if status.call is not None:
        lines.append(call_line(status.call))
    if status.is_private:
        dlc = mentioned(status.dlc_admins) if status.dlc_admins else "none :warning:" if status.minors else "none"
        lines.append(f"DLC admin present: {dlc}")
    if status.minors:
        covered = len(status.minors) - len(status.minors_without_guardian)
        guardian_line = f"Minors: {len(status.minors)}"
        if status.is_private:
            guardian_line += f"; covered by a guardian in the space: {covered}/{len(status.minors)}"
            if status.minors_without_guardian:
                guardian_line += f" (missing for {mentioned(status.minors_without_guardian)})"
        lines.append(guardian_line)
        if status.minors_without_consent:
            lines.append(f"No recording consent on record: {mentioned(status.minors_without_consent)}")
    if status.not_on_roster:
        lines.append(f":warning: Not on the roster: {mentioned(status.not_on_roster)}")
    if status.not_acknowledged:
        lines.append(f"Not yet acknowledged the expectations: {mentioned(status.not_acknowledged)}")
    if status.not_connected:
        lines.append(f"Not connected (their DMs are not watched): {mentioned(status.not_connected)}")
    if status.open_incidents:
        counts = ", ".join(f"`{rule}` {n}" for rule, n in status.open_incidents.items())
        lines.append(f"Open incidents: {counts}")
    else:
        lines.append("No open incidents.")
    return lines


def space_blocks(status: SpaceStatus, program: Program) -> list[dict]:
    verdict = ":white_check_mark: In order" if status.in_order else ":warning: " + "; ".join(status.gaps)
    blocks = [
        section(f"*<#{status.channel}>* · {slack_line(program.name)}\n{verdict}"),
        section("\n".join(space_lines(status))),
    ]
    return capped(blocks, _MESSAGE_BLOCKS)


def overview_lines(overview: ProgramOverview) -> list[str]:
    coverage = overview.coverage
    lines = [
        f"Spaces in order: {overview.spaces_in_order}/{len(overview.spaces)}",
        f"Acknowledged the expectations: {coverage.acknowledged}/{coverage.members}",
    ]
    if coverage.connected is not None:
        lines.append(f"Connected their accounts: {coverage.connected}/{coverage.members}")
    if overview.open_incidents:
        lines.append("Open incidents: " + ", ".join(f"`{r}` {n}" for r, n in overview.open_incidents.items()))
    else:
        lines.append("No open incidents.")
    if overview.without_account:
        lines.append(f"On the roster without a workspace account: {len(overview.without_account)}")
    for window in overview.upcoming:
        lines.append(f"Session in <#{window.channel}>: {when(window.start)} to {when(window.end, '{time}')}")
    lines.extend(check_line(check) for check in overview.live_checks)
    return lines


def retrying_blocks(count: int, latest_error: str | None) -> list[dict]:
    """Slack actions (alerts, warnings, invitations) that failed and wait to be tried again."""
    if not count:
        return []
    error = f" (Slack last answered: {latest_error})" if latest_error else ""
    return [context(f":hourglass: {count} Slack action(s) failed and will be tried again{error}.")]


def overview_blocks(overview: ProgramOverview, *, limit: int = _MESSAGE_BLOCKS) -> list[dict]:
    """The program's standing, its live calls (first: someone is with minors now), then its spaces."""
    blocks = [
        section(f"*{slack_line(overview.program.name)}*\n" + "\n".join(overview_lines(overview))),
    ]
    for call in overview.calls.in_spaces:
        blocks.append(context(call_line(call)))
    if overview.calls.elsewhere:
        lines = [call_line(call) for call in overview.calls.elsewhere]
        blocks.append(section("*Calls elsewhere with the program's minors* (administrators only)\n" + "\n".join(lines)))
    for space in overview.spaces:
        mark = ":lock:" if space.locked else ":white_check_mark:" if space.in_order else ":warning:"
        gaps = "" if space.in_order else ": " + "; ".join(space.gaps)
        blocks.append(context(f"{mark} <#{space.channel}>{gaps}"))
    return capped(blocks, limit)


# -- lockdown ------------------------------------------------------------------------------------


def closure_notice(program: Program) -> str:
    return (
        f":lock: This session of {slack_line(program.name)} has been closed by the program's administrators. "
        "Participants and guardians will be told when it reopens."
    )


def reopening_notice(program: Program) -> str:
    return f":unlock: This space of {slack_line(program.name)} is open again. Welcome back!"


def lockdown_alert(lockdown: Lockdown, *, removing: Sequence[str], staying: Sequence[str]) -> str:
    # The reason is a command's text, which Slack sends escaped and with live mentions: as typed, inert.
    reason = slack_line(slack_unescape(lockdown.reason)).rstrip(".")
    reason = f" Reason: {reason}." if reason else " No reason was given."
    return (
        f":lock: <@{lockdown.locked_by}> locked down <#{lockdown.channel}> at {when(lockdown.locked_at)}.{reason}\n"
        f"Removing {len(removing)}: {mentioned(removing)}. Staying: {mentioned(staying)}. "
        f"`/minors-unlock <#{lockdown.channel}>` reopens it."
    )


def lockdown_alert_text(lockdown: Lockdown) -> str:
    """The lockdown's alert as it stands: what it said when it was posted, and whom Slack refused to
    remove (what to do by hand about each is in its thread)."""
    if not lockdown.refused:
        return lockdown.alert_text
    return (
        f"{lockdown.alert_text}\n:warning: Slack refused to remove {mentioned(lockdown.refused)}: they are still in "
        f"<#{lockdown.channel}>. What to do by hand is in the thread."
    )


def unlock_alert(lockdown: Lockdown, *, readmitting: Sequence[str]) -> str:
    return (
        f":unlock: <@{lockdown.lifted_by}> reopened <#{lockdown.channel}> (locked since "
        f"{when(lockdown.locked_at)}). Bringing back: {mentioned(readmitting)}."
    )


def guardian_lockdown_text(program: Program, channel: str) -> str:
    return (
        f"{slack_line(program.name)}: the program's administrators have closed the session in <#{channel}> while they "
        "look into something. Your child has been taken out of it for now and is not in trouble. You will "
        "be told when it reopens; the administrators can tell you more."
    )


def guardian_unlock_text(program: Program, channel: str) -> str:
    return f"{slack_line(program.name)}: the session in <#{channel}> is open again, and your child is back in it."


# -- App Home ------------------------------------------------------------------------------------


def incident_blocks(incident: Incident) -> list[dict]:
    """An open incident on the dashboard, with the alert's buttons."""
    rule = rule_by_symbol(incident.rule)
    state = "acknowledged" if incident.acknowledged_by else "open"
    blocks = [
        section(f"{_severity_mark(incident.severity)} {alert_text(incident)}"),
        context(f"#{incident.id} · {state} · opened {when(incident.opened_at)} · {rule.clause}"),
    ]
    buttons = []
    if not incident.acknowledged_by:
        buttons.append(button("Acknowledge", ACKNOWLEDGE_ACTION, str(incident.id), style="primary"))
    buttons.append(button("Resolve", RESOLVE_ACTION, str(incident.id)))
    blocks.append({"type": "actions", "block_id": f"home-incident-{incident.id}", "elements": buttons})
    return blocks


def _severity_mark(severity: Severity) -> str:
    return ":rotating_light:" if severity >= Severity.CRITICAL else ":warning:" if severity >= Severity.HIGH else "•"


def admin_home(
    overviews: Sequence[ProgramOverview],
    incidents: Sequence[Incident],
    *,
    now: datetime,
    connect_url: str | None = None,
    retrying: tuple[int, str | None] = (0, None),
) -> dict:
    """The administrators' dashboard: each program's standing, its spaces, and the open incidents to
    acknowledge or resolve (most serious first); the Connect button while their own account is not."""
    blocks: list[dict] = [header("Safe Contact"), context(f"Updated {when(now)}"), *retrying_blocks(*retrying)]
    if connect_url:
        blocks.append(section("Your own direct messages are not watched until you connect your account."))
        blocks.append({"type": "actions", "block_id": "connect", "elements": [connect_button(connect_url)]})
    for overview in overviews:
        blocks.append({"type": "divider"})
        blocks.extend(overview_blocks(overview, limit=20))
    serious = sorted(incidents, key=lambda i: (-i.severity, i.opened_at))
    blocks.append({"type": "divider"})
    blocks.append(header(f"Open incidents ({len(serious)})"))
    if not serious:
        blocks.append(section("Nothing needs your attention. :white_check_mark:"))
    incident_area = [b for incident in serious for b in incident_blocks(incident)]
    room = _VIEW_BLOCKS - len(blocks)
    if len(incident_area) > room:
        shown = (room - 1) // 3
        incident_area = [b for incident in serious[:shown] for b in incident_blocks(incident)]
        incident_area.append(context(f"…and {len(serious) - shown} more: `/minors-report` exports them all."))
    blocks.extend(incident_area)
    return {"type": "home", "blocks": blocks[:_VIEW_BLOCKS]}


def member_home(entries: Sequence[tuple[Program, Person, bool]], *, connect_url: str | None = None) -> dict:
    """Everyone else's Home: their role in each program, its rules in plain language, an Acknowledge
    button where they have not, and the link to connect their account where they need it. Nothing
    about anybody else."""
    blocks: list[dict] = [header("Safe Contact")]
    if not entries:
        blocks.append(
            section(
                "Safe Contact keeps the programs for minors in this workspace safe. You are not on a "
                "program's roster. If something worries you, use *Report a concern* from a message's ⋮ menu."
            )
        )
        blocks.append(section("*The rules everyone keeps here*\n" + _bullets(expectations(None))))
        return {"type": "home", "blocks": blocks}
    for program, person, acknowledged in entries:
        blocks.append({"type": "divider"})
        blocks.append(section(f"*{slack_line(program.name)}*\nYou are a {ROLE_LABELS[person.role]}."))
        blocks.append(section("*The program's expectations*\n" + _bullets(expectations(person.role))))
        if acknowledged:
            blocks.append(context(":white_check_mark: You acknowledged these expectations. Thank you!"))
        else:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"home-conduct-{program.id}",
                    "elements": [button("Acknowledge", CONDUCT_ACKNOWLEDGE_ACTION, program.id, style="primary")],
                }
            )
    if connect_url:
        blocks.append({"type": "divider"})
        blocks.append(
            section(
                "Connect your account so that Safe Contact can keep your direct messages safe too: it only "
                "looks for what the program's policy forbids."
            )
        )
        blocks.append({"type": "actions", "block_id": "connect", "elements": [connect_button(connect_url)]})
    return {"type": "home", "blocks": capped(blocks, _VIEW_BLOCKS)}


def _bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


# -- roster modal --------------------------------------------------------------------------------

ROLE_OPTIONS = [{"text": plain(ROLE_LABELS[r]), "value": r.value} for r in Role]


def roster_modal(program: Program, account_of: dict[str, str | None]) -> dict:
    """The roster as it stands, and the ways to change it: add or update a person, remove one, or
    import a roster CSV uploaded in Slack (validated as the command line validates it)."""
    listing: list[dict] = []
    for role in Role:
        people = [p for p in program.roster if p.role is role]
        if not people:
            continue
        lines = [f"*{ROLE_LABELS[role]}s ({len(people)})*"]
        lines += [_roster_line(p, account_of.get(p.email)) for p in people]
        listing.extend(section(chunk) for chunk in _chunks(lines))
    inputs = [
        {"type": "divider"},
        header("Add or update a person"),
        _input("name", "Name", {"type": "plain_text_input", "action_id": "value"}),
        _input("email", "Email", {"type": "email_text_input", "action_id": "value"}),
        _input("role", "Role", {"type": "static_select", "action_id": "value", "options": ROLE_OPTIONS}),
        _input("slack_user", "Slack account", {"type": "users_select", "action_id": "value"}),
        _input(
            "guardian_of",
            "Guardian of (the minors' emails, separated by ;)",
            {"type": "plain_text_input", "action_id": "value"},
        ),
        _input(
            "background_check",
            "Background check",
            {
                "type": "static_select",
                "action_id": "value",
                "options": [{"text": plain(v), "value": v} for v in ("cleared", "pending")],
            },
        ),
        _input(
            "recording_consent",
            "Recording release on file (minors)",
            {
                "type": "checkboxes",
                "action_id": "value",
                "options": [{"text": plain("A signed recording release is on file"), "value": "yes"}],
            },
        ),
        {"type": "divider"},
        _input("remove", "Remove a person (their email)", {"type": "email_text_input", "action_id": "value"}),
        {"type": "divider"},
        _input(
            "csv",
            "Or import a roster CSV (replaces the whole roster)",
            {"type": "file_input", "action_id": "value", "filetypes": ["csv"], "max_files": 1},
        ),
    ]
    room = _VIEW_BLOCKS - len(inputs) - 1
    return {
        "type": "modal",
        "callback_id": ROSTER_CALLBACK,
        "private_metadata": program.id,
        "title": plain("Program roster"),
        "submit": plain("Save"),
        "close": plain("Close"),
        "blocks": [
            context(f"{slack_line(program.name)} · {len(program.roster)} people"),
            *capped(listing, room),
            *inputs,
        ],
    }


def roster_import_modal(program: Program, file_name: str, *, done: str | None = None) -> dict:
    """What the roster form shows while a CSV uploaded in it is read (`done` None), then the outcome:
    reading the file takes Slack longer than the 3 seconds a form's answer may."""
    text = done or (
        f":hourglass_flowing_sand: Reading *{slack_line(file_name)}* for the roster of {slack_line(program.name)}…"
    )
    return {
        "type": "modal",
        "callback_id": ROSTER_CALLBACK,
        "private_metadata": program.id,
        "title": plain("Program roster"),
        "close": plain("Close"),
        "blocks": [section(text[:_SECTION_TEXT])],
    }


def _chunks(lines: list[str]) -> list[str]:
    """Lines joined into texts that each fit a section."""
    chunks, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > _SECTION_TEXT:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


def _roster_line(person: Person, account: str | None) -> str:
    who = f"<@{account}>" if account else f"{slack_line(person.name)} (no account)"
    extras = []
    if person.is_supervisor and person.background_check is not None:
        extras.append(f"check {person.background_check.value}")
    if person.is_minor:
        extras.append("recording release on file" if person.recording_consent else "no recording release")
    if person.guardian_of:
        extras.append("guardian of " + slack_line(", ".join(person.guardian_of)))
    suffix = f" · {'; '.join(extras)}" if extras else ""
    return f"• {who} · {slack_line(person.email)}{suffix}"


def _input(block_id: str, label: str, element: dict, *, optional: bool = True) -> dict:
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}


# -- report a concern ----------------------------------------------------------------------------


def concern_modal(channel: str, message_ts: str, author: str) -> dict:
    metadata = json.dumps({"channel": channel, "ts": message_ts, "author": author})
    return {
        "type": "modal",
        "callback_id": CONCERN_CALLBACK,
        "private_metadata": metadata,
        "title": plain("Report a concern"),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "blocks": [
            section(
                "The program's administrators will see this message and your note. It is never sent to "
                "a single adult, and the person who wrote the message is not told."
            ),
            _input(
                "note",
                "What worries you? (optional)",
                {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 1000},
            ),
        ],
    }


def concern_alert(reporter: str, channel: str, author: str, permalink: str | None, note: str) -> str:
    """The concern as the administrators see it. Anyone may send one (guests and minors too): the
    note is quoted line by line and escaped, so it can neither leave the quote nor notify anyone."""
    link = f"<{permalink}|this message>" if permalink else "a message"
    by = f" by <@{author}>" if author else ""
    said = f"\n{slack_quote(note)}" if note else ""
    return f":speech_balloon: <@{reporter}> reported a concern about {link}{by} in <#{channel}>.{said}"


def session_scheduled_text(window: SessionWindow, program: Program) -> str:
    return (
        f":calendar: {slack_line(program.name)}: a live session in <#{window.channel}> from {when(window.start)} to "
        f"{when(window.end, '{time}')} is scheduled. Guardians will be sent its access information within "
        "a minute; during it, at least two program adults must be present and active."
    )
