"""Rules about what a message says or carries: contact details that move a conversation off the
platform, hazardous activities proposed at home, recordings shared without consent, and a
session's access information posted where outsiders can read it."""

from __future__ import annotations

from collections.abc import Iterator

from bot.detectors import find_contact_details, find_hazardous_activity, find_recordings
from bot.detectors.access_info import sessions_revealed
from bot.model import Call, ConversationKind, Severity, Situation
from bot.rules.common import (
    call_place,
    channel_ref,
    mention,
    mentions,
    minors_and_adults_in_call,
    minors_in,
    unrelated_adults,
)
from bot.rules.registry import Breach, Remedy, Scope, rule

#: How a summary names a conversation that is no channel (a DM's id is no `<#…>` link anyone can follow).
_DIRECT = {ConversationKind.IM: "a direct message", ConversationKind.MPIM: "a group DM"}

#: Evidence is the matched fragment, never the whole message, and never longer than this.
EVIDENCE_LIMIT = 200


def _evidence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text if len(text) <= EVIDENCE_LIMIT else text[: EVIDENCE_LIMIT - 1] + "…"


@rule(
    "off-platform-contact",
    severity=Severity.HIGH,
    clause="No private direct messaging, texting, chatting, or personal emails between a minor and a "
    "program supervisor/online teacher is permissible.",
    summary="Contact details shared where a minor and an adult are",
    scopes=(Scope.MESSAGE,),
    remedies=(Remedy.WARN_PEOPLE,),
    condition=False,
)
def off_platform_contact(s: Situation) -> Iterator[Breach]:
    """A message shares a phone number, a personal email address, or a messaging or social-media
    handle or link in a conversation that has a minor and an adult.

    Why: texting, personal email and outside messaging apps take contact where the program and the
    guardians cannot see it. Institutional email addresses (the program's institution domains) are
    fine; so is a guardian talking with their own child.

    Example: in #session-1 a facilitator writes "text me at 617-555-0134 if you get stuck".
    Administrators are alerted and the sender is reminded to keep contact in the program's spaces.
    """
    conversation, message = s.conversation, s.message
    if conversation is None or message is None or not message.text:
        return
    if not minors_in(s, conversation):
        return
    program = s.program
    allowed = (*program.allowed_contacts, program.safety_contact)
    details = find_contact_details(
        message.text, program.institution_domains, allowed=allowed, regions=program.phone_regions
    )
    if not details or not unrelated_adults(s, conversation):
        return
    kinds = sorted({d.platform or d.kind for d in details})
    yield Breach(
        subject=f"{conversation.id}:{message.user}",
        summary=f"{mention(message.user)} shared contact details ({', '.join(kinds)}) in "
        f"{channel_ref(conversation.id)}, where minors are.",
        people=(message.user,),
        channel=conversation.id,
        evidence=_evidence([f"{d.kind}: {d.value}" for d in details]),
        message_ts=message.ts,
    )


@rule(
    "hazardous-activity",
    severity=Severity.ADVISORY,
    clause="Minors may not engage in activities involving hazardous materials (chemical, biological, "
    "radiation) at home during an online program.",
    summary="A hazardous at-home activity is proposed where minors are",
    scopes=(Scope.MESSAGE,),
    remedies=(Remedy.REPLY_IN_THREAD,),
    condition=False,
)
def hazardous_activity(s: Situation) -> Iterator[Breach]:
    """A message in a space with minors proposes doing an activity with chemical, biological or
    radiation hazards at home. Tools and appliances (a drill, a soldering iron, the oven) are not
    forbidden but need a safety check first: for those the app asks, in the thread, that the
    safety contact be consulted, and does not alert.

    Why: the policy forbids hazardous-materials activities at home during an online program and
    directs questions about tools and appliances to the safety office. Talking about a subject
    ("we studied radiation in class") is not proposing an activity.

    Example: "Tonight, mix bleach and ammonia in your kitchen and watch what happens" gets a reply
    in its thread naming the rule and the safety contact, and administrators are alerted.
    """
    conversation, message = s.conversation, s.message
    if conversation is None or message is None or not message.text:
        return
    if not minors_in(s, conversation):
        return
    matches = find_hazardous_activity(message.text)
    if not matches:
        return
    hazards = [m for m in matches if m.level == "hazard"]
    where = channel_ref(conversation.id)
    if hazards:
        categories = ", ".join(sorted({m.category for m in hazards}))
        summary = f"{mention(message.user)} proposed an at-home activity with {categories} hazards in {where}."
    else:
        summary = f"{mention(message.user)} proposed using tools or appliances at home in {where}; ask first."
    yield Breach(
        subject=f"{conversation.id}:{message.ts}",
        summary=summary,
        people=(message.user,),
        channel=conversation.id,
        evidence=_evidence([m.phrase for m in (hazards or matches)]),
        message_ts=message.ts,
        undecided=not hazards,
    )


