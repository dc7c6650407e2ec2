"""The database tables, as SQLModel classes. Only the query modules use them; everything else speaks
`bot.model`. The schema itself is made by the migrations in `storage/migrations/`, never `create_all`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, PrimaryKeyConstraint, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.model import BackgroundCheck, ConversationKind, EnforcementMode, IncidentStatus, Role
from storage.columns import UTCDateTime

# Every constraint gets a predictable name, so that later migrations (SQLite batch mode included) can
# name what they alter.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

GUARDIAN_NOTICE_STATUSES = ("sent", "unreachable", "sending")
INBOX_STATUSES = ("pending", "claimed", "done", "failed")
#: The most evidence (message text) kept for an incident: the matched fragment, never a whole history.
EVIDENCE_LIMIT = 500


def one_of(column: str, values: Iterable[str], name: str) -> CheckConstraint:
    """A CHECK that `column` holds one of `values` (string enum members or strings)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


class ProgramRow(SQLModel, table=True):
    __tablename__ = "programs"
    __table_args__ = (one_of("mode", EnforcementMode, "mode"),)

    id: str = Field(primary_key=True)
    name: str
    dlc: str = ""
    alert_channel: str
    institution_domains: list[str] = Field(default_factory=list, sa_type=JSON)
    team_id: str | None = Field(default=None, index=True)
    channels: list[str] = Field(default_factory=list, sa_type=JSON)
    session_channels: list[str] = Field(default_factory=list, sa_type=JSON)
    safety_contact: str = ""
    whole_workspace: bool = True
    allowed_contacts: list[str] = Field(default_factory=list, sa_type=JSON)
    phone_regions: list[str] = Field(default_factory=lambda: ["US"], sa_type=JSON)
    mode: str = EnforcementMode.ENFORCE.value
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class PersonRow(SQLModel, table=True):
    """A roster entry. `position` keeps the roster's order; `email` is stored normalised."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("program_id", "email"),
        one_of("role", Role, "role"),
        one_of("background_check", BackgroundCheck, "background_check"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: str = Field(foreign_key="programs.id", ondelete="CASCADE")
    position: int
    email: str = Field(index=True)
    name: str
    role: str
    slack_id: str | None = Field(default=None, index=True)
    background_check: str | None = None
    recording_consent: bool = False


class GuardianLinkRow(SQLModel, table=True):
    """A guardian's minor, by email, within one program (from the roster's `guardian_of`)."""

    __tablename__ = "guardian_links"
    __table_args__ = (PrimaryKeyConstraint("program_id", "guardian_email", "minor_email"),)

    program_id: str = Field(foreign_key="programs.id", ondelete="CASCADE")
    guardian_email: str
    minor_email: str = Field(index=True)
    position: int


class SessionWindowRow(SQLModel, table=True):
    __tablename__ = "session_windows"
    __table_args__ = (
        UniqueConstraint("program_id", "channel", "start"),
        CheckConstraint('"end" > start', name="ends_after_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: str = Field(foreign_key="programs.id", ondelete="CASCADE")
    channel: str = Field(index=True)
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)
    access_info: str = ""
    #: Who scheduled it from Slack (`/minors-session`); None for sessions from the program file.
    scheduled_by: str | None = None


class AccountRow(SQLModel, table=True):
    """The workspace directory cache, refreshed by sweeps (`users.list`)."""

    __tablename__ = "accounts"
    __table_args__ = (
        PrimaryKeyConstraint("team_id", "user_id"),
        # Emails are matched case-insensitively, as stored by Slack.
        Index("ix_accounts_team_id_lower_email", "team_id", text("lower(email)")),
    )

    team_id: str
    user_id: str
    email: str = ""
    name: str = ""
    is_bot: bool = False
    is_guest: bool = False
    is_external: bool = False
    deleted: bool = False
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ConversationRow(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (one_of("kind", ConversationKind, "kind"),)

    id: str = Field(primary_key=True)
    team_id: str = Field(default="", index=True)
    kind: str
    name: str = ""
    is_archived: bool = False
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MembershipRow(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (PrimaryKeyConstraint("conversation_id", "user_id"),)

    conversation_id: str = Field(foreign_key="conversations.id", ondelete="CASCADE")
    user_id: str = Field(index=True)


class IncidentRow(SQLModel, table=True):
    """A finding being dealt with. Incidents are the compliance record: no cascade deletes them."""

    __tablename__ = "incidents"
    __table_args__ = (
        one_of("status", IncidentStatus, "status"),
        CheckConstraint(f"length(evidence) <= {EVIDENCE_LIMIT}", name="evidence_length"),
        # One open incident per (program, rule, subject); concurrent openers race on this index.
        Index(
            "uq_incidents_open_subject",
            "program_id",
            "rule",
            "subject",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
        Index("ix_incidents_program_id_opened_at", "program_id", "opened_at"),
        Index("ix_incidents_program_id_scope", "program_id", "scope"),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: str = Field(foreign_key="programs.id")
    rule: str
    subject: str
    scope: str
    severity: int
    status: str = IncidentStatus.OPEN.value
    summary: str
    people: list[str] = Field(default_factory=list, sa_type=JSON)
    channel: str | None = None
    evidence: str = ""
    opened_at: datetime = Field(sa_type=UTCDateTime, index=True)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = None
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: str | None = None
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    alert_channel: str | None = None
    alert_ts: str | None = None


class IncidentEventRow(SQLModel, table=True):
    __tablename__ = "incident_events"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incidents.id", ondelete="CASCADE", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str
    actor: str | None = None
    detail: str = ""


class ConsentRow(SQLModel, table=True):
    """A recording release granted or revoked; the latest one for a minor is in force."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_program_id_minor_email", "program_id", "minor_email"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: str = Field(foreign_key="programs.id")
    minor_email: str
    granted: bool
    recorded_by: str
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    note: str = ""


