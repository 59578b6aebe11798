"""Short links of assignments: the public address of a code, and where a code leads right now.

A short link is `<CRM_PUBLIC_URL>/l/<short_code>` (crm.short_codes). It leads to the assignment's
UTM link built from the campaign's *current* landing URL and the assignment's stored UTM values, so
editing the campaign's landing page changes where every short link goes without re-issuing any.
Only stored destinations are ever used (no open redirect): nothing in the request names the target.
A cancelled assignment's link, like an unknown code, leads nowhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from crm.assignments import UtmValues, get_assignment_by_id, tracking_link
from crm.errors import InvalidInput
from crm.models import Assignment, Campaign, Influencer, User
from crm.short_codes import looks_like_code

LINK_PATH = "/l/"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a short link leads now: the assignment it counts for and the URL to redirect to."""

    assignment_id: uuid.UUID
    url: str


def short_link(public_url: str, code: str) -> str:
    """`https://crm.example.com/l/Ab3dE7kQ` for the base `public_url` (no trailing slash needed)."""
    return f"{public_url.rstrip('/')}{LINK_PATH}{code}"


# One indexed look-up (the UNIQUE index on short_code) joined to the campaign's landing page; built
# once, so each redirect reuses SQLAlchemy's compiled form.
_RESOLVE = (
    select(
        Assignment.id,
        Assignment.status,
        Assignment.utm_source,
        Assignment.utm_medium,
        Assignment.utm_campaign,
        Assignment.utm_content,
        Assignment.utm_term,
        Assignment.utm_url,
        Campaign.landing_url,
    )
    .join(Campaign, Campaign.id == Assignment.campaign_id)
    .where(Assignment.short_code == bindparam("code"))
)


def resolve(conn: Connection | Session, *, code: str) -> Destination | None:
    """Where the short link with `code` leads, or None for an unknown code or a cancelled assignment.

    One SELECT; a code that does not have the shape of one is refused before any query.
    """
    if not looks_like_code(code):
        return None
    row = conn.execute(_RESOLVE, {"code": code}).one_or_none()
    if row is None or row.status == "cancelled":
        return None
    url = _destination_url(row)
    return Destination(row.id, url) if url else None


def _destination_url(row) -> str | None:
    """The UTM link from the campaign's landing URL now; the stored link if that cannot be built."""
    if row.utm_source and row.utm_medium and row.utm_campaign:
        built = _utm_link(
            row.landing_url, row.utm_source, row.utm_medium, row.utm_campaign, row.utm_content, row.utm_term
        )
        if built is not None:
            return built
    return row.utm_url  # a landing page that no longer makes a valid link: the last good one


@lru_cache(maxsize=4096)
def _utm_link(
    landing_url: str, source: str, medium: str, campaign: str, content: str | None, term: str | None
) -> str | None:
    """tracking_link over these exact inputs, remembered: a pure function of them, so a changed
    landing page is a new key, and a redirect skips re-validating and re-encoding a hot link."""
    try:
        return tracking_link(landing_url, UtmValues(source, medium, campaign, content, term))
    except InvalidInput:
        return None


@dataclass(frozen=True, slots=True)
class LinkOf:
    """An assignment of the actor's, with what its short link card needs."""

    assignment: Assignment
    campaign: Campaign
    influencer: Influencer


def actors_link(db: Session, *, actor: User, assignment_id: uuid.UUID) -> LinkOf:
    """The actor's assignment with this id (NotFound for a teammate's or a missing one), for the QR
    code button: the id came back from Slack, so ownership is checked in the query itself."""
    assignment = get_assignment_by_id(db, actor=actor, assignment_id=assignment_id)
    return LinkOf(assignment, assignment.campaign, assignment.influencer)
