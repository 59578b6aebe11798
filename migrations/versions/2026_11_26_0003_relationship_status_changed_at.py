"""Record when a relationship's status last changed, so "partnered in the period" is exact.

Adds `user_influencers.status_changed_at` (timestamptz, NOT NULL, default now()) and a BEFORE UPDATE
trigger that sets it to now() only when the status really changes (OLD.status IS DISTINCT FROM
NEW.status), so notes, tags, follow-ups and the nightly strength recompute leave it alone; bulk SQL
and upserts are covered like ORM writes. Existing rows take `updated_at` as their best estimate; the
updated_at trigger is disabled while they are backfilled, so the backfill does not touch updated_at.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.data_loss import would_drop

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column, backfill it from updated_at, install the trigger."""
    op.add_column(
        "user_influencers",
        sa.Column(
            "status_changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
    )
    op.execute("ALTER TABLE user_influencers DISABLE TRIGGER trg_user_influencers_updated_at")
    op.execute("UPDATE user_influencers SET status_changed_at = updated_at")
    op.execute("ALTER TABLE user_influencers ENABLE TRIGGER trg_user_influencers_updated_at")
    op.execute(
        """
        CREATE FUNCTION set_status_changed_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.status_changed_at := now();
            RETURN NEW;
        END $$
        """
    )
    # The WHEN clause keeps the function from even running when the status stays the same.
    op.execute(
        "CREATE TRIGGER trg_user_influencers_status_changed_at BEFORE UPDATE ON user_influencers "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
        "EXECUTE FUNCTION set_status_changed_at()"
    )


def downgrade() -> None:
    """Drop the trigger, its function and the column."""
    would_drop(
        "0003",
        "user_influencers",
        "status_changed_at",
        note="upgrading again sets it from updated_at, not from when the status changed",
    )
    op.execute("DROP TRIGGER IF EXISTS trg_user_influencers_status_changed_at ON user_influencers")
    op.execute("DROP FUNCTION IF EXISTS set_status_changed_at()")
    op.drop_column("user_influencers", "status_changed_at")
