"""The domain of Safe Contact: people and their roles, programs, conversations, messages,
findings and incidents. Frozen dataclasses, no I/O: every other layer speaks in these types."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType


class Role(enum.StrEnum):
    """A person's role in a program, as the roster states it."""

    MINOR = "minor"
    STAFF = "staff"
    PROGRAM_ADMIN = "program_admin"
    DLC_ADMIN = "dlc_admin"
    GUARDIAN = "guardian"


#: Roles held by the program's own adults: the people the policy calls supervisors and facilitators.
SUPERVISING_ROLES = frozenset({Role.STAFF, Role.PROGRAM_ADMIN, Role.DLC_ADMIN})
#: Roles that administer a program: they receive escalations and may close a session.
ADMIN_ROLES = frozenset({Role.PROGRAM_ADMIN, Role.DLC_ADMIN})


class BackgroundCheck(enum.StrEnum):
    CLEARED = "cleared"
    PENDING = "pending"


class Severity(enum.IntEnum):
    """How serious a finding is. Higher is more serious; findings sort by it, most serious first."""

    INFO = 10
    ADVISORY = 20
    MEDIUM = 30
    WARNING = 35
    HIGH = 40
    CRITICAL = 50

    @property
    def label(self) -> str:
        return self.name.lower()


#: The phone regions of a program that names none.
DEFAULT_PHONE_REGIONS = ("US",)


class EnforcementMode(enum.StrEnum):
    """`enforce` warns, invites and replies; `observe` only records and alerts administrators."""

    ENFORCE = "enforce"
    OBSERVE = "observe"


class ConversationKind(enum.StrEnum):
    PUBLIC_CHANNEL = "public_channel"
    PRIVATE_CHANNEL = "private_channel"
    IM = "im"
    MPIM = "mpim"

    @property
    def is_private(self) -> bool:
        """Every kind but a public channel is private: only its members can see it."""
        return self is not ConversationKind.PUBLIC_CHANNEL


def normalize_email(email: str | None) -> str:
    """Emails compare case-insensitively and without surrounding space; empty stays empty."""
    return (email or "").strip().lower()


def email_domain(email: str | None) -> str:
    email = normalize_email(email)
    return email.rpartition("@")[2] if "@" in email else ""


@dataclass(frozen=True, slots=True)
class Person:
    """A roster entry. `email` (normalised) identifies the person within a program; `slack_id` is
    the workspace account once known, from the roster or resolved by email."""

    name: str
    email: str
    role: Role
    slack_id: str | None = None
    guardian_of: tuple[str, ...] = ()
    background_check: BackgroundCheck | None = None
    recording_consent: bool = False

    @property
    def is_minor(self) -> bool:
        return self.role is Role.MINOR

    @property
    def is_adult(self) -> bool:
        return not self.is_minor

    @property
    def is_supervisor(self) -> bool:
        """Staff, program admin or DLC admin, cleared or not."""
        return self.role in SUPERVISING_ROLES

    @property
    def is_program_adult(self) -> bool:
        """A supervisor whose background check is cleared: only they count towards supervision."""
        return self.is_supervisor and self.background_check is BackgroundCheck.CLEARED

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    def guards(self, minor: Person) -> bool:
        """True when this person is a guardian listed for `minor`."""
        return (
            self.role is Role.GUARDIAN
            and bool(minor.email)
            and normalize_email(minor.email) in {normalize_email(e) for e in self.guardian_of}
        )


