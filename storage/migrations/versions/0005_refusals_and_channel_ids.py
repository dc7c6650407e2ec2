"""A lockdown's alert (where, what, its ts) and the people Slack refused to remove; channel ids Slack
replaced.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch copy of the table would have to rebuild the partial
    # unique index on channels in force. The defaults fill the rows already there.
    op.add_column("lockdowns", sa.Column("alert_channel", sa.String(), nullable=False, server_default=""))
    op.add_column("lockdowns", sa.Column("alert_text", sa.String(), nullable=False, server_default=""))
    op.add_column("lockdowns", sa.Column("alert_ts", sa.String(), nullable=True))
    op.add_column("lockdowns", sa.Column("refused", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "channel_id_changes",
        sa.Column("old_id", sa.String(), nullable=False),
        sa.Column("new_id", sa.String(), nullable=False),
        sa.Column("team_id", sa.String(), nullable=False),
        sa.Column("changed_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("old_id", name="pk_channel_id_changes"),
    )


def downgrade() -> None:
    op.drop_table("channel_id_changes")
    for column in ("refused", "alert_ts", "alert_text", "alert_channel"):
        op.drop_column("lockdowns", column)  # SQLite 3.35 and later drop a column in place
