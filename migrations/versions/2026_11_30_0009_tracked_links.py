"""Give every assignment a short link, and count its clicks: short_code, link_clicks, link_click_days.

Adds `campaign_influencers.short_code` (VARCHAR(16), NOT NULL, UNIQUE): the code of the assignment's
short link CRM_PUBLIC_URL/l/<code>. Existing assignments are backfilled here, in the migration, with
codes from crm.short_codes.new_code (random base62 from `secrets`), so every assignment has its
link from the start and no read path ever has to write one lazily; new rows get theirs on insert
(the model's column default).

Adds `link_clicks` (one row per counted click: assignment, time, coarse client class, referrer host;
never an IP address) with an (assignment_id, clicked_at) index for the per-assignment counts and a
clicked_at index for the retention job, and `link_click_days` (clicks per assignment per UTC day,
what the retention job rolls old raw clicks up into). Both cascade when their assignment goes.

Downgrade refuses while clicks are recorded (raw or rolled up), and while any assignment exists:
dropping short_code breaks every short link and QR code already handed out, and a new upgrade
would issue different codes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from crm.short_codes import new_code
from migrations.data_loss import would_drop

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add short_code (backfilled, then NOT NULL and UNIQUE) and the two click tables."""
    op.add_column("campaign_influencers", sa.Column("short_code", sa.String(16), nullable=True))
    bind = op.get_bind()
    ids = bind.execute(sa.text("SELECT id FROM campaign_influencers")).scalars().all()
    if ids:
        codes: set[str] = set()
        while len(codes) < len(ids):  # distinct within the backfill; the UNIQUE index checks again
            codes.add(new_code())
        bind.execute(
            sa.text("UPDATE campaign_influencers SET short_code = :code WHERE id = :id"),
            [{"id": id_, "code": code} for id_, code in zip(ids, codes, strict=True)],
        )
    op.alter_column("campaign_influencers", "short_code", nullable=False)
    op.create_unique_constraint("uq_campaign_influencers_short_code", "campaign_influencers", ["short_code"])

    op.create_table(
        "link_clicks",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("assignment_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_class", sa.String(16), nullable=False),
        sa.Column("referrer_host", sa.String(255), nullable=True),
        sa.CheckConstraint("client_class IN ('mobile', 'desktop', 'other')", name="client_class"),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["campaign_influencers.id"],
            name="fk_link_clicks_assignment_id_campaign_influencers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_link_clicks"),
    )
    op.create_index("ix_link_clicks_assignment_clicked", "link_clicks", ["assignment_id", "clicked_at"])
    op.create_index("ix_link_clicks_clicked_at", "link_clicks", ["clicked_at"])

    op.create_table(
        "link_click_days",
        sa.Column("assignment_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.CheckConstraint("clicks >= 0", name="clicks"),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["campaign_influencers.id"],
            name="fk_link_click_days_assignment_id_campaign_influencers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", "day", name="pk_link_click_days"),
    )
    op.create_index("ix_link_click_days_day", "link_click_days", ["day"])


def downgrade() -> None:
    """Drop them: refused while clicks are recorded or assignments hold short links handed out."""
    would_drop("0009", "link_clicks", note="recorded clicks of short links")
    would_drop("0009", "link_click_days", note="daily click counts of short links")
    would_drop(
        "0009",
        "campaign_influencers",
        "short_code",
        note="every short link and QR code already handed out would stop working",
    )
    op.drop_table("link_click_days")
    op.drop_table("link_clicks")
    op.drop_constraint("uq_campaign_influencers_short_code", "campaign_influencers", type_="unique")
    op.drop_column("campaign_influencers", "short_code")
