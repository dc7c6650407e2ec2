"""Rules about private messaging: 1:1 direct messages and group DMs that involve a minor."""

from __future__ import annotations

from collections.abc import Iterator

from bot.model import ConversationKind, Severity, Situation
from bot.rules.common import adults_in, is_one_family, is_own_guardian, mentions, minors_in
from bot.rules.registry import Breach, Remedy, Scope, rule

_DM_SCOPE = (Scope.CONVERSATION,)


@rule(
    "dm-adult-minor",
    severity=Severity.CRITICAL,
    clause="No private direct messaging, texting, chatting, or personal emails between a minor and a "
    "program supervisor/online teacher is permissible. Avoid one-to-one virtual contact with a minor.",
    summary="A 1:1 direct message between a minor and an adult",
    scopes=_DM_SCOPE,
    remedies=(Remedy.WARN_PEOPLE, Remedy.NOTE_TO_MINOR, Remedy.ESCALATE),
    whole_membership=True,
)
def dm_adult_minor(s: Situation) -> Iterator[Breach]:
    """A one-to-one direct message between a minor and an adult.

    Why: the policy forbids private messaging between a minor and a program supervisor, and asks
    programs to avoid any one-to-one contact with a minor. Anyone who is not a roster minor counts
    as an adult, including accounts the roster does not know (their age is unknown). The only
    exception is a minor's own guardian: a parent may message their child.

    Example: staff member Sam opens a DM with participant Alex and writes "need help with the
    homework?". Administrators are alerted at once, Sam is warned, Alex gets a kind note pointing
    to the program channel, and the incident escalates if nobody acknowledges it.
    """
    conversation = s.conversation
    if conversation is None or conversation.kind is not ConversationKind.IM:
        return
    minors = minors_in(s, conversation)
    adults = adults_in(s, conversation)
    if len(minors) != 1 or len(adults) != 1:
        return
    (minor_id, minor), (adult_id, adult) = minors[0], adults[0]
    if is_own_guardian(adult, [minor]):
        return
    yield Breach(
        subject=conversation.id,
        summary=f"{mentions([adult_id])} and minor {mentions([minor_id])} are in a private direct message.",
        people=(adult_id, minor_id),
        channel=conversation.id,
    )


@rule(
    "dm-between-minors",
    severity=Severity.WARNING,
    clause="Private messaging options should be turned off on participant accounts.",
    summary="A 1:1 direct message between two minors",
    scopes=_DM_SCOPE,
    remedies=(Remedy.REMIND,),
    whole_membership=True,
)
def dm_between_minors(s: Situation) -> Iterator[Breach]:
    """A one-to-one direct message between two minors.

    Why: the policy asks that private messaging be off on participant accounts, so that what
    participants say to each other stays where the program's adults and guardians can see it.
    This is a reminder, not an accusation: both minors are kindly pointed to the program channels.

    Example: participants Alex and Jo chat in a DM about the weekend. Administrators are alerted
    and both get a friendly reminder to talk in the program's channels.
    """
    conversation = s.conversation
    if conversation is None or conversation.kind is not ConversationKind.IM:
        return
    minors = minors_in(s, conversation)
    if len(minors) != 2 or adults_in(s, conversation):
        return
    people = tuple(uid for uid, _ in minors)
    yield Breach(
        subject=conversation.id,
        summary=f"Minors {mentions(people)} are in a private direct message.",
        people=people,
        channel=conversation.id,
    )


@rule(
    "group-dm-with-minor",
    severity=Severity.HIGH,
    clause="Group messages and posts are acceptable and must be viewable by all participants.",
    summary="A group DM that includes a minor",
    scopes=_DM_SCOPE,
    remedies=(Remedy.WARN_PEOPLE, Remedy.NOTE_TO_MINOR),
)
def group_dm_with_minor(s: Situation) -> Iterator[Breach]:
    """A group direct message (several people, no channel) that includes a minor.

    Why: group conversations are allowed only where every participant can see them; a group DM is
    visible to its members alone, and nobody can be added to it later. The one exception is a
    family: minors with only their own guardians.

    Example: staff member Sam starts a group DM with participants Alex and Jo to plan a project.
    Administrators are alerted and the group DM is asked to move to a program channel.
    """
    conversation = s.conversation
    if conversation is None or conversation.kind is not ConversationKind.MPIM:
        return
    minors = minors_in(s, conversation)
    if not minors:
        return
    adults = adults_in(s, conversation)
    if is_one_family(minors, adults):
        return
    people = tuple(uid for uid, _ in minors) + tuple(uid for uid, _ in adults)
    who, verb = ("Minors", "are") if len(minors) > 1 else ("Minor", "is")
    others = mentions(uid for uid, _ in adults) or "other minors"
    yield Breach(
        subject=conversation.id,
        summary=f"{who} {mentions(uid for uid, _ in minors)} {verb} in a group DM with {others}.",
        people=people,
        channel=conversation.id,
    )
