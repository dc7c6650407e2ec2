"""The rule registry: each rule is a small pure function declared once with its symbol, severity,
policy clause and remedies. The catalogue (`bot.rules.CATALOGUE`) is built from these declarations."""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from bot.model import Severity, Situation


class Scope(enum.StrEnum):
    """What a rule looks at. A rule runs only when the situation holds what its scope needs."""

    PROGRAM = "program"  # the program as a whole: roster, accounts, sessions
    CONVERSATION = "conversation"  # one conversation and its members
    MESSAGE = "message"  # one message in a conversation
    CALL = "call"  # one live call (a huddle) and who is in it


class Remedy(enum.StrEnum):
    """What enforcement does about a finding besides alerting administrators (which it always does)."""

    WARN_CHANNEL = "warn the channel"
    WARN_PEOPLE = "warn the people involved"
    NOTE_TO_MINOR = "send the minor a kind note"
    INVITE_DLC_ADMIN = "invite a DLC admin"
    INVITE_GUARDIAN = "invite the guardian"
    REPLY_IN_THREAD = "reply in the message's thread"
    REMIND = "remind the people involved"
    ESCALATE = "escalate to every administrator"


@dataclass(frozen=True, slots=True)
class Breach:
    """What a rule function yields: one subject that breaks the rule. The engine adds the rule's
    symbol, severity and scope to make it a `Finding`."""

    subject: str
    summary: str
    people: tuple[str, ...] = ()
    channel: str | None = None
    evidence: str = ""
    message_ts: str | None = None
    #: Accounts whose presence would remedy the breach (a DLC admin, a guardian) and may be invited.
    remedy_users: tuple[str, ...] = ()
    undecided: bool = False


RuleCheck = Callable[[Situation], Iterable[Breach]]


@dataclass(frozen=True, slots=True)
class Rule:
    symbol: str
    severity: Severity
    clause: str
    summary: str
    scopes: frozenset[Scope]
    remedies: frozenset[Remedy]
    check: RuleCheck
    #: A condition rule describes a state that can end (a second adult joins); its incidents resolve
    #: themselves when a later check of the same scope no longer finds it. Event rules (a message
    #: was sent) stay open until an administrator resolves them.
    condition: bool = True
    #: Whether a verdict needs every member of the conversation: one member the app does not know of
    #: could make the finding false (a DLC admin is in it after all) or exact counts wrong. Over a
    #: conversation known only in part such a rule's findings are undecided, never alerted.
    whole_membership: bool = False
    #: Whether a new incident is posted to the alert channel. Reminder rules (acknowledgement,
    #: connection) record an incident for status and remind the person instead.
    alerts: bool = True

    @property
    def doc(self) -> str:
        """The rule's documentation for administrators: its function's docstring."""
        return inspect.cleandoc(self.check.__doc__ or "")

    def __call__(self, situation: Situation) -> Iterator[Breach]:
        return iter(self.check(situation))


_REGISTRY: dict[str, Rule] = {}


def rule(
    symbol: str,
    *,
    severity: Severity,
    clause: str,
    summary: str,
    scopes: Iterable[Scope],
    remedies: Iterable[Remedy] = (),
    condition: bool = True,
    alerts: bool = True,
    whole_membership: bool = False,
) -> Callable[[RuleCheck], Rule]:
    """Declare a rule. The decorated function's docstring is its documentation."""

    def register(check: RuleCheck) -> Rule:
        if symbol in _REGISTRY:
            raise ValueError(f"rule symbol {symbol!r} is declared twice")
        if not (check.__doc__ or "").strip():
            raise ValueError(f"rule {symbol!r} has no docstring")
        declared = Rule(
            symbol=symbol,
            severity=severity,
            clause=clause,
            summary=summary,
            scopes=frozenset(scopes),
            remedies=frozenset(remedies),
            check=check,
            condition=condition,
            alerts=alerts,
            whole_membership=whole_membership,
        )
        _REGISTRY[symbol] = declared
        return declared

    return register


def registered_rules() -> tuple[Rule, ...]:
    return tuple(_REGISTRY.values())
