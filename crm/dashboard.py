"""Read models over the actor's relationships: the filtered list, a card, pipeline counts, the home view.

Each list is one statement on the actor's rows (index on user_id …), with the influencer joined in the
same statement; the filtered list also returns its total through count(*) OVER ().
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import String, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, contains_eager, joinedload

from crm.clock import local_today, resolve_now, start_of_local_day, zone_of
from crm.errors import InvalidInput
from crm.followups import due_follow_ups
from crm.models import RELATIONSHIP_STATUSES, Assignment, Influencer, Interaction, Relationship, User
from crm.relationship_fields import normalize_tags, validate_priority, validate_status
from crm.scoped import actor_relationships, get_relationship

Sort = Literal["strength", "priority", "last_contact", "follow_up"]
SORTS: tuple[str, ...] = ("strength", "priority", "last_contact", "follow_up")
PAGE_MAX = 100
# Contacted, warm or partnered relationships without contact for this long are "neglected".
NEGLECTED_AFTER = timedelta(days=30)
DASHBOARD_ITEMS = 5


@dataclass(frozen=True, slots=True)
class RelationshipFilter:
    """Which of the actor's relationships to list, in what order, which page."""

    status: str | None = None
    tag: str | None = None
    min_priority: int | None = None
    follow_up_before: datetime | None = None
    sort: Sort = "strength"
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Relationship]
    total: int


@dataclass(frozen=True, slots=True)
class RelationshipCard:
    relationship: Relationship
    influencer: Influencer
    recent_interactions: list[Interaction]
    assignments: list[Assignment]


@dataclass(frozen=True, slots=True)
class Dashboard:
    due: list[Relationship]
    overdue_count: int
    pipeline: dict[str, int]
    strongest: list[Relationship] = field(default_factory=list)
    neglected: list[Relationship] = field(default_factory=list)
    recent: list[Interaction] = field(default_factory=list)


def _order(sort: str) -> list:
    # Ties (many relationships share a strength or priority) break by influencer name, then id, so
    # pages are stable. The name comes from a correlated primary-key lookup rather than a join, so
    # the page can be chosen from user_influencers alone (see list_relationships).
    name = (
        select(func.lower(Influencer.name))
        .where(Influencer.id == Relationship.influencer_id)
        .correlate(Relationship)
        .scalar_subquery()
    )
    by_name = [name, Relationship.id]
    if sort == "strength":
        return [
            Relationship.relationship_strength.desc(),
            Relationship.last_contacted_at.desc().nulls_last(),
            *by_name,
        ]
    if sort == "priority":
        return [Relationship.priority.desc(), Relationship.relationship_strength.desc(), *by_name]
    if sort == "last_contact":
        return [Relationship.last_contacted_at.desc().nulls_last(), *by_name]
    return [Relationship.follow_up_date.asc().nulls_last(), *by_name]


def _validated(filters: RelationshipFilter) -> RelationshipFilter:
    if filters.status is not None:
        validate_status(filters.status)
    if filters.tag is not None and len(normalize_tags([filters.tag])) != 1:
        raise InvalidInput("tag", "Filter by one tag.")
    if filters.min_priority is not None:
        validate_priority(filters.min_priority)
    before = filters.follow_up_before
    if before is not None and (not isinstance(before, datetime) or before.utcoffset() is None):
        raise InvalidInput("follow_up_before", "The follow-up cut-off needs a date and time with a timezone.")
    if filters.sort not in SORTS:
        raise InvalidInput("sort", f"Sort by one of: {', '.join(SORTS)}.")
    if (
        isinstance(filters.limit, bool)
        or not isinstance(filters.limit, int)
        or not 1 <= filters.limit <= PAGE_MAX
    ):
        raise InvalidInput("limit", f"Show from 1 to {PAGE_MAX} at a time.")
    if isinstance(filters.offset, bool) or not isinstance(filters.offset, int) or filters.offset < 0:
        raise InvalidInput("offset", "The offset must be 0 or more.")
    return filters


def list_relationships(
    db: Session, *, actor: User, filters: RelationshipFilter = RelationshipFilter()
) -> Page:
    """A page of the actor's relationships matching `filters`, with the total count, in one statement."""
    filters = _validated(filters)
    conditions = [Relationship.user_id == actor.id]
    if filters.status is not None:
        conditions.append(Relationship.status == validate_status(filters.status))
    if filters.tag is not None:
        # tags @> ARRAY[tag]: the form the GIN index on tags serves (tag = ANY(tags) would not).
        tag_array = cast(normalize_tags([filters.tag]), ARRAY(String))
        conditions.append(Relationship.tags.op("@>")(tag_array))
    if filters.min_priority is not None:
        conditions.append(Relationship.priority >= filters.min_priority)
    if filters.follow_up_before is not None:
        conditions.append(Relationship.follow_up_date < filters.follow_up_before)
    # One statement in two steps: pick the page from the actor's user_influencers rows (index on
    # user_id), counting them all with a window; then join the page's rows to their influencers by
    # primary key. Joining before paging would let the planner hash-join against the whole
    # influencer directory to fetch a 20-row page.
    order = _order(filters.sort)
    page = (
        select(
            Relationship.id.label("id"),
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("position"),
        )
        .where(*conditions)
        .order_by(*order)
        .limit(filters.limit)
        .offset(filters.offset)
        .subquery("page")
    )
    stmt = (
        select(Relationship, page.c.total)
        .join(page, page.c.id == Relationship.id)
        .join(Relationship.influencer)
        .options(contains_eager(Relationship.influencer))
        .order_by(page.c.position)
    )
    rows = db.execute(stmt).all()
    if rows:
        return Page(items=[row[0] for row in rows], total=rows[0][1])
    if filters.offset == 0:
        return Page(items=[], total=0)
    # Past the last page the window count has no row to ride on: count separately (rare).
    total = db.scalar(select(func.count()).select_from(Relationship).where(*conditions)) or 0
    return Page(items=[], total=total)


