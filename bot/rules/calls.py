"""Rules about live calls (Slack huddles): an adult alone in a call with a minor, and calls with
minors that lack two program adults. A call is judged by who is in it, wherever it runs (a DM, a
group DM, a channel, or somewhere Slack does not say), and only once its people have been together
for the grace period: a ring nobody answers is not contact. Until then a breach is undecided, which
alerts nobody and keeps an open incident open (a call whose people change is still one situation)."""

from __future__ import annotations

from collections.abc import Iterator

from bot.model import Person, Severity, Situation
from bot.rules.common import call_place, is_own_guardian, mention, mentions, minors_and_adults_in_call
from bot.rules.registry import Breach, Remedy, Scope, rule

_CALL_SCOPE = (Scope.CALL,)


@rule(
    "call-adult-minor",
    severity=Severity.CRITICAL,
    clause="Avoid one-to-one virtual contact with a minor.",
    summary="A live call between one minor and one adult",
    scopes=_CALL_SCOPE,
    remedies=(Remedy.WARN_PEOPLE, Remedy.NOTE_TO_MINOR, Remedy.ESCALATE),
)
def call_adult_minor(s: Situation) -> Iterator[Breach]:
    """A live call (a Slack huddle) whose participants are exactly one minor and one adult who is not
    that minor's guardian, once they have been together longer than the grace period.

    Why: the policy asks programs to avoid one-to-one virtual contact with a minor, and a call is the
    most direct kind. It does not matter where the call runs: a DM, a group DM, a channel, or a
    conversation the app cannot see (Slack tells it who is in which call, not always where). Anyone
    who is not a roster minor counts as an adult; a minor's own guardian is the one exception. A call
    that only rings (one person in it) is not contact, and neither is one answered for less than
    `SAFE_CONTACT_CALL_GRACE_SECONDS` (30 by default).

    Example: mentor Sam starts a huddle in the DM with participant Alex, and Alex answers. Thirty
    seconds later administrators are alerted, Sam is warned, Alex gets a kind note, and the incident
    escalates if nobody acknowledges it. It resolves itself when the call ends or someone else joins.
    """
    call = s.call
    if call is None:
        return
    minors, adults = minors_and_adults_in_call(s, call)
    if len(minors) != 1 or len(adults) != 1:
        return
    (minor_id, minor), (adult_id, adult) = minors[0], adults[0]
    if is_own_guardian(adult, [minor]):
        return
    yield Breach(
        subject=call.id,
        summary=f"{mention(adult_id)} and minor {mention(minor_id)} are alone together in a call {call_place(call)}.",
        people=(adult_id, minor_id),
        channel=call.channel if call.in_channel else None,
        undecided=not call.has_lasted(s.call_grace, s.now),
    )


@rule(
    "call-needs-two-adults",
    severity=Severity.HIGH,
    clause="MIT recommends that at least two adults are online during live programs.",
    summary="A live call with a minor has fewer than two program adults",
    scopes=_CALL_SCOPE,
    remedies=(Remedy.WARN_CHANNEL,),
)
def call_needs_two_adults(s: Situation) -> Iterator[Breach]:
    """A live call with a minor in it and fewer than two program adults, once its people have been
    together longer than the grace period; a call of one minor and one unrelated adult is
    `call-adult-minor`'s, and a family (minors with only their own guardians) is nobody's business.

    Why: the policy asks for at least two adults online during live programs, so that no adult is
    ever alone with minors. Being in the call is what counts, not having Slack open: in a session
    channel during its live window this is the real two-adult check. A program adult is staff, a
    program admin or a DLC admin whose background check is cleared.

    A call where every minor has a guardian of their own in it is not flagged either (a parent sitting
    in on their child's tutoring sees and hears everything): no adult is alone with a child there.

    Minors alone together (a call with no adult at all, in a DM, a group DM or a channel) break this
    rule too: the policy asks that private messaging options be turned off on participant accounts,
    so participants do not meet privately, and a live call among minors has no adult to supervise it.

    Example: #session-2's huddle runs with facilitator Sam and four participants after Lee leaves.
    Thirty seconds later administrators are alerted and the channel is told a second adult is
    needed; the incident resolves itself when Lee (or another program adult) joins again.
    """
    call = s.call
    if call is None:
        return
    minors, adults = minors_and_adults_in_call(s, call)
    # A family (minors with only their own guardians) is a case of every minor's parent being there.
    if not minors or len(minors) + len(adults) < 2 or _every_minor_has_a_parent_there(minors, adults):
        return
    if len(minors) == 1 and len(adults) == 1:
        return  # one minor and one unrelated adult: call-adult-minor
    program_adults = [uid for uid, p in adults if p is not None and p.is_program_adult]
    if len(program_adults) >= 2:
        return
    present = f" ({mentions(program_adults)})" if program_adults else ""
    yield Breach(
        subject=call.id,
        summary=f"A call {call_place(call)} with minor {mentions((uid for uid, _ in minors), limit=10)} has "
        f"{len(program_adults)} program adult(s){present}; at least two are needed.",
        people=tuple(uid for uid, _ in minors) + tuple(uid for uid, _ in adults),
        channel=call.channel if call.in_channel else None,
        undecided=not call.has_lasted(s.call_grace, s.now),
    )


def _every_minor_has_a_parent_there(minors: list[tuple[str, Person]], adults: list[tuple[str, Person | None]]) -> bool:
    """Every minor in the call has one of their own guardians in it too."""
    return all(any(p is not None and p.guards(minor) for _, p in adults) for _, minor in minors)
