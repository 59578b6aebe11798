"""Read models over the actor's relationships: a card, pipeline counts, the App Home dashboard.

The card and the dashboard are one statement each (crm.union_load): Slack paths must stay within a
few statements per request. The filtered list lives in crm.relationship_list (re-exported here).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Session

from crm.clock import local_today, resolve_now, start_of_local_day, zone_of
from crm.errors import InvalidInput, NotFound
from crm.followups import due_cutoff
from crm.models import (
    RELATIONSHIP_STATUSES,
    Assignment,
    Campaign,
    Influencer,
    Interaction,
    Relationship,
    User,
)
from crm.relationship_list import Page, RelationshipFilter, list_relationships
from crm.scoped import NOT_ON_LIST
from crm.union_load import Part, UnionQuery, build_union, built_once

__all__ = [
    "Dashboard",
    "Page",
    "RelationshipCard",
    "RelationshipFilter",
    "home_dashboard",
    "list_relationships",
    "pipeline_counts",
    "relationship_card",
]

# Contacted, warm or partnered relationships without contact for this long are "neglected".
NEGLECTED_AFTER = timedelta(days=30)
DASHBOARD_ITEMS = 5
DUE_ITEMS = 10  # the App Home lists at most this many due follow-ups (oldest first)

UUID_TYPE = UUID(as_uuid=True)
_RELATIONSHIPS, _INFLUENCERS = Relationship.__table__, Influencer.__table__
_INTERACTIONS, _ASSIGNMENTS, _CAMPAIGNS = Interaction.__table__, Assignment.__table__, Campaign.__table__


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


@built_once
def _card_query() -> UnionQuery:
    """The card's statement, built once; bind parameters: actor, influencer, recent."""
    ui, inf, x, a, c = _RELATIONSHIPS, _INFLUENCERS, _INTERACTIONS, _ASSIGNMENTS, _CAMPAIGNS
    actor, influencer = bindparam("actor", type_=UUID_TYPE), bindparam("influencer", type_=UUID_TYPE)
    parts = [
        Part(
            "relationship",
            ui.join(inf, inf.c.id == ui.c.influencer_id),
            {Relationship: ui, Influencer: inf},
            where=[ui.c.user_id == actor, ui.c.influencer_id == influencer],
        ),
        Part(
            "interaction",
            x.outerjoin(c, c.c.id == x.c.campaign_id),
            {Interaction: x, Campaign: c},
            where=[x.c.user_id == actor, x.c.influencer_id == influencer],
            order_by=[x.c.interaction_date.desc(), x.c.id],
            limit=bindparam("recent", type_=Integer),
        ),
        Part(
            "assignment",
            a.join(c, c.c.id == a.c.campaign_id),
            {Assignment: a, Campaign: c},
            where=[a.c.user_id == actor, a.c.influencer_id == influencer],
            order_by=[a.c.created_at.desc(), a.c.id],
        ),
    ]
    eager = [
        (Relationship, "influencer", Influencer),
        (Interaction, "campaign", Campaign),
        (Assignment, "campaign", Campaign),
    ]
    return build_union(parts, eager=eager)


