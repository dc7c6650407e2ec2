"""The one-shot audit: the same rules the live app applies, run over a snapshot of a workspace (a
live read-only sweep, or a Slack export archive). Pure: the snapshot comes in, findings come out,
each with when it first happened and how often. Rules whose facts the snapshot lacks are left out
and named, never guessed.

Past calls (Slack huddles) are judged from their roots (`huddle_thread` messages): a `PastCall` is a
call whose participants are everyone who was ever in it (`participant_history`), together from when
it started (`date_start`) to when it ended (`date_end`). Slack keeps no record of who was in it at the
same time, so this over-approximates who was together: a call whose history is exactly one minor and
one adult is a 1:1 call (they were the only people in it), but a call with two program adults in its
history who were never there together is not flagged, although a minor may have been alone with one
of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.detectors.access_info import access_markers, may_reveal
from bot.engine import evaluate
from bot.model import (
    DEFAULT_CALL_GRACE,
    Account,
    Call,
    Conversation,
    Directory,
    Finding,
    Message,
    Program,
    Severity,
    Situation,
)
from bot.rules import CATALOGUE, rule_by_symbol

#: Rules an export archive has no data for: the app's own records, which Slack does not export.
NOT_IN_AN_EXPORT = {
    "conduct-not-acknowledged": "acknowledgements are recorded by Safe Contact, not by Slack",
    "monitoring-not-connected": "account connections are recorded by Safe Contact, not by Slack",
    "guardian-not-informed": "guardians' session notices are recorded by Safe Contact, not by Slack",
}


#: Said of every finding about a past call, in every format: what its people are, and are not.
PAST_CALL_NOTE = "everyone who was ever in the call (Slack's participant_history), not necessarily all at the same time"


@dataclass(frozen=True, slots=True)
class PastCall:
    """A call that is over, as its root says it was: `call.participants` is everyone who was ever in
    it, `call.since` when it started, and `ended` when it ended, the moment it is judged at. The call
    rules then find a 1:1 call with a minor when its whole history is one minor and one adult, and
    a call shorter than the grace period stays undecided (a ring, not contact)."""

    call: Call
    ended: datetime


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What an audit looks at: the workspace's accounts, conversations with their members, and
    (where known) their messages, oldest first, with when each conversation was created."""

    team_id: str
    accounts: tuple[Account, ...]
    conversations: tuple[Conversation, ...]
    messages: Mapping[str, tuple[Message, ...]] = field(default_factory=dict)
    created: Mapping[str, datetime] = field(default_factory=dict)
    #: Whether `accounts` lists the whole workspace (so a roster person without one has none).
    complete: bool = True
    #: When the snapshot was taken (an export: its last message); program-wide findings date from it.
    as_of: datetime | None = None
    #: The calls its huddle roots show, one per call (a root's last version).
    calls: tuple[PastCall, ...] = ()
    #: Huddle roots left out because their `room` could not be read (no id, no start).
    unreadable_calls: int = 0


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """The app's own records, for a live audit of a workspace it runs in (None: not known)."""

    connected: frozenset[str] | None = None
    acknowledged: frozenset[str] = frozenset()
    welcomed: Mapping[str, datetime] = field(default_factory=dict)
    active: frozenset[str] = frozenset()
    guardians_informed: Mapping[int, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditFinding:
    """One rule's verdict about one subject, with when it was first seen and how many times."""

    program_id: str
    rule: str
    severity: Severity
    subject: str
    summary: str
    people: tuple[str, ...]
    conversation: str | None
    at: datetime
    evidence: str = ""
    occurrences: int = 1


def message_time(message: Message) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(message.ts), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def audit_program(
    program: Program,
    snapshot: Snapshot,
    *,
    now: datetime,
    skip: Iterable[str] = (),
    facts: ProgramFacts | None = None,
    call_grace: timedelta = DEFAULT_CALL_GRACE,
) -> list[AuditFinding]:
    """Every finding of every rule not in `skip`, over the program's spaces, every conversation
    with one of its minors, any other message that holds the access information of one of its live or
    upcoming sessions (as the live app judges it), and every past call (judged at its end, with
    `call_grace`, dated from its start); repeats of one (rule, subject) are counted, not listed again."""
    rules = [r for r in CATALOGUE if r.symbol not in set(skip)]
    directory = Directory(program, snapshot.accounts, complete=snapshot.complete)
    facts = facts or ProgramFacts()
    found: dict[tuple[str, str], AuditFinding] = {}

    def record(findings: Iterable[Finding], at: datetime, call: PastCall | None = None) -> None:
        for finding in findings:
            if finding.undecided:
                continue
            key = (finding.rule, finding.subject)
            earlier = found.get(key)
            if earlier is None:
                found[key] = _audit_finding(program, finding, at, call)
            else:
                first = earlier if earlier.at <= at else _audit_finding(program, finding, at, call)
                found[key] = _counted(first, earlier.occurrences + 1)

    program_situation = Situation(
        program,
        directory,
        now,
        connected_users=facts.connected,
        acknowledged_users=facts.acknowledged,
        active_participants=facts.active,
        guardians_informed=facts.guardians_informed,
        welcomed=facts.welcomed,
    )
    record(evaluate(rules, program_situation), snapshot.as_of or now)
    markers = access_markers([program], now).get(program.id, ())
    for conversation in snapshot.conversations:
        if not directory.concerns(conversation):
            for message in snapshot.messages.get(conversation.id, ()) if markers else ():
                if may_reveal(markers, message.text):
                    situation = Situation(program, directory, now, conversation=conversation, message=message)
                    record(evaluate(rules, situation), message_time(message) or now)
            continue
        messages = snapshot.messages.get(conversation.id, ())  # read once: an export's come from the archive
        if conversation.is_archived and not messages:
            continue
        first_seen = snapshot.created.get(conversation.id) or _first_time(messages) or now
        record(evaluate(rules, Situation(program, directory, now, conversation=conversation)), first_seen)
        for message in messages:
            situation = Situation(program, directory, now, conversation=conversation, message=message)
            record(evaluate(rules, situation), message_time(message) or first_seen)
    for past in snapshot.calls:
        situation = Situation(program, directory, past.ended, call=past.call, call_grace=call_grace)
        record(evaluate(rules, situation), past.call.since, past)
    return sorted(found.values(), key=lambda f: (-f.severity, f.at, f.rule, f.subject))


def _first_time(messages: Iterable[Message]) -> datetime | None:
    times = [t for m in messages if (t := message_time(m)) is not None]
    return min(times) if times else None


def _audit_finding(program: Program, finding: Finding, at: datetime, call: PastCall | None = None) -> AuditFinding:
    """The audit's record of a finding; one about a past call names the conversation it ran in (a DM's
    too: the report is for administrators, not a post in it) and says who its people are."""
    return AuditFinding(
        program_id=program.id,
        rule=finding.rule,
        severity=finding.severity,
        subject=finding.subject,
        summary=finding.summary,
        people=finding.people,
        conversation=call.call.channel if call is not None else finding.channel,
        at=at,
        evidence=_past_call_evidence(call) if call is not None else finding.evidence,
    )


def _past_call_evidence(past: PastCall) -> str:
    minutes = max(0, round((past.ended - past.call.since).total_seconds() / 60))
    return f"huddle {past.call.id}, about {minutes} min; its people are {PAST_CALL_NOTE}"


def _counted(finding: AuditFinding, occurrences: int) -> AuditFinding:
    return AuditFinding(**{**{k: getattr(finding, k) for k in finding.__slots__}, "occurrences": occurrences})


def rules_not_checked(skip: Iterable[str]) -> dict[str, str]:
    """The rules an audit left out, with why (for the report)."""
    return {symbol: NOT_IN_AN_EXPORT.get(symbol, "not applicable") for symbol in skip if rule_by_symbol(symbol)}
