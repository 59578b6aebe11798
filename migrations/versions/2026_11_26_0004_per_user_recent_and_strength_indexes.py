"""Index a user's interactions by date and relationships by strength, for the App Home's lists.

The App Home lists a user's latest interactions whatever the influencer, and their strongest
relationships. The existing (user_id, influencer_id, interaction_date DESC) index serves one
relationship's history but not this order, so PostgreSQL walked idx_interactions_date backwards and
filtered out other users' rows: 90 ms per App Home at 2 M interactions (benchmarks/data_layer.py).
Likewise the spec's single-column relationship_strength index made "strongest" walk every user's
relationships (6 ms of the remaining 11 ms at 60,000 relationships). These are the "recent
interactions per user" and per-user composite indexes the spec's rationale promises.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the two per-user indexes."""
    op.create_index(
        "ix_interactions_user_recent",
        "interactions",
        ["user_id", sa.literal_column("interaction_date DESC")],
        unique=False,
    )
    op.create_index(
        "ix_user_influencers_user_strength",
        "user_influencers",
        ["user_id", sa.literal_column("relationship_strength DESC")],
        unique=False,
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_user_influencers_user_strength", table_name="user_influencers")
    op.drop_index("ix_interactions_user_recent", table_name="interactions")
