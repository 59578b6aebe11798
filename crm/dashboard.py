"""Read models over the actor's relationships: a relationship card, pipeline counts, the App Home.

Plain queries, a few per card or dashboard, each on a per-user index; each list is loaded with the
influencer (or campaign) it shows in the same statement, so building blocks from the result issues
no further SQL.

The card (`/crm show`, Show buttons) is the hottest read: its statements are built once at import,
select only the columns it shows and return plain rows (small frozen dataclasses), not ORM entities;
building a statement per call and loading entities cost more than running it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from crm.campaign_roster import CampaignLine, open_campaigns
from crm.clock import resolve_now
from crm.errors import InvalidInput
from crm.followups import due_cutoff, due_follow_ups
from crm.going_cold import GoingCold, going_cold_for
from crm.influencers import ProfileSummary, list_profiles
from crm.interactions import InteractionSummary, list_interactions
from crm.models import RELATIONSHIP_STATUSES, Assignment, Campaign, Interaction, Relationship, User
from crm.references import profile_reference, resolve_influencer
from crm.scoped import (
    ON_MY_LIST,
    InfluencerSummary,
    RelationshipSummary,
    relationship_summary,
    relationship_summary_by_profile,
)
from crm.strength import StrengthExplanation, explain, explain_relationship

# Contacted, warm or partnered relationships without contact for this long are "neglected"; one
# never contacted counts from when it was added (as crm.analytics' "going cold" does).
NEGLECTED_AFTER = timedelta(days=30)
DASHBOARD_ITEMS = 5
DUE_ITEMS = 10  # the App Home lists at most this many due follow-ups (oldest first)
# ... and this many relationships going cold, the longest silent first (the reminder DM points here
# for those it does not name): the first DASHBOARD_ITEMS with buttons, the rest a line each.
GOING_COLD_ITEMS = 40
RECENT_MAX = 50


@dataclass(frozen=True, slots=True)
class AssignmentSummary:
    """One of the actor's assignments of a creator, as the card lists it."""

    campaign_name: str
    status: str
    utm_url: str | None
    short_code: str  # the tracked short link's code (crm.links.short_link)


