"""Creators who may be one person under two entries, and the `/crm merge` line that makes them one.

The directory cannot tell on its own that @lena_fit on TikTok and "Lena Fischer" on Instagram are
the same person; these hints name the likely pairs when a creator is saved, and crm.merge does the
merge once someone confirms it.
"""

from __future__ import annotations

from sqlalchemy import func, literal_column, or_, select, union
from sqlalchemy.orm import Session

from crm.models import Influencer, InfluencerProfile
from crm.text import fold


def merge_command(keep: Influencer, other: Influencer) -> str:
    """The `/crm merge` line that folds `other` into `keep`, each named by its primary profile."""
    return f"/crm merge @{keep.handle} {keep.platform} @{other.handle} {other.platform}"


# What people put between the words of a handle or a name: "zoe.makes", "zoe_makes", "Zoe Makes".
SEPARATORS = "._- "
# Spellings shorter than this, once squashed, agree by chance too often ("a.b" and "ab").
SQUASHED_MIN = 4


def squashed(text: str) -> str:
    """`text` folded (crm.text.fold) and without SEPARATORS: "Zoë Makes" and "zoe.makes" → "zoemakes"."""
    return "".join(ch for ch in fold(text) if ch not in SEPARATORS)


def _squashed_sql(column):
    """squashed() in SQL, over an already folded column. The separators are written into the
    statement, not bound, so that PostgreSQL matches the expression indexes of migration 0013."""
    return func.translate(column, literal_column(f"'{SEPARATORS}'"), literal_column("''"))


def likely_same_person(db: Session, *, influencer: Influencer, limit: int = 3) -> list[Influencer]:
    """Other creators in the team who may be this one under a second entry, oldest first, at most
    `limit`: one of its handles on another platform, the same name (accents and case aside), or a
    name or handle spelt the same but for dots, dashes, underscores and spaces ("Zoe Makes",
    @zoe.makes, @zoe_makes)."""
    handles = db.scalars(
        select(InfluencerProfile.handle).where(InfluencerProfile.influencer_id == influencer.id)
    ).all()
    keys = {squashed(text) for text in (influencer.name, *handles)}
    keys = sorted(key for key in keys if len(key) >= SQUASHED_MIN)
    handle_hits = [func.lower(InfluencerProfile.handle).in_([handle.lower() for handle in handles])]
    name_hits = [Influencer.name_folded == fold(influencer.name)]
    if keys:
        handle_hits.append(_squashed_sql(func.crm_fold(InfluencerProfile.handle)).in_(keys))
        name_hits.append(_squashed_sql(Influencer.name_folded).in_(keys))
    # Two look-ups on the workspace's indexes (profiles by handle, creators by name), then the creators.
    by_handle = select(InfluencerProfile.influencer_id).where(
        InfluencerProfile.team_id == influencer.team_id, or_(*handle_hits)
    )
    by_name = select(Influencer.id).where(Influencer.team_id == influencer.team_id, or_(*name_hits))
    return list(
        db.scalars(
            select(Influencer)
            .where(Influencer.id.in_(union(by_handle, by_name)), Influencer.id != influencer.id)
            .order_by(Influencer.created_at, Influencer.id)
            .limit(limit)
        )
    )
