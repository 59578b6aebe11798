"""Admin analytics for one workspace: period summaries, per-user figures, the admin_analytics view.

Every measure is its own aggregate over one table (joined 1:1 to users for the team), so a user with
many campaigns and interactions is counted once per row of the measured table: the spec's view joins
relationships × campaigns × interactions per user before aggregating, which multiplies rows.

Every figure of a summary is read live, as of `AdminSummary.as_of`. The per-user figures used to
come from the admin_analytics materialized view, which is only as fresh as its last refresh (every
15 minutes, and never for a user added since): "Active users 1" beside "Per user: none". They are
now the view's own definition run for one workspace (_PER_USER), each aggregate on a per-user index,
so they cost about what the period counts beside them cost — a refresh rebuilds every workspace's
rows and is too slow for a listener's 2 s budget, and PostgreSQL records no refresh time to show.
The view is still refreshed for readers outside the app (and agrees with _PER_USER, tested).

Periods are half-open instants [start, end); the caller chooses the workspace's timezone for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm.clock import resolve_now
from crm.errors import InvalidInput
from crm.models import ASSIGNMENT_STATUSES, CAMPAIGN_STATUSES, INTERACTION_TYPES, RELATIONSHIP_STATUSES
from crm.weekly_actions import WeeklyActions, weekly_actions

TOP_LIMIT = 5
GOING_COLD_LIMIT = 10
COLD_AFTER_DAYS = 30  # no email, call or meeting for this long ...
COLD_MIN_STRENGTH = 40  # ... on a relationship at least this strong, or warm / partnered


@dataclass(frozen=True, slots=True)
class RelationshipRow:
    """One relationship as an admin sees it: whose, with whom, how strong, when last contacted."""

    relationship_id: uuid.UUID
    user_id: uuid.UUID
    user_name: str  # display name, else the Slack user id
    slack_user_id: str
    influencer_id: uuid.UUID
    influencer_name: str
    handle: str
    platform: str
    status: str
    strength: int
    last_contacted_at: datetime | None
    days_since_contact: int | None  # None when never contacted


TopRelationship = RelationshipRow  # the contract's name for the rows of `top_relationships`


@dataclass(frozen=True, slots=True)
class AdminUserRow:
    """One user's figures, as the admin_analytics view defines them (read live, see _PER_USER)."""

    user_id: uuid.UUID
    slack_user_id: str
    display_name: str | None
    email: str | None
    total_influencers: int
    partnered_influencers: int
    total_campaigns: int
    total_interactions: int
    avg_relationship_strength: Decimal | None
    last_activity: datetime | None


@dataclass(frozen=True, slots=True)
class AdminSummary:
    team_id: str
    period: tuple[datetime, datetime]  # [start, end)
    active_users: int  # users with at least one interaction in the period
    new_relationships: int  # relationships created in the period
    interactions_by_type: dict[str, int]  # interactions dated in the period, every type
    status_funnel: dict[str, int]  # relationships per status now, every status
    partnered_in_period: int  # partnered now, status changed to it in the period
    campaigns_by_status: dict[str, int]
    assignments_by_status: dict[str, int]
    top_relationships: list[RelationshipRow]
    going_cold: list[RelationshipRow]
    per_user: list[AdminUserRow]
    as_of: datetime  # when every figure above was read

    @property
    def interactions(self) -> int:
        return sum(self.interactions_by_type.values())


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    current: AdminSummary
    previous: AdminSummary
    changes: dict[str, int]  # current minus previous, for the period measures
    actions: WeeklyActions  # what to act on: per owner, newly partnered, open campaigns


def refresh_admin_analytics(db: Session, *, concurrently: bool = True) -> None:
    """Refresh the admin_analytics materialized view.

    Checked on PostgreSQL 16: REFRESH ... CONCURRENTLY may run inside a transaction block (unlike
    CREATE INDEX CONCURRENTLY), sees that transaction's own uncommitted rows, and takes an EXCLUSIVE
    lock until the transaction ends: readers are never blocked, a second refresh waits, so commit
    promptly. It fails on a view that is not populated (created or refreshed WITH NO DATA), so then
    this falls back to a plain refresh, which blocks readers but only once.
    """
    populated = db.scalar(text("SELECT ispopulated FROM pg_matviews WHERE matviewname = 'admin_analytics'"))
    if concurrently and populated:
        db.execute(text("REFRESH MATERIALIZED VIEW CONCURRENTLY admin_analytics"))
    else:
        db.execute(text("REFRESH MATERIALIZED VIEW admin_analytics"))


