"""The rule catalogue: every rule Safe Contact enforces, in the order DESIGN's table lists them."""

from collections.abc import Iterable, Sequence

from bot.rules import calls, content, direct_messages, program, spaces
from bot.rules.registry import Breach, Remedy, Rule, Scope, registered_rules, rule

#: The order administrators read them in: direct messages, contact, spaces, content, program.
CATALOGUE_ORDER = (
    "dm-adult-minor",
    "dm-between-minors",
    "group-dm-with-minor",
    "off-platform-contact",
    "private-space-without-dlc-admin",
    "guardian-cannot-see",
    "unauthorized-member",
    "session-needs-two-adults",
    "uncleared-adult",
    "unverified-admin-account",
    "too-few-program-admins",
    "hazardous-activity",
    "recording-without-consent",
    "call-adult-minor",
    "access-info-shared",
    "call-needs-two-adults",
    "guardian-not-informed",
    "conduct-not-acknowledged",
    "monitoring-not-connected",
)


def ordered_catalogue(rules: Iterable[Rule], order: Sequence[str]) -> tuple[Rule, ...]:
    """`rules` in `order`, which must name each of them exactly once: a rule left out of the order
    would silently never run, so a difference raises ValueError naming the symbols."""
    by_symbol = {r.symbol: r for r in rules}
    problems: list[str] = []
    if missing := [s for s in by_symbol if s not in order]:
        problems.append(f"registered but not in CATALOGUE_ORDER: {', '.join(missing)}")
    if unknown := [s for s in order if s not in by_symbol]:
        problems.append(f"in CATALOGUE_ORDER but not registered: {', '.join(unknown)}")
    if repeated := sorted({s for s in order if order.count(s) > 1}):
        problems.append(f"more than once in CATALOGUE_ORDER: {', '.join(repeated)}")
    if problems:
        raise ValueError("the rule catalogue does not match the registered rules; " + "; ".join(problems))
    return tuple(by_symbol[s] for s in order)


CATALOGUE: tuple[Rule, ...] = ordered_catalogue(registered_rules(), CATALOGUE_ORDER)
_BY_SYMBOL = {r.symbol: r for r in CATALOGUE}
#: The rules that judge a message (what every message event runs): the catalogue's, in its order.
MESSAGE_RULES: tuple[Rule, ...] = tuple(r for r in CATALOGUE if Scope.MESSAGE in r.scopes)
#: The rules that judge a live call.
CALL_RULES: tuple[Rule, ...] = tuple(r for r in CATALOGUE if Scope.CALL in r.scopes)


def rule_by_symbol(symbol: str) -> Rule:
    """The rule with this symbol; KeyError names the unknown symbol."""
    return _BY_SYMBOL[symbol]


__all__ = [
    "CALL_RULES",
    "CATALOGUE",
    "MESSAGE_RULES",
    "Breach",
    "Remedy",
    "Rule",
    "Scope",
    "calls",
    "content",
    "direct_messages",
    "program",
    "rule",
    "rule_by_symbol",
    "spaces",
]
