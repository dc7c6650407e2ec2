"""Enforcement planning: turns findings and the open incidents into actions (alert, warn, invite,
reply, resolve, escalate). Pure: the handlers carry the actions out and record their outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.engine import CALL_SCOPE_PREFIX
from bot.inert import slack_line
from bot.model import (
    Directory,
    EnforcementMode,
    Finding,
    Incident,
    IncidentStatus,
    Program,
    Severity,
)
from bot.rules import Remedy, Rule, rule_by_symbol
from bot.rules.common import channel_ref

#: How long an incident may stay unacknowledged before every administrator is told directly.
ESCALATE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Alert:
    """Open an incident for the finding and post it to the alert channel."""

    finding: Finding


@dataclass(frozen=True, slots=True)
class Record:
    """Open an incident without an alert (reminder rules): it shows in status and reports."""

    finding: Finding


@dataclass(frozen=True, slots=True)
class Update:
    """Add what changed, or a new occurrence, to an open incident's alert thread."""

    incident: Incident
    finding: Finding


@dataclass(frozen=True, slots=True)
class Warn:
    """Tell people about the rule: by direct message from the app to each of `users`, or, with
    `channel`, by a post in that channel."""

    finding: Finding
    text: str
    users: tuple[str, ...] = ()
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    """Invite an account whose presence remedies the finding, saying why in the channel."""

    finding: Finding
    channel: str
    user: str
    reason: str


@dataclass(frozen=True, slots=True)
class ThreadReply:
    """Reply in a message's thread."""

    finding: Finding
    channel: str
    thread_ts: str
    text: str


@dataclass(frozen=True, slots=True)
class Resolve:
    """Close an incident whose condition is gone, saying so in its thread."""

    incident: Incident
    reason: str


@dataclass(frozen=True, slots=True)
class Escalate:
    """Tell every administrator directly about an incident nobody has acknowledged."""

    incident: Incident
    recipients: tuple[str, ...]


Action = Alert | Record | Update | Warn | Invite | ThreadReply | Resolve | Escalate


def plan(
    findings: Iterable[Finding],
    open_incidents: Iterable[Incident],
    *,
    checked: Iterable[tuple[str, str]],
    directory: Directory,
) -> list[Action]:
    """The actions that bring Slack in line with the findings.

    One incident per (rule, subject) while open: a finding with an open incident updates its
    thread only when something changed (new people, or a new message for an event rule). In
    `observe` mode people are neither warned nor invited; administrators still get everything."""
    program = directory.program
    enforce = program.mode is EnforcementMode.ENFORCE
    incidents = {(i.rule, i.subject): i for i in open_incidents if i.is_open}
    found: set[tuple[str, str]] = set()
    actions: list[Action] = []
    for finding in findings:
        key = (finding.rule, finding.subject)
        if key in found:
            continue
        found.add(key)
        rule = rule_by_symbol(finding.rule)
        if finding.undecided:
            if enforce:
                actions.extend(_questions(finding, rule, program))
            continue
        incident = incidents.get(key)
        if incident is None:
            actions.append(Alert(finding) if rule.alerts else Record(finding))
            if enforce:
                actions.extend(remedies(finding, rule, directory))
        elif _changed(incident, finding, rule):
            actions.append(Update(incident, finding))
            if enforce:
                actions.extend(remedies(finding, rule, directory, repeat=True))
    settled = set(checked)
    for incident in incidents.values():
        rule = rule_by_symbol(incident.rule)
        key = (incident.rule, incident.subject)
        if rule.condition and key not in found and (incident.rule, incident.scope) in settled:
            actions.append(Resolve(incident, _gone(incident)))
    return actions


def _gone(incident: Incident) -> str:
    """Why a condition incident resolved itself."""
    if incident.scope.startswith(CALL_SCOPE_PREFIX):
        return "The call ended, or the people in it no longer break the rule."
    return "A later check found the condition gone."


def plan_escalations(
    open_incidents: Iterable[Incident], *, now: datetime, admins: Mapping[str, tuple[str, ...]]
) -> list[Escalate]:
    """Escalate every serious incident still unacknowledged `ESCALATE_AFTER` after it opened, once.

    `admins` maps a program id to its program and DLC admins' accounts."""
    return [
        Escalate(incident, admins.get(incident.program_id, ()))
        for incident in open_incidents
        if incident.status is IncidentStatus.OPEN
        and incident.escalated_at is None
        and now - incident.opened_at >= ESCALATE_AFTER
        and escalates(rule_by_symbol(incident.rule))
        and admins.get(incident.program_id)
    ]