@rule(
    "recording-without-consent",
    severity=Severity.HIGH,
    clause="Recording online sessions with minors requires a consent and recording release form "
    "signed by a parent/guardian of each participating minor.",
    summary="A recording is shared, or a call recorded, where a minor has no recording consent",
    scopes=(Scope.MESSAGE, Scope.CALL),
    remedies=(Remedy.WARN_PEOPLE,),
    condition=False,
)
def recording_without_consent(s: Situation) -> Iterator[Breach]:
    """An audio or video file, or a meeting-recording link, is shared in a conversation where a
    minor without a signed recording release on record is present; or a live call with such a minor
    in it is recorded or transcribed (a huddle's AI notes: transcript, summary or note-taking).

    Why: recording sessions with minors needs a release signed by a parent or guardian of each
    participating minor. A photo, a document or a meeting join link is not a recording; a huddle
    whose AI notes are on keeps what everyone in it says.

    Example: a facilitator uploads session-3.mp4 to #session-3, where participant Jo has no release
    on file. Administrators are alerted and the sender is warned. Or the facilitator turns on AI notes
    in #session-3's huddle while Jo is in it: administrators are alerted and the adults are warned.
    """
    if s.call is not None:
        yield from _recorded_call(s, s.call)
        return
    conversation, message = s.conversation, s.message
    if conversation is None or message is None:
        return
    recordings = find_recordings(message.text, message.files)
    if not recordings:
        return
    without_consent = [uid for uid, minor in minors_in(s, conversation) if not minor.recording_consent]
    if not without_consent:
        return
    yield Breach(
        subject=f"{conversation.id}:{message.ts}",
        summary=f"{mention(message.user)} shared a recording in {channel_ref(conversation.id)}, where minor "
        f"{mentions(without_consent)} has no recording consent on record.",
        people=(message.user, *without_consent),
        channel=conversation.id,
        evidence=_evidence([f"{r.kind}: {r.value}" for r in recordings]),
        message_ts=message.ts,
    )


def _recorded_call(s: Situation, call: Call) -> Iterator[Breach]:
    """A call with AI notes on and a minor without recording consent in it. One incident per call;
    its thread gets each minor without consent who joins later."""
    if not call.recorded:
        return
    minors, adults_in_it = minors_and_adults_in_call(s, call)
    without_consent = [uid for uid, p in minors if not p.recording_consent]
    if not without_consent:
        return
    adults = [uid for uid, _ in adults_in_it]
    features = ", ".join(sorted(feature.value for feature in call.recorded))
    yield Breach(
        subject=call.id,
        summary=f"A call {call_place(call)} is recorded by Slack's AI notes ({features}) while minor "
        f"{mentions(without_consent, limit=10)} without recording consent on record is in it.",
        people=(*adults, *without_consent),
        channel=call.channel if call.in_channel else None,
    )


@rule(
    "access-info-shared",
    severity=Severity.HIGH,
    clause="Provide guidance prior to the inception of any program of expectations of all program staff and "
    "each participant, to include conduct and keeping access information confidential (i.e., MIT program "
    "staff, parents, and participants only)",
    summary="A live session's access information is posted where outsiders can read it",
    scopes=(Scope.MESSAGE,),
    remedies=(Remedy.WARN_PEOPLE,),
    condition=False,
)
def access_info_shared(s: Situation) -> Iterator[Breach]:
    """A message gives away the access information of one of the program's live or upcoming
    sessions (its join link, meeting ID or passcode, as its session window states them) in a channel
    that is not one of the program's spaces, or in a conversation with someone not on the roster.

    Why: the policy asks that access information stays with program staff, parents and
    participants, so that nobody else can join a session with minors in it. Posting the link in a
    session channel of roster members, or a guardian passing it to their own child, is what it is
    for. A Slack channel as a session's place is no secret, and an ended session's link opens
    nothing. A passcode is never repeated in the alert.

    Example: a facilitator pastes the Zoom link of tonight's session into #hackathon-lobby, a
    channel of the whole workspace. Administrators are alerted and the facilitator is asked to
    delete the message.
    """
    conversation, message = s.conversation, s.message
    if conversation is None or message is None or not message.text:
        return
    leaked = sessions_revealed(s.program, message.text, s.now)
    if not leaked:
        return
    outsiders = [uid for uid, person in s.people_in(conversation) if person is None]
    is_channel = conversation.kind in (ConversationKind.PUBLIC_CHANNEL, ConversationKind.PRIVATE_CHANNEL)
    if is_channel and not s.program.is_program_space(conversation):
        where = f"{channel_ref(conversation.id)}, a channel that is not one of the program's spaces"
    elif outsiders:
        place = channel_ref(conversation.id) if is_channel else _DIRECT.get(conversation.kind, "a direct message")
        where = f"{place}, with {mentions(outsiders, limit=5)} (not on the roster)"
    else:
        return  # roster members only, in a program space or a DM: where the information belongs
    session, _ = leaked[0]
    kinds = sorted({kind for _, found in leaked for kind in found})
    yield Breach(
        subject=f"{conversation.id}:{message.ts}",
        summary=f"{mention(message.user)} posted the access information of the session in "
        f"{channel_ref(session.channel)} at {session.start.isoformat(timespec='minutes')} in {where}.",
        people=(message.user,),
        channel=conversation.id,
        evidence=_evidence([", ".join(kinds)]),
        message_ts=message.ts,
    )
