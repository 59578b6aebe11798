"""Assignments of influencers to campaigns, and the UTM values and tracking links they carry.

UTM defaults for an assignment (`default_utm`), chosen so a GA4 report splits by creator without
any setup: source = the campaign's utm_source, else the influencer's platform ("instagram");
medium = the campaign's utm_medium, else "influencer"; campaign = the campaign's utm_campaign, else
its name folded to ASCII ("spring-sale-2026", `campaign_utm_name`); content = the influencer's
handle ("maya.creates"); no term.
An assignment stores its (normalized) values and the generated `utm_url`; the link is rebuilt from
them whenever they or the campaign's landing URL change (crm.campaigns.update_campaign).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from sqlalchemy import and_, delete, select, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.errors import Conflict, InvalidInput, NotFound
from crm.models import ASSIGNMENT_STATUSES, Assignment, Campaign, Influencer, LinkClick, LinkClickDay, User
from crm.profiles import creator_name
from crm.text import clean_text, fold
from crm.utm import UTMError, build_utm_url, normalize_utm_value

MAX_UTM_LENGTH = 100  # the utm_* columns are VARCHAR(100)
DEFAULT_MEDIUM = "influencer"
_CAMPAIGN_NOT_FOUND = "Campaign not found."  # the same words as crm.campaigns.get_campaign
_ASSIGNMENT_NOT_FOUND = "Assignment not found."
NOTES_MAX = 10_000
ASSIGN_AT_ONCE_MAX = 50  # influencers one command assigns together (assign_several)


@dataclass(frozen=True, slots=True)
class UtmValues:
    """UTM values of one assignment's link; blank optional values are left out of the link."""

    source: str
    medium: str
    campaign: str
    content: str | None = None
    term: str | None = None


# --- UTM values and links -------------------------------------------------------------------


def clean_utm_value(field: str, value: str | None) -> str | None:
    """A normalized UTM value, None when blank; InvalidInput(field) when too long for its column."""
    cleaned = clean_text(value, field=field, max_len=None, label="A UTM value")
    if cleaned is None:
        return None
    cleaned = normalize_utm_value(cleaned)
    if len(cleaned) > MAX_UTM_LENGTH:
        raise InvalidInput(field, f"UTM values are limited to {MAX_UTM_LENGTH} characters.")
    return cleaned


def tracking_link(landing_url: str, utm: UtmValues, *, url_field: str = "url") -> str:
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


def clean_utm_values(utm: UtmValues) -> UtmValues:
    """Each value normalized and length-checked; source, medium and campaign must not be blank."""
    cleaned = {f.name: clean_utm_value(f"utm_{f.name}", getattr(utm, f.name)) for f in fields(UtmValues)}
    for name in ("source", "medium", "campaign"):
        if cleaned[name] is None:
            raise InvalidInput(f"utm_{name}", f"The UTM {name} is required and cannot be blank.")
    return UtmValues(**cleaned)


def campaign_utm_name(name: str) -> str:
    """A campaign's name as its default utm_campaign: accents off, lower-case letters and digits
    joined by "-" ("Été Glow 2026!" → "ete-glow-2026"), so that reports and links read the same in
    every tool. A name in another script keeps its letters ("春のセール"), trimmed and lower-cased."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", fold(name)) if not unicodedata.combining(c))
    if any(c.isalnum() and not c.isascii() for c in bare):
        return normalize_utm_value(name)[:MAX_UTM_LENGTH]
    joined = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")[:MAX_UTM_LENGTH].strip("-")
    return joined or normalize_utm_value(name)


def default_utm(campaign: Campaign, influencer: Influencer) -> UtmValues:
    """The UTM values an assignment gets unless the user sets its own (see the module docstring)."""
    return UtmValues(
        source=campaign.utm_source or influencer.platform,
        medium=campaign.utm_medium or DEFAULT_MEDIUM,
        campaign=campaign.utm_campaign or campaign_utm_name(campaign.name),
        content=normalize_utm_value(influencer.handle.lstrip("@")),
    )


def preview_link(campaign: Campaign, influencer: Influencer, utm: UtmValues | None = None) -> str:
    """The tracking link an assignment would get, without writing anything."""
    return tracking_link(campaign.landing_url, clean_utm_values(utm or default_utm(campaign, influencer)))


def stored_utm(assignment: Assignment, campaign: Campaign) -> UtmValues:
    """The assignment's stored values; a missing required one (never after assign) takes the default."""
    fallback = default_utm(campaign, assignment.influencer)
    return UtmValues(
        source=assignment.utm_source or fallback.source,
        medium=assignment.utm_medium or fallback.medium,
        campaign=assignment.utm_campaign or fallback.campaign,
        content=assignment.utm_content,
        term=assignment.utm_term,
    )