@dataclass(frozen=True, slots=True)
class Account:
    """A workspace account as Slack describes it (users.list, or users.info for an external member),
    independent of any roster. `team_id` is the workspace whose directory holds it; an external
    (Slack Connect) member belongs to another organisation, which `is_external` says."""

    id: str
    email: str = ""
    name: str = ""
    team_id: str = ""
    is_bot: bool = False
    is_guest: bool = False
    is_external: bool = False
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """A scheduled live session in a channel."""

    channel: str
    start: datetime
    end: datetime
    access_info: str = ""
    id: int | None = None
    #: The administrator who scheduled it from Slack; None when it comes from the program file.
    scheduled_by: str | None = None

    def is_live(self, now: datetime) -> bool:
        return self.start <= now < self.end

    @property
    def runs_outside_slack(self) -> bool:
        """Whether the session meets outside Slack: its access information links to a video meeting
        (an http(s) address whose host is not slack.com or one of its subdomains), or describes a
        meeting without pointing to Slack at all ("Zoom 123, passcode 456"). There the app cannot see
        who is in the meeting, so having Slack open (presence) is the only sign of an adult being
        there; a session that meets in a huddle is measured by who is in the call instead. No access
        information, a Slack link, a channel or a huddle named: it meets in Slack.
        Example: "Zoom https://mit.zoom.us/j/123" and "Zoom 123" run outside Slack; "the channel's
        huddle", "#session-1" and "https://app.slack.com/huddle/T1/C1" do not."""
        hosts = _link_hosts(self.access_info)
        if hosts:
            return any(not _is_slack_host(host) for host in hosts)
        text = self.access_info.strip()
        return bool(text) and _SLACK_PLACE.search(text) is None


#: The host of each http(s) address in free text: the authority ends at `/`, `?`, `#`, a space, or
#: Slack's `<url|label>` marks; its user part (before `@`) and port are not the host.
_LINK_AUTHORITY = re.compile(r"https?://([^\s<>|/?#]*)", re.IGNORECASE)
_PORT = re.compile(r":\d*$")
#: Words that place a session in Slack when its access information has no link: a channel, a huddle.
_SLACK_PLACE = re.compile(r"<#|(?:^|\s)#[\w-]|\bhuddle\b|\bslack\b", re.IGNORECASE)


def _link_hosts(text: str) -> list[str]:
    """The hosts the http(s) addresses in `text` point to, lower-case (an address without one is none)."""
    hosts = (
        _PORT.sub("", authority.rpartition("@")[2]).rstrip(".").lower() for authority in _LINK_AUTHORITY.findall(text)
    )
    return [host for host in hosts if host]


def _is_slack_host(host: str) -> bool:
    return host == "slack.com" or host.endswith(".slack.com")


@dataclass(frozen=True, slots=True)
class Program:
    """A program registered from its program file, with its roster."""

    id: str
    name: str
    alert_channel: str
    institution_domains: tuple[str, ...]
    dlc: str = ""
    team_id: str | None = None
    channels: tuple[str, ...] = ()
    session_channels: tuple[str, ...] = ()
    safety_contact: str = ""
    #: With `team_id`: whether every channel of that workspace is a program space (the program claims
    #: the whole workspace), or only the listed channels and session channels (False: several
    #: programs share the workspace).
    whole_workspace: bool = True
    mode: EnforcementMode = EnforcementMode.ENFORCE
    roster: tuple[Person, ...] = ()
    sessions: tuple[SessionWindow, ...] = ()
    #: Phone numbers (E.164) and email addresses (lower case) staff may share, such as the program
    #: office's: never off-platform contact.
    allowed_contacts: tuple[str, ...] = ()
    #: The regions (ISO 3166 codes) whose national phone formats the program's people write numbers
    #: in; numbers with a `+` or `00` prefix are read in any region's format.
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS

    @property
    def minors(self) -> tuple[Person, ...]:
        return tuple(p for p in self.roster if p.is_minor)

    def is_program_space(self, conversation: Conversation) -> bool:
        """Listed channels, session channels (a session's window names one too, scheduled from Slack
        or in the file) and, with `team_id` (unless `whole_workspace` is off), every channel of that
        workspace. DMs and group DMs are never program spaces."""
        if conversation.kind in (ConversationKind.IM, ConversationKind.MPIM):
            return False
        if conversation.id in self.channels or self.is_session_channel(conversation.id):
            return True
        return self.claims_workspace and conversation.team_id == self.team_id

    @property
    def claims_workspace(self) -> bool:
        """Whether every channel of the program's workspace is one of its spaces."""
        return bool(self.team_id) and self.whole_workspace

    def declared_channels(self) -> tuple[str, ...]:
        """The channels the program names as its spaces: listed, session channels, sessions'."""
        return tuple(dict.fromkeys([*self.channels, *self.session_channels, *(s.channel for s in self.sessions)]))

    def is_session_channel(self, channel_id: str) -> bool:
        return channel_id in self.session_channels or any(s.channel == channel_id for s in self.sessions)

    def live_session(self, channel_id: str, now: datetime) -> SessionWindow | None:
        return next((s for s in self.sessions if s.channel == channel_id and s.is_live(now)), None)

    def hosts_call(self, call: Call, team_id: str) -> bool:
        """Whether a call runs in one of the program's spaces: a channel (of `team_id`, the call's
        workspace) that is a program space. A call in a DM, a group DM or an unknown conversation
        is not in one, whoever is in it."""
        if not call.channel or not call.in_channel or call.kind is None:
            return False
        return self.is_program_space(Conversation(id=call.channel, kind=call.kind, team_id=team_id))


