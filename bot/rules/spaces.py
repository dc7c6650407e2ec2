"""Rules about who is in a space: DLC administrators, guardians, unauthorized members, the number of
program adults in a session, and adults whose background check is not cleared."""

from __future__ import annotations

from collections.abc import Iterator

from bot.model import ConversationKind, Role, Severity, Situation
from bot.rules.common import (
    adults_in,
    channel_ref,
    mention,
    mentions,
    minors_in,
    person_label,
)
from bot.rules.registry import Breach, Remedy, Scope, rule


@rule(
    "private-space-without-dlc-admin",
    severity=Severity.HIGH,
    clause="At least one DLC administrator should have access to the private server/room/space "
    "(outside of program participants and facilitators).",
    summary="A private channel with a minor has no DLC administrator",
    scopes=(Scope.CONVERSATION,),
    remedies=(Remedy.INVITE_DLC_ADMIN,),
    whole_membership=True,
)
def private_space_without_dlc_admin(s: Situation) -> Iterator[Breach]:
    """A private channel that contains a minor and no DLC administrator.

    Why: a private space hides its content from everyone outside it, so the policy requires that a
    DLC administrator, someone outside the program's participants and facilitators, has access.

    Example: a facilitator creates the private channel #robotics-team with three participants.
    Administrators are alerted and, where the app is in the channel, it invites a DLC admin and
    says why.
    """
    conversation = s.conversation
    if conversation is None or conversation.kind is not ConversationKind.PRIVATE_CHANNEL:
        return
    minors = minors_in(s, conversation)
    if not minors:
        return
    if any(p is not None and p.role is Role.DLC_ADMIN for _, p in s.people_in(conversation)):
        return
    dlc_admins = s.directory.user_ids(p for p in s.program.roster if p.role is Role.DLC_ADMIN)
    yield Breach(
        subject=conversation.id,
        summary=f"Private channel {channel_ref(conversation.id)} has minor "
        f"{mentions(uid for uid, _ in minors)} and no DLC administrator.",
        people=tuple(uid for uid, _ in minors),
        channel=conversation.id,
        remedy_users=dlc_admins[:1],
    )


@rule(
    "guardian-cannot-see",
    severity=Severity.MEDIUM,
    clause="Parents/guardians of minors should be able to see content and interactions.",
    summary="A minor is where none of their guardians can see",
    scopes=(Scope.CONVERSATION, Scope.PROGRAM),
    remedies=(Remedy.INVITE_GUARDIAN,),
    whole_membership=True,
)
def guardian_cannot_see(s: Situation) -> Iterator[Breach]:
    """A minor is in a private channel or group DM that none of their guardians is in, or a minor
    has no guardian with an account in the workspace at all.

    Why: the policy says parents and guardians should be able to see their child's content and
    interactions. Public channels are visible to any guardian with an account; private ones only to
    members. (1:1 DMs are covered by the direct-message rules: nobody can be added to them.)

    Example: participant Alex is in the private channel #project-x and Alex's mother is not.
    Administrators are alerted and, where the app is in the channel, it invites her and says why.
    At program level: Jo's guardian on the roster has no Slack account, so nobody can see for Jo.
    When the workspace's accounts were never listed, the program-level check reports nothing.
    """
    if s.conversation is None:
        yield from _minors_without_guardian_account(s)
        return
    conversation = s.conversation
    if conversation.kind not in (ConversationKind.PRIVATE_CHANNEL, ConversationKind.MPIM):
        return
    unseen: list[str] = []
    invitable: list[str] = []
    for minor_id, minor in minors_in(s, conversation):
        guardians = s.directory.guardians_of(minor)
        guardian_ids = s.directory.user_ids(guardians)
        if not any(g in conversation.members for g in guardian_ids):
            unseen.append(minor_id)
            invitable.extend(guardian_ids)
    if not unseen:
        return
    # Nobody can be added to a group DM, so only a private channel's guardians can be invited.
    can_invite = conversation.kind is ConversationKind.PRIVATE_CHANNEL
    yield Breach(
        subject=conversation.id,
        summary=f"No guardian of minor {mentions(unseen)} is in {channel_ref(conversation.id)}.",
        people=tuple(unseen),
        channel=conversation.id,
        remedy_users=tuple(dict.fromkeys(invitable)) if can_invite else (),
    )


def _minors_without_guardian_account(s: Situation) -> Iterator[Breach]:
    if not s.directory.complete:
        return
    for minor in s.program.minors:
        if not s.directory.user_ids(s.directory.guardians_of(minor)):
            minor_id = s.directory.account_id(minor)
            yield Breach(
                subject=f"minor:{minor.email}",
                summary=f"Minor {person_label(s, minor)} has no guardian with an account in the workspace.",
                people=(minor_id,) if minor_id else (),
            )