# --- assignments ------------------------------------------------------------------------------


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
    notes = clean_text(notes, field="notes", max_len=NOTES_MAX, multiline=True, label="Notes")
    # Campaign and influencer in one statement, both checked against the actor's workspace.
    # FOR SHARE OF the campaign: an edit of its landing page (crm.campaigns.update_campaign, FOR
    # UPDATE) finishes first, so this link is built from the landing page that is committed.
    found = db.execute(
        select(Campaign, Influencer)
        .outerjoin(Influencer, and_(Influencer.id == influencer_id, Influencer.team_id == actor.team_id))
        .where(Campaign.id == campaign_id, Campaign.team_id == actor.team_id)
        .with_for_update(read=True, of=Campaign)
    ).one_or_none()
    if found is None:
        raise NotFound(_CAMPAIGN_NOT_FOUND)
    campaign, influencer = found
    if influencer is None:
        raise NotFound("Influencer not found.")
    if campaign.status == "archived":
        raise InvalidInput(
            "campaign", "This campaign is archived; reactivate it before assigning influencers."
        )
    values = clean_utm_values(utm or default_utm(campaign, influencer))
    url = tracking_link(campaign.landing_url, values)
    # ON CONFLICT DO NOTHING: two concurrent assigns cannot both insert, and neither breaks the transaction.
    created = db.scalars(
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
            notes=notes,
        )
        .on_conflict_do_nothing(index_elements=["campaign_id", "influencer_id"])
        .returning(Assignment)
    ).one_or_none()
    if created is not None:
        return created, True
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


@dataclass(frozen=True, slots=True)
class Assigned:
    """What assign_several did: the assignments it made, the actor's own it found already there
    (left as they were), and the influencers a teammate has on the campaign (not assigned)."""

    created: list[Assignment] = field(default_factory=list)
    already: list[Assignment] = field(default_factory=list)
    teammates: list[uuid.UUID] = field(default_factory=list)


def _at_most_at_once(count: int) -> None:
    if count > ASSIGN_AT_ONCE_MAX:
        said = f"At most {ASSIGN_AT_ONCE_MAX} influencers are taken at once; these are {count}."
        raise InvalidInput("influencers", said)


