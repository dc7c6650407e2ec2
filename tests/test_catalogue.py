"""The rule catalogue matches DESIGN's table, and every rule documents itself and is tested."""

import importlib
import pkgutil
from pathlib import Path

import pytest

import bot.rules
from bot.model import Severity
from bot.rules import CATALOGUE, CATALOGUE_ORDER, ordered_catalogue, rule_by_symbol
from bot.rules.registry import registered_rules

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
    "call-adult-minor": Severity.CRITICAL,
    "access-info-shared": Severity.HIGH,
    "call-needs-two-adults": Severity.HIGH,
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


def test_the_catalogue_order_names_every_registered_rule_once():
    registered = [r.symbol for r in registered_rules()]
    assert sorted(CATALOGUE_ORDER) == sorted(registered)
    assert len(set(CATALOGUE_ORDER)) == len(CATALOGUE_ORDER)
    assert [r.symbol for r in CATALOGUE] == list(CATALOGUE_ORDER)


def test_every_rule_module_is_imported_by_the_catalogue():
    """A module of rules that `bot.rules` does not import registers nothing, and its rules never run."""
    for module in pkgutil.iter_modules(bot.rules.__path__):
        importlib.import_module(f"bot.rules.{module.name}")
    assert {r.symbol for r in registered_rules()} == {r.symbol for r in CATALOGUE}


def test_a_rule_left_out_of_the_order_stops_the_import():
    """What building the catalogue at import does with an order that forgets a rule: raise, naming it."""
    order = tuple(s for s in CATALOGUE_ORDER if s != "hazardous-activity")
    with pytest.raises(ValueError, match=r"registered but not in CATALOGUE_ORDER: hazardous-activity$"):
        ordered_catalogue(registered_rules(), order)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        pytest.param((*CATALOGUE_ORDER, "no-rule"), "in CATALOGUE_ORDER but not registered: no-rule", id="unknown"),
        pytest.param(
            (*CATALOGUE_ORDER, "dm-adult-minor"), "more than once in CATALOGUE_ORDER: dm-adult-minor", id="twice"
        ),
    ],
)
def test_an_order_naming_other_rules_stops_the_import(order, expected):
    with pytest.raises(ValueError, match=expected):
        ordered_catalogue(registered_rules(), order)