# Relationships that are partnered now and whose status last changed in the period: moved to
# partnered then. status_changed_at is kept by a trigger that fires only on a real status change
# (migration 0003), so edits and the nightly strength recompute do not make a relationship count.
# One that became partnered in the period and left it again is not counted (it is not partnered).
_PARTNERED_IN_PERIOD = """
    SELECT count(*) FROM user_influencers ui JOIN users u ON u.id = ui.user_id
    WHERE u.team_id = :team AND ui.status = 'partnered'
      AND ui.status_changed_at >= :start AND ui.status_changed_at < :end
"""

_RELATIONSHIP_ROW = """
    SELECT ui.id, u.id, coalesce(nullif(u.display_name, ''), u.slack_user_id), u.slack_user_id,
           i.id, i.name, i.handle, i.platform, ui.status, ui.relationship_strength, ui.last_contacted_at,
           floor(extract(epoch FROM (:now - ui.last_contacted_at)) / 86400)::int
    FROM user_influencers ui
    JOIN users u ON u.id = ui.user_id
    JOIN influencers i ON i.id = ui.influencer_id
    WHERE u.team_id = :team
"""


def _counts(db: Session, sql: str, params: dict, keys: tuple[str, ...]) -> dict[str, int]:
    """{key: count} for a `SELECT key, count(*) ... GROUP BY key` query, every key present."""
    counts = dict.fromkeys(keys, 0)
    for key, n in db.execute(text(sql), params):
        counts[key] = n
    return counts


def _relationship_rows(db: Session, where_order: str, params: dict) -> list[RelationshipRow]:
    return [RelationshipRow(*row) for row in db.execute(text(_RELATIONSHIP_ROW + where_order), params)]


# The admin_analytics view's columns (migration 0002) for one workspace's users, computed now: each
# LATERAL aggregate reads one user's rows through a per-user index (user_influencers' (user_id, …),
# campaigns.user_id, interactions.user_id) and yields one row even when there are none (count 0,
# avg and max NULL), as the view's COALESCEd LEFT JOINs do.
_PER_USER = """
    SELECT u.id, u.slack_user_id, u.display_name, u.email,
           r.total_influencers, r.partnered_influencers, c.total_campaigns, i.total_interactions,
           r.avg_relationship_strength, r.last_activity
    FROM users u
    CROSS JOIN LATERAL (
        SELECT count(DISTINCT influencer_id) AS total_influencers,
               count(DISTINCT influencer_id) FILTER (WHERE status = 'partnered') AS partnered_influencers,
               avg(relationship_strength) AS avg_relationship_strength,
               max(last_contacted_at) AS last_activity
        FROM user_influencers WHERE user_id = u.id
    ) r
    CROSS JOIN LATERAL (SELECT count(*) AS total_campaigns FROM campaigns WHERE user_id = u.id) c
    CROSS JOIN LATERAL (SELECT count(*) AS total_interactions FROM interactions WHERE user_id = u.id) i
    WHERE u.team_id = :team
    ORDER BY i.total_interactions DESC, lower(coalesce(u.display_name, u.slack_user_id)), u.id
"""


def _per_user(db: Session, team_id: str) -> list[AdminUserRow]:
    return [AdminUserRow(*row) for row in db.execute(text(_PER_USER), {"team": team_id})]


