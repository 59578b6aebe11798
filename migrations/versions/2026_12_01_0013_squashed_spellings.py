"""Creators spelt alike but for dots, dashes, underscores and spaces are found by index.

crm.duplicates names the creators a new entry may be a second one of, among them those whose name
or handle reads the same once folded (crm_fold) and without `.`, `_`, `-` and spaces: "Zoe Makes",
@zoe.makes and @zoe_makes. Comparing that spelling of every name and handle of a workspace took
250 ms at 100,000 creators; these two expression indexes, on (team_id, that spelling), make it a
look-up. Indexes only: nothing to carry over, nothing lost on downgrade.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the two indexes."""
    op.create_index(
        "ix_influencers_team_squashed_name",
        "influencers",
        ["team_id", sa.text("translate(name_folded, '._- ', '')")],
        unique=False,
    )
    op.create_index(
        "ix_influencer_profiles_team_squashed_handle",
        "influencer_profiles",
        ["team_id", sa.text("translate(crm_fold(handle), '._- ', '')")],
        unique=False,
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_influencer_profiles_team_squashed_handle", table_name="influencer_profiles")
    op.drop_index("ix_influencers_team_squashed_name", table_name="influencers")