@rule(
    "unauthorized-member",
    severity=Severity.HIGH,
    clause="Only program participants and facilitators should have access to the server/room/space.",
    summary="Someone not on the roster is in a program space",
    scopes=(Scope.CONVERSATION,),
)
def unauthorized_member(s: Situation) -> Iterator[Breach]:
    """A member of a program space is not on the program's roster.

    Why: only participants and facilitators (and the guardians and administrators the roster
    lists) may be in the program's spaces. Guests and external Slack Connect accounts are included
    when the roster does not list them. Bots are not people and are not counted.

    Example: an account from another organisation joins #splash-general through Slack Connect.
    Administrators are alerted; `/minors-lockdown` removes everyone not on the roster.
    """
    conversation = s.conversation
    if conversation is None or not s.program.is_program_space(conversation):
        return
    strangers = [uid for uid, person in s.people_in(conversation) if person is None]
    if not strangers:
        return
    kinds = [_account_kind(s, uid) for uid in strangers]
    described = ", ".join(f"{mention(uid)}{kind}" for uid, kind in zip(strangers, kinds, strict=True))
    yield Breach(
        subject=conversation.id,
        summary=f"{channel_ref(conversation.id)} has members not on the roster: {described}.",
        people=tuple(strangers),
        channel=conversation.id,
    )


def _account_kind(s: Situation, user_id: str) -> str:
    account = s.directory.account(user_id)
    if account is None:
        return ""
    if account.is_external:
        return " (external account)"
    if account.is_guest:
        return " (guest)"
    return ""


@rule(
    "session-needs-two-adults",
    severity=Severity.HIGH,
    clause="MIT recommends that at least two adults are online during live programs.",
    summary="A session channel has fewer than two program adults",
    scopes=(Scope.CONVERSATION,),
    remedies=(Remedy.WARN_CHANNEL,),
    whole_membership=True,
)
def session_needs_two_adults(s: Situation) -> Iterator[Breach]:
    """A session channel has fewer than two program adults among its members, or, during a
    scheduled live window of a session that meets outside Slack, fewer than two of them are active.

    Why: the policy asks for at least two adults online during live programs, so that no adult is
    ever alone with minors. A program adult is staff, a program admin or a DLC admin whose
    background check is cleared. A session that meets in Slack (its access information is no
    video-meeting link: it meets in the channel's huddle) is measured by who is in the call, which
    `call-needs-two-adults` checks; here only its membership counts, since having Slack open says
    nothing about being in the huddle. A session that meets outside Slack (a Zoom or Meet link)
    cannot be seen, so during its live window only active (online) members count, presence being
    the only sign the app has; when it does not know who is active, it says it cannot decide rather
    than guess.

    Example: #session-1 meets at a Zoom link and has facilitators Sam and Lee, but at 14:05 in the
    live window only Sam is online. Administrators are alerted and the channel is told a second adult
    is needed. Had #session-1 met in its huddle, Lee being away from Slack would alert nobody; Lee
    leaving the huddle would (`call-needs-two-adults`), and so would Lee leaving the channel.
    """
    conversation = s.conversation
    if conversation is None or not s.program.is_session_channel(conversation.id):
        return
    adults = [uid for uid, p in s.people_in(conversation) if p is not None and p.is_program_adult]
    live = s.program.live_session(conversation.id, s.now)
    where = channel_ref(conversation.id)
    if live is None or not live.runs_outside_slack:
        if len(adults) < 2:
            yield _too_few_adults(conversation.id, adults, f"{where} has {len(adults)} program adult(s) as members")
        return
    if s.active_users is None:
        if len(adults) < 2:
            yield _too_few_adults(conversation.id, adults, f"{where} has {len(adults)} program adult(s) as members")
            return
        yield Breach(
            subject=conversation.id,
            summary=f"{where} is in a live session and the app does not know who is online.",
            channel=conversation.id,
            undecided=True,
        )
        return
    active = [uid for uid in adults if uid in s.active_users]
    if len(active) < 2:
        yield _too_few_adults(conversation.id, active, f"{where} is live with {len(active)} program adult(s) online")


def _too_few_adults(channel_id: str, adults: list[str], what: str) -> Breach:
    present = f" ({mentions(adults)})" if adults else ""
    return Breach(
        subject=channel_id,
        summary=f"{what}{present}; at least two are needed.",
        people=tuple(adults),
        channel=channel_id,
    )


@rule(
    "uncleared-adult",
    severity=Severity.HIGH,
    clause="Guidelines and procedures such as obtaining background checks remain the same for online programs.",
    summary="An adult without a cleared background check is in a space with minors",
    scopes=(Scope.CONVERSATION,),
)
def uncleared_adult(s: Situation) -> Iterator[Breach]:
    """A staff member, program admin or DLC admin whose background check is not cleared is in a
    conversation with a minor.

    Why: background checks are required for online programs just as for in-person ones. Until the
    check clears, the person does not count as a program adult and must not be with minors.
    Guardians are parents, not program staff, and are not subject to this rule.

    Example: new facilitator Lee (background check pending) joins #session-2 where participants are.
    Administrators are alerted.
    """
    conversation = s.conversation
    if conversation is None or not minors_in(s, conversation):
        return
    uncleared = [
        uid for uid, p in adults_in(s, conversation) if p is not None and p.is_supervisor and not p.is_program_adult
    ]
    if not uncleared:
        return
    yield Breach(
        subject=conversation.id,
        summary=f"{mentions(uncleared)} has no cleared background check and is in "
        f"{channel_ref(conversation.id)} with minors.",
        people=tuple(uncleared),
        channel=conversation.id,
    )