def _several(influencer_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The influencers a command names, each once, in order: at least one, at most ASSIGN_AT_ONCE_MAX."""
    ids = list(dict.fromkeys(influencer_ids))
    if not ids:
        raise InvalidInput("influencers", "Name at least one influencer.")
    _at_most_at_once(len(ids))
    return ids


def assign_several(
    db: Session, *, actor: User, campaign_id: uuid.UUID, influencer_ids: Sequence[uuid.UUID]
) -> Assigned:
    """Assign several influencers to a campaign, each with the default UTM values (assign_influencer,
    one after another, in the order given, each once). An influencer the actor has on the campaign
    already is left as it is; one a teammate has is not assigned. At most ASSIGN_AT_ONCE_MAX."""
    done = Assigned()
    for influencer_id in _several(influencer_ids):
        try:
            assignment, created = assign_influencer(
                db, actor=actor, campaign_id=campaign_id, influencer_id=influencer_id
            )
        except Conflict:
            done.teammates.append(influencer_id)
            continue
        (done.created if created else done.already).append(assignment)
    return done


def assignments_among(
    db: Session,
    *,
    actor: User,
    campaign_id: uuid.UUID,
    assignment_ids: Sequence[uuid.UUID],
    lock: bool = False,
) -> list[Assignment]:
    """The actor's assignments on this campaign among `assignment_ids` (ids that came back from
    Slack: a teammate's, another campaign's or a deleted one are passed over); `lock`: FOR UPDATE."""
    ids = list(dict.fromkeys(assignment_ids))
    _at_most_at_once(len(ids))
    stmt = select(Assignment).where(
        Assignment.id.in_(ids), Assignment.user_id == actor.id, Assignment.campaign_id == campaign_id
    )
    return list(db.scalars(stmt.with_for_update() if lock else stmt))


def take_back(
    db: Session, *, actor: User, campaign_id: uuid.UUID, assignment_ids: Sequence[uuid.UUID]
) -> tuple[int, list[Assignment]]:
    """Undo of assign_several: delete those of `assignment_ids` that are the actor's on this campaign
    and untouched since they were made (still planned, never edited, never clicked). Returns how
    many were deleted and the actor's others among them, kept (moved along, edited or clicked)."""
    mine = assignments_among(
        db, actor=actor, campaign_id=campaign_id, assignment_ids=assignment_ids, lock=True
    )
    ids = [a.id for a in mine]
    clicked = set(
        db.scalars(
            union(
                select(LinkClick.assignment_id).where(LinkClick.assignment_id.in_(ids)),
                select(LinkClickDay.assignment_id).where(LinkClickDay.assignment_id.in_(ids)),
            )
        )
    )
    untouched = [
        a for a in mine if a.status == "planned" and a.updated_at == a.created_at and a.id not in clicked
    ]
    if untouched:
        db.execute(delete(Assignment).where(Assignment.id.in_([a.id for a in untouched])))
    return len(untouched), [a for a in mine if a not in untouched]


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
        raise _not_assigned(db, actor=actor, campaign_id=campaign_id, influencer_id=influencer_id)
    return assignment


class NotAssigned(NotFound):
    """The actor has no assignment of this influencer to this campaign; `by_teammate` when a
    teammate has (an influencer is on a campaign once, so the actor cannot assign them too)."""

    def __init__(self, message: str, *, by_teammate: bool) -> None:
        super().__init__(message)
        self.by_teammate = by_teammate


def _not_assigned(db: Session, *, actor: User, campaign_id: uuid.UUID, influencer_id: uuid.UUID) -> NotFound:
    """The precise error for a missing assignment: which of campaign and influencer is unknown, or
    that this influencer is not on this campaign (by the actor, or by a teammate)."""
    campaign = db.scalar(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.team_id == actor.team_id)
    )
    if campaign is None:
        return NotFound(_CAMPAIGN_NOT_FOUND)
    influencer = db.scalar(
        select(Influencer).where(Influencer.id == influencer_id, Influencer.team_id == actor.team_id)
    )
    if influencer is None:
        return NotFound("Influencer not found.")
    who = creator_name(influencer.name, influencer.handle, influencer.platform)
    theirs = db.scalar(
        select(Assignment.id).where(
            Assignment.campaign_id == campaign_id, Assignment.influencer_id == influencer_id
        )
    )
    if theirs is not None:
        return NotAssigned(
            f"{who} is on “{campaign.name}” through a teammate's assignment, not yours; "
            "only they can change it.",
            by_teammate=True,
        )
    return NotAssigned(f"{who} is not assigned to “{campaign.name}” by you.", by_teammate=False)


def get_assignment_by_id(db: Session, *, actor: User, assignment_id: uuid.UUID) -> Assignment:
    """The actor's assignment with this id; NotFound for a missing or a teammate's one."""
    assignment = db.scalar(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.user_id == actor.id)
    )
    if assignment is None:
        raise NotFound(_ASSIGNMENT_NOT_FOUND)
    return assignment


def assignment_status_named(word: str) -> str | None:
    """The assignment status `word` names, in any case ("canceled", the US spelling, is cancelled),
    or None."""
    cleaned = (word or "").strip().lower()
    cleaned = "cancelled" if cleaned == "canceled" else cleaned
    return cleaned if cleaned in ASSIGNMENT_STATUSES else None


def _status(word: str) -> str:
    """The assignment status `word` names (assignment_status_named), else InvalidInput("status")."""
    named = assignment_status_named(word)
    if named is None:
        raise InvalidInput("status", f"Assignment status must be one of {', '.join(ASSIGNMENT_STATUSES)}.")
    return named


