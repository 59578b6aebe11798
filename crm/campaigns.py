"""Campaigns: create, list, find and edit a workspace's campaigns.

Assignments of influencers to campaigns and their UTM links live in crm.assignments.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from crm.assignments import DEFAULT_MEDIUM, UtmValues, clean_utm_value, stored_utm, tracking_link
from crm.errors import Ambiguous, Conflict, Forbidden, InvalidInput, NotFound
from crm.models import ASSIGNMENT_STATUSES, CAMPAIGN_STATUSES, Assignment, Campaign, User
from crm.relationships import KEEP, _Keep
from crm.text import clean_name, escape_like, fold
from crm.utm import normalize_utm_value, validate_base_url

MAX_NAME_LENGTH = 100
_CAMPAIGN_NOT_FOUND = "Campaign not found."
# What `update_campaign` reports as changed, in the words a confirmation uses.
FIELD_LABELS = {
    "name": "name",
    "landing_url": "landing page",
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "status": "status",
    "start_date": "start date",
    "end_date": "end date",
}


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    campaign: Campaign
    assignment_counts: dict[str, int]  # every assignment status, zeros included


@dataclass(frozen=True, slots=True)
class CampaignChanges:
    """Edits to a campaign: None leaves a field as it is; "" clears a UTM default.

    Dates can be cleared, so for them KEEP leaves the date as it is and None clears it.
    """

    name: str | None = None
    landing_url: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    status: str | None = None
    start_date: date | _Keep | None = KEEP
    end_date: date | _Keep | None = KEEP


@dataclass(frozen=True, slots=True)
class CampaignUpdate:
    """What `update_campaign` did: the fields whose value changed (keys of FIELD_LABELS, in form
    order) and how many assignments' tracking links now differ because the landing page changed."""

    campaign: Campaign
    changed: tuple[str, ...]
    links_updated: int


# --- validation -------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = clean_name(name, field="name", max_len=MAX_NAME_LENGTH, label="A campaign name")
    if not cleaned:
        raise InvalidInput("name", "A campaign needs a name.")
    return cleaned


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InvalidInput("end_date", "The end date must be on or after the start date.")


# --- campaigns --------------------------------------------------------------------------------


def _name_taken(db: Session, team_id: str, name: str, *, except_id: uuid.UUID | None = None) -> bool:
    query = select(Campaign.id).where(
        Campaign.team_id == team_id, func.lower(Campaign.name) == func.lower(name)
    )
    if except_id is not None:
        query = query.where(Campaign.id != except_id)
    return db.scalar(query.limit(1)) is not None


def _name_taken_error(name: str) -> Conflict:
    return Conflict(
        f"A campaign named “{name}” already exists in this workspace; give this one another name."
    )


def _flush_unique_name(db: Session, name: str) -> None:
    """Flush in a savepoint so a concurrent duplicate name becomes a Conflict, not a broken session."""
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        raise _name_taken_error(name) from exc


def create_campaign(
    db: Session,
    *,
    actor: User,
    name: str,
    landing_url: str,
    utm_source: str | None = None,
    utm_medium: str | None = None,
    utm_campaign: str | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
) -> Campaign:
    """Create a campaign in the actor's workspace, owned by the actor; names are unique per workspace."""
    name = _clean_name(name)
    landing_url = validate_base_url(landing_url, field="landing_url")
    defaults = {
        "utm_source": clean_utm_value("utm_source", utm_source),
        "utm_medium": clean_utm_value("utm_medium", utm_medium),
        "utm_campaign": clean_utm_value("utm_campaign", utm_campaign),
    }
    _check_dates(start_date, end_date)
    # A link with the defaults (and a typical platform) must fit, or every assignment would fail later.
    sample = UtmValues(
        defaults["utm_source"] or "instagram",
        defaults["utm_medium"] or DEFAULT_MEDIUM,
        defaults["utm_campaign"] or normalize_utm_value(name),
    )
    tracking_link(landing_url, sample, url_field="landing_url")
    if _name_taken(db, actor.team_id, name):
        raise _name_taken_error(name)
    campaign = Campaign(
        team_id=actor.team_id,
        user_id=actor.id,
        name=name,
        landing_url=landing_url,
        start_date=start_date,
        end_date=end_date,
        **defaults,
    )
    db.add(campaign)
    _flush_unique_name(db, name)
    return campaign


def list_campaigns(db: Session, *, team_id: str, include_archived: bool = False) -> list[CampaignSummary]:
    """The workspace's campaigns by name, each with its assignment counts per status."""
    query = select(Campaign).where(Campaign.team_id == team_id).order_by(func.lower(Campaign.name))
    if not include_archived:
        query = query.where(Campaign.status != "archived")
    campaigns = list(db.scalars(query))
    counts: dict[uuid.UUID, dict[str, int]] = {c.id: dict.fromkeys(ASSIGNMENT_STATUSES, 0) for c in campaigns}
    if campaigns:
        rows = db.execute(
            select(Assignment.campaign_id, Assignment.status, func.count())
            .where(Assignment.campaign_id.in_(counts))
            .group_by(Assignment.campaign_id, Assignment.status)
        )
        for campaign_id, status, n in rows:
            counts[campaign_id][status] = n
    return [CampaignSummary(c, counts[c.id]) for c in campaigns]


def get_campaign(db: Session, *, team_id: str, campaign_id: uuid.UUID) -> Campaign:
    """The campaign, if it belongs to the workspace; NotFound otherwise."""
    campaign = db.scalar(select(Campaign).where(Campaign.id == campaign_id, Campaign.team_id == team_id))
    if campaign is None:
        raise NotFound(_CAMPAIGN_NOT_FOUND)
    return campaign


