"""Names are matched without their accents: crm_fold(text), and influencers.name_folded kept by it.

`crm_fold(text)` is `translate(lower(text), …)` with crm.text's FOLD_FROM / FOLD_TO (copied here,
as migrations do not import the application; a test compares the two): "Zoë Müller" folds to
"zoe muller", so a name typed without its accents finds the creator (crm/influencers.py resolving
a reference, crm/search.py). `influencers.name_folded` is a stored generated column,
`crm_fold(name)`, indexed with team_id: PostgreSQL computes it for existing rows on upgrade and
keeps it on every write, so no code path can forget it. It holds nothing of its own, so the
downgrade loses nothing.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Upper case too: under the C locale, PostgreSQL's lower() leaves accented letters as they are.
FOLD_FROM = (
    "àáâãäåāăąçćčďđèéêëēėęěğìíîïīįłñńňòóôõöøōőřśšşťţùúûüūůűýÿźżž"
    "ÀÁÂÃÄÅĀĂĄÇĆČĎĐÈÉÊËĒĖĘĚĞÌÍÎÏĪĮŁÑŃŇÒÓÔÕÖØŌŐŘŚŠŞŤŢÙÚÛÜŪŮŰÝŸŹŻŽ"
)
FOLD_TO = "aaaaaaaaacccddeeeeeeeegiiiiiilnnnoooooooorsssttuuuuuuuyyzzz" * 2


def upgrade() -> None:
    """Create crm_fold(), influencers.name_folded and its index."""
    op.execute(
        "CREATE FUNCTION crm_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"AS $$ SELECT translate(lower($1), '{FOLD_FROM}', '{FOLD_TO}') $$"
    )
    # Stored, not computed per query: folding costs microseconds a row, and /crm find reads every
    # creator of the workspace (20,000 names: 125 ms folded per query against 6 ms for lower()).
    op.add_column(
        "influencers",
        sa.Column("name_folded", sa.Text(), sa.Computed("crm_fold(name)", persisted=True), nullable=False),
    )
    op.create_index(
        "ix_influencers_team_folded_name", "influencers", ["team_id", "name_folded"], unique=False
    )


def downgrade() -> None:
    """Drop the index, the column, then the function."""
    op.drop_index("ix_influencers_team_folded_name", table_name="influencers")
    op.drop_column("influencers", "name_folded")
    op.execute("DROP FUNCTION crm_fold(text)")
