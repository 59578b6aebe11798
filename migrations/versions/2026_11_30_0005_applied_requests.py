"""Remember which Slack requests were applied, so a replayed command or a double-submitted modal
changes the data once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.data_loss import would_drop

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create applied_requests (key, team, when)."""
    op.create_table(
        "applied_requests",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_applied_requests")),
    )
    op.create_index(op.f("ix_applied_requests_applied_at"), "applied_requests", ["applied_at"], unique=False)


def downgrade() -> None:
    """Drop applied_requests."""
    would_drop("0005", "applied_requests", note="a replayed Slack request could then apply twice")
    op.drop_index(op.f("ix_applied_requests_applied_at"), table_name="applied_requests")
    op.drop_table("applied_requests")
