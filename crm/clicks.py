"""Clicks of short links: recording them in batches, counting them, rolling old ones up per day.

A click is stored raw in link_clicks (assignment, instant, coarse client class, referrer host; no IP
address) for CRM_CLICK_RETENTION_DAYS, then folded into link_click_days (one row per assignment and
UTC day) by the retention job. Every count adds both: `total` is raw + rolled-up clicks; `last_7_days`
reads raw clicks only, which is exact because the retention is never shorter than RECENT
(crm.click_retention). A period's count (admin summary, top creators) takes raw clicks in
[since, until) and the rolled-up UTC days that start in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Session
from sqlalchemy.types import DateTime, String

from crm.click_retention import RECENT
from crm.clock import resolve_now
from crm.models import Assignment, Campaign, Influencer, LinkClick, LinkClickDay

ROLL_UP_BATCH = 10_000
INSERT_BATCH = 10_000  # clicks per INSERT (four arrays of this length)


@dataclass(frozen=True, slots=True)
class Click:
    """One counted redirect, as the redirect handler saw it (bot/redirects.py)."""

    assignment_id: uuid.UUID
    clicked_at: datetime
    client_class: str  # crm.models.CLIENT_CLASSES
    referrer_host: str | None = None


@dataclass(frozen=True, slots=True)
class ClickCount:
    total: int = 0
    last_7_days: int = 0


@dataclass(frozen=True, slots=True)
class CreatorClicks:
    """A creator's clicks in a period, over all of the workspace's assignments of them."""

    influencer_id: uuid.UUID
    name: str
    handle: str
    platform: str
    clicks: int


# One statement per batch whatever its size: four array parameters unnested into rows, joined to
# the assignments so that a click of an assignment deleted meanwhile is dropped instead of failing
# the batch. Its SQL never changes, so it is compiled once and PostgreSQL prepares it once; a
# VALUES list of thousands of rows would be compiled anew for every flush, holding the GIL.
_INSERT = text(
    """
    WITH added AS (
        INSERT INTO link_clicks (assignment_id, clicked_at, client_class, referrer_host)
        SELECT c.assignment_id, c.clicked_at, c.client_class, c.referrer_host
        FROM unnest(:ids, :ats, :classes, :referrers)
            AS c (assignment_id, clicked_at, client_class, referrer_host)
        JOIN campaign_influencers a ON a.id = c.assignment_id
        RETURNING 1
    )
    SELECT count(*) FROM added
    """
).bindparams(
    bindparam("ids", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("ats", type_=ARRAY(DateTime(timezone=True))),
    bindparam("classes", type_=ARRAY(String)),
    bindparam("referrers", type_=ARRAY(String)),
)


def record_clicks(conn: Connection | Session, clicks: Sequence[Click]) -> int:
    """Insert `clicks`, INSERT_BATCH per statement; returns how many were stored (a click whose
    assignment was deleted meanwhile is dropped, see _INSERT)."""
    stored = 0
    for start in range(0, len(clicks), INSERT_BATCH):
        chunk = clicks[start : start + INSERT_BATCH]
        params = {
            "ids": [c.assignment_id for c in chunk],
            "ats": [c.clicked_at for c in chunk],
            "classes": [c.client_class for c in chunk],
            "referrers": [c.referrer_host for c in chunk],
        }
        stored += conn.execute(_INSERT, params).scalar_one()
    return stored


def _counts(
    db: Session, key, ids: Collection[uuid.UUID], now: datetime | None
) -> dict[uuid.UUID, ClickCount]:
    """Total and last-7-days clicks grouped by `key` (an Assignment column) for `ids` of that key."""
    if not ids:
        return {}
    since = resolve_now(now) - RECENT
    raw = db.execute(
        select(key, func.count(), func.count().filter(LinkClick.clicked_at >= since))
        .select_from(LinkClick)
        .join(Assignment, Assignment.id == LinkClick.assignment_id)
        .where(key.in_(list(ids)))
        .group_by(key)
    ).all()
    days = db.execute(
        select(key, func.sum(LinkClickDay.clicks))
        .select_from(LinkClickDay)
        .join(Assignment, Assignment.id == LinkClickDay.assignment_id)
        .where(key.in_(list(ids)))
        .group_by(key)
    ).all()
    totals: dict[uuid.UUID, list[int]] = {}
    for id_, total, recent in raw:
        totals[id_] = [total, recent]
    for id_, total in days:
        totals.setdefault(id_, [0, 0])[0] += int(total or 0)
    return {id_: ClickCount(total, recent) for id_, (total, recent) in totals.items()}


def click_columns(now: datetime | None = None) -> tuple:
    """(total clicks, clicks in the last 7 days) of the Assignment row of the enclosing query, as
    correlated scalar subqueries (index look-ups per row), for a streamed export."""
    since = resolve_now(now) - RECENT
    mine = LinkClick.assignment_id == Assignment.id
    raw = select(func.count()).where(mine).correlate(Assignment).scalar_subquery()
    days = (
        select(func.coalesce(func.sum(LinkClickDay.clicks), 0))
        .where(LinkClickDay.assignment_id == Assignment.id)
        .correlate(Assignment)
        .scalar_subquery()
    )
    recent = select(func.count()).where(mine, LinkClick.clicked_at >= since).correlate(Assignment)
    return (raw + days).label("clicks"), recent.scalar_subquery().label("clicks_last_7_days")


def counts_by_assignment(
    db: Session, *, assignment_ids: Collection[uuid.UUID], now: datetime | None = None
) -> dict[uuid.UUID, ClickCount]:
    """Clicks per assignment id (missing ids: none yet)."""
    return _counts(db, Assignment.id, assignment_ids, now)


def counts_by_campaign(
    db: Session, *, campaign_ids: Collection[uuid.UUID], now: datetime | None = None
) -> dict[uuid.UUID, ClickCount]:
    """Clicks per campaign id, over every assignment of it (missing ids: none yet)."""
    return _counts(db, Assignment.campaign_id, campaign_ids, now)


def _in_period(team_id: str, since: datetime, until: datetime):
    """(assignment id, clicks) rows of the team's raw clicks and rolled-up days in [since, until)."""
    since, until = resolve_now(since), resolve_now(until)
    raw = (
        select(LinkClick.assignment_id.label("assignment_id"), func.count().label("clicks"))
        .where(LinkClick.clicked_at >= since, LinkClick.clicked_at < until)
        .group_by(LinkClick.assignment_id)
    )
    days = (
        select(
            LinkClickDay.assignment_id.label("assignment_id"), func.sum(LinkClickDay.clicks).label("clicks")
        )
        .where(LinkClickDay.day >= since.date(), LinkClickDay.day < until.date())
        .group_by(LinkClickDay.assignment_id)
    )
    both = raw.union_all(days).subquery("clicks")
    return (
        select(Assignment.influencer_id, func.sum(both.c.clicks).label("clicks"))
        .select_from(both)
        .join(Assignment, Assignment.id == both.c.assignment_id)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .where(Campaign.team_id == team_id)
        .group_by(Assignment.influencer_id)
    )


