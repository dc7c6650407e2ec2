"""Sample domain objects for the storage tests: a program that uses every field, and findings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bot.model import (
    BackgroundCheck,
    EnforcementMode,
    Finding,
    Person,
    Program,
    Role,
    SessionWindow,
    Severity,
)

NOW = datetime(2026, 7, 6, 18, 30, tzinfo=UTC)
BOSTON = timezone(timedelta(hours=-4))
PROGRAM_ID = "splash-2026"

ROSTER = (
    Person("Avery Admin", "avery@mit.edu", Role.PROGRAM_ADMIN, "U0ADMIN1", background_check=BackgroundCheck.CLEARED),
    Person("Dana DLC", "dana@mit.edu", Role.DLC_ADMIN, "U0DLC1", background_check=BackgroundCheck.CLEARED),
    Person("Sam Staff", "sam@mit.edu", Role.STAFF, "U0STAFF1", background_check=BackgroundCheck.CLEARED),
    Person("Lee Staff", "lee@mit.edu", Role.STAFF, None, background_check=BackgroundCheck.PENDING),
    Person("Alex Minor", "alex@example.org", Role.MINOR, "U0MINOR1", recording_consent=True),
    Person("Jo Minor", "jo@example.org", Role.MINOR, "U0MINOR2"),
    Person("Pat Parent", "pat@example.org", Role.GUARDIAN, "U0GUARD1", guardian_of=("alex@example.org",)),
    Person(
        "Robin Parent", "robin@example.org", Role.GUARDIAN, None, guardian_of=("jo@example.org", "alex@example.org")
    ),
)

SESSIONS = (
    SessionWindow(
        channel="C0SESSION1",
        start=datetime(2026, 7, 6, 14, 0, tzinfo=BOSTON),
        end=datetime(2026, 7, 6, 16, 0, tzinfo=BOSTON),
        access_info="Zoom 123, passcode 456",
    ),
    SessionWindow(
        channel="C0SESSION1",
        start=datetime(2026, 7, 7, 18, 0, tzinfo=UTC),
        end=datetime(2026, 7, 7, 20, 0, tzinfo=UTC),
    ),
)


def full_program(**changes: object) -> Program:
    """A program with every field set to something other than its default."""
    values: dict[str, object] = {
        "id": PROGRAM_ID,
        "name": "Splash 2026 Online",
        "alert_channel": "C0ALERTS01",
        "institution_domains": ("mit.edu", "csail.mit.edu"),
        "dlc": "Educational Studies Program",
        "team_id": "T0TEAM0001",
        "channels": ("C0GENERAL1", "C0RANDOM01"),
        "session_channels": ("C0SESSION1",),
        "safety_contact": "environment@mit.edu",
        "mode": EnforcementMode.OBSERVE,
        "roster": ROSTER,
        "sessions": SESSIONS,
    }
    values.update(changes)
    return Program(**values)  # type: ignore[arg-type]


def finding(rule: str = "lone-adult-dm", subject: str = "D0DIRECT01", **changes: object) -> Finding:
    values: dict[str, object] = {
        "rule": rule,
        "severity": Severity.HIGH,
        "subject": subject,
        "scope": subject,
        "summary": "An adult and a minor alone in a DM",
        "people": ("U0STAFF1", "U0MINOR1"),
        "channel": subject,
        "evidence": "call me at 555-0100",
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]
