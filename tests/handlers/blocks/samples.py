"""Transient model objects (never added to a session) for pure builder tests, worst cases included."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from crm.dashboard import AssignmentSummary, RelationshipCard
from crm.interactions import InteractionSummary
from crm.models import Assignment, Campaign, Influencer, Interaction, Relationship
from crm.scoped import InfluencerSummary, RelationshipSummary
from crm.strength import explain

NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
_n = itertools.count(1)
# Characters that must be escaped or could break mrkdwn, plus a would-be mention and link.
NASTY = "<!channel> & <https://evil.example|click> *bold* `code` > quote ü 🎉"


def influencer(*, name: str | None = None, handle: str | None = None, **kw) -> Influencer:
    n = next(_n)
    return Influencer(
        id=uuid.uuid4(),
        team_id="T0001",
        name=name or f"Creator {n}",
        handle=handle or f"creator{n}",
        platform=kw.pop("platform", "instagram"),
        **kw,
    )


def relationship(inf: Influencer | None = None, **kw) -> Relationship:
    inf = inf or influencer()
    kw.setdefault("status", "warm")
    kw.setdefault("priority", 3)
    kw.setdefault("relationship_strength", 42)
    kw.setdefault("tags", ["skincare"])
    rel = Relationship(id=uuid.uuid4(), user_id=uuid.uuid4(), influencer_id=inf.id, **kw)
    rel.influencer = inf
    return rel


def interaction(inf: Influencer, **kw) -> Interaction:
    kw.setdefault("type", "email")
    kw.setdefault("interaction_date", NOW - timedelta(days=2))
    item = Interaction(id=uuid.uuid4(), user_id=uuid.uuid4(), influencer_id=inf.id, **kw)
    item.influencer = inf
    return item


def campaign(**kw) -> Campaign:
    n = next(_n)
    kw.setdefault("name", f"Campaign {n}")
    kw.setdefault("landing_url", "https://shop.example.com/spring")
    kw.setdefault("status", "active")
    return Campaign(id=uuid.uuid4(), team_id="T0001", **kw)


def assignment(camp: Campaign, inf: Influencer, **kw) -> Assignment:
    kw.setdefault("status", "planned")
    kw.setdefault("utm_source", "instagram")
    kw.setdefault("utm_medium", "influencer")
    kw.setdefault("utm_campaign", "spring")
    kw.setdefault("utm_content", inf.handle)
    kw.setdefault(
        "utm_url",
        f"{camp.landing_url}?utm_source=instagram&utm_medium=influencer&utm_campaign=spring&utm_content={inf.handle}",
    )
    item = Assignment(id=uuid.uuid4(), campaign_id=camp.id, influencer_id=inf.id, user_id=uuid.uuid4(), **kw)
    item.campaign, item.influencer = camp, inf
    return item


def worst_influencer() -> Influencer:
    """Every text field at its column's maximum, full of characters that need escaping."""
    return influencer(
        name=(NASTY * 10)[:255],
        handle="h" * 100,
        profile_url="https://instagram.com/" + "x" * 3000,
        follower_count=10**12,
    )


def worst_relationship() -> Relationship:
    return relationship(
        worst_influencer(),
        notes=(NASTY + "\n") * 150,  # ~10,000 characters, the crm maximum
        tags=[f"tag{i:02d}" + "x" * 25 for i in range(20)],
        follow_up_date=NOW - timedelta(days=3),
        last_contacted_at=NOW - timedelta(days=40),
        relationship_strength=100,
        priority=5,
    )


def card(
    rel: Relationship,
    recent: list[Interaction] | None = None,
    assignments: list[Assignment] | None = None,
) -> RelationshipCard:
    """The card crm.dashboard.relationship_card would load for these transient objects."""
    inf = rel.influencer
    recent = recent or []
    return RelationshipCard(
        relationship=RelationshipSummary(
            rel.id,
            rel.status,
            rel.priority,
            rel.relationship_strength,
            rel.last_contacted_at,
            rel.follow_up_date,
            rel.tags,
            rel.notes,
            rel.archived_at,
        ),
        influencer=InfluencerSummary(
            inf.id, inf.name, inf.handle, inf.platform, inf.follower_count, inf.profile_url, inf.email, 1
        ),
        recent_interactions=[
            InteractionSummary(
                i.id,
                i.type,
                i.subject,
                i.content,
                i.file_url,
                i.interaction_date,
                i.campaign.name if i.campaign else None,
            )
            for i in recent
        ],
        assignments=[
            AssignmentSummary(a.campaign.name, a.status, a.utm_url, a.short_code) for a in assignments or []
        ],
        strength=explain(
            [(i.type, i.interaction_date) for i in recent],
            last_contacted_at=rel.last_contacted_at,
            now=NOW,
        ),
    )