@dataclass(frozen=True, slots=True)
class Conversation:
    """A channel, private channel, DM or group DM, with the accounts that are its members."""

    id: str
    kind: ConversationKind
    members: frozenset[str] = frozenset()
    name: str = ""
    team_id: str = ""
    is_archived: bool = False
    #: True when `members` holds only the members the app could prove (the sender and the account an
    #: event came through) and others may exist: rules that need the whole membership cannot decide.
    members_partial: bool = False


@dataclass(frozen=True, slots=True)
class SharedFile:
    """A file attached to a message; only what the detectors need. `described` is False while only
    its id is known (what it is must first be looked up)."""

    id: str = ""
    name: str = ""
    mimetype: str = ""
    filetype: str = ""
    described: bool = True


@dataclass(frozen=True, slots=True)
class Message:
    """One message as the rules see it. `text` is never stored except as incident evidence."""

    channel: str
    user: str
    ts: str
    text: str = ""
    files: tuple[SharedFile, ...] = ()
    thread_ts: str | None = None


class CallFeature(enum.StrEnum):
    """What a call keeps of what is said in it: Slack's huddle AI notes (`room.recording`)."""

    TRANSCRIPT = "transcript"
    SUMMARY = "summary"
    NOTETAKING = "notetaking"


#: How long a call must last with the same people in it before the call rules judge it, by default
#: (`SAFE_CONTACT_CALL_GRACE_SECONDS`): a ring nobody answers is not contact.
DEFAULT_CALL_GRACE = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Call:
    """A live call (a Slack huddle) as the app pieces it together: who is in it now (each member's
    `huddle_state_call_id`, and the `room.participants` of its root where the app can read it), since
    when those people have been together, and where it runs once a root names its conversation.

    `kind` is None while the conversation is unknown: a huddle in a DM or group DM nobody connected,
    or in a channel the app is not in. A call that has `ended` has nobody in it."""

    id: str
    participants: frozenset[str] = frozenset()
    #: When its participants became the ones it has now (a join or leave starts the clock again).
    since: datetime = datetime.min
    started_at: datetime | None = None
    channel: str | None = None
    kind: ConversationKind | None = None
    #: The AI-notes features on (transcript, summary, note-taking): the call is being recorded.
    recorded: frozenset[CallFeature] = frozenset()
    ended: bool = False
    #: The `ts` of its `huddle_thread` root in `channel`, once seen (to read it again).
    root_ts: str | None = None

    def has_lasted(self, grace: timedelta, now: datetime) -> bool:
        """Whether its people have been together for `grace` already."""
        return now - self.since >= grace

    @property
    def in_channel(self) -> bool:
        """Whether it runs in a channel (public or private), where the app can post."""
        return self.kind in (ConversationKind.PUBLIC_CHANNEL, ConversationKind.PRIVATE_CHANNEL)


