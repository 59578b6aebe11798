"""The going-cold radar: warm and partnered relationships that are slipping, and why.

A relationship is *going cold* at `now` when it is warm or partnered, on its user's list, not
snoozed (`cold_snoozed_until` still ahead), and either
- **overdue**: the time since the last contact (since it was added, when never contacted) exceeds its
  cadence — its own, else its workspace's default for its status (crm.cadence), else
  DEFAULT_CADENCE_DAYS; or
- **fading**: its strength fell by more than STRENGTH_DROP_POINTS over the last DROP_WINDOW.

"Fell" compares the score at `now` with the score it had DROP_WINDOW ago, computed from the
interactions up to then (crm.strength's formula, so it is exact and needs no stored history). With
a 30-day half-life, an interaction dated d ≤ then weighs 2^(window/half-life) more at `then` than at
`now`, so both scores come from one pass over the relationship's interactions: the decayed sum of
all of them and of the older ones. Silence alone lowers a score by at most about 6 points a week
(the steepest fall of 100·(1 − e^(−S/20)) under a week's decay, at a score near 60), so the
threshold is 4: a fall of 5 or more flags a mid-to-strong relationship nobody touched this week,
before its cadence runs out. Storing daily snapshots would answer the same question with a table,
a job and a backfill; computing it from the interactions needs none of them.

Every function takes `now` (crm.clock) and reads it for every rule, so tests pin the clock.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Float,
    Integer,
    Interval,
    Select,
    and_,
    cast,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from crm.clock import resolve_now
from crm.errors import InvalidInput
from crm.models import CadenceDefault, GoingColdNag, Influencer, Interaction, Relationship, User
from crm.scoped import get_relationship_by_id
from crm.strength import HALF_LIFE_DAYS, score_sql, weighted_sum_sql

GOING_COLD_STATUSES = ("warm", "partnered")
DEFAULT_CADENCE_DAYS = 30  # when neither the relationship nor its status has a cadence
STRENGTH_DROP_POINTS = 4  # going cold when the score fell by more than this over DROP_WINDOW
DROP_WINDOW = timedelta(days=7)
SNOOZE = timedelta(days=7)  # "Snooze a week"
_THEN_FACTOR = math.pow(2.0, DROP_WINDOW.total_seconds() / (HALF_LIFE_DAYS * 86400.0))


@dataclass(frozen=True, slots=True)
class GoingCold:
    """One relationship going cold, with what the rules found (for the reason shown to the user)."""

    relationship_id: uuid.UUID
    user_id: uuid.UUID
    influencer_id: uuid.UUID
    influencer_name: str
    handle: str
    platform: str
    status: str
    last_contacted_at: datetime | None
    since: datetime  # the last contact, or when it was added if never contacted
    cadence_days: int
    # Read only where the cadence rule did not already decide (None there): the score now and
    # DROP_WINDOW ago, from the interactions up to then.
    strength_now: int | None
    strength_before: int | None

    def is_overdue(self, now: datetime) -> bool:
        """Whether the cadence rule holds (else it is the strength rule)."""
        return now - self.since > timedelta(days=self.cadence_days)


def effective_cadence() -> object:
    """SQL: the relationship's cadence in days, else its status default, else DEFAULT_CADENCE_DAYS
    (needs CadenceDefault outer-joined on the user's team and the relationship's status)."""
    return func.coalesce(Relationship.cadence_days, CadenceDefault.cadence_days, DEFAULT_CADENCE_DAYS)


def _candidates(now: datetime, *, team_id: str | None, user_ids) -> tuple[Select, ColumnElement[bool]]:
    """(every warm or partnered, active, unsnoozed relationship in scope with the cadence rule's
    inputs as columns, the cadence rule as a condition on them)."""
    since = func.coalesce(Relationship.last_contacted_at, Relationship.created_at)
    cadence = effective_cadence()
    stmt = (
        select(
            Relationship.id.label("relationship_id"),
            Relationship.user_id,
            Relationship.influencer_id,
            Relationship.status,
            Relationship.last_contacted_at,
            since.label("since"),
            cadence.label("cadence_days"),
        )
        .select_from(Relationship)
        .join(User, User.id == Relationship.user_id)
        .outerjoin(
            CadenceDefault,
            and_(CadenceDefault.team_id == User.team_id, CadenceDefault.status == Relationship.status),
        )
        .where(
            Relationship.status.in_(GOING_COLD_STATUSES),
            Relationship.archived_at.is_(None),
            or_(Relationship.cold_snoozed_until.is_(None), Relationship.cold_snoozed_until <= now),
        )
    )
    if team_id is not None:
        stmt = stmt.where(User.team_id == team_id)
    if user_ids is not None:
        stmt = stmt.where(Relationship.user_id.in_(list(user_ids)))
    overdue = since < literal(now) - cadence * literal(timedelta(days=1), Interval)
    return stmt, overdue


def going_cold_subquery(now: datetime, *, team_id: str | None = None, user_ids=None):
    """The going-cold relationships at `now`, for a team, some users, or everyone.

    Two branches, UNION ALL: those past their cadence (no interaction read), and of the others those
    whose strength fell (one pass over each one's interactions, on the per-relationship index).
    Reading interactions only where the cheap rule did not already decide halves the work on a
    typical book. Columns: the candidates' (`_candidates`), then strength_now and strength_before
    (NULL in the first branch, where they decide nothing).
    """
    candidates, overdue = _candidates(now, team_id=team_id, user_ids=user_ids)
    past_cadence = candidates.add_columns(
        cast(null(), Integer).label("strength_now"), cast(null(), Integer).label("strength_before")
    ).where(overdue)
    sums = (
        select(
            weighted_sum_sql(now).label("total"),
            weighted_sum_sql(now).filter(Interaction.interaction_date <= now - DROP_WINDOW).label("old"),
        )
        .where(
            Interaction.user_id == Relationship.user_id,
            Interaction.influencer_id == Relationship.influencer_id,
        )
        .lateral("sums")
    )
    strength_now = score_sql(sums.c.total)
    strength_before = score_sql(sums.c.old * literal(_THEN_FACTOR, Float))
    fading = (
        candidates.add_columns(strength_now.label("strength_now"), strength_before.label("strength_before"))
        .join(sums, true())
        .where(not_(overdue), strength_before - strength_now > STRENGTH_DROP_POINTS)
    )
    return union_all(past_cadence, fading).subquery("going_cold")


def count_by_owner(db: Session, *, team_id: str, now: datetime) -> dict[uuid.UUID, int]:
    """How many relationships are going cold at `now`, per user of the workspace (users with none
    are absent). For the weekly summary."""
    cold = going_cold_subquery(resolve_now(now), team_id=team_id)
    rows = db.execute(select(cold.c.user_id, func.count()).group_by(cold.c.user_id)).all()
    return {user_id: n for user_id, n in rows}


def _items(db: Session, stmt: Select) -> list[GoingCold]:
    return [GoingCold(**row._mapping) for row in db.execute(stmt)]


def _listing(cold) -> Select:
    return (
        select(
            cold.c.relationship_id,
            cold.c.user_id,
            cold.c.influencer_id,
            Influencer.name.label("influencer_name"),
            Influencer.handle,
            Influencer.platform,
            cold.c.status,
            cold.c.last_contacted_at,
            cold.c.since,
            cold.c.cadence_days,
            cold.c.strength_now,
            cold.c.strength_before,
        )
        .join(Influencer, Influencer.id == cold.c.influencer_id)
        .order_by(cold.c.since, func.lower(Influencer.name), cold.c.relationship_id)
    )


def going_cold_for(
    db: Session, *, actor: User, now: datetime | None = None, limit: int = 10
) -> tuple[list[GoingCold], int]:
    """(the actor's `limit` longest-silent relationships going cold, how many there are in all)."""
    now = resolve_now(now)
    cold = going_cold_subquery(now, user_ids=[actor.id])
    total = db.scalar(select(func.count()).select_from(cold)) or 0
    if total == 0:
        return [], 0
    return _items(db, _listing(cold).limit(limit)), total


def unnagged_going_cold(
    db: Session, *, user_ids: list[uuid.UUID], today: dict[uuid.UUID, date], now: datetime, limit: int
) -> dict[uuid.UUID, tuple[list[GoingCold], int]]:
    """Per user: (their first `limit` relationships going cold and not yet mentioned on their local
    `today`, how many such in all). Users with none are absent."""
    now = resolve_now(now)
    out: dict[uuid.UUID, tuple[list[GoingCold], int]] = {}
    for user_id in user_ids:
        cold = going_cold_subquery(now, user_ids=[user_id])
        mine = (
            _listing(cold)
            .outerjoin(GoingColdNag, GoingColdNag.relationship_id == cold.c.relationship_id)
            .where(or_(GoingColdNag.nagged_on.is_(None), GoingColdNag.nagged_on != today[user_id]))
        )
        items = _items(db, mine.limit(limit))
        if not items:
            continue
        total = db.scalar(select(func.count()).select_from(mine.order_by(None).subquery())) or 0
        out[user_id] = (items, total)
    return out


def snooze_going_cold(
    db: Session, *, actor: User, relationship_id: uuid.UUID, now: datetime | None = None
) -> Relationship:
    """Snooze a week: not going cold (nor mentioned) until SNOOZE after `now`. A state, not a step:
    a double click sets a week from the click again, never two weeks."""
    relationship = get_relationship_by_id(db, actor=actor, relationship_id=relationship_id)
    relationship.cold_snoozed_until = resolve_now(now) + SNOOZE
    db.flush()
    return relationship


def mark_cold(db: Session, *, actor: User, relationship_id: uuid.UUID) -> tuple[Relationship, str]:
    """Mark cold: the relationship's status becomes cold; returns it and the status it had (for Undo)."""
    relationship = get_relationship_by_id(db, actor=actor, relationship_id=relationship_id)
    previous = relationship.status
    relationship.status = "cold"
    db.flush()
    return relationship, previous


def undo_mark_cold(db: Session, *, actor: User, relationship_id: uuid.UUID, status: str) -> Relationship:
    """Undo Mark cold: back to `status` (warm or partnered), only while it is still cold — a status
    changed since is the user's newer choice and stays."""
    if status not in GOING_COLD_STATUSES:
        raise InvalidInput("status", "That Undo could not be read; set the status with /crm status.")
    relationship = get_relationship_by_id(db, actor=actor, relationship_id=relationship_id)
    if relationship.status == "cold":
        relationship.status = status
        db.flush()
    return relationship
