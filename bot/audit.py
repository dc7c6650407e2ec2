"""The one-shot audit: the same rules the live app applies, run over a snapshot of a workspace (a
live read-only sweep, or a Slack export archive). Pure: the snapshot comes in, findings come out,
each with when it first happened and how often. Rules whose facts the snapshot lacks are left out
and named, never guessed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.detectors.access_info import access_markers, may_reveal
from bot.engine import evaluate
from bot.model import Account, Conversation, Directory, Finding, Message, Program, Severity, Situation
from bot.rules import CATALOGUE, rule_by_symbol

#: Rules an export archive has no data for: the app's own records, which Slack does not export.
NOT_IN_AN_EXPORT = {
    "conduct-not-acknowledged": "acknowledgements are recorded by Safe Contact, not by Slack",
    "monitoring-not-connected": "account connections are recorded by Safe Contact, not by Slack",
    "guardian-not-informed": "guardians' session notices are recorded by Safe Contact, not by Slack",
}


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
) -> list[AuditFinding]:
    """Every finding of every rule not in `skip`, over the program's spaces and every conversation
    with one of its minors, and over any other message that holds the access information of one of
    its live or upcoming sessions (as the live app judges it); repeats of one (rule, subject) are
    counted, not listed again."""
    rules = [r for r in CATALOGUE if r.symbol not in set(skip)]
    directory = Directory(program, snapshot.accounts, complete=snapshot.complete)
    facts = facts or ProgramFacts()
    found: dict[tuple[str, str], AuditFinding] = {}

    def record(findings: Iterable[Finding], at: datetime) -> None:
        for finding in findings:
            if finding.undecided:
                continue
            key = (finding.rule, finding.subject)
            earlier = found.get(key)
            if earlier is None:
                found[key] = _audit_finding(program, finding, at)
            else:
                first = earlier if earlier.at <= at else _audit_finding(program, finding, at)
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
    return sorted(found.values(), key=lambda f: (-f.severity, f.at, f.rule, f.subject))


def _first_time(messages: Iterable[Message]) -> datetime | None:
    times = [t for m in messages if (t := message_time(m)) is not None]
    return min(times) if times else None


def _audit_finding(program: Program, finding: Finding, at: datetime) -> AuditFinding:
    return AuditFinding(
        program_id=program.id,
        rule=finding.rule,
        severity=finding.severity,
        subject=finding.subject,
        summary=finding.summary,
        people=finding.people,
        conversation=finding.channel,
        at=at,
        evidence=finding.evidence,
    )


def _counted(finding: AuditFinding, occurrences: int) -> AuditFinding:
    return AuditFinding(**{**{k: getattr(finding, k) for k in finding.__slots__}, "occurrences": occurrences})


def rules_not_checked(skip: Iterable[str]) -> dict[str, str]:
    """The rules an audit left out, with why (for the report)."""
    return {symbol: NOT_IN_AN_EXPORT.get(symbol, "not applicable") for symbol in skip if rule_by_symbol(symbol)}
