"""Loading the acting user's relationships: the `user_id = actor` filter lives in every query here.

A relationship id or influencer id that belongs to someone else finds nothing, and the error says the
same thing as for an id that does not exist, so ids cannot be probed. The influencer is joined in the
same statement (it is on every card and message), never lazy-loaded.

Archived relationships (`/crm remove`, crm.archive) are off the actor's list: `actor_relationships`
leaves them out unless asked, and loading one to change it raises Conflict saying to restore it
first — editing an archived relationship never restores it implicitly (a stray click on an old
card must not bring a removed creator back).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from crm.errors import Conflict, NotFound
from crm.models import Influencer, Relationship, User

NOT_ON_LIST = "That influencer isn't on your list."
NOT_FOUND = "That relationship doesn't exist or isn't yours."


def archived_message(relationship: Relationship) -> str:
    """What an edit of an archived relationship answers: which one, and how to bring it back."""
    influencer = relationship.influencer
    return f"{influencer.name} is archived — /crm restore @{influencer.handle} first."


def actor_relationships(actor: User, *, archived: bool | None = False) -> Select[tuple[Relationship]]:
    """SELECT the actor's relationships with their influencer joined in: those on the list
    (`archived=False`, the default), the archived ones (True) or both (None)."""
    stmt = (
        select(Relationship)
        .options(joinedload(Relationship.influencer, innerjoin=True))
        .where(Relationship.user_id == actor.id)
    )
    if archived is not None:
        stmt = stmt.where(
            Relationship.archived_at.is_not(None) if archived else Relationship.archived_at.is_(None)
        )
    return stmt


def _usable(relationship: Relationship, archived_ok: bool) -> Relationship:
    if relationship.archived_at is not None and not archived_ok:
        raise Conflict(archived_message(relationship))
    return relationship


def get_relationship(
    db: Session,
    *,
    actor: User,
    influencer_id: uuid.UUID,
    for_update: bool = False,
    archived_ok: bool = False,
    with_profiles: bool = False,
) -> Relationship:
    """The actor's relationship with this influencer; NotFound when the actor has none, Conflict
    when it is archived (unless `archived_ok`).

    `for_update` locks the row for a read-modify-write (tags, appended notes) so concurrent edits
    cannot lose each other's changes. `with_profiles` loads the influencer's profiles in the same
    statement (the card lists them), rather than in one more when they are first read.
    """
    stmt = actor_relationships(actor, archived=None).where(Relationship.influencer_id == influencer_id)
    if for_update:
        stmt = stmt.with_for_update(of=Relationship)
    if with_profiles:
        stmt = stmt.options(
            joinedload(Relationship.influencer, innerjoin=True).joinedload(Influencer.profiles)
        )
    relationship = db.scalars(stmt).unique().one_or_none()
    if relationship is None:
        raise NotFound(NOT_ON_LIST)
    return _usable(relationship, archived_ok)


def get_relationship_by_id(
    db: Session,
    *,
    actor: User,
    relationship_id: uuid.UUID,
    for_update: bool = False,
    archived_ok: bool = False,
) -> Relationship:
    """The actor's relationship with this id; NotFound for another user's or a missing one,
    Conflict for an archived one (unless `archived_ok`)."""
    stmt = actor_relationships(actor, archived=None).where(Relationship.id == relationship_id)
    if for_update:
        stmt = stmt.with_for_update(of=Relationship)
    relationship = db.scalars(stmt).one_or_none()
    if relationship is None:
        raise NotFound(NOT_FOUND)
    return _usable(relationship, archived_ok)
