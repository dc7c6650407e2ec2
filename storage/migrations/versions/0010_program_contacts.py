"""What a program allows staff to share (`allowed_contacts`: the program office's number and address)
and the regions whose phone formats its people write (`phone_regions`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Programs imported before allow nothing and read numbers as the app always did: in US formats.
    op.add_column("programs", sa.Column("allowed_contacts", sa.JSON(), nullable=False, server_default="[]"))
    op.add_column("programs", sa.Column("phone_regions", sa.JSON(), nullable=False, server_default='["US"]'))


def downgrade() -> None:
    with op.batch_alter_table("programs") as batch:
        batch.drop_column("phone_regions")
        batch.drop_column("allowed_contacts")
