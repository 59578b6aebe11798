"""Loading the acting user's relationships: the `user_id = actor` filter lives in every query here.

A relationship id or influencer id that belongs to someone else finds nothing, and the error says the
same thing as for an id that does not exist, so ids cannot be probed. The influencer is joined in the
same statement (it is on every card and message), never lazy-loaded.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from crm.errors import NotFound
from crm.models import Relationship, User

NOT_ON_LIST = "That influencer isn't on your list."
NOT_FOUND = "That relationship doesn't exist or isn't yours."


def actor_relationships(actor: User) -> Select[tuple[Relationship]]:
    """SELECT the actor's relationships with their influencer joined in."""
    return (
        select(Relationship)
        .options(joinedload(Relationship.influencer, innerjoin=True))
        .where(Relationship.user_id == actor.id)
    )


def get_relationship(
    db: Session, *, actor: User, influencer_id: uuid.UUID, for_update: bool = False
) -> Relationship:
    """The actor's relationship with this influencer; NotFound when it is not on the actor's list.

    `for_update` locks the row for a read-modify-write (tags, appended notes) so concurrent edits
    cannot lose each other's changes.
    """
    stmt = actor_relationships(actor).where(Relationship.influencer_id == influencer_id)
    if for_update:
        stmt = stmt.with_for_update(of=Relationship)
    relationship = db.scalars(stmt).one_or_none()
    if relationship is None:
        raise NotFound(NOT_ON_LIST)
    return relationship


def get_relationship_by_id(
    db: Session, *, actor: User, relationship_id: uuid.UUID, for_update: bool = False
) -> Relationship:
    """The actor's relationship with this id; NotFound for another user's or a missing one."""
    stmt = actor_relationships(actor).where(Relationship.id == relationship_id)
    if for_update:
        stmt = stmt.with_for_update(of=Relationship)
    relationship = db.scalars(stmt).one_or_none()
    if relationship is None:
        raise NotFound(NOT_FOUND)
    return relationship
