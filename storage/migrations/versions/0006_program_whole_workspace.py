"""Whether a program with a `team_id` claims every channel of its workspace (`whole_workspace`), or
only its listed channels, so that several programs can share one workspace.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Programs imported before keep what their `team_id` meant: the whole workspace.
    op.add_column("programs", sa.Column("whole_workspace", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("programs") as batch:
        batch.drop_column("whole_workspace")