def team_clicks(db: Session, *, team_id: str, since: datetime, until: datetime) -> int:
    """Every click on the workspace's short links in [since, until)."""
    per_creator = _in_period(team_id, since, until).subquery()
    return int(db.scalar(select(func.coalesce(func.sum(per_creator.c.clicks), 0))) or 0)


def top_creators(
    db: Session, *, team_id: str, since: datetime, until: datetime, limit: int = 5
) -> list[CreatorClicks]:
    """The workspace's creators with the most clicks in [since, until), most first (ties by name)."""
    per_creator = _in_period(team_id, since, until).subquery()
    rows = db.execute(
        select(Influencer.id, Influencer.name, Influencer.handle, Influencer.platform, per_creator.c.clicks)
        .join(per_creator, per_creator.c.influencer_id == Influencer.id)
        .order_by(per_creator.c.clicks.desc(), func.lower(Influencer.name), Influencer.id)
        .limit(limit)
    ).all()
    return [
        CreatorClicks(id_, name, handle, platform, int(clicks))
        for id_, name, handle, platform, clicks in rows
    ]


# One batch: delete the oldest raw clicks before the cutoff and add them to their day's count, in
# one statement. SKIP LOCKED lets two replicas' jobs share the work; a deleted row is counted once.
_ROLL_UP = text(
    """
    WITH moved AS (
        DELETE FROM link_clicks WHERE id IN (
            SELECT id FROM link_clicks WHERE clicked_at < :cutoff
            ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED)
        RETURNING assignment_id, clicked_at
    ), added AS (
        INSERT INTO link_click_days (assignment_id, day, clicks)
        SELECT assignment_id, (clicked_at AT TIME ZONE 'UTC')::date, count(*) FROM moved GROUP BY 1, 2
        ON CONFLICT (assignment_id, day) DO UPDATE SET clicks = link_click_days.clicks + EXCLUDED.clicks
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM added)
    """
).bindparams(bindparam("cutoff", type_=DateTime(timezone=True)))


def roll_up_batch(db: Session, *, cutoff: datetime, batch: int = ROLL_UP_BATCH) -> int:
    """Roll up at most `batch` raw clicks older than `cutoff` into daily counts; returns how many.

    The caller commits each batch, so a large backlog never holds one long transaction.
    """
    moved, _ = db.execute(_ROLL_UP, {"cutoff": resolve_now(cutoff), "batch": batch}).one()
    return int(moved)


@dataclass(frozen=True, slots=True)
class PeriodClicks:
    """A workspace's short-link clicks in a period and its top creators by clicks (admin, weekly)."""

    total: int
    top: list[CreatorClicks]


def period_clicks(
    db: Session, *, team_id: str, since: datetime, until: datetime, limit: int = 5
) -> PeriodClicks:
    """Every click in [since, until) and the `limit` creators with the most."""
    return PeriodClicks(
        team_clicks(db, team_id=team_id, since=since, until=until),
        top_creators(db, team_id=team_id, since=since, until=until, limit=limit),
    )
