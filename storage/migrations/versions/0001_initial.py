"""The initial schema: programs and rosters, the workspace directory cache, incidents, the event
inbox and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: a migration describes the schema as it was, not as the code is now.
UTC_TIMESTAMP = sa.DateTime(timezone=True)
NOT_RESOLVED = sa.text("status != 'resolved'")


def upgrade() -> None:
    create_programs()
    create_directory()
    create_incidents()
    create_participation()
    create_inbox_and_audit()


def create_programs() -> None:
    op.create_table(
        "programs",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("dlc", sa.String(), nullable=False),
        sa.Column("alert_channel", sa.String(), nullable=False),
        sa.Column("institution_domains", sa.JSON(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("session_channels", sa.JSON(), nullable=False),
        sa.Column("safety_contact", sa.String(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("created_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("updated_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
        sa.CheckConstraint("mode IN ('enforce', 'observe')", name=op.f("ck_programs_mode")),
    )
    op.create_index(op.f("ix_programs_team_id"), "programs", ["team_id"])

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("slack_id", sa.String(), nullable=True),
        sa.Column("background_check", sa.String(), nullable=True),
        sa.Column("recording_consent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_people_program_id_programs"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("program_id", "email", name=op.f("uq_people_program_id_email")),
        sa.CheckConstraint(
            "role IN ('minor', 'staff', 'program_admin', 'dlc_admin', 'guardian')", name=op.f("ck_people_role")
        ),
        sa.CheckConstraint("background_check IN ('cleared', 'pending')", name=op.f("ck_people_background_check")),
    )
    op.create_index(op.f("ix_people_email"), "people", ["email"])
    op.create_index(op.f("ix_people_slack_id"), "people", ["slack_id"])

    op.create_table(
        "guardian_links",
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("guardian_email", sa.String(), nullable=False),
        sa.Column("minor_email", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("program_id", "guardian_email", "minor_email", name=op.f("pk_guardian_links")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_guardian_links_program_id_programs"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_guardian_links_minor_email"), "guardian_links", ["minor_email"])

    op.create_table(
        "session_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("start", UTC_TIMESTAMP, nullable=False),
        sa.Column("end", UTC_TIMESTAMP, nullable=False),
        sa.Column("access_info", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_windows")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_session_windows_program_id_programs"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("program_id", "channel", "start", name=op.f("uq_session_windows_program_id_channel_start")),
        sa.CheckConstraint('"end" > start', name=op.f("ck_session_windows_ends_after_start")),
    )
    op.create_index(op.f("ix_session_windows_channel"), "session_windows", ["channel"])


def create_directory() -> None:
    op.create_table(
        "accounts",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("is_guest", sa.Boolean(), nullable=False),
        sa.Column("is_external", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_accounts")),
    )
    op.create_index(op.f("ix_accounts_team_id_lower_email"), "accounts", ["team_id", sa.text("lower(email)")])

    op.create_table(
        "conversations",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.CheckConstraint(
            "kind IN ('public_channel', 'private_channel', 'im', 'mpim')", name=op.f("ck_conversations_kind")
        ),
    )
    op.create_index(op.f("ix_conversations_team_id"), "conversations", ["team_id"])

    op.create_table(
        "memberships",
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name=op.f("pk_memberships")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_memberships_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"])


def create_incidents() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("evidence", sa.String(), nullable=False),
        sa.Column("opened_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("acknowledged_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("acknowledged_by", sa.String(), nullable=True),
        sa.Column("resolved_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("resolved_by", sa.String(), nullable=True),
        sa.Column("escalated_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("alert_channel", sa.String(), nullable=True),
        sa.Column("alert_ts", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_incidents_program_id_programs")),
        sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name=op.f("ck_incidents_status")),
        sa.CheckConstraint("length(evidence) <= 500", name=op.f("ck_incidents_evidence_length")),
    )
    op.create_index(
        op.f("uq_incidents_open_subject"),
        "incidents",
        ["program_id", "rule", "subject"],
        unique=True,
        sqlite_where=NOT_RESOLVED,
        postgresql_where=NOT_RESOLVED,
    )
    op.create_index(op.f("ix_incidents_opened_at"), "incidents", ["opened_at"])
    op.create_index(op.f("ix_incidents_program_id_opened_at"), "incidents", ["program_id", "opened_at"])
    op.create_index(op.f("ix_incidents_program_id_scope"), "incidents", ["program_id", "scope"])

    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=True),
        sa.Column("detail", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_events_incident_id_incidents"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_incident_events_incident_id"), "incident_events", ["incident_id"])


def create_participation() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("minor_email", sa.String(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_consents_program_id_programs")),
    )
    op.create_index(op.f("ix_consents_program_id_minor_email"), "consents", ["program_id", "minor_email"])

    op.create_table(
        "acknowledgements",
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("acknowledged_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("program_id", "user_id", name=op.f("pk_acknowledgements")),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_acknowledgements_program_id_programs"), ondelete="CASCADE"
        ),
    )

    op.create_table(
        "connections",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("connected_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_connections")),
    )

    op.create_table(
        "guardian_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_window_id", sa.Integer(), nullable=False),
        sa.Column("guardian_email", sa.String(), nullable=False),
        sa.Column("delivered_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian_notices")),
        sa.ForeignKeyConstraint(
            ["session_window_id"],
            ["session_windows.id"],
            name=op.f("fk_guardian_notices_session_window_id_session_windows"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "session_window_id", "guardian_email", name=op.f("uq_guardian_notices_session_window_id_guardian_email")
        ),
        sa.CheckConstraint("status IN ('sent', 'unreachable')", name=op.f("ck_guardian_notices_status")),
    )


def create_inbox_and_audit() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=True),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("available_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("claimed_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("processed_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_inbox_event_id")),
        sa.CheckConstraint("status IN ('pending', 'claimed', 'done', 'failed')", name=op.f("ck_inbox_status")),
    )
    op.create_index(op.f("ix_inbox_status_available_at"), "inbox", ["status", "available_at"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("program_id", sa.String(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_program_id_at"), "audit_log", ["program_id", "at"])


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes.
    for table in (
        "audit_log",
        "inbox",
        "guardian_notices",
        "connections",
        "acknowledgements",
        "consents",
        "incident_events",
        "incidents",
        "memberships",
        "conversations",
        "accounts",
        "session_windows",
        "guardian_links",
        "people",
        "programs",
    ):
        op.drop_table(table)
