"""Contact cadence and the going-cold radar (issue 10) — schema filled in by the change that builds them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:00:00
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
