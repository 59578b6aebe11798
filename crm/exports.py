"""CSV exports: one user's relationships, a campaign's assignments, a whole workspace (the CLI).

The relationship columns are exactly the ones the import engine (crm/imports/) reads, so an export
imports back unchanged: RELATIONSHIP_COLUMNS, tags joined with TAG_SEPARATOR, instants as ISO 8601
in the user's timezone with its offset (`2026-12-24T09:00:00+01:00`).

Files are UTF-8 with a byte-order mark: Excel opens a CSV without one in the system's legacy code
page (cp1252 on most Windows machines), which garbles every accented name and emoji; with the BOM it
reads UTF-8. Python's csv module, LibreOffice, Google Sheets and our importer all accept the BOM.

Rows are read from PostgreSQL in batches (`yield_per`) as plain column tuples, not ORM objects,
and written straight to the output, so a 50,000-row export holds one batch of rows at a time
(benchmarks/export.py). The `write_*` functions stream to a binary file and return the row count;
the `*_csv` functions return the bytes, for a Slack upload.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crm.cadence import as_words
from crm.clicks import click_columns
from crm.clock import zone_of
from crm.errors import Forbidden, NotFound
from crm.imports.columns import FIELDS
from crm.links import short_link
from crm.models import Assignment, Campaign, Influencer, Relationship, User
from crm.relationship_list import RelationshipFilter, relationship_conditions

# The columns crm.imports reads, in its order, so an export imports back as it is.
RELATIONSHIP_COLUMNS: tuple[str, ...] = FIELDS
# The workspace export (crm-bot export) adds whose relationship each row is.
TEAM_COLUMNS: tuple[str, ...] = (*RELATIONSHIP_COLUMNS, "user")
# A campaign's assignments; with short links on (CRM_PUBLIC_URL), LINK_COLUMNS follow.
CAMPAIGN_COLUMNS: tuple[str, ...] = (
    "campaign",
    "name",
    "platform",
    "handle",
    "profile_url",
    "status",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "utm_link",
    "notes",
    "assigned_by",
    "assigned_at",
)
# Short link and its clicks (crm.clicks: raw and rolled-up), when short links are on.
LINK_COLUMNS: tuple[str, ...] = ("short_link", "clicks", "clicks_last_7_days")
TAG_SEPARATOR = "; "
# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Rows fetched from PostgreSQL per round trip while streaming.
BATCH_ROWS = 2_000


def neutralize(value: str) -> str:
    """`value` safe from CSV formula injection: prefixed with `'` when a spreadsheet would run it.

    OWASP's advice: a leading `'` makes the cell text in every spreadsheet. For the round trip the
    importer must drop a `'` that precedes one of FORMULA_TRIGGERS (an exported `-note` is `'-note`).
    """
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value: Any, tz: ZoneInfo) -> str:
    """One CSV cell: instants in `tz` as ISO 8601 with offset, tags joined, text neutralized."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(timespec="seconds")
    if isinstance(value, list | tuple):
        return neutralize(TAG_SEPARATOR.join(str(v) for v in value))
    return neutralize(str(value))


def _write(out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write a UTF-8-with-BOM CSV of `header` and `rows` to `out`; the number of rows written."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller
    return count


def _stream(db: Session, stmt: Select) -> Iterable[Any]:
    return db.execute(stmt.execution_options(yield_per=BATCH_ROWS))


def _relationship_columns() -> tuple:
    return (
        Influencer.name,
        Influencer.platform,
        Influencer.handle,
        Influencer.profile_url,
        Influencer.email,
        Influencer.follower_count,
        Relationship.status,
        Relationship.priority,
        Relationship.tags,
        Relationship.notes,
        Relationship.follow_up_date,
        Relationship.last_contacted_at,
        Relationship.cadence_days,
    )


def _relationship_cells(values: Sequence[Any], tz: ZoneInfo) -> list[str]:
    """One relationship's cells in RELATIONSHIP_COLUMNS order; the cadence in words ("2 weeks"),
    as `/crm cadence` and the import read it."""
    *fields, cadence_days = values
    return [*(_cell(v, tz) for v in fields), as_words(cadence_days) or ""]


def write_relationships(db: Session, out: IO[bytes], *, actor: User, filters: RelationshipFilter) -> int:
    """The actor's relationships matching `filters` (archived ones only when `filters.archived`), by
    name, as CSV to `out`; returns the row count. Sort, limit and offset of `filters` are ignored."""
    tz = zone_of(actor.timezone)
    stmt = (
        select(*_relationship_columns())
        .join(Influencer, Influencer.id == Relationship.influencer_id)
        .where(*relationship_conditions(actor=actor, filters=filters))
        .order_by(func.lower(Influencer.name), Relationship.id)
    )
    rows = (_relationship_cells(row, tz) for row in _stream(db, stmt))
    return _write(out, RELATIONSHIP_COLUMNS, rows)


def relationships_csv(db: Session, *, actor: User, filters: RelationshipFilter) -> bytes:
    """write_relationships as bytes."""
    out = io.BytesIO()
    write_relationships(db, out, actor=actor, filters=filters)
    return out.getvalue()


def write_team(db: Session, out: IO[bytes], *, team_id: str, user_id: str | None = None) -> int:
    """Every relationship in workspace `team_id` not archived (only Slack user `user_id`'s when
    given), by user then name, each row's instants in its user's timezone; returns the row count.

    For admins at the command line (crm-bot export): no acting user, so no ownership filter.
    NotFound when `user_id` is not a user of the workspace.
    """
    conditions = [User.team_id == team_id, Relationship.archived_at.is_(None)]
    if user_id is not None:
        known = db.scalar(select(User.id).where(User.team_id == team_id, User.slack_user_id == user_id))
        if known is None:
            raise NotFound(f"No user {user_id} in workspace {team_id}.")
        conditions.append(User.id == known)
    stmt = (
        select(*_relationship_columns(), User.slack_user_id, User.timezone)
        .join(Influencer, Influencer.id == Relationship.influencer_id)
        .join(User, User.id == Relationship.user_id)
        .where(*conditions)
        .order_by(User.slack_user_id, func.lower(Influencer.name), Relationship.id)
    )

    def rows() -> Iterable[list[str]]:
        zones: dict[str | None, ZoneInfo] = {}
        for *values, slack_user_id, timezone in _stream(db, stmt):
            tz = zones.get(timezone) or zones.setdefault(timezone, zone_of(timezone))
            yield [*_relationship_cells(values, tz), _cell(slack_user_id, tz)]

    return _write(out, TEAM_COLUMNS, rows())


def team_csv(db: Session, *, team_id: str, user_id: str | None = None) -> bytes:
    """write_team as bytes."""
    out = io.BytesIO()
    write_team(db, out, team_id=team_id, user_id=user_id)
    return out.getvalue()


def exportable_campaign(db: Session, *, actor: User, campaign_id: uuid.UUID) -> Campaign:
    """The campaign, if it is in the actor's workspace (NotFound otherwise)."""
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.team_id != actor.team_id:
        raise NotFound("No such campaign in this workspace.")
    return campaign


def write_campaign(
    db: Session,
    out: IO[bytes],
    *,
    actor: User,
    campaign_id: uuid.UUID,
    crm_admin: bool = False,
    public_url: str | None = None,
    now: datetime | None = None,
) -> int:
    """A campaign's assignments as CSV to `out`, by influencer name; returns the row count.

    Who sees which rows: anyone in the workspace exports the assignments they made themselves
    (assignments belong to their user, as relationships do); a CRM admin (CRM_ADMIN_USER_IDS, the
    caller says) exports everyone's. Forbidden for a non-admin who assigned nobody to it, so an empty
    file never suggests the campaign is empty. With `public_url` (CRM_PUBLIC_URL) each row also has
    its short link and clicks (LINK_COLUMNS).
    """
    campaign = exportable_campaign(db, actor=actor, campaign_id=campaign_id)
    conditions = [Assignment.campaign_id == campaign.id]
    if not crm_admin:
        conditions.append(Assignment.user_id == actor.id)
        mine = db.scalar(select(func.count()).select_from(Assignment).where(*conditions))
        if not mine:
            raise Forbidden(
                f"You have assigned no one to “{campaign.name}”; you can export the assignments"
                " you made, and CRM admins everyone's."
            )
    tz = zone_of(actor.timezone)
    stmt = (
        select(
            Influencer.name,
            Influencer.platform,
            Influencer.handle,
            Influencer.profile_url,
            Assignment.status,
            Assignment.utm_source,
            Assignment.utm_medium,
            Assignment.utm_campaign,
            Assignment.utm_content,
            Assignment.utm_term,
            Assignment.utm_url,
            Assignment.notes,
            func.coalesce(User.display_name, User.slack_user_id),
            Assignment.created_at,
        )
        .join(Influencer, Influencer.id == Assignment.influencer_id)
        .join(User, User.id == Assignment.user_id)
        .where(*conditions)
        .order_by(func.lower(Influencer.name), Assignment.id)
    )
    name = _cell(campaign.name, tz)
    if public_url:
        stmt = stmt.add_columns(Assignment.short_code, *click_columns(now))
        rows = (
            [name, *(_cell(v, tz) for v in row[:-3]), short_link(public_url, row[-3]), row[-2], row[-1]]
            for row in _stream(db, stmt)
        )
        return _write(out, (*CAMPAIGN_COLUMNS, *LINK_COLUMNS), rows)
    rows = ([name, *(_cell(v, tz) for v in row)] for row in _stream(db, stmt))
    return _write(out, CAMPAIGN_COLUMNS, rows)


def campaign_csv(
    db: Session,
    *,
    actor: User,
    campaign_id: uuid.UUID,
    crm_admin: bool = False,
    public_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """write_campaign as bytes (see there for who may export what, and the link columns)."""
    out = io.BytesIO()
    write_campaign(
        db, out, actor=actor, campaign_id=campaign_id, crm_admin=crm_admin, public_url=public_url, now=now
    )
    return out.getvalue()