def resolve_campaign(db: Session, *, team_id: str, ref: str, partial: bool = True) -> Campaign:
    """The campaign named `ref` (case-insensitive; without its accents too, when that names one
    campaign), else by id, else (when `partial`) the only one whose name contains it, accents aside."""
    ref = clean_name(ref, field="campaign", max_len=None, label="The campaign")
    if not ref:
        raise InvalidInput("campaign", "Give a campaign name.")
    in_team = select(Campaign).where(Campaign.team_id == team_id)
    exact = db.scalar(in_team.where(func.lower(Campaign.name) == func.lower(ref)))
    if exact is not None:
        return exact
    # "ete 2026" for “Été 2026”: crm_fold (migration 0012) per row is fine for a workspace's campaigns.
    folded_name = func.crm_fold(Campaign.name)
    unaccented = list(db.scalars(in_team.where(folded_name == fold(ref)).limit(2)))
    if len(unaccented) == 1:
        return unaccented[0]
    try:
        return get_campaign(db, team_id=team_id, campaign_id=uuid.UUID(ref))
    except (ValueError, NotFound):
        pass
    if not partial:
        raise NotFound(f"No campaign named “{ref}”.")
    pattern = "%" + escape_like(fold(ref)) + "%"
    matches = list(db.scalars(in_team.where(folded_name.like(pattern)).order_by(Campaign.name).limit(10)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Ambiguous(f"Several campaigns match “{ref}”; pick one.", matches)
    raise NotFound(f"No campaign named “{ref}”.")


def campaign_names(db: Session, *, team_id: str) -> list[str]:
    """Every campaign name in the workspace, archived ones too (for "did you mean")."""
    return list(db.scalars(select(Campaign.name).where(Campaign.team_id == team_id).order_by(Campaign.name)))


def may_edit(campaign: Campaign, actor: User, *, crm_admin: bool = False) -> bool:
    """Whether `actor` may edit `campaign`: its creator, or a CRM admin (the caller says who is one:
    CRM_ADMIN_USER_IDS). A campaign whose creator left the workspace is the admins' to edit."""
    return campaign.team_id == actor.team_id and (crm_admin or campaign.user_id == actor.id)


def editable_campaign(
    db: Session, *, actor: User, campaign_id: uuid.UUID, crm_admin: bool = False, lock: bool = False
) -> Campaign:
    """The campaign, if the actor may edit it (see may_edit): NotFound outside the workspace,
    Forbidden for anyone else. `lock` holds the row until commit (update_campaign)."""
    query = select(Campaign).where(Campaign.id == campaign_id, Campaign.team_id == actor.team_id)
    campaign = db.scalar(query.with_for_update() if lock else query)
    if campaign is None:
        raise NotFound(_CAMPAIGN_NOT_FOUND)
    if not may_edit(campaign, actor, crm_admin=crm_admin):
        creator = campaign.owner.display_name if campaign.owner is not None else None
        by = f" ({creator})" if creator else ""
        raise Forbidden(
            f"Only the creator of “{campaign.name}”{by} or a CRM admin can edit it; you can still "
            "assign influencers to it."
        )
    return campaign


def update_campaign(
    db: Session,
    *,
    actor: User,
    campaign_id: uuid.UUID,
    changes: CampaignChanges,
    crm_admin: bool = False,
) -> CampaignUpdate:
    """Edit a campaign (its creator or a CRM admin); a new landing URL rebuilds every assignment's link.

    Everything is validated, every rebuilt link included, before anything is written. The campaign
    row stays locked until commit, and assigning (crm.assignments) reads it FOR SHARE, so an
    assignment made meanwhile waits and then gets the new landing page: no link is left behind.
    """
    campaign = editable_campaign(db, actor=actor, campaign_id=campaign_id, crm_admin=crm_admin, lock=True)
    new: dict[str, object] = {}
    if changes.name is not None:
        new["name"] = _clean_name(changes.name)
        if _name_taken(db, actor.team_id, new["name"], except_id=campaign.id):
            raise _name_taken_error(new["name"])
    if changes.landing_url is not None:
        new["landing_url"] = validate_base_url(changes.landing_url, field="landing_url")
    for field in ("utm_source", "utm_medium", "utm_campaign"):
        if getattr(changes, field) is not None:
            new[field] = clean_utm_value(field, getattr(changes, field))
    if changes.status is not None:
        new["status"] = changes.status.strip().lower()
        if new["status"] not in CAMPAIGN_STATUSES:
            raise InvalidInput("status", f"Campaign status must be one of {', '.join(CAMPAIGN_STATUSES)}.")
    new["start_date"] = campaign.start_date if changes.start_date is KEEP else changes.start_date
    new["end_date"] = campaign.end_date if changes.end_date is KEEP else changes.end_date
    _check_dates(new["start_date"], new["end_date"])
    changed = tuple(f for f in FIELD_LABELS if f in new and new[f] != getattr(campaign, f))
    links: dict[uuid.UUID, str] = {}
    if "landing_url" in changed:  # validate every rebuilt link before writing anything
        assignments = db.scalars(
            select(Assignment)
            .options(joinedload(Assignment.influencer, innerjoin=True))  # default_utm reads it
            .where(Assignment.campaign_id == campaign.id)
        )
        links = {
            a.id: tracking_link(new["landing_url"], stored_utm(a, campaign), url_field="landing_url")
            for a in assignments
        }
    for field in changed:
        setattr(campaign, field, new[field])
    links_updated = 0
    for assignment_id, url in links.items():
        assignment = db.get(Assignment, assignment_id)
        if assignment.utm_url != url:
            assignment.utm_url = url
            links_updated += 1
    _flush_unique_name(db, campaign.name)
    return CampaignUpdate(campaign, changed, links_updated)
