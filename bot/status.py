"""Where a program stands: a space's compliance at a glance (`/minors-status #channel`) and the
program overview (`/minors-status`, the administrators' App Home). Pure: the facts come in, a
status comes out; `handlers` gathers the facts and renders the result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.model import Conversation, Directory, Incident, Person, Program, Role, SessionWindow

#: Sessions starting within this many hours are shown as coming up.
UPCOMING_HOURS = 72


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

    @property
    def adults_needed(self) -> int:
        """How many more program adults the space needs (sessions need two, active during a live one)."""
        if not self.is_session_channel:
            return 0
        counted = self.active_adults if self.active_adults is not None else self.program_adults
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
) -> SpaceStatus:
    """The compliance of one conversation for one program, from its members and the program's records."""
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
) -> ProgramOverview:
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
    )
