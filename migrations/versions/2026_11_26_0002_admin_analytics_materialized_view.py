"""Create the admin_analytics materialized view, one aggregate per measure.

The spec's plain view LEFT JOINs user_influencers, campaigns and interactions to users and then
aggregates with COUNT(DISTINCT ...): every relationship row is repeated once per campaign × interaction
of the same user, so its cost grows with the product of the three counts. Here each measure comes from
its own GROUP BY user_id subquery, joined 1:1 to users, and the result is materialized. The unique
index on user_id lets `REFRESH MATERIALIZED VIEW CONCURRENTLY` run without blocking readers.

Columns are the spec's (user_id, email, total_influencers, partnered_influencers, total_campaigns,
total_interactions, avg_relationship_strength, last_activity) plus team_id, so a summary can filter
by workspace.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the view and the unique index CONCURRENTLY needs."""
    op.execute(
        """
        CREATE MATERIALIZED VIEW admin_analytics AS
        SELECT
            u.id AS user_id,
            u.team_id,
            u.email,
            COALESCE(r.total_influencers, 0) AS total_influencers,
            COALESCE(r.partnered_influencers, 0) AS partnered_influencers,
            COALESCE(c.total_campaigns, 0) AS total_campaigns,
            COALESCE(i.total_interactions, 0) AS total_interactions,
            r.avg_relationship_strength,
            r.last_activity
        FROM users u
        LEFT JOIN (
            SELECT user_id,
                   count(DISTINCT influencer_id) AS total_influencers,
                   count(DISTINCT influencer_id) FILTER (WHERE status = 'partnered') AS partnered_influencers,
                   avg(relationship_strength) AS avg_relationship_strength,
                   max(last_contacted_at) AS last_activity
            FROM user_influencers
            GROUP BY user_id
        ) r ON r.user_id = u.id
        LEFT JOIN (
            SELECT user_id, count(*) AS total_campaigns FROM campaigns GROUP BY user_id
        ) c ON c.user_id = u.id
        LEFT JOIN (
            SELECT user_id, count(*) AS total_interactions FROM interactions GROUP BY user_id
        ) i ON i.user_id = u.id
        WITH DATA
        """
    )
    op.execute("CREATE UNIQUE INDEX uq_admin_analytics_user_id ON admin_analytics (user_id)")
    op.execute("CREATE INDEX ix_admin_analytics_team_id ON admin_analytics (team_id)")


def downgrade() -> None:
    """Drop the view (its indexes go with it)."""
    op.execute("DROP MATERIALIZED VIEW IF EXISTS admin_analytics")
