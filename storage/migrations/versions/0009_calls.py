"""Live calls (Slack huddles): each call, and who is in which call now.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("root_ts", sa.String(), nullable=True),
        sa.Column("started_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("since", UTC_TIMESTAMP, nullable=False),
        sa.Column("recorded", sa.JSON(), nullable=False),
        sa.Column("ended_at", UTC_TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("team_id", "call_id", name="pk_calls"),
    )
    op.create_index("ix_calls_ended_at", "calls", ["ended_at"])
    op.create_table(
        "call_participants",
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("joined_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name="pk_call_participants"),
    )
    op.create_index("ix_call_participants_call", "call_participants", ["team_id", "call_id"])


def downgrade() -> None:
    op.drop_index("ix_call_participants_call", table_name="call_participants")
    op.drop_table("call_participants")
    op.drop_index("ix_calls_ended_at", table_name="calls")
    op.drop_table("calls")
