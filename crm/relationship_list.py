"""The actor's relationships as a filtered, sorted page with its total (`/crm list`, `/crm due`).

One statement on the actor's rows (index on user_id …) with the influencer joined in the same
statement; the total comes from count(*) OVER ().

Pages are chosen by offset, not by a keyset cursor. A page is 20 rows of one user's list (hundreds,
rarely thousands of rows on the per-user index), so skipping rows costs little; an offset pages
backwards as easily as forwards and numbers the rows ("21–40 of 57"); and the orders here end in
a looked-up name and mix NULLS LAST columns (and /crm find ranks by a computed score), which a
keyset cursor would have to carry and compare column by column. What an offset gives up — a row
may repeat or be skipped when the list changes between two clicks — is visible in the numbers
and harmless for a list one re-reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import String, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, contains_eager

from crm.errors import InvalidInput
from crm.models import Influencer, Relationship, User
from crm.relationship_fields import normalize_tags, validate_priority, validate_status

Sort = Literal["strength", "priority", "last_contact", "follow_up"]
SORTS: tuple[str, ...] = ("strength", "priority", "last_contact", "follow_up")
PAGE_MAX = 100
# How far into a list a page may start: far beyond any one user's list, and well inside a bigint.
OFFSET_MAX = 100_000


@dataclass(frozen=True, slots=True)
class RelationshipFilter:
    """Which of the actor's relationships to list, in what order, which page."""

    statuses: tuple[str, ...] = ()  # any of these (none: every status)
    tag: str | None = None
    min_priority: int | None = None
    follow_up_before: datetime | None = None
    archived: bool = False  # True: only the archived relationships (`/crm list archived`)
    sort: Sort = "strength"
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    """Rows `offset` … `offset + len(items) - 1` of the `total` that match."""

    items: list[Relationship]
    total: int
    offset: int = 0

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


def last_page_offset(total: int, limit: int) -> int:
    """Where the last page of `total` rows starts, `limit` rows a page (0 for an empty list)."""
    return max(total - 1, 0) // limit * limit


def _order(sort: str) -> list:
    # Ties (many relationships share a strength or priority) break by influencer name, then id, so
    # pages are stable. The name comes from a correlated primary-key lookup rather than a join, so
    # the page can be chosen from user_influencers alone (see list_relationships).
    name = (
        select(func.lower(Influencer.name))
        .where(Influencer.id == Relationship.influencer_id)
        .correlate(Relationship)
        .scalar_subquery()
    )
    by_name = [name, Relationship.id]
    if sort == "strength":
        return [
            Relationship.relationship_strength.desc(),
            Relationship.last_contacted_at.desc().nulls_last(),
            *by_name,
        ]
    if sort == "priority":
        return [Relationship.priority.desc(), Relationship.relationship_strength.desc(), *by_name]
    if sort == "last_contact":
        return [Relationship.last_contacted_at.desc().nulls_last(), *by_name]
    return [Relationship.follow_up_date.asc().nulls_last(), *by_name]


def _validated(filters: RelationshipFilter) -> RelationshipFilter:
    for status in filters.statuses:
        validate_status(status)
    if filters.tag is not None and len(normalize_tags([filters.tag])) != 1:
        raise InvalidInput("tag", "Filter by one tag.")
    if filters.min_priority is not None:
        validate_priority(filters.min_priority)
    before = filters.follow_up_before
    if before is not None and (not isinstance(before, datetime) or before.utcoffset() is None):
        raise InvalidInput("follow_up_before", "The follow-up cut-off needs a date and time with a timezone.")
    if not isinstance(filters.archived, bool):
        raise InvalidInput("archived", "List either the archived relationships or the others.")
    if filters.sort not in SORTS:
        raise InvalidInput("sort", f"Sort by one of: {', '.join(SORTS)}.")
    if (
        isinstance(filters.limit, bool)
        or not isinstance(filters.limit, int)
        or not 1 <= filters.limit <= PAGE_MAX
    ):
        raise InvalidInput("limit", f"Show from 1 to {PAGE_MAX} at a time.")
    if (
        isinstance(filters.offset, bool)
        or not isinstance(filters.offset, int)
        or not 0 <= filters.offset <= OFFSET_MAX
    ):
        raise InvalidInput("offset", f"The offset must be from 0 to {OFFSET_MAX:,}.")
    return filters


def relationship_conditions(*, actor: User, filters: RelationshipFilter) -> list:
    """The WHERE conditions selecting the actor's relationships that match `filters` (its sort and
    page are not conditions); shared by the list and the CSV export (crm/exports.py)."""
    filters = _validated(filters)
    conditions = [
        Relationship.user_id == actor.id,
        Relationship.archived_at.is_not(None) if filters.archived else Relationship.archived_at.is_(None),
    ]
    if filters.statuses:
        conditions.append(Relationship.status.in_([validate_status(s) for s in filters.statuses]))
    if filters.tag is not None:
        # tags @> ARRAY[tag]: the form the GIN index on tags serves (tag = ANY(tags) would not).
        tag_array = cast(normalize_tags([filters.tag]), ARRAY(String))
        conditions.append(Relationship.tags.op("@>")(tag_array))
    if filters.min_priority is not None:
        conditions.append(Relationship.priority >= filters.min_priority)
    if filters.follow_up_before is not None:
        conditions.append(Relationship.follow_up_date < filters.follow_up_before)
    return conditions


def list_relationships(
    db: Session, *, actor: User, filters: RelationshipFilter = RelationshipFilter()
) -> Page:
    """A page of the actor's relationships matching `filters`, with the total count, in one statement.

    A page past the end (the list shrank since a Next button was made) comes back as the last page,
    with its own offset, so paging never leads to an empty message while rows match.
    """
    filters = _validated(filters)
    conditions = relationship_conditions(actor=actor, filters=filters)
    # One statement in two steps: pick the page from the actor's user_influencers rows (index on
    # user_id), counting them all with a window; then join the page's rows to their influencers by
    # primary key. Joining before paging would let the planner hash-join against the whole
    # influencer directory to fetch a 20-row page.
    order = _order(filters.sort)
    page = (
        select(
            Relationship.id.label("id"),
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("position"),
        )
        .where(*conditions)
        .order_by(*order)
        .limit(filters.limit)
        .offset(filters.offset)
        .subquery("page")
    )
    stmt = (
        select(Relationship, page.c.total)
        .join(page, page.c.id == Relationship.id)
        .join(Relationship.influencer)
        .options(contains_eager(Relationship.influencer))
        .order_by(page.c.position)
    )
    rows = db.execute(stmt).all()
    if rows:
        return Page(items=[row[0] for row in rows], total=rows[0][1], offset=filters.offset)
    if filters.offset == 0:
        return Page(items=[], total=0)
    # Past the last page the window count has no row to ride on: count separately (rare), then
    # show the last page there is.
    total = db.scalar(select(func.count()).select_from(Relationship).where(*conditions)) or 0
    if total == 0:
        return Page(items=[], total=0)
    return list_relationships(
        db, actor=actor, filters=replace(filters, offset=last_page_offset(total, filters.limit))
    )
