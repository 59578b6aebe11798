"""Let a user take a creator off their list without deleting it: `user_influencers.archived_at`.

Adds `archived_at` (timestamptz, NULL): set by `/crm remove`, cleared by Undo, Restore, `/crm
restore` or `/crm add`. Existing rows keep NULL, so every relationship stays on its user's list.
No index: the per-user queries already start from a per-user index and drop the few archived rows
as a filter (EXPLAIN in the commit that added this).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.data_loss import would_drop

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add user_influencers.archived_at; every existing relationship stays active (NULL)."""
    op.add_column("user_influencers", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop it: refused while relationships are archived, as they would come back onto their lists."""
    would_drop(
        "0008",
        "user_influencers",
        "archived_at",
        note="archived relationships would be back on their users' lists",
    )
    op.drop_column("user_influencers", "archived_at")
