"""Small helpers that insert rows for tests through the ORM (no services, so they never hide bugs)."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from crm.models import Influencer, InfluencerProfile, Relationship, User
from crm.profiles import stored_profile

_seq = itertools.count(1)


def make_user(db: Session, *, team_id: str = "T0001", slack_user_id: str | None = None, **kw) -> User:
    user = User(team_id=team_id, slack_user_id=slack_user_id or f"U{next(_seq):08d}", **kw)
    db.add(user)
    db.flush()
    return user


def make_influencer(db: Session, *, team_id: str = "T0001", handle: str | None = None, **kw) -> Influencer:
    n = next(_seq)
    kw.setdefault("platform", "instagram")
    kw.setdefault("name", f"Creator {n}")
    influencer = Influencer(team_id=team_id, handle=handle or f"creator{n}", **kw)
    db.add(influencer)
    db.flush()
    # Its primary profile, as crm.influencers keeps it: resolving and search go through profiles.
    profile = stored_profile(
        platform=influencer.platform, handle=influencer.handle, profile_url=influencer.profile_url
    )
    db.add(
        InfluencerProfile(
            influencer_id=influencer.id,
            team_id=team_id,
            platform=influencer.platform,
            handle=influencer.handle,
            url=influencer.profile_url,
            identity_key=profile.identity,
            is_primary=True,
        )
    )
    db.flush()
    return influencer


def make_relationship(db: Session, *, user: User, influencer: Influencer, **kw) -> Relationship:
    rel = Relationship(user_id=user.id, influencer_id=influencer.id, **kw)
    db.add(rel)
    db.flush()
    return rel