#: Slackbot's account id is the same in every workspace.
SLACKBOT_ID = "USLACKBOT"


class Directory:
    """Who is who: resolves workspace accounts to roster people for one program.

    An account not on the roster is unknown, and unknown age counts as adult."""

    __slots__ = ("_by_email", "_by_id", "accounts", "complete", "program")

    def __init__(self, program: Program, accounts: Iterable[Account] = (), *, complete: bool | None = None):
        self.program = program
        self.accounts: Mapping[str, Account] = MappingProxyType({a.id: a for a in accounts})
        #: True when `accounts` is the whole workspace (a sweep listed it), so that a roster person
        #: without an account really has none. Defaults to "some accounts were given".
        self.complete = bool(self.accounts) if complete is None else complete
        self._by_email = {normalize_email(p.email): p for p in program.roster if p.email}
        by_id: dict[str, Person] = {}
        for person in program.roster:
            if person.slack_id:
                by_id[person.slack_id] = person
        for account in self.accounts.values():
            if account.is_bot or account.id == SLACKBOT_ID:
                continue  # a bot or Slackbot is nobody on a roster, whatever address its profile has
            listed = self._by_email.get(normalize_email(account.email))
            if listed is not None and account.id not in by_id and not listed.slack_id:
                by_id[account.id] = listed
        self._by_id = by_id

    def person(self, user_id: str) -> Person | None:
        """The roster person behind an account, or None for an account not on the roster."""
        return self._by_id.get(user_id)

    def person_by_email(self, email: str) -> Person | None:
        return self._by_email.get(normalize_email(email))

    def account_id(self, person: Person) -> str | None:
        """The workspace account of a roster person, if they have one. A roster `slack_id` that a
        complete listing of the workspace does not hold (or holds deactivated) is no account."""
        if person.slack_id:
            if self.complete:
                account = self.accounts.get(person.slack_id)
                if account is None or account.deleted:
                    return None
            return person.slack_id
        for user_id, known in self._by_id.items():
            if known is person:
                return user_id
        return None

    def account(self, user_id: str) -> Account | None:
        return self.accounts.get(user_id)

    def is_minor(self, user_id: str) -> bool:
        person = self.person(user_id)
        return person is not None and person.is_minor

    def is_bot(self, user_id: str) -> bool:
        """Bots and Slackbot are not people: they never count as an adult or a member to warn."""
        if user_id == SLACKBOT_ID:
            return True
        account = self.accounts.get(user_id)
        return account is not None and account.is_bot

    def concerns(self, conversation: Conversation) -> bool:
        """Whether a conversation is the program's business: one of its spaces, or any conversation
        with one of its minors. What the worker, the sweep, the commands and the audits look at."""
        return self.program.is_program_space(conversation) or any(self.is_minor(u) for u in conversation.members)

    def guardians_of(self, minor: Person) -> tuple[Person, ...]:
        return tuple(p for p in self.program.roster if p.guards(minor))

    def user_ids(self, people: Iterable[Person]) -> tuple[str, ...]:
        ids = (self.account_id(p) for p in people)
        return tuple(i for i in ids if i)