@dataclass(frozen=True, slots=True)
class RelationshipCard:
    """What the relationship card shows, as plain rows (no ORM entities)."""

    relationship: RelationshipSummary
    influencer: InfluencerSummary
    recent_interactions: list[InteractionSummary]
    assignments: list[AssignmentSummary]
    strength: StrengthExplanation  # what drives the score (crm.strength.explain)
    # Every profile, primary first, when the creator has two or more (the card lists them); empty
    # for one (the line under the name shows it).
    profiles: list[ProfileSummary] = field(default_factory=list)
    # More interactions were logged than recent_interactions holds (`/crm history` lists them all).
    more_interactions: bool = False


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What App Home shows. `due` is the oldest DUE_ITEMS of the `due_count` follow-ups due by the
    end of the user's day; `overdue_count` of those are past their due instant — the same test,
    `follow_up_date < now`, that marks a row "(overdue)", with the same `now`."""

    due: list[Relationship]
    due_count: int
    overdue_count: int
    pipeline: dict[str, int]
    strongest: list[Relationship] = field(default_factory=list)
    neglected: list[Relationship] = field(default_factory=list)
    recent: list[Interaction] = field(default_factory=list)
    going_cold: list[GoingCold] = field(default_factory=list)  # the longest silent first
    going_cold_count: int = 0
    weekly_digest_on: bool = False  # the user opted in to the personal weekly digest (crm.personal_digest)
    campaigns: list[CampaignLine] = field(default_factory=list)  # with open assignments of the user
    campaign_count: int = 0


def _check_recent(recent: int) -> None:
    if isinstance(recent, bool) or not isinstance(recent, int) or not 0 <= recent <= RECENT_MAX:
        raise InvalidInput("recent", f"Show from 0 to {RECENT_MAX} recent interactions.")


def relationship_card(
    db: Session, *, actor: User, influencer_id: uuid.UUID, recent: int = 5, now: datetime | None = None
) -> RelationshipCard:
    """The actor's relationship with an influencer, their `recent` latest interactions (with their
    campaigns), the actor's assignments of this influencer (with their campaigns) and what drives
    its strength at `now` (crm.strength.explain: over the interactions read for the list when they are
    all of them, else one more statement, the interactions' types and dates).

    NotFound when the influencer is not on the actor's list, Conflict when it is archived.
    """
    _check_recent(recent)
    relationship, influencer = relationship_summary(db, actor=actor, influencer_id=influencer_id)
    return _card(db, actor, relationship, influencer, recent=recent, now=now)


def relationship_card_for(
    db: Session, *, actor: User, ref: str, recent: int = 5, now: datetime | None = None
) -> RelationshipCard:
    """relationship_card of the creator `ref` names (crm.references.resolve_influencer's rules and
    errors). A profile reference (`@handle`, a link) that names one creator finds them and the
    relationship in one statement; any other reference is resolved first."""
    _check_recent(recent)
    profile = profile_reference(ref)
    found = None if profile is None else relationship_summary_by_profile(db, actor=actor, profile=profile)
    if found is None:  # a name, or no creator / several creators with that profile
        influencer = resolve_influencer(db, team_id=actor.team_id, ref=ref)
        found = relationship_summary(db, actor=actor, influencer_id=influencer.id)
    return _card(db, actor, *found, recent=recent, now=now)


_asg = Assignment.__table__
_camp = Campaign.__table__
# Built once: every card lists the actor's assignments of the creator, newest first.
_ASSIGNMENTS = (
    select(_camp.c.name, _asg.c.status, _asg.c.utm_url, _asg.c.short_code)
    .select_from(_asg.join(_camp, _camp.c.id == _asg.c.campaign_id))
    .where(_asg.c.user_id == bindparam("user_id"), _asg.c.influencer_id == bindparam("influencer_id"))
    .order_by(_asg.c.created_at.desc(), _asg.c.id)
)


def _card(
    db: Session,
    actor: User,
    relationship: RelationshipSummary,
    influencer: InfluencerSummary,
    *,
    recent: int,
    now: datetime | None,
) -> RelationshipCard:
    """The rest of the card: profiles (only for two or more), interactions, assignments, strength."""
    now = resolve_now(now)
    profiles = list_profiles(db, influencer_id=influencer.id) if influencer.profile_count > 1 else []
    # One more interaction than shown: when no more than `recent` come back, they are all of them,
    # and what drives the strength is worked out from them instead of reading their types again.
    latest = list_interactions(db, actor=actor, influencer_id=influencer.id, limit=recent + 1)
    params = {"user_id": actor.id, "influencer_id": influencer.id}
    assignments = [AssignmentSummary(*row) for row in db.execute(_ASSIGNMENTS, params)]
    last_contacted_at = relationship.last_contacted_at
    if len(latest) <= recent:
        every = [(i.type, i.interaction_date) for i in latest]
        strength = explain(every, last_contacted_at=last_contacted_at, now=now)
    else:
        strength = explain_relationship(
            db, user_id=actor.id, influencer_id=influencer.id, last_contacted_at=last_contacted_at, now=now
        )
    return RelationshipCard(
        relationship=relationship,
        influencer=influencer,
        recent_interactions=latest[:recent],
        assignments=assignments,
        strength=strength,
        profiles=profiles,
        more_interactions=len(latest) > recent,
    )


_PIPELINE = (
    select(Relationship.status, func.count())
    .where(Relationship.user_id == bindparam("user_id"), Relationship.archived_at.is_(None))
    .group_by(Relationship.status)
)


def pipeline_counts(db: Session, *, actor: User) -> dict[str, int]:
    """How many of the actor's relationships are in each status (every status present, zeros too)."""
    counts = dict.fromkeys(RELATIONSHIP_STATUSES, 0)
    rows = db.execute(_PIPELINE, {"user_id": actor.id}).all()
    counts.update({status: n for status, n in rows})
    return counts


_DUE_COUNTS = select(func.count(), func.count().filter(Relationship.follow_up_date < bindparam("now"))).where(
    Relationship.user_id == bindparam("user_id"),
    Relationship.follow_up_date.is_not(None),
    Relationship.follow_up_date < bindparam("cutoff"),
    Relationship.archived_at.is_(None),
)


def due_counts(db: Session, *, actor: User, now: datetime) -> tuple[int, int]:
    """(due, overdue): the actor's follow-ups due before the end of their local day, and those of
    them already past their due instant `now`. One statement on the partial follow-up index."""
    params = {"user_id": actor.id, "now": now, "cutoff": due_cutoff(actor, now)}
    due, overdue = db.execute(_DUE_COUNTS, params).one()
    return due, overdue


def days_since_contact(rel: Relationship, now: datetime) -> int:
    """Whole days since the last contact, or since the relationship was added when never contacted:
    what "most neglected" is ordered by."""
    return (now - (rel.last_contacted_at or rel.created_at)).days


# App Home's lists, built once (bind `user_id`; `before` for the neglected).
_STRONGEST = (
    ON_MY_LIST.where(Relationship.relationship_strength > 0)
    .order_by(Relationship.relationship_strength.desc(), Relationship.id)
    .limit(DASHBOARD_ITEMS)
)
_since = func.coalesce(Relationship.last_contacted_at, Relationship.created_at)
_NEGLECTED = (
    ON_MY_LIST.where(
        Relationship.status.in_(("contacted", "warm", "partnered")), _since < bindparam("before")
    )
    .order_by(_since.asc(), Relationship.id)
    .limit(DASHBOARD_ITEMS)
)
_RECENT = (
    select(Interaction)
    .options(joinedload(Interaction.influencer, innerjoin=True))
    .where(Interaction.user_id == bindparam("user_id"))
    .order_by(Interaction.interaction_date.desc(), Interaction.id)
    .limit(DASHBOARD_ITEMS)
)


def home_dashboard(db: Session, *, actor: User, now: datetime | None = None) -> Dashboard:
    """The App Home: follow-ups due today, their counts, going cold, pipeline, strongest, neglected,
    recent, and the campaigns with open assignments of the user.

    Nine short statements, each on a per-user index: the due list (the partial follow-up index), the
    due and overdue counts (the same), the pipeline (user_id, status), strongest (user_id, strength),
    neglected (user_id), recent interactions (user_id, interaction_date), going cold (count and
    rows, crm.going_cold, from (user_id, status)) and open campaigns (the assignments' user_id);
    each list has its influencers joined in. App Home
    is built in the background, so clarity wins over a single statement here.

    Most neglected: longest without contact first (see days_since_contact), not by priority.
    """
    now = resolve_now(now)
    user = {"user_id": actor.id}
    due_count, overdue_count = due_counts(db, actor=actor, now=now)
    dashboard = Dashboard(
        due=due_follow_ups(db, actor=actor, now=now, limit=DUE_ITEMS),
        due_count=due_count,
        overdue_count=overdue_count,
        pipeline=pipeline_counts(db, actor=actor),
        strongest=list(db.scalars(_STRONGEST, user)),
        neglected=list(db.scalars(_NEGLECTED, user | {"before": now - NEGLECTED_AFTER})),
        recent=list(db.scalars(_RECENT, user)),
    )
    cold, cold_count = going_cold_for(db, actor=actor, now=now, limit=GOING_COLD_ITEMS)
    campaigns, campaign_count = open_campaigns(db, actor=actor, limit=DASHBOARD_ITEMS)
    return replace(
        dashboard,
        going_cold=cold,
        going_cold_count=cold_count,
        weekly_digest_on=actor.weekly_digest_since is not None,
        campaigns=campaigns,
        campaign_count=campaign_count,
    )