def admin_summary(
    db: Session, *, team_id: str, start: datetime, end: datetime, now: datetime | None = None
) -> AdminSummary:
    """The workspace's activity in [start, end) and its current pipeline, for an admin."""
    for value in (start, end):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput("period", "The period's start and end must include a timezone.")
    if start >= end:
        raise InvalidInput("period", "The period must start before it ends.")
    now = resolve_now(now)
    period = {"team": team_id, "start": start, "end": end}
    in_period = """
        FROM interactions x JOIN users u ON u.id = x.user_id
        WHERE u.team_id = :team AND x.interaction_date >= :start AND x.interaction_date < :end
    """
    active_users = db.scalar(text("SELECT count(DISTINCT x.user_id) " + in_period), period)
    by_type = _counts(
        db, "SELECT x.type, count(*) " + in_period + " GROUP BY x.type", period, INTERACTION_TYPES
    )
    new_relationships = db.scalar(
        text(
            """SELECT count(*) FROM user_influencers ui JOIN users u ON u.id = ui.user_id
               WHERE u.team_id = :team AND ui.created_at >= :start AND ui.created_at < :end"""
        ),
        period,
    )
    team = {"team": team_id}
    funnel = _counts(
        db,
        """SELECT ui.status, count(*) FROM user_influencers ui JOIN users u ON u.id = ui.user_id
           WHERE u.team_id = :team GROUP BY ui.status""",
        team,
        RELATIONSHIP_STATUSES,
    )
    campaigns = _counts(
        db,
        "SELECT status, count(*) FROM campaigns WHERE team_id = :team GROUP BY status",
        team,
        CAMPAIGN_STATUSES,
    )
    assignments = _counts(
        db,
        """SELECT a.status, count(*) FROM campaign_influencers a JOIN campaigns c ON c.id = a.campaign_id
           WHERE c.team_id = :team GROUP BY a.status""",
        team,
        ASSIGNMENT_STATUSES,
    )
    rows = {"team": team_id, "now": now}
    top = _relationship_rows(
        db,
        """ AND ui.relationship_strength > 0
            ORDER BY ui.relationship_strength DESC, ui.last_contacted_at DESC NULLS LAST, ui.id
            LIMIT :limit""",
        {**rows, "limit": TOP_LIMIT},
    )
    # Going cold: worth keeping (strong, or warm / partnered), not marked cold yet, and no contact for
    # COLD_AFTER_DAYS; a never-contacted one counts from when it was added. Strongest first.
    going_cold = _relationship_rows(
        db,
        """ AND ui.status <> 'cold'
            AND (ui.relationship_strength >= :min_strength OR ui.status IN ('warm', 'partnered'))
            AND coalesce(ui.last_contacted_at, ui.created_at) <= :cutoff
            ORDER BY ui.relationship_strength DESC, coalesce(ui.last_contacted_at, ui.created_at), ui.id
            LIMIT :limit""",
        {
            **rows,
            "min_strength": COLD_MIN_STRENGTH,
            "cutoff": now - timedelta(days=COLD_AFTER_DAYS),
            "limit": GOING_COLD_LIMIT,
        },
    )
    return AdminSummary(
        team_id=team_id,
        period=(start, end),
        active_users=active_users,
        new_relationships=new_relationships,
        interactions_by_type=by_type,
        status_funnel=funnel,
        partnered_in_period=db.scalar(text(_PARTNERED_IN_PERIOD), period),
        campaigns_by_status=campaigns,
        assignments_by_status=assignments,
        top_relationships=top,
        going_cold=going_cold,
        per_user=_per_user(db, team_id),
        as_of=now,
    )


def weekly_summary(
    db: Session, *, team_id: str, week_start: datetime, now: datetime | None = None
) -> WeeklySummary:
    """The week from `week_start` and the week before it, with week-over-week changes and to-dos."""
    week = timedelta(days=7)
    current = admin_summary(db, team_id=team_id, start=week_start, end=week_start + week, now=now)
    previous = admin_summary(db, team_id=team_id, start=week_start - week, end=week_start, now=now)
    changes = {
        "active_users": current.active_users - previous.active_users,
        "new_relationships": current.new_relationships - previous.new_relationships,
        "interactions": current.interactions - previous.interactions,
        "partnered_in_period": current.partnered_in_period - previous.partnered_in_period,
    }
    for kind in INTERACTION_TYPES:
        changes[f"interactions_{kind}"] = (
            current.interactions_by_type[kind] - previous.interactions_by_type[kind]
        )
    actions = weekly_actions(db, team_id=team_id, start=week_start, end=week_start + week, now=current.as_of)
    return WeeklySummary(current=current, previous=previous, changes=changes, actions=actions)
