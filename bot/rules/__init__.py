"""The rule catalogue: every rule Safe Contact enforces, in the order DESIGN's table lists them."""

from bot.rules import content, direct_messages, program, spaces
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
    "guardian-not-informed",
    "conduct-not-acknowledged",
    "monitoring-not-connected",
)

_BY_SYMBOL = {r.symbol: r for r in registered_rules()}
CATALOGUE: tuple[Rule, ...] = tuple(_BY_SYMBOL[s] for s in CATALOGUE_ORDER)
#: The rules that judge a message (what every message event runs): the catalogue's, in its order.
MESSAGE_RULES: tuple[Rule, ...] = tuple(r for r in CATALOGUE if Scope.MESSAGE in r.scopes)


def rule_by_symbol(symbol: str) -> Rule:
    """The rule with this symbol; KeyError names the unknown symbol."""
    return _BY_SYMBOL[symbol]


__all__ = [
    "CATALOGUE",
    "MESSAGE_RULES",
    "Breach",
    "Remedy",
    "Rule",
    "Scope",
    "content",
    "direct_messages",
    "program",
    "rule",
    "rule_by_symbol",
    "spaces",
]
