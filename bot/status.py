"""Where a program stands: a space's compliance at a glance (`/minors-status #channel`) and the
program overview (`/minors-status`, the administrators' App Home), with the live calls in the
program's spaces and, for administrators only, the calls elsewhere with its minors. Pure: the facts
come in, a status comes out; `handlers` gathers the facts and renders the result."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.model import (
    Call,
    CallFeature,
    Conversation,
    Directory,
    Incident,
    Person,
    Program,
    Role,
    SessionWindow,
)
from bot.rules.common import call_place

#: Sessions starting within this many hours are shown as coming up.
UPCOMING_HOURS = 72


@dataclass(frozen=True, slots=True)
class CallStatus:
    """A live call as status shows it: where, for how long, and who is in it, sorted by what they
    are to the program (its adults, its minors, other roster people, accounts not on the roster)."""

    call_id: str
    #: Where it runs, as a finding says it (`call_place`): "in <#C1>", "in a direct message"...
    place: str
    #: The channel it runs in, when it runs in one.
    channel: str | None
    in_program_space: bool
    #: How long it has run; None when the app does not know when it started.
    running_for: timedelta | None
    program_adults: tuple[str, ...]
    minors: tuple[str, ...]
    #: Roster people who are neither (guardians, adults whose background check is not cleared).
    other_roster: tuple[str, ...]
    not_on_roster: tuple[str, ...]
    ai_notes: frozenset[CallFeature] = frozenset()


def call_status(program: Program, directory: Directory, call: Call, *, now: datetime, team_id: str) -> CallStatus:
    """One live call for one program: its people sorted by role (bots are nobody)."""
    people = [(uid, directory.person(uid)) for uid in sorted(call.participants) if not directory.is_bot(uid)]
    return CallStatus(
        call_id=call.id,
        place=call_place(call),
        channel=call.channel if call.in_channel else None,
        in_program_space=program.hosts_call(call, team_id),
        running_for=None if call.started_at is None else max(now - call.started_at, timedelta(0)),
        program_adults=tuple(uid for uid, p in people if p is not None and p.is_program_adult),
        minors=tuple(uid for uid, p in people if p is not None and p.is_minor),
        other_roster=tuple(uid for uid, p in people if p is not None and not p.is_minor and not p.is_program_adult),
        not_on_roster=tuple(uid for uid, p in people if p is None),
        ai_notes=call.recorded,
    )


@dataclass(frozen=True, slots=True)
class ProgramCalls:
    """The live calls a viewer of the program's status may see."""

    #: Calls in the program's spaces (with or without minors): anyone who may see the status.
    in_spaces: tuple[CallStatus, ...] = ()
    #: Calls elsewhere (DMs, group DMs, other or unknown conversations) with one of its minors:
    #: administrators only, always empty for anyone else.
    elsewhere: tuple[CallStatus, ...] = ()


def calls_in_spaces(
    program: Program, directory: Directory, calls: Iterable[Call], *, now: datetime, team_id: str
) -> tuple[CallStatus, ...]:
    """The live calls in the program's spaces, with or without minors in them."""
    return tuple(
        call_status(program, directory, c, now=now, team_id=team_id)
        for c in calls
        if not c.ended and program.hosts_call(c, team_id)
    )


def program_calls(
    program: Program,
    directory: Directory,
    calls: Iterable[Call],
    *,
    now: datetime,
    team_id: str,
    viewer: Person | None,
) -> ProgramCalls:
    """The live calls of the program that `viewer` may see: every call in one of its spaces, and,
    when the viewer administers the program, every other call a roster minor is in. Staff see the
    calls in the spaces they facilitate, never one in somebody's DM; a viewer not on the roster
    (or not a supervisor: a minor, a guardian) sees none."""
    if viewer is None or not viewer.is_supervisor:
        return ProgramCalls()
    calls = [c for c in calls if not c.ended]
    in_spaces = calls_in_spaces(program, directory, calls, now=now, team_id=team_id)
    if not viewer.is_admin:
        return ProgramCalls(in_spaces=in_spaces)
    others = (call_status(program, directory, c, now=now, team_id=team_id) for c in calls)
    elsewhere = tuple(c for c in others if not c.in_program_space and c.minors)
    return ProgramCalls(in_spaces=in_spaces, elsewhere=elsewhere)


