"""Who is on a campaign: the assignments its card (`/crm campaign show`) lists, and their counts;
and the campaigns with open assignments of a user (App Home).

Who sees which assignments is the rule of `/crm campaign export` (crm.exports.write_campaign):
anyone sees the assignments they made (assignments belong to their user, as relationships do), and
a CRM admin sees everyone's. The counts by status are the workspace's, as `/crm campaign list`
shows them to everyone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crm.errors import NotFound
from crm.models import ASSIGNMENT_STATUSES, Assignment, Campaign, Influencer, User

# The card's order: what is running first, then what is coming, then what is over.
ROSTER_ORDER = ("active", "planned", "completed", "cancelled")


@dataclass(frozen=True, slots=True)
class CampaignLine:
    """A campaign and its assignments per status (each status the caller counts, 0 when none)."""

    campaign_id: uuid.UUID
    name: str
    status: str
    assignments: dict[str, int]


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One assignment on a campaign's card."""

    assignment_id: uuid.UUID
    influencer_id: uuid.UUID
    name: str
    handle: str
    platform: str
    status: str
    utm_url: str | None
    short_code: str
    assigned_by: str  # the display name of the user who assigned them (their Slack id when unnamed)
    mine: bool


@dataclass(frozen=True, slots=True)
class Roster:
    """`rows`: the first assignments the actor may see, in ROSTER_ORDER then by name; `visible`: how
    many they may see in all; `by_teammates`: how many others made that they may not see;
    `counts`: every assignment of the campaign by status (each of ASSIGNMENT_STATUSES)."""

    rows: list[RosterRow]
    visible: int
    by_teammates: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def campaign_roster(
    db: Session, *, actor: User, campaign: Campaign, everyone: bool = False, limit: int = 40
) -> Roster:
    """The campaign's assignments the actor may see: their own, or with `everyone` (the caller has
    checked that the actor is a CRM admin) all of them; at most `limit` rows.

    The campaign must be in the actor's workspace (NotFound otherwise): callers resolve it from
    words or an id that came back from Slack, and this checks again.
    """
    if campaign.team_id != actor.team_id:
        raise NotFound("Campaign not found.")
    counts = dict.fromkeys(ASSIGNMENT_STATUSES, 0)
    by_status = db.execute(
        select(Assignment.status, func.count())
        .where(Assignment.campaign_id == campaign.id)
        .group_by(Assignment.status)
    )
    for status, n in by_status:
        counts[status] = n
    conditions = [Assignment.campaign_id == campaign.id]
    if not everyone:
        conditions.append(Assignment.user_id == actor.id)
    visible = sum(counts.values())
    if not everyone:
        visible = db.scalar(select(func.count()).select_from(Assignment).where(*conditions)) or 0
    order = case({status: i for i, status in enumerate(ROSTER_ORDER)}, value=Assignment.status)
    found = db.execute(
        select(
            Assignment.id,
            Influencer.id,
            Influencer.name,
            Influencer.handle,
            Influencer.platform,
            Assignment.status,
            Assignment.utm_url,
            Assignment.short_code,
            func.coalesce(User.display_name, User.slack_user_id),
            Assignment.user_id,
        )
        .join(Influencer, Influencer.id == Assignment.influencer_id)
        .join(User, User.id == Assignment.user_id)
        .where(*conditions)
        .order_by(order, func.lower(Influencer.name), Assignment.id)
        .limit(limit)
    )
    rows = [RosterRow(*row[:-1], mine=row[-1] == actor.id) for row in found]
    return Roster(rows=rows, visible=visible, by_teammates=sum(counts.values()) - visible, counts=counts)


# The assignments still to do something about, for App Home's "Your open campaigns".
OPEN_STATUSES = ("active", "planned")


def open_campaigns(db: Session, *, actor: User, limit: int = 5) -> tuple[list[CampaignLine], int]:
    """(the first `limit` campaigns, by name, on which the actor has planned or active assignments,
    each with the count of those by status, and how many there are in all). Archived campaigns are
    left out: they take no more work."""
    rows = db.execute(
        select(Campaign.id, Campaign.name, Campaign.status, Assignment.status, func.count())
        .join(Assignment, Assignment.campaign_id == Campaign.id)
        .where(
            Assignment.user_id == actor.id,
            Assignment.status.in_(OPEN_STATUSES),
            Campaign.status != "archived",
        )
        .group_by(Campaign.id, Campaign.name, Campaign.status, Assignment.status)
    )
    found: dict[uuid.UUID, CampaignLine] = {}
    for campaign_id, name, status, assignment_status, n in rows:
        campaign = found.setdefault(
            campaign_id, CampaignLine(campaign_id, name, status, dict.fromkeys(OPEN_STATUSES, 0))
        )
        campaign.assignments[assignment_status] = n
    ordered = sorted(found.values(), key=lambda c: (c.name.casefold(), c.name))
    return ordered[:limit], len(ordered)
