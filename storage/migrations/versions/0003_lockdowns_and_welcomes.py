"""Lockdowns (channels closed by an administrator), welcomes (who was sent the expectations), and who
scheduled a session from Slack.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("session_windows", sa.Column("scheduled_by", sa.String(), nullable=True))
    op.create_table(
        "lockdowns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("locked_by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("locked_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("lifted_by", sa.String(), nullable=True),
        sa.Column("lifted_at", UTC_TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name="fk_lockdowns_program_id_programs"),
        sa.PrimaryKeyConstraint("id", name="pk_lockdowns"),
    )
    op.create_index("ix_lockdowns_channel", "lockdowns", ["channel"])
    op.create_index(
        "uq_lockdowns_active_channel",
        "lockdowns",
        ["channel"],
        unique=True,
        sqlite_where=sa.text("lifted_at IS NULL"),
        postgresql_where=sa.text("lifted_at IS NULL"),
    )
    op.create_table(
        "welcomes",
        sa.Column("program_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("welcomed_at", UTC_TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name="fk_welcomes_program_id_programs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("program_id", "user_id", name="pk_welcomes"),
    )


def downgrade() -> None:
    op.drop_table("welcomes")
    op.drop_index("uq_lockdowns_active_channel", table_name="lockdowns")
    op.drop_index("ix_lockdowns_channel", table_name="lockdowns")
    op.drop_table("lockdowns")
    with op.batch_alter_table("session_windows") as batch:
        batch.drop_column("scheduled_by")
