"""Questions several rules ask about a situation: who in a conversation is a minor, who is an
adult unrelated to them, how to name people in a finding."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.inert import slack_line
from bot.model import Call, Conversation, ConversationKind, Person, Situation


def mention(user_id: str) -> str:
    """A Slack mention of an account. Its id comes from Slack (an event, a huddle's root), so it is
    made inert too: an id is never markup, whatever arrived."""
    return f"<@{slack_line(user_id)}>"


def mentions(user_ids: Iterable[str], *, limit: int | None = None) -> str:
    """The accounts as Slack mentions, comma-separated; past `limit`, how many more were left out (a
    crowd must not crowd out the rest of a message)."""
    ids = list(user_ids)
    shown = ids if limit is None else ids[:limit]
    more = f" and {len(ids) - len(shown)} more" if len(ids) > len(shown) else ""
    return ", ".join(mention(u) for u in shown) + more


def channel_ref(channel_id: str) -> str:
    """A Slack reference to a channel (its id made inert, as a mention's)."""
    return f"<#{slack_line(channel_id)}>"


def minors_in(situation: Situation, conversation: Conversation) -> list[tuple[str, Person]]:
    """The roster minors among a conversation's members, with their account ids."""
    return [(uid, p) for uid, p in situation.people_in(conversation) if p is not None and p.is_minor]


def adults_in(situation: Situation, conversation: Conversation) -> list[tuple[str, Person | None]]:
    """Every human member who is not a roster minor. Unknown accounts count as adults."""
    return [(uid, p) for uid, p in situation.people_in(conversation) if p is None or not p.is_minor]


def minors_and_adults_in_call(
    situation: Situation, call: Call
) -> tuple[list[tuple[str, Person]], list[tuple[str, Person | None]]]:
    """A call's human participants split as the rules count them: roster minors, and everyone else
    (unknown accounts count as adults)."""
    people = situation.people_in_call(call)
    minors = [(uid, p) for uid, p in people if p is not None and p.is_minor]
    adults = [(uid, p) for uid, p in people if p is None or not p.is_minor]
    return minors, adults


def is_own_guardian(person: Person | None, minors: Iterable[Person]) -> bool:
    """True when `person` is a guardian of every one of `minors`: a parent in with their own
    children only."""
    minors = list(minors)
    return person is not None and bool(minors) and all(person.guards(m) for m in minors)


def is_one_family(minors: Sequence[tuple[str, Person]], adults: Sequence[tuple[str, Person | None]]) -> bool:
    """A family: every adult guards a minor present and every minor has a guardian present."""
    if not adults:
        return False
    minor_people = [p for _, p in minors]
    adult_people = [p for _, p in adults]
    adults_are_guardians = all(p is not None and any(p.guards(m) for m in minor_people) for p in adult_people)
    minors_are_guarded = all(any(p is not None and p.guards(m) for p in adult_people) for m in minor_people)
    return adults_are_guardians and minors_are_guarded


def unrelated_adults(situation: Situation, conversation: Conversation) -> list[str]:
    """Adults in the conversation who are not the guardian of every minor in it."""
    minors = [p for _, p in minors_in(situation, conversation)]
    return [uid for uid, p in adults_in(situation, conversation) if not is_own_guardian(p, minors)]


def person_label(situation: Situation, person: Person) -> str:
    """A mention when the person has an account, otherwise their roster name (or email), escaped:
    a finding's summary is Slack mrkdwn, and a roster name is nobody's markup."""
    user_id = situation.directory.account_id(person)
    return mention(user_id) if user_id else slack_line(person.name or person.email)


def call_place(call: Call) -> str:
    """Where a call runs, as a finding says it."""
    if call.channel and call.in_channel:
        return f"in {channel_ref(call.channel)}"
    if call.kind is ConversationKind.IM:
        return "in a direct message"
    if call.kind is ConversationKind.MPIM:
        return "in a group DM"
    return "(Slack does not say where: a DM, a group DM or a channel the app is not in)"