def relationship_card(
    db: Session, *, actor: User, influencer_id: uuid.UUID, recent: int = 5
) -> RelationshipCard:
    """The actor's relationship with an influencer, their latest interactions and campaign assignments.

    One statement (crm.union_load), three indexed parts: the relationship with its influencer (unique
    user_id, influencer_id); the `recent` newest interactions (user_id, influencer_id,
    interaction_date DESC) with their campaigns; the actor's assignments with their campaigns.
    """
    if isinstance(recent, bool) or not isinstance(recent, int) or not 0 <= recent <= 50:
        raise InvalidInput("recent", "Show from 0 to 50 recent interactions.")
    rows = _card_query().run(db, {"actor": actor.id, "influencer": influencer_id, "recent": recent})
    if not rows["relationship"]:
        raise NotFound(NOT_ON_LIST)
    relationship = rows["relationship"][0].relationship
    return RelationshipCard(
        relationship=relationship,
        influencer=relationship.influencer,
        recent_interactions=[row.interaction for row in rows["interaction"]],
        assignments=[row.assignment for row in rows["assignment"]],
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


def _first_with_influencer(
    name: str, table: Table, *, where: Sequence, order_by: Sequence, limit: int
) -> Part:
    """A part with the first `limit` rows of `table` (relationships or interactions) and their influencers.

    The rows are chosen in a subquery before the join, so only the kept rows look up an influencer
    (joining first lets the planner fetch, or hash-join, influencers for every candidate row).
    """
    first = (
        select(table, func.row_number().over(order_by=list(order_by)).label("position"))
        .where(*where)
        .order_by(*order_by)
        .limit(limit)
        .subquery(name)
    )
    entity = Relationship if table is _RELATIONSHIPS else Interaction
    return Part(
        name,
        first.join(_INFLUENCERS, _INFLUENCERS.c.id == first.c.influencer_id),
        {entity: first, Influencer: _INFLUENCERS},
        position=first.c.position,
    )


@built_once
def _home_query() -> UnionQuery:
    """The dashboard's statement, built once; bind parameters: actor, due_before, start_of_today,
    contacted_before (the neglected cut-off)."""
    ui, x = _RELATIONSHIPS, _INTERACTIONS
    mine = ui.c.user_id == bindparam("actor", type_=UUID_TYPE)
    instant = DateTime(timezone=True)
    parts = [
        Part(
            "pipeline",
            ui,
            {},
            where=[mine],
            group_by=[ui.c.status],
            values={
                "status": ui.c.status,
                "n": func.count(),
                "overdue": func.count().filter(
                    ui.c.follow_up_date < bindparam("start_of_today", type_=instant)
                ),
            },
        ),
        _first_with_influencer(
            "due",
            ui,
            where=[
                mine,
                ui.c.follow_up_date.is_not(None),
                ui.c.follow_up_date < bindparam("due_before", type_=instant),
            ],
            order_by=[ui.c.follow_up_date, ui.c.id],  # as crm.followups.due_follow_ups
            limit=DUE_ITEMS,
        ),
        _first_with_influencer(
            "strongest",
            ui,
            where=[mine, ui.c.relationship_strength > 0],
            order_by=[ui.c.relationship_strength.desc(), ui.c.id],
            limit=DASHBOARD_ITEMS,
        ),
        _first_with_influencer(
            "neglected",
            ui,
            where=[
                mine,
                ui.c.status.in_(("contacted", "warm", "partnered")),
                (ui.c.last_contacted_at < bindparam("contacted_before", type_=instant))
                | ui.c.last_contacted_at.is_(None),
            ],
            order_by=[ui.c.priority.desc(), ui.c.last_contacted_at.asc().nulls_first(), ui.c.id],
            limit=DASHBOARD_ITEMS,
        ),
        _first_with_influencer(
            "recent",
            x,
            where=[x.c.user_id == bindparam("actor", type_=UUID_TYPE)],
            order_by=[x.c.interaction_date.desc(), x.c.id],
            limit=DASHBOARD_ITEMS,
        ),
    ]
    return build_union(
        parts, eager=[(Relationship, "influencer", Influencer), (Interaction, "influencer", Influencer)]
    )


def home_dashboard(db: Session, *, actor: User, now: datetime | None = None) -> Dashboard:
    """The App Home: follow-ups due today, overdue count, pipeline, strongest, neglected, recent.

    One statement (crm.union_load): the pipeline and overdue counts in one GROUP BY pass over the
    actor's rows, and one indexed part per list (due: the partial follow-up index; strongest and
    neglected: user_id; recent: the interactions' user_id), each joined to its kept rows' influencers.
    """
    now = resolve_now(now)
    tz = zone_of(actor.timezone)
    rows = _home_query().run(
        db,
        {
            "actor": actor.id,
            "due_before": due_cutoff(actor, now),
            "start_of_today": start_of_local_day(local_today(now, tz), tz),
            "contacted_before": now - NEGLECTED_AFTER,
        },
    )
    pipeline = dict.fromkeys(RELATIONSHIP_STATUSES, 0)
    for row in rows["pipeline"]:
        pipeline[row.status] = row.n
    return Dashboard(
        due=[row.relationship for row in rows["due"]],
        overdue_count=sum(row.overdue for row in rows["pipeline"]),
        pipeline=pipeline,
        strongest=[row.relationship for row in rows["strongest"]],
        neglected=[row.relationship for row in rows["neglected"]],
        recent=[row.interaction for row in rows["recent"]],
    )