class Measure(enum.StrEnum):
    """How a live session's two-adult check was measured."""

    IN_CALL = "in the call"
    BY_PRESENCE = "by presence (the session runs outside Slack)"
    NO_CALL = "no call running yet"


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """A live session window and how its two-adult check was measured: who is in the channel's
    huddle, who is online (a session outside Slack), or, before its huddle starts, who is a member."""

    window: SessionWindow
    measure: Measure
    #: The program adults in the call (`IN_CALL`); None otherwise.
    adults_in_call: tuple[str, ...] | None = None


def session_check(window: SessionWindow, calls: Iterable[CallStatus]) -> SessionCheck:
    """How `window`'s two-adult check is measured now, from the live calls in the program's spaces.
    Example: a window whose access information is a Zoom link is measured by presence; one in Slack
    with a huddle running in its channel, by the program adults in that huddle."""
    if window.runs_outside_slack:
        return SessionCheck(window, Measure.BY_PRESENCE)
    call = next((c for c in calls if c.channel == window.channel), None)
    if call is None:
        return SessionCheck(window, Measure.NO_CALL)
    return SessionCheck(window, Measure.IN_CALL, adults_in_call=call.program_adults)


@dataclass(frozen=True, slots=True)
class SpaceStatus:
    """One program space (or a conversation with the program's minors), as `/minors-status` shows it."""

    program_id: str
    channel: str
    name: str
    is_private: bool
    is_session_channel: bool
    live_session: SessionWindow | None
    next_session: SessionWindow | None
    app_is_member: bool
    locked: bool
    program_adults: tuple[str, ...]
    #: Program adults online now; None outside a live window (presence is only counted then).
    active_adults: tuple[str, ...] | None
    dlc_admins: tuple[str, ...]
    minors: tuple[str, ...]
    #: Minors in a private space none of whose guardians is in it (public channels: guardians can look).
    minors_without_guardian: tuple[str, ...]
    minors_without_consent: tuple[str, ...]
    not_acknowledged: tuple[str, ...]
    #: Members who have not connected their accounts; None when connection is not configured.
    not_connected: tuple[str, ...] | None
    not_on_roster: tuple[str, ...]
    open_incidents: Mapping[str, int] = field(default_factory=dict)
    #: The live call in the space, if one runs.
    call: CallStatus | None = None
    #: During a live window: how its two-adult check was measured.
    check: SessionCheck | None = None

    @property
    def adults_needed(self) -> int:
        """How many more program adults the space needs: sessions need two among their members, and
        during a live one two in its call (a session in Slack) or two online (outside Slack)."""
        if not self.is_session_channel:
            return 0
        counted = self.program_adults
        if self.check is not None and self.check.adults_in_call is not None:
            counted = self.check.adults_in_call
        elif self.active_adults is not None:
            counted = self.active_adults
        return max(0, 2 - len(counted))

    @property
    def needs_dlc_admin(self) -> bool:
        return self.is_private and bool(self.minors) and not self.dlc_admins

    @property
    def gaps(self) -> list[str]:
        """What is wrong or missing, one short phrase each; empty when the space is in order."""
        gaps = []
        if not self.app_is_member:
            gaps.append("Safe Contact is not a member")
        if self.adults_needed:
            gaps.append(f"needs {self.adults_needed} more program adult(s)")
        if self.needs_dlc_admin:
            gaps.append("no DLC admin")
        if self.minors_without_guardian:
            gaps.append(f"{len(self.minors_without_guardian)} minor(s) without a guardian in it")
        if self.not_on_roster:
            gaps.append(f"{len(self.not_on_roster)} member(s) not on the roster")
        if self.minors_without_consent:
            gaps.append(f"{len(self.minors_without_consent)} minor(s) without recording consent")
        if self.not_acknowledged:
            gaps.append(f"{len(self.not_acknowledged)} not acknowledged")
        if sum(self.open_incidents.values()):
            gaps.append(f"{sum(self.open_incidents.values())} open incident(s)")
        return gaps

    @property
    def in_order(self) -> bool:
        return not self.gaps


