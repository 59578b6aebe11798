"""Give creators profiles: influencer_profiles, one row per platform/handle/link, unique per team by
identity key, so one creator can be on several platforms and two Medium writers are two creators.

Every existing influencer gets its profile, marked primary, with the identity crm.profiles gives it
now (the rules as they are when this migration runs). A blog saved by older versions under its host
name ("medium.com") is known by its link instead (medium.com/@anna), and the influencer's handle and
link follow it. Two old rows that now name the same profile (rare: anna.medium.com and
medium.com/@anna) both stay, the later one known by its platform and handle, until they are merged.
Uniqueness moves from influencers (team, platform, lower(handle)) to the profiles.

The downgrade drops the profiles. Linked profiles (all but each creator's primary one) would be
lost, so it refuses unless data loss is allowed (migrations/data_loss.py); it always refuses while
two creators share a platform and handle, which the old unique index cannot hold.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm.profiles import stored_profile
from migrations.data_loss import DataLossRefused, would_drop

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create influencer_profiles, give every influencer its primary profile, move uniqueness there."""
    op.create_table(
        "influencer_profiles",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("influencer_id", sa.UUID(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("identity_key", sa.String(length=1000), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("handle <> ''", name=op.f("ck_influencer_profiles_handle_not_empty")),
        sa.CheckConstraint(
            "platform IN ('instagram', 'tiktok', 'youtube', 'x', 'twitch', 'linkedin', 'blog', 'other')",
            name=op.f("ck_influencer_profiles_platform"),
        ),
        sa.ForeignKeyConstraint(
            ["influencer_id"],
            ["influencers.id"],
            name=op.f("fk_influencer_profiles_influencer_id_influencers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_influencer_profiles")),
        sa.UniqueConstraint(
            "team_id", "identity_key", name=op.f("uq_influencer_profiles_team_id_identity_key")
        ),
    )
    op.create_index(
        op.f("ix_influencer_profiles_influencer_id"), "influencer_profiles", ["influencer_id"], unique=False
    )
    op.create_index(
        "ix_influencer_profiles_team_handle",
        "influencer_profiles",
        ["team_id", sa.literal_column("lower(handle)")],
        unique=False,
    )
    op.create_index(
        "uq_influencer_profiles_primary",
        "influencer_profiles",
        ["influencer_id"],
        unique=True,
        postgresql_where=sa.text("is_primary"),
    )
    op.drop_index("uq_influencers_team_platform_handle", table_name="influencers")
    _carry_over(op.get_bind())


def _carry_over(bind) -> None:
    """One primary profile per influencer; the influencer's columns follow its profile."""
    rows = bind.execute(
        sa.text(
            "SELECT id, team_id, platform, handle, profile_url, created_at FROM influencers"
            " ORDER BY team_id, created_at, id"
        )
    ).all()
    taken: set[tuple[str, str]] = set()
    profiles, changed = [], []
    for influencer_id, team_id, platform, handle, profile_url, created_at in rows:
        profile = stored_profile(platform=platform, handle=handle, profile_url=profile_url)
        values = (profile.platform, profile.handle, profile.url, profile.identity)
        if (team_id, profile.identity) in taken:
            # An earlier row names the same profile: keep this one as it was, to be merged later.
            values = (platform, handle, profile_url, f"{platform}:{handle.lower()}")
        taken.add((team_id, values[3]))
        profiles.append(
            {
                "influencer_id": influencer_id,
                "team_id": team_id,
                "platform": values[0],
                "handle": values[1],
                "url": values[2],
                "identity_key": values[3],
                "created_at": created_at,
            }
        )
        if values[:3] != (platform, handle, profile_url):
            changed.append(
                {"id": influencer_id, "platform": values[0], "handle": values[1], "url": values[2]}
            )
    if profiles:
        bind.execute(
            sa.text(
                "INSERT INTO influencer_profiles"
                " (influencer_id, team_id, platform, handle, url, identity_key, is_primary, created_at)"
                " VALUES (:influencer_id, :team_id, :platform, :handle, :url, :identity_key, true, :created_at)"
            ),
            profiles,
        )
    if changed:
        bind.execute(
            sa.text(
                "UPDATE influencers SET platform = :platform, handle = :handle, profile_url = :url WHERE id = :id"
            ),
            changed,
        )


def downgrade() -> None:
    """Drop influencer_profiles and restore uniqueness by (team, platform, lower(handle))."""
    bind = op.get_bind()
    clashes = bind.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT 1 FROM influencers"
            " GROUP BY team_id, platform, lower(handle) HAVING count(*) > 1) AS same"
        )
    ).scalar_one()
    if clashes:
        raise DataLossRefused(
            f"cannot downgrade below 0007: {clashes} platform+handle "
            f"{'pair belongs' if clashes == 1 else 'pairs belong'} to more than one creator (two Medium "
            "writers, say), which the older schema cannot hold. Merge or remove them first. Nothing was changed."
        )
    # A primary profile repeats what its influencer row holds; only the linked ones would be lost.
    op.execute("DELETE FROM influencer_profiles WHERE is_primary")
    would_drop("0007", "influencer_profiles", note="profiles linked to a creator besides its primary one")
    op.create_index(
        "uq_influencers_team_platform_handle",
        "influencers",
        ["team_id", "platform", sa.literal_column("lower(handle)")],
        unique=True,
    )
    op.drop_index("uq_influencer_profiles_primary", table_name="influencer_profiles")
    op.drop_index("ix_influencer_profiles_team_handle", table_name="influencer_profiles")
    op.drop_index(op.f("ix_influencer_profiles_influencer_id"), table_name="influencer_profiles")
    op.drop_table("influencer_profiles")
