"""Weekly summaries and the personal digest: status history, the digest opt-in, its delivery kind.

- `relationship_status_changes` (relationship, status, changed_at): one row per status a relationship
  took, so the weekly chart can show the pipeline by status as it was at the end of each past week.
  `user_influencers.status_changed_at` dates only the last change and keeps no earlier status, so
  the history cannot be rebuilt: it is recorded from now on by triggers (every write path — ORM,
  bulk SQL, imports — goes through them, as for status_changed_at in 0003) and seeded with each
  existing relationship's current status at its status_changed_at. Before a relationship's first
  recorded row, readers count it in that first status (crm/weekly_trends.py says so again).
  An AFTER INSERT trigger records a new relationship's status; an AFTER UPDATE trigger, which runs
  only when the status or status_changed_at changed, records a new status, or re-dates the row it
  last recorded when status_changed_at alone was corrected, so the history ends where
  status_changed_at says.
- `users.weekly_digest_since` (timestamptz, NULL): when the user opted in to the personal weekly
  digest from App Home; NULL means off, as for every existing user.
- `deliveries.kind` may be 'personal_digest' (one row per user per ISO week, crm/reminders/digests.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from migrations.data_loss import would_drop

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'saved', 'contacted', 'warm', 'cold', 'partnered'"
KINDS_BEFORE = "kind IN ('follow_up_reminder', 'weekly_summary')"
KINDS_AFTER = "kind IN ('follow_up_reminder', 'weekly_summary', 'personal_digest')"


def upgrade() -> None:
    """Create the history (seeded, then kept by triggers), the opt-in column and the delivery kind."""
    op.create_table(
        "relationship_status_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("relationship_id", UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["user_influencers.id"],
            name=op.f("fk_relationship_status_changes_relationship_id_user_influencers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationship_status_changes")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_relationship_status_changes_status")),
    )
    op.create_index(
        "ix_relationship_status_changes_relationship_id_changed_at",
        "relationship_status_changes",
        ["relationship_id", "changed_at"],
    )
    op.execute(
        """
        INSERT INTO relationship_status_changes (relationship_id, status, changed_at)
        SELECT id, status, status_changed_at FROM user_influencers
        """
    )
    op.execute(
        """
        CREATE FUNCTION record_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
                UPDATE relationship_status_changes SET changed_at = NEW.status_changed_at
                WHERE id = (SELECT id FROM relationship_status_changes
                            WHERE relationship_id = NEW.id ORDER BY id DESC LIMIT 1);
            ELSE
                INSERT INTO relationship_status_changes (relationship_id, status, changed_at)
                VALUES (NEW.id, NEW.status, NEW.status_changed_at);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER trg_user_influencers_status_history_insert AFTER INSERT ON user_influencers "
        "FOR EACH ROW EXECUTE FUNCTION record_status_change()"
    )
    # The WHEN clause keeps the function from running for the nightly strength recompute and edits.
    op.execute(
        "CREATE TRIGGER trg_user_influencers_status_history_update AFTER UPDATE ON user_influencers "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.status_changed_at IS DISTINCT FROM NEW.status_changed_at) "
        "EXECUTE FUNCTION record_status_change()"
    )
    op.add_column("users", sa.Column("weekly_digest_since", sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint(op.f("ck_deliveries_kind"), "deliveries", type_="check")
    op.create_check_constraint(op.f("ck_deliveries_kind"), "deliveries", KINDS_AFTER)


def downgrade() -> None:
    """Drop them: refused while opt-ins or status history exist (unless data loss is allowed).

    The personal digests' delivery rows are bookkeeping of a feature that goes away with this
    revision, so they are deleted without asking.
    """
    would_drop("0011", "users", "weekly_digest_since", note="users' opt-ins to the weekly digest")
    would_drop(
        "0011",
        "relationship_status_changes",
        note="upgrading again seeds only each relationship's current status",
    )
    op.execute("DELETE FROM deliveries WHERE kind = 'personal_digest'")
    op.drop_constraint(op.f("ck_deliveries_kind"), "deliveries", type_="check")
    op.create_check_constraint(op.f("ck_deliveries_kind"), "deliveries", KINDS_BEFORE)
    op.drop_column("users", "weekly_digest_since")
    op.execute("DROP TRIGGER IF EXISTS trg_user_influencers_status_history_update ON user_influencers")
    op.execute("DROP TRIGGER IF EXISTS trg_user_influencers_status_history_insert ON user_influencers")
    op.execute("DROP FUNCTION IF EXISTS record_status_change()")
    op.drop_index(
        "ix_relationship_status_changes_relationship_id_changed_at", table_name="relationship_status_changes"
    )
    op.drop_table("relationship_status_changes")
