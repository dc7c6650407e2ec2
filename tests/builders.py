"""Builders for the tests: a small program with one of every role, and short ways to make the
conversations, messages and situations the rules look at."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.model import (
    Account,
    BackgroundCheck,
    Call,
    CallFeature,
    Conversation,
    ConversationKind,
    Directory,
    Message,
    Person,
    Program,
    Role,
    SessionWindow,
    SharedFile,
    Situation,
)

#: 14:30 in Boston on the first session day: inside the session window below.
NOW = datetime(2026, 7, 6, 18, 30, tzinfo=UTC)
SESSION_START = datetime(2026, 7, 6, 18, 0, tzinfo=UTC)

ADMIN1, ADMIN2, DLC, STAFF1, STAFF2, PENDING = (
    "U0ADMIN1",
    "U0ADMIN2",
    "U0DLC1",
    "U0STAFF1",
    "U0STAFF2",
    "U0PEND1",
)
MINOR1, MINOR2, MINOR3 = "U0MINOR1", "U0MINOR2", "U0MINOR3"
GUARD1, GUARD2 = "U0GUARD1", "U0GUARD2"
STRANGER, GUEST, EXTERNAL, BOT = "U0STRANGER", "U0GUEST", "U0EXTERNAL", "U0BOT"
GENERAL, SESSION, ALERTS, PRIVATE = "C0GENERAL1", "C0SESSION1", "C0ALERTS01", "C0PRIVATE1"


def person(name, role, slack_id, *, email=None, guardian_of=(), check=None, consent=False) -> Person:
    role = Role(role)
    if check is None and role in (Role.STAFF, Role.PROGRAM_ADMIN, Role.DLC_ADMIN):
        check = BackgroundCheck.CLEARED
    return Person(
        name=name,
        email=email or f"{name.lower()}@{'mit.edu' if role not in (Role.MINOR, Role.GUARDIAN) else 'example.org'}",
        role=role,
        slack_id=slack_id,
        guardian_of=tuple(guardian_of),
        background_check=check,
        recording_consent=consent,
    )


ROSTER = (
    person("Avery", "program_admin", ADMIN1),
    person("Blake", "program_admin", ADMIN2),
    person("Dana", "dlc_admin", DLC),
    person("Sam", "staff", STAFF1),
    person("Lee", "staff", STAFF2),
    person("Pending", "staff", PENDING, check=BackgroundCheck.PENDING),
    person("Alex", "minor", MINOR1, consent=True),
    person("Jo", "minor", MINOR2),
    person("Kim", "minor", MINOR3),
    person("Pat", "guardian", GUARD1, guardian_of=["alex@example.org"]),
    person("Robin", "guardian", GUARD2, guardian_of=["jo@example.org", "kim@example.org"]),
)

#: A session meeting outside Slack (its access information is a Zoom link): during its live window
#: presence is what shows an adult is there.
SESSION_WINDOW = SessionWindow(
    channel=SESSION,
    start=SESSION_START,
    end=SESSION_START + timedelta(hours=2),
    access_info="Zoom 123 https://zoom.us/j/123",
    id=1,
)
#: The same session meeting in its channel's huddle: measured by who is in the call.
HUDDLE_ACCESS = "The huddle in #session-1: https://app.slack.com/huddle/T0TEAM0001/C0SESSION1"


def program(**changes) -> Program:
    base = Program(
        id="splash-2026",
        name="Splash 2026 Online",
        alert_channel=ALERTS,
        institution_domains=("mit.edu",),
        channels=(GENERAL,),
        session_channels=(SESSION,),
        safety_contact="environment@mit.edu",
        roster=ROSTER,
        sessions=(SESSION_WINDOW,),
    )
    return replace(base, **changes)


def accounts_for(prog: Program) -> list[Account]:
    """An account for everyone on the roster with a slack id, plus a stranger, a guest, an external
    account and a bot."""
    accounts = [Account(id=p.slack_id, email=p.email, name=p.name) for p in prog.roster if p.slack_id]
    return [
        *accounts,
        Account(id=STRANGER, email="stranger@example.com"),
        Account(id=GUEST, email="guest@example.com", is_guest=True),
        Account(id=EXTERNAL, email="ext@other.org", is_external=True),
        Account(id=BOT, name="helper-bot", is_bot=True),
    ]


def without_person(prog: Program, slack_id: str) -> Program:
    return replace(prog, roster=tuple(p for p in prog.roster if p.slack_id != slack_id))


def with_person(prog: Program, new: Person) -> Program:
    return replace(prog, roster=(*prog.roster, new))


def im(a: str, b: str, id: str = "D0DM0001") -> Conversation:
    return Conversation(id=id, kind=ConversationKind.IM, members=frozenset({a, b}))


def mpim(*members: str, id: str = "G0MPIM0001") -> Conversation:
    return Conversation(id=id, kind=ConversationKind.MPIM, members=frozenset(members))


def private(*members: str, id: str = PRIVATE) -> Conversation:
    return Conversation(id=id, kind=ConversationKind.PRIVATE_CHANNEL, members=frozenset(members))


def public(*members: str, id: str = GENERAL) -> Conversation:
    return Conversation(id=id, kind=ConversationKind.PUBLIC_CHANNEL, members=frozenset(members))


def message(conversation: Conversation, user: str, text: str = "", *files: SharedFile, ts="1751812200.000100"):
    return Message(channel=conversation.id, user=user, ts=ts, text=text, files=tuple(files))


def situation(conversation=None, msg=None, *, prog=None, accounts=None, complete=None, **facts) -> Situation:
    prog = prog or program()
    directory = Directory(prog, accounts_for(prog) if accounts is None else accounts, complete=complete)
    return Situation(
        program=prog,
        directory=directory,
        now=facts.pop("now", NOW),
        conversation=conversation,
        message=msg,
        **facts,
    )


#: A call's people have been together this long in `call()` unless told otherwise: past the grace.
TOGETHER = timedelta(minutes=2)


def call(*participants: str, id: str = "R0CALL0001", channel=None, kind=None, together=TOGETHER, recorded=()) -> Call:
    """A live call whose people have been together for `together` at `NOW`."""
    return Call(
        id=id,
        participants=frozenset(participants),
        since=NOW - together,
        started_at=NOW - together,
        channel=channel,
        kind=kind,
        recorded=frozenset(CallFeature(f) for f in recorded),
    )