def set_assignment_status(
    db: Session, *, actor: User, campaign_id: uuid.UUID, influencer_id: uuid.UUID, status: str
) -> tuple[Assignment, str]:
    """Move the actor's assignment to planned, active, completed or cancelled; returns it and the
    status it had (for Undo: put_back_statuses)."""
    status = _status(status)
    assignment = get_assignment(db, actor=actor, campaign_id=campaign_id, influencer_id=influencer_id)
    previous = assignment.status
    assignment.status = status
    db.flush()
    return assignment, previous


@dataclass(frozen=True, slots=True)
class Moved:
    """What set_several_statuses did: the assignments it moved, each with the status it had before;
    those at that status already; the influencers with no assignment of the actor's on the campaign
    (a teammate's, or none), which stay as they are."""

    moved: list[tuple[Assignment, str]] = field(default_factory=list)
    already: list[Assignment] = field(default_factory=list)
    not_assigned: list[uuid.UUID] = field(default_factory=list)


def set_several_statuses(
    db: Session, *, actor: User, campaign_id: uuid.UUID, influencer_ids: Sequence[uuid.UUID], status: str
) -> Moved:
    """Move the actor's assignments of several influencers on a campaign to `status` (each once, in
    the order given; at most ASSIGN_AT_ONCE_MAX)."""
    named = _status(status)
    ids = _several(influencer_ids)
    # The actor's own assignments only (a campaign of another workspace has none), in one read.
    mine = {
        a.influencer_id: a
        for a in db.scalars(
            select(Assignment)
            .where(
                Assignment.campaign_id == campaign_id,
                Assignment.user_id == actor.id,
                Assignment.influencer_id.in_(ids),
            )
            .with_for_update()
        )
    }
    done = Moved()
    for influencer_id in ids:
        assignment = mine.get(influencer_id)
        if assignment is None:
            done.not_assigned.append(influencer_id)
            continue
        if assignment.status == named:
            done.already.append(assignment)
            continue
        done.moved.append((assignment, assignment.status))
        assignment.status = named
    db.flush()
    return done


def put_back_statuses(
    db: Session, *, actor: User, campaign_id: uuid.UUID, moved_to: str, before: Mapping[uuid.UUID, str]
) -> tuple[int, list[Assignment]]:
    """Undo of set_several_statuses: each of the actor's assignments on this campaign among `before`
    (assignment id → the status it had) that is still at `moved_to` goes back. Returns how many
    went back, and the actor's others among them, kept as they were changed since."""
    for status in (moved_to, *before.values()):
        _status(status)
    mine = assignments_among(db, actor=actor, campaign_id=campaign_id, assignment_ids=list(before), lock=True)
    back = [a for a in mine if a.status == moved_to]
    for assignment in back:
        assignment.status = before[assignment.id]
    db.flush()
    return len(back), [a for a in mine if a not in back]


def update_assignment(
    db: Session, *, actor: User, assignment_id: uuid.UUID, utm: UtmValues, notes: str | None
) -> Assignment:
    """Replace the actor's assignment's UTM values (rebuilding its link) and notes (blank: none)."""
    values = clean_utm_values(utm)
    notes = clean_text(notes, field="notes", max_len=NOTES_MAX, multiline=True, label="Notes")
    assignment = get_assignment_by_id(db, actor=actor, assignment_id=assignment_id)
    url = tracking_link(_landing_url(db, assignment), values)
    _store(assignment, values, url)
    assignment.notes = notes
    db.flush()
    return assignment


def regenerate_link(db: Session, *, actor: User, assignment_id: uuid.UUID) -> Assignment:
    """Rebuild the link from the campaign's current landing URL and the assignment's stored values."""
    assignment = get_assignment_by_id(db, actor=actor, assignment_id=assignment_id)
    landing_url = _landing_url(db, assignment)
    values = clean_utm_values(stored_utm(assignment, assignment.campaign))
    _store(assignment, values, tracking_link(landing_url, values))
    db.flush()
    return assignment


def _landing_url(db: Session, assignment: Assignment) -> str:
    """The campaign's committed landing page, read FOR SHARE (see assign_influencer)."""
    return db.scalar(
        select(Campaign.landing_url).where(Campaign.id == assignment.campaign_id).with_for_update(read=True)
    )
