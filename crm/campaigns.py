"""Campaigns and influencer assignments with their UTM tracking links.

UTM defaults for an assignment (`default_utm`), chosen so a GA4 report splits by creator without
any setup: source = the campaign's utm_source, else the influencer's platform ("instagram");
medium = the campaign's utm_medium, else "influencer"; campaign = the campaign's utm_campaign, else
its normalized name ("spring-sale-2026"); content = the influencer's handle ("maya.creates"); no term.
An assignment stores its (normalized) values and the generated `utm_url`; the link is rebuilt from
them whenever they or the campaign's landing URL change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.errors import Ambiguous, Conflict, Forbidden, InvalidInput, NotFound
from crm.models import ASSIGNMENT_STATUSES, CAMPAIGN_STATUSES, Assignment, Campaign, Influencer, User
from crm.utm import UTMError, build_utm_url, normalize_utm_value, validate_base_url

MAX_NAME_LENGTH = 100
MAX_UTM_LENGTH = 100  # the utm_* columns are VARCHAR(100)
DEFAULT_MEDIUM = "influencer"
_CAMPAIGN_NOT_FOUND = "Campaign not found."
_ASSIGNMENT_NOT_FOUND = "Assignment not found."


@dataclass(frozen=True, slots=True)
class UtmValues:
    """UTM values of one assignment's link; blank optional values are left out of the link."""

    source: str
    medium: str
    campaign: str
    content: str | None = None
    term: str | None = None


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    campaign: Campaign
    assignment_counts: dict[str, int]  # every assignment status, zeros included


@dataclass(frozen=True, slots=True)
class CampaignChanges:
    """Edits to a campaign: None leaves a field as it is; "" clears a UTM default."""

    name: str | None = None
    landing_url: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    status: str | None = None
    start_date: date | None = None
    end_date: date | None = None


# --- validation -------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name", "A campaign needs a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("name", f"Campaign names are limited to {MAX_NAME_LENGTH} characters.")
    return name


def _clean_utm(field: str, value: str | None) -> str | None:
    """A normalized UTM value, None when blank; InvalidInput(field) when too long for its column."""
    if value is None or not value.strip():
        return None
    value = normalize_utm_value(value)
    if len(value) > MAX_UTM_LENGTH:
        raise InvalidInput(field, f"UTM values are limited to {MAX_UTM_LENGTH} characters.")
    return value


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise InvalidInput("end_date", "The end date must be on or after the start date.")


def _link(landing_url: str, utm: UtmValues, *, url_field: str = "url") -> str:
    """build_utm_url over stored values; a too-long link is reported against `url_field`."""
    try:
        return build_utm_url(
            landing_url,
            source=utm.source,
            medium=utm.medium,
            campaign=utm.campaign,
            content=utm.content,
            term=utm.term,
        )
    except UTMError as exc:
        if exc.field == "url":
            raise InvalidInput(url_field, exc.message) from exc
        raise


def _clean_values(utm: UtmValues) -> UtmValues:
    """Each value normalized and length-checked; source, medium and campaign must not be blank."""
    cleaned = {f.name: _clean_utm(f"utm_{f.name}", getattr(utm, f.name)) for f in fields(UtmValues)}
    for name in ("source", "medium", "campaign"):
        if cleaned[name] is None:
            raise InvalidInput(f"utm_{name}", f"The UTM {name} is required and cannot be blank.")
    return UtmValues(**cleaned)


# --- campaigns --------------------------------------------------------------------------------


def _name_taken(db: Session, team_id: str, name: str, *, except_id: uuid.UUID | None = None) -> bool:
    query = select(Campaign.id).where(
        Campaign.team_id == team_id, func.lower(Campaign.name) == func.lower(name)
    )
    if except_id is not None:
        query = query.where(Campaign.id != except_id)
    return db.scalar(query.limit(1)) is not None


def _flush_unique_name(db: Session, name: str) -> None:
    """Flush in a savepoint so a concurrent duplicate name becomes a Conflict, not a broken session."""
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:
        raise Conflict(f"A campaign named “{name}” already exists in this workspace.") from exc


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
        "utm_source": _clean_utm("utm_source", utm_source),
        "utm_medium": _clean_utm("utm_medium", utm_medium),
        "utm_campaign": _clean_utm("utm_campaign", utm_campaign),
    }
    _check_dates(start_date, end_date)
    # A link with the defaults (and a typical platform) must fit, or every assignment would fail later.
    sample = UtmValues(
        defaults["utm_source"] or "instagram",
        defaults["utm_medium"] or DEFAULT_MEDIUM,
        defaults["utm_campaign"] or normalize_utm_value(name),
    )
    _link(landing_url, sample, url_field="landing_url")
    if _name_taken(db, actor.team_id, name):
        raise Conflict(f"A campaign named “{name}” already exists in this workspace.")
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


