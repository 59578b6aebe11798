"""Contact cadence and the going-cold radar: per-relationship cadence, per-status defaults, nag dates.

Adds to `user_influencers`:
- `cadence_days` (smallint, NULL, 1–365): how often the user means to contact this creator.
- `follow_up_from_cadence` (boolean, NOT NULL, default false): the current follow-up was scheduled
  by the cadence (after a contact or a Done), not set by hand. Existing follow-ups were all set by
  hand, so false is right for every existing row.
- `cold_snoozed_until` (timestamptz, NULL): "Snooze a week" on a going-cold nag.
Creates `cadence_defaults` (team, status → days), set by admins, and `going_cold_nags`
(relationship → the user's local date it was last mentioned as going cold), kept apart from
`user_influencers` so a daily nag neither bumps a relationship's `updated_at` nor locks its row.
Rebuilds `ix_interactions_user_influencer_recent` with INCLUDE (type): the strength of a relationship
is then computed from the index alone, which the going-cold radar does for thousands at once (200,000
relationships: 1.0 s → 0.6 s, BENCHMARKS.md). The index is rebuilt in the migration's transaction,
so writes to `interactions` wait for it (seconds per million rows).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from migrations.data_loss import would_drop

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'saved', 'contacted', 'warm', 'cold', 'partnered'"


INTERACTIONS_INDEX = "ix_interactions_user_influencer_recent"
INDEX_COLUMNS = ["user_id", "influencer_id", sa.text("interaction_date DESC")]


def upgrade() -> None:
    """Add the cadence columns and the two tables, cover `type` in the per-relationship index."""
    op.drop_index(INTERACTIONS_INDEX, table_name="interactions")
    op.create_index(INTERACTIONS_INDEX, "interactions", INDEX_COLUMNS, postgresql_include=["type"])
    op.add_column("user_influencers", sa.Column("cadence_days", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_user_influencers_cadence_days"),
        "user_influencers",
        "cadence_days IS NULL OR cadence_days BETWEEN 1 AND 365",
    )
    op.add_column(
        "user_influencers",
        sa.Column("follow_up_from_cadence", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "user_influencers", sa.Column("cold_snoozed_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "cadence_defaults",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("cadence_days", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "status", name=op.f("pk_cadence_defaults")),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_cadence_defaults_status")),
        sa.CheckConstraint("cadence_days BETWEEN 1 AND 365", name=op.f("ck_cadence_defaults_cadence_days")),
    )
    op.create_table(
        "going_cold_nags",
        sa.Column("relationship_id", UUID(as_uuid=True), nullable=False),
        sa.Column("nagged_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["user_influencers.id"],
            name=op.f("fk_going_cold_nags_relationship_id_user_influencers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("relationship_id", name=op.f("pk_going_cold_nags")),
    )


def downgrade() -> None:
    """Drop them: refused while cadences, defaults or snoozes are set (users chose those).

    The nag dates and `follow_up_from_cadence` are bookkeeping: without them a relationship may be
    mentioned once more that day, and a cadence-set follow-up counts as set by hand.
    """
    would_drop("0010", "cadence_defaults", note="admins' default cadence per status")
    would_drop("0010", "user_influencers", "cadence_days", note="users' contact cadences")
    would_drop("0010", "user_influencers", "cold_snoozed_until", note="snoozed going-cold reminders")
    op.drop_table("going_cold_nags")
    op.drop_table("cadence_defaults")
    op.drop_column("user_influencers", "cold_snoozed_until")
    op.drop_column("user_influencers", "follow_up_from_cadence")
    op.drop_column("user_influencers", "cadence_days")  # its CHECK constraint goes with it
    op.drop_index(INTERACTIONS_INDEX, table_name="interactions")
    op.create_index(INTERACTIONS_INDEX, "interactions", INDEX_COLUMNS)
