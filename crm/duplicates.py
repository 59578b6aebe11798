"""Creators who may be one person under two entries, and the `/crm merge` line that makes them one.

The directory cannot tell on its own that @lena_fit on TikTok and "Lena Fischer" on Instagram are
the same person; these hints name the likely pairs when a creator is saved, and crm.merge does the
merge once someone confirms it.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm.models import Influencer, InfluencerProfile
from crm.text import fold


def merge_command(keep: Influencer, other: Influencer) -> str:
    """The `/crm merge` line that folds `other` into `keep`, each named by its primary profile."""
    return f"/crm merge @{keep.handle} {keep.platform} @{other.handle} {other.platform}"


def likely_same_person(db: Session, *, influencer: Influencer, limit: int = 3) -> list[Influencer]:
    """Other creators in the team who may be this one under a second entry: one of its handles on
    another platform, or the same name (accents and case aside). Oldest first, at most `limit`."""
    handles = select(func.lower(InfluencerProfile.handle)).where(
        InfluencerProfile.influencer_id == influencer.id
    )
    same_handle = select(InfluencerProfile.influencer_id).where(
        InfluencerProfile.team_id == influencer.team_id,
        func.lower(InfluencerProfile.handle).in_(handles),
    )
    return list(
        db.scalars(
            select(Influencer)
            .where(
                Influencer.team_id == influencer.team_id,
                Influencer.id != influencer.id,
                or_(Influencer.id.in_(same_handle), Influencer.name_folded == fold(influencer.name)),
            )
            .order_by(Influencer.created_at, Influencer.id)
            .limit(limit)
        )
    )
