"""The rule catalogue matches DESIGN's table, and every rule documents itself and is tested."""

from pathlib import Path

import pytest

from bot.model import Severity
from bot.rules import CATALOGUE, rule_by_symbol

#: DESIGN section 1: symbol -> severity. Symbols are a contract: alerts and tools show them.
DESIGN_TABLE = {
    "dm-adult-minor": Severity.CRITICAL,
    "dm-between-minors": Severity.WARNING,
    "group-dm-with-minor": Severity.HIGH,
    "off-platform-contact": Severity.HIGH,
    "private-space-without-dlc-admin": Severity.HIGH,
    "guardian-cannot-see": Severity.MEDIUM,
    "unauthorized-member": Severity.HIGH,
    "session-needs-two-adults": Severity.HIGH,
    "uncleared-adult": Severity.HIGH,
    "unverified-admin-account": Severity.MEDIUM,
    "too-few-program-admins": Severity.MEDIUM,
    "hazardous-activity": Severity.ADVISORY,
    "recording-without-consent": Severity.HIGH,
    "guardian-not-informed": Severity.MEDIUM,
    "conduct-not-acknowledged": Severity.INFO,
    "monitoring-not-connected": Severity.INFO,
}

RULE_TESTS = "\n".join(p.read_text() for p in (Path(__file__).parent / "rules").glob("test_*.py"))


def test_the_catalogue_is_the_design_table():
    assert {r.symbol: r.severity for r in CATALOGUE} == DESIGN_TABLE
    assert [r.symbol for r in CATALOGUE] == list(DESIGN_TABLE), "the order administrators read them in"


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.symbol)
def test_every_rule_documents_itself(rule):
    assert "Why:" in rule.doc and "Example:" in rule.doc, "what it detects, why, and an example"
    assert rule.clause and rule.summary and rule.scopes


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.symbol)
def test_every_rule_has_table_driven_tests(rule):
    assert f'"{rule.symbol}"' in RULE_TESTS


def test_unknown_symbol_is_a_key_error():
    with pytest.raises(KeyError):
        rule_by_symbol("no-such-rule")


def test_a_symbol_cannot_be_declared_twice():
    from bot.rules.registry import Scope, rule

    with pytest.raises(ValueError, match="declared twice"):
        rule("dm-adult-minor", severity=Severity.INFO, clause="", summary="", scopes=[Scope.PROGRAM])(
            lambda s: iter(())
        )
