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
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Row, Select, and_, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from crm.errors import Conflict, NotFound, NotOnList
from crm.models import Influencer, InfluencerProfile, Relationship, User
from crm.profiles import BareHandle, Profile, creator_name

NOT_ON_LIST = "That influencer isn't on your list."
NOT_FOUND = "That relationship doesn't exist or isn't yours."


def not_on_list(influencer: Influencer | InfluencerSummary | None) -> NotOnList:
    """What an edit or a card of a creator the actor has not saved answers: who, and how to add them
    (None, a creator not in the actor's workspace: no one is named)."""
    if influencer is None:
        return NotOnList(NOT_ON_LIST, who=None)
    who = creator_name(influencer.name, influencer.handle, influencer.platform)
    add = f"/crm add @{influencer.handle} {influencer.platform}"
    return NotOnList(f"{who} isn't on your list. Add them with {add}.", who=who)


def archived_message(influencer: Influencer | InfluencerSummary) -> str:
    """What an edit of an archived relationship answers: which one, and how to bring it back."""
    who = creator_name(influencer.name, influencer.handle, influencer.platform)
    return f"{who} is archived — /crm restore @{influencer.handle} first."


# The actor's relationships with their influencer joined in, built once (bind `user_id`): loading
# one relationship starts most commands and clicks.
_MINE = (
    select(Relationship)
    .options(joinedload(Relationship.influencer, innerjoin=True))
    .where(Relationship.user_id == bindparam("user_id"))
)
ON_MY_LIST = _MINE.where(Relationship.archived_at.is_(None))  # bind `user_id`


def actor_relationships(actor: User, *, archived: bool | None = False) -> Select[tuple[Relationship]]:
    """SELECT the actor's relationships with their influencer joined in: those on the list
    (`archived=False`, the default), the archived ones (True) or both (None)."""
    stmt = _MINE.params(user_id=actor.id)
    if archived is not None:
        stmt = stmt.where(
            Relationship.archived_at.is_not(None) if archived else Relationship.archived_at.is_(None)
        )
    return stmt


def _usable(relationship: Relationship, archived_ok: bool) -> Relationship:
    if relationship.archived_at is not None and not archived_ok:
        raise Conflict(archived_message(relationship.influencer))
    return relationship