@functools.lru_cache(maxsize=4096)
def _people(directory: Directory, members: frozenset[str]) -> tuple[tuple[str, Person | None], ...]:
    """`Situation.people_in`, remembered: every message rule asks it of the same conversation, and a
    directory never changes (a new one is made when the roster or the accounts do)."""
    return tuple((uid, directory.person(uid)) for uid in sorted(members) if not directory.is_bot(uid))


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything a rule may look at, for one program: at most one conversation and one message.

    Optional facts are None when unknown (presence, account connection); rules that need them
    report nothing, or an undecided finding, rather than guess."""

    program: Program
    directory: Directory
    now: datetime
    conversation: Conversation | None = None
    message: Message | None = None
    #: A live call, judged on its own (the call rules): no conversation or message with it.
    call: Call | None = None
    #: How long a call must last before the call rules judge it (`Call.has_lasted`).
    call_grace: timedelta = DEFAULT_CALL_GRACE
    #: Accounts active right now (presence). None: presence was not looked up.
    active_users: frozenset[str] | None = None
    #: Accounts whose owners connected them to the app. None: not known.
    connected_users: frozenset[str] | None = None
    #: Accounts that acknowledged the program's expectations.
    acknowledged_users: frozenset[str] = frozenset()
    #: Accounts that have posted or joined in program spaces (who `conduct-not-acknowledged` covers).
    active_participants: frozenset[str] = frozenset()
    #: Emails of guardians the app delivered each session's access information to, by session id.
    guardians_informed: Mapping[int, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    #: When each account was sent the program's expectations (the welcome), by account id.
    welcomed: Mapping[str, datetime] = field(default_factory=lambda: MappingProxyType({}))

    def people_in(self, conversation: Conversation) -> list[tuple[str, Person | None]]:
        """The human members of a conversation with their roster entry (None when unknown).
        Bots, the app included, are not people."""
        return list(_people(self.directory, conversation.members))

    def people_in_call(self, call: Call) -> list[tuple[str, Person | None]]:
        """The human participants of a call with their roster entry (None when unknown)."""
        return list(_people(self.directory, call.participants))


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict about one subject. `subject` is the rule's key for the situation (a
    conversation, a person, a message): one incident is open per (rule, subject) at a time.

    `scope` names what was evaluated (a conversation id, or `program:<id>`), so that a later
    evaluation of the same scope without this finding shows the condition is gone.
    `undecided` findings say a rule lacked the facts to decide; they are shown, never alerted."""

    rule: str
    severity: Severity
    subject: str
    scope: str
    summary: str
    people: tuple[str, ...] = ()
    channel: str | None = None
    evidence: str = ""
    message_ts: str | None = None
    #: Accounts whose presence would remedy the finding (a DLC admin, a guardian): who to invite.
    remedy_users: tuple[str, ...] = ()
    undecided: bool = False


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Incident:
    """A finding being dealt with: `open -> acknowledged -> resolved`."""

    id: int
    program_id: str
    rule: str
    subject: str
    scope: str
    severity: Severity
    status: IncidentStatus
    summary: str
    opened_at: datetime
    people: tuple[str, ...] = ()
    channel: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    escalated_at: datetime | None = None
    alert_channel: str | None = None
    alert_ts: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is not IncidentStatus.RESOLVED


@dataclass(frozen=True, slots=True)
class IncidentEvent:
    """One line of an incident's timeline."""

    incident_id: int
    at: datetime
    kind: str
    actor: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Consent:
    """A recording release recorded for a minor (granted or revoked)."""

    program_id: str
    minor_email: str
    granted: bool
    recorded_by: str
    recorded_at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An administrator action, kept for the compliance record."""

    at: datetime
    actor: str
    action: str
    program_id: str | None = None
    detail: Mapping[str, object] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Lockdown:
    """A channel an administrator closed (`/minors-lockdown`), in force until `lifted_at`."""

    id: int
    program_id: str
    channel: str
    locked_by: str
    locked_at: datetime
    reason: str = ""
    team_id: str = ""
    removed: tuple[str, ...] = ()
    lifted_by: str | None = None
    lifted_at: datetime | None = None
    #: The lockdown's alert: where it goes, what it says, and its `ts` once posted.
    alert_channel: str = ""
    alert_text: str = ""
    alert_ts: str | None = None
    #: Accounts Slack refused to remove (the workspace's settings, #general): the alert names them.
    refused: tuple[str, ...] = ()

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
