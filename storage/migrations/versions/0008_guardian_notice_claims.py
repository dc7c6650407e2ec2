"""A guardian notice is claimed (`sending`) before it is posted: of the start-up sweep, the
scheduled checks and every process, exactly one sends it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_guardian_notices_status"


def upgrade() -> None:
    with op.batch_alter_table("guardian_notices") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), "status IN ('sent', 'unreachable', 'sending')")


def downgrade() -> None:
    op.execute("DELETE FROM guardian_notices WHERE status = 'sending'")
    with op.batch_alter_table("guardian_notices") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), "status IN ('sent', 'unreachable')")