def space_status(
    program: Program,
    directory: Directory,
    conversation: Conversation,
    *,
    now: datetime,
    app_user: str,
    incidents: Iterable[Incident] = (),
    active_users: frozenset[str] | None = None,
    acknowledged: frozenset[str] = frozenset(),
    connected: frozenset[str] | None = None,
    locked: bool = False,
    calls: Iterable[CallStatus] = (),
) -> SpaceStatus:
    """The compliance of one conversation for one program, from its members and the program's records
    (`calls`: the live calls in the program's spaces, `program_calls(...).in_spaces`)."""
    people = [
        (uid, directory.person(uid))
        for uid in sorted(conversation.members)
        if uid != app_user and not directory.is_bot(uid)
    ]
    on_roster = [(uid, p) for uid, p in people if p is not None]
    minors = [(uid, p) for uid, p in on_roster if p.is_minor]
    adults = tuple(uid for uid, p in on_roster if p.is_program_adult)
    live = program.live_session(conversation.id, now)
    private = conversation.kind.is_private
    member_people = [p for _, p in on_roster]
    in_spaces = tuple(calls)
    return SpaceStatus(
        program_id=program.id,
        channel=conversation.id,
        name=conversation.name,
        is_private=private,
        is_session_channel=program.is_session_channel(conversation.id),
        live_session=live,
        next_session=next_session(program, conversation.id, now),
        app_is_member=app_user in conversation.members,
        locked=locked,
        program_adults=adults,
        active_adults=None if live is None or active_users is None else tuple(u for u in adults if u in active_users),
        dlc_admins=tuple(uid for uid, p in on_roster if p.role is Role.DLC_ADMIN),
        minors=tuple(uid for uid, _ in minors),
        minors_without_guardian=tuple(
            uid for uid, minor in minors if private and not any(p.guards(minor) for p in member_people)
        ),
        minors_without_consent=tuple(uid for uid, minor in minors if not minor.recording_consent),
        not_acknowledged=tuple(uid for uid, _ in on_roster if uid not in acknowledged),
        not_connected=None if connected is None else tuple(uid for uid, _ in on_roster if uid not in connected),
        not_on_roster=tuple(uid for uid, p in people if p is None),
        open_incidents=incidents_by_rule(i for i in incidents if i.is_open),
        call=next((c for c in in_spaces if c.channel == conversation.id), None),
        check=None if live is None else session_check(live, in_spaces),
    )


def next_session(program: Program, channel: str, now: datetime) -> SessionWindow | None:
    """The channel's next session that has not ended (the live one, if any)."""
    coming = sorted((s for s in program.sessions if s.channel == channel and s.end > now), key=lambda s: s.start)
    return coming[0] if coming else None


def incidents_by_rule(incidents: Iterable[Incident]) -> dict[str, int]:
    """Open incidents counted by rule symbol, most frequent first."""
    return dict(Counter(i.rule for i in incidents).most_common())


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many roster members with an account connected it and acknowledged the expectations."""

    members: int
    connected: int | None
    acknowledged: int


@dataclass(frozen=True, slots=True)
class ProgramOverview:
    program: Program
    spaces: tuple[SpaceStatus, ...]
    open_incidents: Mapping[str, int]
    coverage: Coverage
    upcoming: tuple[SessionWindow, ...]
    #: Roster people with no workspace account: they cannot be protected, nor reached.
    without_account: tuple[Person, ...]
    calls: ProgramCalls = ProgramCalls()
    #: The live session windows, and how each one's two-adult check was measured.
    live_checks: tuple[SessionCheck, ...] = ()

    @property
    def spaces_in_order(self) -> int:
        return sum(1 for s in self.spaces if s.in_order)


def program_overview(
    program: Program,
    directory: Directory,
    spaces: Iterable[SpaceStatus],
    *,
    now: datetime,
    incidents: Iterable[Incident] = (),
    acknowledged: frozenset[str] = frozenset(),
    connected: frozenset[str] | None = None,
    calls: ProgramCalls = ProgramCalls(),
) -> ProgramOverview:
    """The program's standing (`calls`: the live calls its viewer may see, `program_calls`)."""
    accounts = [u for u in directory.user_ids(program.roster)]
    horizon = now.timestamp() + UPCOMING_HOURS * 3600
    upcoming = tuple(
        sorted(
            (s for s in program.sessions if s.end > now and s.start.timestamp() <= horizon),
            key=lambda s: s.start,
        )
    )
    return ProgramOverview(
        program=program,
        spaces=tuple(spaces),
        open_incidents=incidents_by_rule(i for i in incidents if i.is_open),
        coverage=Coverage(
            members=len(accounts),
            connected=None if connected is None else sum(1 for u in accounts if u in connected),
            acknowledged=sum(1 for u in accounts if u in acknowledged),
        ),
        upcoming=upcoming,
        without_account=tuple(p for p in program.roster if directory.account_id(p) is None),
        calls=calls,
        live_checks=tuple(session_check(s, calls.in_spaces) for s in upcoming if s.is_live(now)),
    )