def escalates(rule: Rule) -> bool:
    """Critical and high rules, and any rule that asks for it, escalate when nobody acknowledges."""
    return Remedy.ESCALATE in rule.remedies or rule.severity >= Severity.HIGH


def administrators(directory: Directory) -> tuple[str, ...]:
    """The accounts of a program's program admins and DLC admins."""
    return directory.user_ids(p for p in directory.program.roster if p.is_admin)


def _changed(incident: Incident, finding: Finding, rule: Rule) -> bool:
    if not rule.condition and finding.message_ts is not None:
        return True  # an event rule's open incident gets every new message in its thread
    return set(incident.people) != set(finding.people)


def remedies(finding: Finding, rule: Rule, directory: Directory, *, repeat: bool = False) -> list[Action]:
    """The remedies the rule asks for, as actions. On a repeat (an open incident changed), a
    condition rule only invites whoever is newly needed; an event rule warns again."""
    actions: list[Action] = []
    minors = tuple(u for u in finding.people if directory.is_minor(u))
    adults = tuple(u for u in finding.people if not directory.is_minor(u))
    warn_again = not (repeat and rule.condition)
    if warn_again:
        if Remedy.WARN_PEOPLE in rule.remedies and adults:
            actions.append(Warn(finding, warning_text(rule, "adult", directory.program), users=adults))
        if Remedy.WARN_PEOPLE in rule.remedies and minors and Remedy.NOTE_TO_MINOR not in rule.remedies:
            actions.append(Warn(finding, warning_text(rule, "minor", directory.program), users=minors))
        if Remedy.NOTE_TO_MINOR in rule.remedies and minors:
            actions.append(Warn(finding, warning_text(rule, "minor", directory.program), users=minors))
        if Remedy.REMIND in rule.remedies and finding.people:
            actions.append(Warn(finding, warning_text(rule, "reminder", directory.program), users=finding.people))
        if Remedy.WARN_CHANNEL in rule.remedies and finding.channel:
            actions.append(Warn(finding, warning_text(rule, "channel", directory.program), channel=finding.channel))
        if Remedy.REPLY_IN_THREAD in rule.remedies and finding.channel and finding.message_ts:
            actions.append(_thread_reply(finding, rule, directory.program))
    if finding.channel and (Remedy.INVITE_DLC_ADMIN in rule.remedies or Remedy.INVITE_GUARDIAN in rule.remedies):
        reason = invite_reason(rule)
        actions.extend(Invite(finding, finding.channel, user, reason) for user in finding.remedy_users)
    return actions


def _questions(finding: Finding, rule: Rule, program: Program) -> list[Action]:
    """An undecided finding from a rule that replies in thread asks the question there instead."""
    if Remedy.REPLY_IN_THREAD in rule.remedies and finding.channel and finding.message_ts:
        return [_thread_reply(finding, rule, program)]
    return []


def _thread_reply(finding: Finding, rule: Rule, program: Program) -> ThreadReply:
    audience = "question" if finding.undecided else "thread"
    return ThreadReply(finding, finding.channel or "", finding.message_ts or "", warning_text(rule, audience, program))


def invite_reason(rule: Rule) -> str:
    if Remedy.INVITE_DLC_ADMIN in rule.remedies:
        return (
            "Safe Contact invited a DLC administrator: the program's policy requires that one has access "
            "to every private space with minors."
        )
    return (
        "Safe Contact invited a guardian: the program's policy says parents and guardians must be able "
        "to see their child's conversations."
    )


def _safety_contact(program: Program) -> str:
    return program.safety_contact or "the program's safety office"