_BY_INFLUENCER = _MINE.where(Relationship.influencer_id == bindparam("influencer_id"))
_BY_INFLUENCER_LOCKED = _BY_INFLUENCER.with_for_update(of=Relationship)
_BY_ID = _MINE.where(Relationship.id == bindparam("relationship_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update(of=Relationship)


def get_relationship(
    db: Session,
    *,
    actor: User,
    influencer_id: uuid.UUID,
    for_update: bool = False,
    archived_ok: bool = False,
) -> Relationship:
    """The actor's relationship with this influencer; NotFound when the actor has none, Conflict
    when it is archived (unless `archived_ok`).

    `for_update` locks the row for a read-modify-write (tags, appended notes) so concurrent edits
    cannot lose each other's changes.
    """
    stmt = _BY_INFLUENCER_LOCKED if for_update else _BY_INFLUENCER
    params = {"user_id": actor.id, "influencer_id": influencer_id}
    relationship = db.scalars(stmt, params).one_or_none()
    if relationship is None:  # named only within the actor's workspace: a forged id names no one
        in_team = select(Influencer).where(
            Influencer.id == influencer_id, Influencer.team_id == actor.team_id
        )
        raise not_on_list(db.scalars(in_team).one_or_none())
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
    stmt = _BY_ID_LOCKED if for_update else _BY_ID
    relationship = db.scalars(stmt, {"user_id": actor.id, "relationship_id": relationship_id}).one_or_none()
    if relationship is None:
        raise NotFound(NOT_FOUND)
    return _usable(relationship, archived_ok)


# The relationship card's head, read as plain rows (no ORM entities: the card is the hottest read).
# Statements are built once; each filters by the actor's user id.


@dataclass(frozen=True, slots=True)
class RelationshipSummary:
    """The fields of the actor's relationship that the card shows."""

    id: uuid.UUID
    status: str
    priority: int
    relationship_strength: int
    last_contacted_at: datetime | None
    follow_up_date: datetime | None
    tags: list[str]
    notes: str | None
    archived_at: datetime | None


@dataclass(frozen=True, slots=True)
class InfluencerSummary:
    """The creator as the card shows them: the primary profile, and how many profiles they have."""

    id: uuid.UUID
    name: str
    handle: str
    platform: str
    follower_count: int | None
    profile_url: str | None
    email: str | None
    profile_count: int


_rel = Relationship.__table__
_inf = Influencer.__table__
_prof = InfluencerProfile.__table__
_RELATIONSHIP_FIELDS = [f.name for f in fields(RelationshipSummary)]
_SUMMARY_COLUMNS = (  # RelationshipSummary's fields, then InfluencerSummary's, in their order
    *(_rel.c[name] for name in _RELATIONSHIP_FIELDS),
    *(_inf.c[f.name] for f in fields(InfluencerSummary) if f.name != "profile_count"),
    select(func.count()).where(_prof.c.influencer_id == _inf.c.id).scalar_subquery().label("profile_count"),
)

_SUMMARY_BY_INFLUENCER = (
    select(*_SUMMARY_COLUMNS)
    .select_from(_rel.join(_inf, _inf.c.id == _rel.c.influencer_id))
    .where(_rel.c.user_id == bindparam("user_id"), _rel.c.influencer_id == bindparam("influencer_id"))
)


def _named_by(hit) -> Select:
    """The creators of the team with a profile matching `hit`, with the actor's relationship (if
    any): at most two, since two already mean "ambiguous"."""
    matching = select(_prof.c.influencer_id).where(_prof.c.team_id == bindparam("team_id"), hit)
    on_my_list = and_(_rel.c.influencer_id == _inf.c.id, _rel.c.user_id == bindparam("user_id"))
    return (
        select(*_SUMMARY_COLUMNS)
        .select_from(_inf.outerjoin(_rel, on_my_list))
        .where(_inf.c.id.in_(matching))
        .limit(2)
    )


_SUMMARY_BY_IDENTITY = _named_by(_prof.c.identity_key == bindparam("identity"))
_SUMMARY_BY_HANDLE = _named_by(func.lower(_prof.c.handle) == bindparam("handle"))


def _summaries(row: Row) -> tuple[RelationshipSummary, InfluencerSummary]:
    """The row as (relationship, influencer); NotFound when there is no relationship, Conflict when
    it is archived (get_relationship's answers)."""
    split = len(_RELATIONSHIP_FIELDS)
    influencer = InfluencerSummary(*row[split:])
    if row.id is None:
        raise not_on_list(influencer)
    relationship = RelationshipSummary(*row[:split])
    if relationship.archived_at is not None:
        raise Conflict(archived_message(influencer))
    return relationship, influencer


def relationship_summary(
    db: Session, *, actor: User, influencer_id: uuid.UUID
) -> tuple[RelationshipSummary, InfluencerSummary]:
    """The actor's relationship with this influencer, as the card shows it (one statement);
    NotFound when the actor has none, Conflict when it is archived."""
    params = {"user_id": actor.id, "influencer_id": influencer_id}
    row = db.execute(_SUMMARY_BY_INFLUENCER, params).one_or_none()
    if row is None:
        raise not_on_list(None)
    return _summaries(row)


def relationship_summary_by_profile(
    db: Session, *, actor: User, profile: Profile | BareHandle
) -> tuple[RelationshipSummary, InfluencerSummary] | None:
    """The actor's relationship with the one creator of the team who has `profile` (a bare handle:
    on any platform), in one statement with finding them.

    None when no creator or several have it: crm.references.resolve_influencer then decides (names
    rank below profiles; several creators are Ambiguous). NotFound / Conflict as relationship_summary
    when the creator is not on the actor's list or archived.
    """
    params = {"user_id": actor.id, "team_id": actor.team_id}
    if isinstance(profile, Profile):
        rows = db.execute(_SUMMARY_BY_IDENTITY, params | {"identity": profile.identity}).all()
    else:
        rows = db.execute(_SUMMARY_BY_HANDLE, params | {"handle": profile.handle.lower()}).all()
    return _summaries(rows[0]) if len(rows) == 1 else None
