"""Taking a creator off one's list and bringing it back: archive, restore, list the archived.

Archiving (`/crm remove`) sets `archived_at` and changes nothing else, so restoring it (Undo,
Restore, `/crm restore`, `/crm add`) gives back the relationship exactly: status, priority, tags,
notes and follow-up. While archived it is off every list, `due`, App Home, search's "my list" parts
and the reminders (its pending reminder is cancelled now; the scheduler skips archived ones too).
Its interactions and assignments stay, and admin analytics still count them.

Both directions are idempotent (archiving an archived relationship, restoring an active one,
changes nothing and says so through the returned flag), so a double click applies once. Every
query filters by the acting user: a forged id finds nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.clock import resolve_now
from crm.errors import NotFound, NotOnList
from crm.models import Delivery, Relationship, User
from crm.relationship_list import Page, RelationshipFilter, list_relationships
from crm.scoped import get_relationship


def _load(db: Session, actor: User, influencer_id: uuid.UUID) -> Relationship:
    try:
        return get_relationship(
            db, actor=actor, influencer_id=influencer_id, for_update=True, archived_ok=True
        )
    except NotOnList as exc:  # removing or restoring: "add them" is not the answer here
        if exc.who is None:
            raise
        raise NotFound(f"{exc.who} isn't on your list; nothing was changed.") from None


def archive_relationship(
    db: Session, *, actor: User, influencer_id: uuid.UUID, now: datetime | None = None
) -> tuple[Relationship, bool]:
    """Take the creator off the actor's list; returns (relationship, archived now).

    NotFound, naming the creator, when the actor has no relationship with them. Its pending
    follow-up reminder that no worker is posting right now is cancelled (one being posted finishes;
    the scheduler's own check skips archived relationships from then on).
    """
    now = resolve_now(now)
    relationship = _load(db, actor, influencer_id)
    if relationship.archived_at is not None:
        return relationship, False
    relationship.archived_at = now
    db.execute(
        update(Delivery)
        .where(
            Delivery.relationship_id == relationship.id,
            Delivery.kind == "follow_up_reminder",
            Delivery.status == "pending",
            (Delivery.claimed_until.is_(None)) | (Delivery.claimed_until <= now),
        )
        .values(status="cancelled", claimed_by=None, claimed_until=None)
    )
    db.flush()
    return relationship, True


def restore_relationship(db: Session, *, actor: User, influencer_id: uuid.UUID) -> tuple[Relationship, bool]:
    """Put an archived relationship back on the actor's list as it was; returns (relationship,
    restored now). NotFound, naming the creator, when the actor has no relationship with them."""
    relationship = _load(db, actor, influencer_id)
    if relationship.archived_at is None:
        return relationship, False
    relationship.archived_at = None
    db.flush()
    return relationship, True


def is_archived(db: Session, *, actor: User, influencer_id: uuid.UUID) -> bool:
    """Whether the actor's relationship with this creator exists and is archived."""
    return (
        db.scalar(
            select(Relationship.archived_at.is_not(None)).where(
                Relationship.user_id == actor.id, Relationship.influencer_id == influencer_id
            )
        )
        is True
    )


def archived_relationships(db: Session, *, actor: User, limit: int = 20, offset: int = 0) -> Page:
    """A page of the actor's archived relationships (strongest first), with their total."""
    return list_relationships(
        db, actor=actor, filters=RelationshipFilter(archived=True, limit=limit, offset=offset)
    )