#: What people are told, by rule and audience. Warnings state the rule and what to do, never blame;
#: notes to minors are kind and say they are not in trouble.
_TEXTS: dict[tuple[str, str], str] = {
    ("dm-adult-minor", "adult"): (
        "Private direct messages between adults and program participants are not allowed in {program}. "
        "Please continue in a program channel, where other adults can see. The program's administrators "
        "have been notified."
    ),
    ("dm-adult-minor", "minor"): (
        "Hi! A friendly note from {program}: conversations with adults happen in the program channels, so "
        "everyone stays safe. You are not in trouble. If anything made you uncomfortable, you can tell a "
        "program administrator or your parent or guardian."
    ),
    ("dm-between-minors", "reminder"): (
        "Hi! In {program}, participants chat in the program channels rather than in private messages, so "
        "the program's adults and your guardians can see. Thanks for moving the conversation there!"
    ),
    ("group-dm-with-minor", "adult"): (
        "Group messages that include a participant must be visible to everyone in {program}. Please move "
        "this conversation to a program channel. The program's administrators have been notified."
    ),
    ("group-dm-with-minor", "minor"): (
        "Hi! In {program}, group conversations happen in the program channels, where everyone can see. "
        "You are not in trouble; please continue there."
    ),
    ("off-platform-contact", "adult"): (
        "Sharing phone numbers, personal email addresses or other messaging apps where participants are "
        "is not allowed in {program}: all contact stays in the program's spaces. The program's "
        "administrators have been notified."
    ),
    ("off-platform-contact", "minor"): (
        "Hi! For your safety, please don't share phone numbers, personal emails or other app usernames in "
        "{program}. You are not in trouble; everything you need happens right here."
    ),
    ("session-needs-two-adults", "channel"): (
        "This session needs at least two program adults present. A second facilitator or administrator "
        "is on the way; the program's administrators have been notified."
    ),
    ("hazardous-activity", "thread"): (
        "Safety note from {program}: activities with chemical, biological or radiation hazards may not be "
        "done at home during the program. Questions about what can be done safely go to {safety}."
    ),
    ("hazardous-activity", "question"): (
        "Safety note from {program}: before using tools or appliances at home for this activity, please "
        "check with {safety} that it can be done safely."
    ),
    ("recording-without-consent", "adult"): (
        "Recordings that include participants need a release signed by each participant's parent or "
        "guardian, and not every participant here has one on record. Please remove the recording (or turn "
        "off the call's AI notes) until consent is recorded. The program's administrators have been notified."
    ),
    ("recording-without-consent", "minor"): (
        "Hi! Recordings can only be shared in {program} once everyone's guardians have agreed. Please "
        "don't share this one for now. You are not in trouble."
    ),
    ("call-adult-minor", "adult"): (
        "One-to-one calls between adults and program participants are not allowed in {program}. Please "
        "end this call and continue where other adults are, such as a session with a second facilitator. "
        "The program's administrators have been notified."
    ),
    ("call-adult-minor", "minor"): (
        "Hi! A friendly note from {program}: calls with adults happen in the program's sessions, where "
        "more than one adult is there, so everyone stays safe. You are not in trouble. If anything made "
        "you uncomfortable, you can tell a program administrator or your parent or guardian."
    ),
    ("call-needs-two-adults", "channel"): (
        "This call needs at least two program adults in it while participants are here. A second "
        "facilitator or administrator is asked to join; the program's administrators have been notified."
    ),
    ("access-info-shared", "adult"): (
        "Thank you for helping people get to {program}'s session! Its join link and passcode need to stay "
        "with program staff, parents and participants, and someone else can read the place you posted "
        "them. Could you please delete that message? The program's administrators have been notified."
    ),
    ("access-info-shared", "minor"): (
        "Hi! A friendly note from {program}: the link to our sessions is just for participants, their "
        "parents and the program's staff, and someone else can read where you posted it. Could you "
        "please delete that message? You are not in trouble."
    ),
    ("conduct-not-acknowledged", "reminder"): (
        "Welcome to {program}! Please read the program's expectations and press Acknowledge."
    ),
    ("monitoring-not-connected", "reminder"): (
        "{program} keeps participants safe in direct messages too. Please connect your account to Safe "
        "Contact so that it can do so."
    ),
}


def warning_text(rule: Rule, audience: str, program: Program) -> str:
    """What the app tells `audience` (adult, minor, reminder, channel, thread, question) about `rule`,
    as Slack mrkdwn (the program's name and safety contact escaped)."""
    template = _TEXTS.get((rule.symbol, audience)) or (
        f"A Safe Contact rule applies here: {rule.summary.lower()} ({rule.symbol}). The program's "
        "administrators have been notified."
    )
    return template.format(program=slack_line(program.name), safety=slack_line(_safety_contact(program)))


def describe(action: Action) -> str:
    """One line saying what an action does, for logs and the demo. Never includes message text."""
    match action:
        case Alert(finding) | Record(finding):
            return f"{type(action).__name__.lower()} {finding.rule} {finding.subject}"
        case Update(incident, finding):
            return f"update incident {incident.id} ({finding.rule})"
        case Warn(finding, _, users, channel):
            target = channel_ref(channel) if channel else f"{len(users)} person(s)"
            return f"warn {target} about {finding.rule}"
        case Invite(finding, channel, user, _):
            return f"invite {user} to {channel} for {finding.rule}"
        case ThreadReply(finding, channel, _, _):
            return f"reply in a thread in {channel} for {finding.rule}"
        case Resolve(incident, _):
            return f"resolve incident {incident.id} ({incident.rule})"
        case Escalate(incident, recipients):
            return f"escalate incident {incident.id} to {len(recipients)} administrator(s)"
    raise TypeError(f"not an action: {action!r}")
