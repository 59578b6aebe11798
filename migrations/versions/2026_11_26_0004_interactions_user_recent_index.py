"""Index a user's interactions by date, for "recent interactions" across all of a user's influencers.

The App Home lists a user's latest interactions whatever the influencer. The existing
(user_id, influencer_id, interaction_date DESC) index serves one relationship's history but not this
order, so PostgreSQL walked idx_interactions_date backwards and filtered out other users' rows: 90 ms
per App Home at 2 M interactions (benchmarks/data_layer.py). This is the "recent interactions per
user" index the spec's rationale promises.

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
    """Create the (user_id, interaction_date DESC) index."""
    op.create_index(
        "ix_interactions_user_recent",
        "interactions",
        ["user_id", sa.literal_column("interaction_date DESC")],
        unique=False,
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_index("ix_interactions_user_recent", table_name="interactions")
