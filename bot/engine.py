"""The rule engine: runs rules over a situation and returns findings, most serious first. A rule that
fails is reported as an undecided finding and never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.model import Finding, Severity, Situation
from bot.rules.registry import Rule, Scope

log = logging.getLogger(__name__)

#: The subject of the finding that reports a rule which raised.
RULE_FAILED = "rule-failed"
#: Said after the summary of a finding a rule made over a conversation known only in part.
PARTIAL_MEMBERS = " The app knows only some of its members, so this could not be decided."


def scope_key(rule: Rule, situation: Situation) -> str | None:
    """The key of what `rule` examines in `situation`, or None when the situation lacks what the rule
    needs. Program rules examine `program:<id>`, call rules `call:<id>`; the others examine the
    conversation. A situation with a call is about that call alone."""
    if situation.call is not None:
        return call_scope(situation.call.id) if Scope.CALL in rule.scopes else None
    if situation.message is not None and Scope.MESSAGE in rule.scopes and situation.conversation is not None:
        return situation.conversation.id
    if situation.message is None and situation.conversation is not None and Scope.CONVERSATION in rule.scopes:
        return situation.conversation.id
    if situation.conversation is None and Scope.PROGRAM in rule.scopes:
        return f"program:{situation.program.id}"
    return None


#: What the scope of a call's findings starts with.
CALL_SCOPE_PREFIX = "call:"


def call_scope(call_id: str) -> str:
    """The scope of the call rules' findings about one call."""
    return f"{CALL_SCOPE_PREFIX}{call_id}"


def evaluate(rules: Iterable[Rule], situation: Situation) -> list[Finding]:
    """Every finding the rules make about the situation, most severe first.

    A situation with a message is about that message: only message rules run. One with a
    conversation and no message is about the conversation's state; one with neither is about the
    program. Over a conversation whose members are known only in part, a rule that needs the whole
    membership makes undecided findings only: what the known members prove still holds for the
    other rules (a minor in a group DM is in it), but no absence is concluded."""
    findings: list[Finding] = []
    partial = situation.conversation is not None and situation.conversation.members_partial
    for rule in rules:
        scope = scope_key(rule, situation)
        if scope is None:
            continue
        guessing = partial and rule.whole_membership
        try:
            findings.extend(
                Finding(
                    rule=rule.symbol,
                    severity=rule.severity,
                    subject=breach.subject,
                    scope=scope,
                    summary=breach.summary + (PARTIAL_MEMBERS if guessing else ""),
                    people=breach.people,
                    channel=breach.channel,
                    evidence=breach.evidence,
                    message_ts=breach.message_ts,
                    remedy_users=() if guessing else breach.remedy_users,
                    undecided=breach.undecided or guessing,
                )
                for breach in rule(situation)
            )
        except Exception as error:  # a broken rule must not blind the others
            log.exception("rule %s failed on scope %s", rule.symbol, scope)
            findings.append(_rule_failed(rule, scope, error))
    return sorted(findings, key=_severity_order)


def checked_scopes(
    rules: Iterable[Rule], situation: Situation, findings: Iterable[Finding]
) -> frozenset[tuple[str, str]]:
    """The (rule symbol, scope) pairs this evaluation settled: a condition rule's open incident in one
    of them with no finding is over. A rule that failed or could not decide settled nothing, and
    nothing is settled over a conversation whose members are known only in part."""
    if situation.conversation is not None and situation.conversation.members_partial:
        return frozenset()  # a member the app does not know of may be what an incident is about
    unsettled = {(f.rule, f.scope) for f in findings if f.undecided}
    checked: set[tuple[str, str]] = set()
    for rule in rules:
        scope = scope_key(rule, situation)
        if scope is not None and rule.condition and (rule.symbol, scope) not in unsettled:
            checked.add((rule.symbol, scope))
    return frozenset(checked)


def _rule_failed(rule: Rule, scope: str, error: Exception) -> Finding:
    return Finding(
        rule=rule.symbol,
        severity=rule.severity,
        subject=RULE_FAILED,
        scope=scope,
        summary=f"{rule.symbol} could not be checked ({type(error).__name__}); the others were.",
        undecided=True,
    )


def _severity_order(finding: Finding) -> tuple[int, bool, str, str]:
    return (-int(finding.severity), finding.undecided, finding.rule, finding.subject)


def most_severe(findings: Iterable[Finding]) -> Severity | None:
    return max((f.severity for f in findings if not f.undecided), default=None)
