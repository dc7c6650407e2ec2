"""Keys used once (a signed request's signature, an OAuth state that came back), written only when
used; the OAuth states issued ahead, which any anonymous visitor could fill, are gone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "used_once",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("expires_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_used_once"),
    )
    op.create_index("ix_used_once_expires_at", "used_once", ["expires_at"])
    # A browser part-way through installing when this runs starts again: its state was issued
    # ahead and stored here, and states are now signed instead.
    op.drop_index("ix_oauth_states_expires_at", table_name="oauth_states")
    op.drop_table("oauth_states")


def downgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("expires_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("state", name="pk_oauth_states"),
    )
    op.create_index("ix_oauth_states_expires_at", "oauth_states", ["expires_at"])
    op.drop_index("ix_used_once_expires_at", table_name="used_once")
    op.drop_table("used_once")
