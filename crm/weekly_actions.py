"""What the weekly admin summary asks people to act on: per owner, overdue follow-ups and relationships
going cold; the relationships that moved to partnered in the week; campaigns' assignments by status.

Going cold is crm.going_cold's rule (count_by_owner), never a second one. Every list is capped and
carries its full count, so the message can say "and N more" instead of growing past Slack's limits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm.campaign_roster import CampaignLine
from crm.going_cold import count_by_owner
from crm.models import ASSIGNMENT_STATUSES

OWNER_LIMIT = 15
PARTNERED_LIMIT = 10
CAMPAIGN_LIMIT = 10
OPEN_CAMPAIGN_STATUSES = ("active", "paused", "draft")  # campaigns someone still works on


@dataclass(frozen=True, slots=True)
class OwnerLine:
    """One owner with something to do: overdue follow-ups and relationships going cold."""

    user_id: uuid.UUID
    slack_user_id: str
    name: str
    overdue: int
    going_cold: int


@dataclass(frozen=True, slots=True)
class PartneredLine:
    """A relationship whose status became partnered in the week (and still is)."""

    relationship_id: uuid.UUID
    slack_user_id: str
    user_name: str
    influencer_name: str
    handle: str
    platform: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class WeeklyActions:
    owners: list[OwnerLine]  # most to do first, at most OWNER_LIMIT
    owners_total: int
    partnered: list[PartneredLine]  # newest first, at most PARTNERED_LIMIT
    partnered_total: int
    campaigns: list[CampaignLine]  # active first, then most assignments, at most CAMPAIGN_LIMIT
    campaigns_total: int


_OVERDUE = """
    SELECT ui.user_id, count(*) FROM user_influencers ui JOIN users u ON u.id = ui.user_id
    WHERE u.team_id = :team AND ui.archived_at IS NULL AND ui.follow_up_date < :now
    GROUP BY ui.user_id
"""

_PARTNERED = """
    SELECT ui.id, u.slack_user_id, coalesce(nullif(u.display_name, ''), u.slack_user_id), i.name, i.handle,
           i.platform, ui.status_changed_at, count(*) OVER ()
    FROM user_influencers ui
    JOIN users u ON u.id = ui.user_id
    JOIN influencers i ON i.id = ui.influencer_id
    WHERE u.team_id = :team AND ui.status = 'partnered' AND ui.archived_at IS NULL
      AND ui.status_changed_at >= :start AND ui.status_changed_at < :end
    ORDER BY ui.status_changed_at DESC, ui.id
    LIMIT :limit
"""

_CAMPAIGNS = """
    SELECT c.id, c.name, c.status, a.status, count(a.id)
    FROM campaigns c LEFT JOIN campaign_influencers a ON a.campaign_id = c.id
    WHERE c.team_id = :team AND c.status = ANY(:open)
    GROUP BY c.id, c.name, c.status, a.status
"""


def _owners(db: Session, *, team_id: str, now: datetime) -> tuple[list[OwnerLine], int]:
    overdue = dict(db.execute(text(_OVERDUE), {"team": team_id, "now": now}).all())
    cold = count_by_owner(db, team_id=team_id, now=now)
    ids = set(overdue) | set(cold)
    if not ids:
        return [], 0
    users = db.execute(
        text(
            """SELECT id, slack_user_id, coalesce(nullif(display_name, ''), slack_user_id)
               FROM users WHERE id = ANY(:ids)"""
        ),
        {"ids": list(ids)},
    ).all()
    lines = [OwnerLine(uid, slack, name, overdue.get(uid, 0), cold.get(uid, 0)) for uid, slack, name in users]
    lines.sort(key=lambda o: (-(o.overdue + o.going_cold), -o.overdue, o.name.lower(), str(o.user_id)))
    return lines[:OWNER_LIMIT], len(lines)


def _campaigns(db: Session, *, team_id: str) -> tuple[list[CampaignLine], int]:
    by_campaign: dict[uuid.UUID, CampaignLine] = {}
    for cid, name, status, a_status, n in db.execute(
        text(_CAMPAIGNS), {"team": team_id, "open": list(OPEN_CAMPAIGN_STATUSES)}
    ):
        line = by_campaign.setdefault(
            cid, CampaignLine(cid, name, status, dict.fromkeys(ASSIGNMENT_STATUSES, 0))
        )
        if a_status is not None:
            line.assignments[a_status] = n
    lines = sorted(
        by_campaign.values(),
        key=lambda c: (
            OPEN_CAMPAIGN_STATUSES.index(c.status),
            -sum(c.assignments.values()),
            c.name.lower(),
            str(c.campaign_id),
        ),
    )
    return lines[:CAMPAIGN_LIMIT], len(lines)


def weekly_actions(
    db: Session, *, team_id: str, start: datetime, end: datetime, now: datetime
) -> WeeklyActions:
    """The summary's to-dos for the week [start, end), overdue and going cold as of `now`."""
    owners, owners_total = _owners(db, team_id=team_id, now=now)
    rows = db.execute(
        text(_PARTNERED), {"team": team_id, "start": start, "end": end, "limit": PARTNERED_LIMIT}
    ).all()
    partnered = [PartneredLine(*row[:7]) for row in rows]
    campaigns, campaigns_total = _campaigns(db, team_id=team_id)
    return WeeklyActions(
        owners=owners,
        owners_total=owners_total,
        partnered=partnered,
        partnered_total=rows[0][7] if rows else 0,
        campaigns=campaigns,
        campaigns_total=campaigns_total,
    )