def resolve_campaign(db: Session, *, team_id: str, ref: str) -> Campaign:
    """The campaign named `ref` (case-insensitive), else by id, else the only one whose name contains it."""
    ref = (ref or "").strip()
    if not ref:
        raise InvalidInput("campaign", "Give a campaign name.")
    in_team = select(Campaign).where(Campaign.team_id == team_id)
    exact = db.scalar(in_team.where(func.lower(Campaign.name) == func.lower(ref)))
    if exact is not None:
        return exact
    try:
        return get_campaign(db, team_id=team_id, campaign_id=uuid.UUID(ref))
    except (ValueError, NotFound):
        pass
    pattern = "%" + ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = list(db.scalars(in_team.where(Campaign.name.ilike(pattern)).order_by(Campaign.name).limit(10)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise Ambiguous(f"Several campaigns match “{ref}”; pick one.", matches)
    raise NotFound(f"No campaign named “{ref}”.")


def update_campaign(
    db: Session, *, actor: User, campaign_id: uuid.UUID, changes: CampaignChanges
) -> Campaign:
    """Edit a campaign (owner or workspace admin only); a new landing URL rebuilds every assignment's link."""
    campaign = get_campaign(db, team_id=actor.team_id, campaign_id=campaign_id)
    if campaign.user_id != actor.id and not actor.is_admin:
        raise Forbidden("Only the campaign's owner or a workspace admin can edit it.")
    new = {}
    if changes.name is not None:
        new["name"] = _clean_name(changes.name)
        if _name_taken(db, actor.team_id, new["name"], except_id=campaign.id):
            raise Conflict(f"A campaign named “{new['name']}” already exists in this workspace.")
    if changes.landing_url is not None:
        new["landing_url"] = validate_base_url(changes.landing_url, field="landing_url")
    for field in ("utm_source", "utm_medium", "utm_campaign"):
        if getattr(changes, field) is not None:
            new[field] = _clean_utm(field, getattr(changes, field))
    if changes.status is not None:
        new["status"] = changes.status.strip().lower()
        if new["status"] not in CAMPAIGN_STATUSES:
            raise InvalidInput("status", f"Campaign status must be one of {', '.join(CAMPAIGN_STATUSES)}.")
    start = changes.start_date if changes.start_date is not None else campaign.start_date
    end = changes.end_date if changes.end_date is not None else campaign.end_date
    _check_dates(start, end)
    links: dict[uuid.UUID, str] = {}
    if "landing_url" in new:  # validate every rebuilt link before writing anything
        assignments = db.scalars(select(Assignment).where(Assignment.campaign_id == campaign.id))
        links = {
            a.id: _link(new["landing_url"], _stored_values(a, campaign), url_field="landing_url")
            for a in assignments
        }
    for field, value in new.items():
        setattr(campaign, field, value)
    campaign.start_date, campaign.end_date = start, end
    for assignment_id, url in links.items():
        db.get(Assignment, assignment_id).utm_url = url
    _flush_unique_name(db, campaign.name)
    return campaign


# --- assignments ------------------------------------------------------------------------------


def default_utm(campaign: Campaign, influencer: Influencer) -> UtmValues:
    """The UTM values an assignment gets unless the user sets its own (see the module docstring)."""
    return UtmValues(
        source=campaign.utm_source or influencer.platform,
        medium=campaign.utm_medium or DEFAULT_MEDIUM,
        campaign=campaign.utm_campaign or normalize_utm_value(campaign.name),
        content=normalize_utm_value(influencer.handle.lstrip("@")),
    )


def preview_link(campaign: Campaign, influencer: Influencer, utm: UtmValues | None = None) -> str:
    """The tracking link an assignment would get, without writing anything."""
    return _link(campaign.landing_url, _clean_values(utm or default_utm(campaign, influencer)))


def _stored_values(assignment: Assignment, campaign: Campaign) -> UtmValues:
    """The assignment's stored values; a missing required one (never after assign) takes the default."""
    fallback = default_utm(campaign, assignment.influencer)
    return UtmValues(
        source=assignment.utm_source or fallback.source,
        medium=assignment.utm_medium or fallback.medium,
        campaign=assignment.utm_campaign or fallback.campaign,
        content=assignment.utm_content,
        term=assignment.utm_term,
    )


def _store(assignment: Assignment, utm: UtmValues, url: str) -> None:
    assignment.utm_source, assignment.utm_medium, assignment.utm_campaign = (
        utm.source,
        utm.medium,
        utm.campaign,
    )
    assignment.utm_content, assignment.utm_term, assignment.utm_url = utm.content, utm.term, url


def assign_influencer(
    db: Session,
    *,
    actor: User,
    campaign_id: uuid.UUID,
    influencer_id: uuid.UUID,
    utm: UtmValues | None = None,
    notes: str | None = None,
) -> tuple[Assignment, bool]:
    """Assign an influencer to a campaign with a stored tracking link; returns (assignment, created).

    Assigning again is a no-op that returns the actor's existing assignment unchanged. An influencer is
    on a campaign once (UNIQUE(campaign_id, influencer_id)), so a teammate's assignment is a Conflict.
    """
    campaign = get_campaign(db, team_id=actor.team_id, campaign_id=campaign_id)
    influencer = db.scalar(
        select(Influencer).where(Influencer.id == influencer_id, Influencer.team_id == actor.team_id)
    )
    if influencer is None:
        raise NotFound("Influencer not found.")
    if campaign.status == "archived":
        raise InvalidInput(
            "campaign", "This campaign is archived; reactivate it before assigning influencers."
        )
    values = _clean_values(utm or default_utm(campaign, influencer))
    url = _link(campaign.landing_url, values)
    # ON CONFLICT DO NOTHING: two concurrent assigns cannot both insert, and neither breaks the transaction.
    new_id = db.scalar(
        insert(Assignment)
        .values(
            campaign_id=campaign.id,
            influencer_id=influencer.id,
            user_id=actor.id,
            utm_source=values.source,
            utm_medium=values.medium,
            utm_campaign=values.campaign,
            utm_content=values.content,
            utm_term=values.term,
            utm_url=url,
            notes=(notes or "").strip() or None,
        )
        .on_conflict_do_nothing(index_elements=["campaign_id", "influencer_id"])
        .returning(Assignment.id)
    )
    if new_id is not None:
        return db.get_one(Assignment, new_id), True
    existing = db.scalar(
        select(Assignment).where(
            Assignment.campaign_id == campaign.id, Assignment.influencer_id == influencer.id
        )
    )
    if existing.user_id != actor.id:
        raise Conflict(
            f"{influencer.name} is already assigned to {campaign.name} by a teammate; an influencer can be "
            "on a campaign once. Ask your teammate for the tracking link, or pick another influencer."
        )
    return existing, False


def list_assignments(db: Session, *, actor: User, campaign_id: uuid.UUID | None = None) -> list[Assignment]:
    """The actor's assignments, newest first, optionally for one campaign."""
    query = select(Assignment).where(Assignment.user_id == actor.id).order_by(Assignment.created_at.desc())
    if campaign_id is not None:
        query = query.where(Assignment.campaign_id == campaign_id)
    return list(db.scalars(query))


def get_assignment(
    db: Session, *, actor: User, campaign_id: uuid.UUID, influencer_id: uuid.UUID
) -> Assignment:
    """The actor's assignment of this influencer to this campaign; NotFound otherwise."""
    assignment = db.scalar(
        select(Assignment).where(
            Assignment.campaign_id == campaign_id,
            Assignment.influencer_id == influencer_id,
            Assignment.user_id == actor.id,
        )
    )
    if assignment is None:
        raise NotFound(_ASSIGNMENT_NOT_FOUND)
    return assignment


def get_assignment_by_id(db: Session, *, actor: User, assignment_id: uuid.UUID) -> Assignment:
    """The actor's assignment with this id; NotFound for a missing or a teammate's one."""
    assignment = db.scalar(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.user_id == actor.id)
    )
    if assignment is None:
        raise NotFound(_ASSIGNMENT_NOT_FOUND)
    return assignment


def set_assignment_status(
    db: Session, *, actor: User, campaign_id: uuid.UUID, influencer_id: uuid.UUID, status: str
) -> Assignment:
    """Move the actor's assignment to planned, active, completed or cancelled."""
    status = (status or "").strip().lower()
    if status not in ASSIGNMENT_STATUSES:
        raise InvalidInput("status", f"Assignment status must be one of {', '.join(ASSIGNMENT_STATUSES)}.")
    assignment = get_assignment(db, actor=actor, campaign_id=campaign_id, influencer_id=influencer_id)
    assignment.status = status
    db.flush()
    return assignment


def update_assignment_utm(
    db: Session, *, actor: User, assignment_id: uuid.UUID, utm: UtmValues
) -> Assignment:
    """Replace the actor's assignment's UTM values and rebuild its link."""
    values = _clean_values(utm)
    assignment = get_assignment_by_id(db, actor=actor, assignment_id=assignment_id)
    url = _link(assignment.campaign.landing_url, values)
    _store(assignment, values, url)
    db.flush()
    return assignment


def regenerate_link(db: Session, *, actor: User, assignment_id: uuid.UUID) -> Assignment:
    """Rebuild the link from the campaign's current landing URL and the assignment's stored values."""
    assignment = get_assignment_by_id(db, actor=actor, assignment_id=assignment_id)
    values = _clean_values(_stored_values(assignment, assignment.campaign))
    _store(assignment, values, _link(assignment.campaign.landing_url, values))
    db.flush()
    return assignment