class AcknowledgementRow(SQLModel, table=True):
    """An account that acknowledged a program's expectations."""

    __tablename__ = "acknowledgements"
    __table_args__ = (PrimaryKeyConstraint("program_id", "user_id"),)

    program_id: str = Field(foreign_key="programs.id", ondelete="CASCADE")
    user_id: str
    acknowledged_at: datetime = Field(sa_type=UTCDateTime)


class ConnectionRow(SQLModel, table=True):
    """An account whose owner connected it to the app (OAuth). No tokens here."""

    __tablename__ = "connections"
    __table_args__ = (PrimaryKeyConstraint("team_id", "user_id"),)

    team_id: str
    user_id: str
    connected_at: datetime = Field(sa_type=UTCDateTime)


class GuardianNoticeRow(SQLModel, table=True):
    """Whether a guardian was given a session's access information."""

    __tablename__ = "guardian_notices"
    __table_args__ = (
        UniqueConstraint("session_window_id", "guardian_email"),
        one_of("status", GUARDIAN_NOTICE_STATUSES, "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_window_id: int = Field(foreign_key="session_windows.id", ondelete="CASCADE")
    guardian_email: str
    delivered_at: datetime = Field(sa_type=UTCDateTime)
    status: str
    detail: str = ""


class InboxRow(SQLModel, table=True):
    """A Slack event or request stored before Slack got its 200, until a worker has dealt with it."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("event_id"),
        one_of("status", INBOX_STATUSES, "status"),
        Index("ix_inbox_status_available_at", "status", "available_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str | None = None
    team_id: str = ""
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    received_at: datetime = Field(sa_type=UTCDateTime)
    #: Not claimable before this time: how a failed item backs off.
    available_at: datetime = Field(sa_type=UTCDateTime)
    status: str = "pending"
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None


class AuditRow(SQLModel, table=True):
    """An administrator action. `program_id` is not a foreign key: the record outlives the program."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_program_id_at", "program_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str
    action: str
    program_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class UserTokenRow(SQLModel, table=True):
    """A connected account's user token, sealed by `storage.tokens` (encrypted when a key is set)."""

    __tablename__ = "user_tokens"
    __table_args__ = (PrimaryKeyConstraint("team_id", "user_id"),)

    team_id: str
    user_id: str
    sealed_token: str
    scopes: str = ""
    saved_at: datetime = Field(sa_type=UTCDateTime)


class LockdownRow(SQLModel, table=True):
    """A channel closed by an administrator (`/minors-lockdown`) until one reopens it. `removed`
    lists the roster members taken out of it, so that reopening brings them back."""

    __tablename__ = "lockdowns"
    __table_args__ = (
        # One lockdown in force per channel.
        Index(
            "uq_lockdowns_active_channel",
            "channel",
            unique=True,
            sqlite_where=text("lifted_at IS NULL"),
            postgresql_where=text("lifted_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    program_id: str = Field(foreign_key="programs.id")
    team_id: str = ""
    channel: str = Field(index=True)
    locked_by: str
    reason: str = ""
    locked_at: datetime = Field(sa_type=UTCDateTime)
    removed: list[str] = Field(default_factory=list, sa_type=JSON)
    lifted_by: str | None = None
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    alert_channel: str = ""
    alert_text: str = ""
    alert_ts: str | None = None
    refused: list[str] = Field(default_factory=list, sa_type=JSON)


class ChannelIdChangeRow(SQLModel, table=True):
    """A channel id Slack replaced (a private channel shared with Slack Connect gets a new one): the
    old id, read in a program file or stored before the change, stands for the new one."""

    __tablename__ = "channel_id_changes"

    old_id: str = Field(primary_key=True)
    new_id: str
    team_id: str = ""
    changed_at: datetime = Field(sa_type=UTCDateTime)


class WelcomeRow(SQLModel, table=True):
    """A roster member the app sent the program's expectations to (onboarding), once per program."""

    __tablename__ = "welcomes"
    __table_args__ = (PrimaryKeyConstraint("program_id", "user_id"),)

    program_id: str = Field(foreign_key="programs.id", ondelete="CASCADE")
    user_id: str
    welcomed_at: datetime = Field(sa_type=UTCDateTime)


class InstallationRow(SQLModel, table=True):
    """A workspace the app is installed in (OAuth), with its bot token sealed like user tokens."""

    __tablename__ = "installations"

    team_id: str = Field(primary_key=True)
    enterprise_id: str | None = None
    app_id: str = ""
    bot_user_id: str
    bot_id: str = ""
    sealed_bot_token: str
    bot_scopes: str = ""
    installed_by: str = ""
    installed_at: datetime = Field(sa_type=UTCDateTime)


class UsedOnceRow(SQLModel, table=True):
    """Something that may be acted on once, until it expires: a signed request of Slack's (its
    signature; a copy sent again is a replay) or an OAuth `state` a browser came back with. Written
    only when it is used, so that nobody can fill the table without something signed."""

    __tablename__ = "used_once"

    key: str = Field(primary_key=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class CallRow(SQLModel, table=True):
    """A live call (a Slack huddle) as the app pieces it together: where it runs once a root names
    it, since when its people have been the ones it has, its AI-notes features, and when it ended."""

    __tablename__ = "calls"
    __table_args__ = (PrimaryKeyConstraint("team_id", "call_id"),)

    team_id: str
    call_id: str
    channel: str | None = None
    kind: str | None = None
    root_ts: str | None = None
    started_at: datetime = Field(sa_type=UTCDateTime)
    #: When its participants last changed (the call rules' grace period runs from it).
    since: datetime = Field(sa_type=UTCDateTime)
    recorded: list[str] = Field(default_factory=list, sa_type=JSON)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class CallParticipantRow(SQLModel, table=True):
    """Who is in which call now: one call per account at a time (a leave resets Slack's huddle state
    without the call's id, so the app remembers it here)."""

    __tablename__ = "call_participants"
    __table_args__ = (
        PrimaryKeyConstraint("team_id", "user_id"),
        Index("ix_call_participants_call", "team_id", "call_id"),
    )

    team_id: str
    user_id: str
    call_id: str
    joined_at: datetime = Field(sa_type=UTCDateTime)


class LeaseRow(SQLModel, table=True):
    """Periodic work that one process at a time does (a workspace's sweep, its scheduled checks, the
    retention run), by name: who holds it (empty: nobody), until when unless renewed, and when the
    work last finished in full, so that another process does not do it again too soon."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True)
    holder: str = ""
    expires_at: datetime = Field(sa_type=UTCDateTime)
    renewed_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