def relationship_card(
    db: Session, *, actor: User, influencer_id: uuid.UUID, recent: int = 5
) -> RelationshipCard:
    """The actor's relationship with an influencer, their latest interactions and campaign assignments.

    Three indexed statements: the relationship with its influencer; the `recent` newest interactions
    (index on user_id, influencer_id, interaction_date DESC); the actor's assignments with campaigns.
    """
    if isinstance(recent, bool) or not isinstance(recent, int) or not 0 <= recent <= 50:
        raise InvalidInput("recent", "Show from 0 to 50 recent interactions.")
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id)
    interactions: list[Interaction] = []
    if recent:
        interactions = list(
            db.scalars(
                select(Interaction)
                .options(joinedload(Interaction.campaign))
                .where(Interaction.user_id == actor.id, Interaction.influencer_id == influencer_id)
                .order_by(Interaction.interaction_date.desc(), Interaction.id)
                .limit(recent)
            )
        )
    assignments = list(
        db.scalars(
            select(Assignment)
            .options(joinedload(Assignment.campaign, innerjoin=True))
            .where(Assignment.user_id == actor.id, Assignment.influencer_id == influencer_id)
            .order_by(Assignment.created_at.desc(), Assignment.id)
        )
    )
    return RelationshipCard(
        relationship=relationship,
        influencer=relationship.influencer,
        recent_interactions=interactions,
        assignments=assignments,
    )


def pipeline_counts(db: Session, *, actor: User) -> dict[str, int]:
    """How many of the actor's relationships are in each status (every status present, zeros too)."""
    counts = dict.fromkeys(RELATIONSHIP_STATUSES, 0)
    rows = db.execute(
        select(Relationship.status, func.count())
        .where(Relationship.user_id == actor.id)
        .group_by(Relationship.status)
    ).all()
    counts.update({status: n for status, n in rows})
    return counts


def home_dashboard(db: Session, *, actor: User, now: datetime | None = None) -> Dashboard:
    """The App Home: follow-ups due today, overdue count, pipeline, strongest, neglected, recent."""
    now = resolve_now(now)
    tz = zone_of(actor.timezone)
    start_of_today = start_of_local_day(local_today(now, tz), tz)
    due = due_follow_ups(db, actor=actor, now=now, limit=10)

    # Pipeline and overdue count in one pass over the actor's rows.
    pipeline = dict.fromkeys(RELATIONSHIP_STATUSES, 0)
    overdue = 0
    rows = db.execute(
        select(
            Relationship.status,
            func.count(),
            func.count().filter(Relationship.follow_up_date < start_of_today),
        )
        .where(Relationship.user_id == actor.id)
        .group_by(Relationship.status)
    ).all()
    for status, n, n_overdue in rows:
        pipeline[status] = n
        overdue += n_overdue

    strongest = list(
        db.scalars(
            actor_relationships(actor)
            .where(Relationship.relationship_strength > 0)
            .order_by(Relationship.relationship_strength.desc(), Relationship.id)
            .limit(DASHBOARD_ITEMS)
        )
    )
    neglected = list(
        db.scalars(
            actor_relationships(actor)
            .where(
                Relationship.status.in_(("contacted", "warm", "partnered")),
                (Relationship.last_contacted_at < now - NEGLECTED_AFTER)
                | Relationship.last_contacted_at.is_(None),
            )
            .order_by(
                Relationship.priority.desc(),
                Relationship.last_contacted_at.asc().nulls_first(),
                Relationship.id,
            )
            .limit(DASHBOARD_ITEMS)
        )
    )
    recent = list(
        db.scalars(
            select(Interaction)
            .options(joinedload(Interaction.influencer, innerjoin=True))
            .where(Interaction.user_id == actor.id)
            .order_by(Interaction.interaction_date.desc(), Interaction.id)
            .limit(DASHBOARD_ITEMS)
        )
    )
    return Dashboard(
        due=due,
        overdue_count=overdue,
        pipeline=pipeline,
        strongest=strongest,
        neglected=neglected,
        recent=recent,
    )
