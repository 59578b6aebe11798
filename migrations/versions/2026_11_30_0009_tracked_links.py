"""Tracked short links and their clicks (issue 11) — schema filled in by the change that builds them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 21:00:00
"""

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
