"""Public facts about the creators whose profile links were pasted in Slack (for link unfurls).

An unfurl is seen by everyone in the channel, so it says only what the whole workspace may know:
the creator's name, their profiles, how many teammates track them and the campaigns they are
assigned to. Never anyone's notes, statuses, priorities, tags, follow-ups, interactions or
assignment statuses: nothing here reads those columns.

A link is matched to a creator by the identity rules of crm.profiles (instagram.com/maya,
https://www.instagram.com/Maya/?igsh=… and m.instagram.com/maya are one profile), within one
workspace only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm.errors import InvalidInput
from crm.models import Assignment, Campaign, Influencer, InfluencerProfile, Relationship, User
from crm.profiles import Profile, parse_reference

# Links of one message that are looked at, at most: Slack sends every matching link of a message in
# one event, and a message pasting a whole roster should not become a wall of unfurls.
UNFURL_LINKS_MAX = 5
# Campaigns named in one unfurl, at most ("and 3 more" after them).
UNFURL_CAMPAIGNS_MAX = 8


@dataclass(frozen=True, slots=True)
class PublicProfile:
    platform: str
    handle: str
    url: str | None
    identity_key: str


@dataclass(frozen=True, slots=True)
class CreatorFacts:
    """What an unfurl may show about one creator: nothing any user wrote about them privately."""

    influencer_id: uuid.UUID
    name: str
    profiles: tuple[PublicProfile, ...]
    trackers: int  # teammates with the creator on their list (archived relationships not counted)
    campaigns: tuple[str, ...]  # names of the workspace's campaigns the creator is assigned to
    more_campaigns: int  # campaigns beyond UNFURL_CAMPAIGNS_MAX


def identity_of(url: str) -> str | None:
    """The identity key of the profile `url` links to, or None when it is no profile link."""
    try:
        parsed = parse_reference(url)
    except InvalidInput:
        return None
    return parsed.identity if isinstance(parsed, Profile) else None


def creators_linked(db: Session, *, team_id: str, urls: Sequence[str]) -> dict[str, CreatorFacts]:
    """The public facts of the team's creators that `urls` link to, by URL as given.

    Only the first UNFURL_LINKS_MAX distinct links are looked at; links to no known creator (or to
    another workspace's) are left out, so an empty answer means there is nothing to unfurl.
    """
    identities: dict[str, str] = {}
    for url in dict.fromkeys(urls):
        if len(identities) >= UNFURL_LINKS_MAX:
            break
        identity = identity_of(url)
        if identity is not None:
            identities[url] = identity
    if not identities:
        return {}
    owners = dict(
        db.execute(
            select(InfluencerProfile.identity_key, InfluencerProfile.influencer_id).where(
                InfluencerProfile.team_id == team_id,
                InfluencerProfile.identity_key.in_(set(identities.values())),
            )
        ).all()
    )
    ids = set(owners.values())
    if not ids:
        return {}
    facts = _facts(db, team_id=team_id, influencer_ids=ids)
    return {url: facts[owners[key]] for url, key in identities.items() if owners.get(key) in facts}


def _facts(db: Session, *, team_id: str, influencer_ids: set[uuid.UUID]) -> dict[uuid.UUID, CreatorFacts]:
    influencers = db.scalars(
        select(Influencer)
        .options(selectinload(Influencer.profiles))
        .where(Influencer.team_id == team_id, Influencer.id.in_(influencer_ids))
    ).all()
    trackers = dict(
        db.execute(
            select(Relationship.influencer_id, func.count())
            .join(User, User.id == Relationship.user_id)
            .where(
                Relationship.influencer_id.in_(influencer_ids),
                Relationship.archived_at.is_(None),
                User.team_id == team_id,
            )
            .group_by(Relationship.influencer_id)
        ).all()
    )
    campaigns: dict[uuid.UUID, list[str]] = {}
    rows = db.execute(
        select(Assignment.influencer_id, Campaign.name)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .where(
            Assignment.influencer_id.in_(influencer_ids),
            Campaign.team_id == team_id,
            Campaign.status != "archived",
        )
        .distinct()
        .order_by(Assignment.influencer_id, Campaign.name)
    )
    for influencer_id, name in rows:
        campaigns.setdefault(influencer_id, []).append(name)
    result = {}
    for influencer in influencers:
        names = campaigns.get(influencer.id, [])
        result[influencer.id] = CreatorFacts(
            influencer_id=influencer.id,
            name=influencer.name,
            profiles=tuple(
                PublicProfile(p.platform, p.handle, p.url, p.identity_key) for p in influencer.profiles
            ),
            trackers=trackers.get(influencer.id, 0),
            campaigns=tuple(names[:UNFURL_CAMPAIGNS_MAX]),
            more_campaigns=max(len(names) - UNFURL_CAMPAIGNS_MAX, 0),
        )
    return result
