"""Record a post whose outcome is unknown, so a retry looks for it in Slack before posting again.

Adds `deliveries.attempted_at` (timestamptz, NULL) and `deliveries.message_key` (uuid, NULL): the
scheduler commits both before it calls chat.postMessage and clears `attempted_at` once the outcome is
known; the message carries `message_key` in its metadata. Existing rows keep NULL in both: nothing
is in flight across an upgrade that the new code could look for (older posts carry no metadata).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.data_loss import would_drop

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add attempted_at and message_key to deliveries."""
    op.add_column("deliveries", sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("deliveries", sa.Column("message_key", postgresql.UUID(as_uuid=True), nullable=True))


def downgrade() -> None:
    """Drop them (an unconfirmed post is then retried without looking, as before)."""
    for column in ("message_key", "attempted_at"):
        would_drop("0006", "deliveries", column, note="a post of unknown outcome may then be posted twice")
    op.drop_column("deliveries", "message_key")
    op.drop_column("deliveries", "attempted_at")
