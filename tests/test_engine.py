"""The engine: ordering, scopes, a failing rule, and what an evaluation settles."""

from dataclasses import replace

from builders import DLC, MINOR1, MINOR2, PENDING, STAFF1, STRANGER, im, message, mpim, private, public, situation

from bot.engine import PARTIAL_MEMBERS, RULE_FAILED, checked_scopes, evaluate
from bot.model import Severity
from bot.rules import CATALOGUE, Scope, rule_by_symbol
from bot.rules.registry import Breach, Rule


def test_findings_come_most_severe_first():
    # A DM between a minor and an uncleared stranger... and staff: critical before high.
    s = situation(im(MINOR1, PENDING))
    findings = evaluate(CATALOGUE, s)
    assert [f.rule for f in findings] == ["dm-adult-minor", "uncleared-adult"]
    assert findings[0].severity is Severity.CRITICAL


def test_every_finding_carries_its_rule_and_scope():
    s = situation(public(MINOR1, STAFF1, STRANGER))
    findings = evaluate(CATALOGUE, s)
    assert {f.rule for f in findings} == {"unauthorized-member"}
    assert all(f.scope == "C0GENERAL1" for f in findings)


def test_a_situation_with_a_message_runs_only_message_rules():
    channel = public(MINOR1, STAFF1, STRANGER)
    s = situation(channel, message(channel, STAFF1, "call me at 617-555-0134"))
    assert {f.rule for f in evaluate(CATALOGUE, s)} == {"off-platform-contact"}


def test_a_program_situation_runs_only_program_rules():
    s = situation(connected_users=frozenset())
    rules = {f.rule for f in evaluate(CATALOGUE, s)}
    assert "monitoring-not-connected" in rules
    assert all(Scope.PROGRAM in rule_by_symbol(r).scopes for r in rules)


def _raising(situation):
    """A rule that fails, to check the engine carries on."""
    raise RuntimeError("boom")
    yield  # pragma: no cover


def _always(situation):
    """A rule that always fires."""
    yield Breach(subject="x", summary="always")


BROKEN = Rule("broken", Severity.HIGH, "clause", "summary", frozenset({Scope.CONVERSATION}), frozenset(), _raising)
ALWAYS = Rule("always", Severity.INFO, "clause", "summary", frozenset({Scope.CONVERSATION}), frozenset(), _always)


def test_a_failing_rule_is_reported_and_does_not_stop_the_others(caplog):
    s = situation(im(MINOR1, STAFF1))
    findings = evaluate([BROKEN, rule_by_symbol("dm-adult-minor"), ALWAYS], s)
    assert [f.rule for f in findings] == ["dm-adult-minor", "broken", "always"]
    failed = findings[1]
    assert failed.undecided and failed.subject == RULE_FAILED and "RuntimeError" in failed.summary
    assert "broken" in caplog.text


def test_checked_scopes_leave_out_failed_and_undecided_rules():
    s = situation(im(MINOR1, STAFF1))
    rules = [BROKEN, rule_by_symbol("dm-adult-minor"), rule_by_symbol("off-platform-contact")]
    findings = evaluate(rules, s)
    checked = checked_scopes(rules, s, findings)
    assert checked == {("dm-adult-minor", "D0DM0001")}, "event rules and failed rules settle nothing"


def test_evaluation_of_a_clean_channel_is_empty():
    assert evaluate(CATALOGUE, situation(public(MINOR1, MINOR2, STAFF1))) == []


def test_over_members_known_in_part_rules_needing_them_all_only_say_they_could_not_decide():
    partly = replace(private(MINOR1, STAFF1), members_partial=True)
    findings = {f.rule: f for f in evaluate(CATALOGUE, situation(partly))}
    # "No DLC admin" and "no guardian" are absences the app cannot prove: undecided, nobody invited.
    for symbol in ("private-space-without-dlc-admin", "guardian-cannot-see"):
        assert findings[symbol].undecided and findings[symbol].summary.endswith(PARTIAL_MEMBERS)
        assert findings[symbol].remedy_users == ()
    assert checked_scopes(CATALOGUE, situation(partly), findings.values()) == frozenset()
    # What the known members prove still holds: a minor in a group DM with an adult is in it.
    group = replace(mpim(MINOR1, STAFF1), members_partial=True)
    in_group = {f.rule: f.undecided for f in evaluate(CATALOGUE, situation(group))}
    assert in_group == {"group-dm-with-minor": False, "guardian-cannot-see": True}
    # A known DLC admin settles the absence rule's question: no finding at all.
    watched = replace(private(MINOR1, STAFF1, DLC), members_partial=True)
    assert "private-space-without-dlc-admin" not in {f.rule for f in evaluate(CATALOGUE, situation(watched))}


def test_which_rules_need_the_whole_membership():
    assert {r.symbol for r in CATALOGUE if r.whole_membership} == {
        "dm-adult-minor",
        "dm-between-minors",
        "private-space-without-dlc-admin",
        "guardian-cannot-see",
        "session-needs-two-adults",
    }
