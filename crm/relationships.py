"""Relationships: one user's CRM record of one influencer — list membership, status, notes, tags, priority.

Everything is scoped to the acting user (crm.scoped, which also loads one relationship). Follow-ups
live in crm.followups, the filtered list in crm.relationship_list, the card and the App Home in
crm.dashboard, field validation in crm.relationship_fields and the tag typeahead in crm.tags.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.cadence import schedule_by_cadence, validate_days
from crm.clock import local_today, resolve_now, zone_of
from crm.errors import InvalidInput, NotFound
from crm.followups import follow_up_due
from crm.models import Influencer, Relationship, User
from crm.relationship_fields import (
    NOTES_MAX,
    TAGS_MAX,
    each_creator_once,
    normalize_tags,
    validate_notes,
    validate_priority,
    validate_status,
)
from crm.scoped import get_relationship, get_relationship_by_id


class _Keep:
    """Marker for "leave this field as it is" in a RelationshipEdit (None means "clear")."""

    _instance: _Keep | None = None

    def __new__(cls) -> _Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


@dataclass(frozen=True, slots=True)
class RelationshipEdit:
    """Changes from the edit form; fields left at KEEP are not touched. Tags and notes replace."""

    status: str | _Keep = KEEP
    priority: int | _Keep = KEEP
    tags: Sequence[str] | _Keep = KEEP
    follow_up: date | datetime | _Keep | None = KEEP
    notes: str | _Keep | None = KEEP
    cadence: int | _Keep | None = KEEP  # days (crm.cadence); None clears it


def on_list_among(
    db: Session, *, actor: User, influencer_ids: Sequence[uuid.UUID], archived: bool = False
) -> set[uuid.UUID]:
    """Which of these creators are on the actor's list (`archived`: which the actor removed), to
    narrow a name that matches several creators down to the actor's own."""
    if not influencer_ids:
        return set()
    archived_at = Relationship.archived_at.is_not(None) if archived else Relationship.archived_at.is_(None)
    return set(
        db.scalars(
            select(Relationship.influencer_id).where(
                Relationship.user_id == actor.id,
                Relationship.influencer_id.in_(list(influencer_ids)),
                archived_at,
            )
        )
    )


def add_to_list(db: Session, *, actor: User, influencer_id: uuid.UUID) -> tuple[Relationship, bool]:
    """Put a team influencer on the actor's list (idempotent); returns (relationship, created).

    NotFound when the influencer is not in the actor's workspace. The common case (already on the
    list) costs one SELECT; a new one an INSERT … SELECT that checks the team in the same statement.
    An archived relationship (crm.archive) is restored as it was, and counts as created: it is back
    on the list (crm.archive.is_archived tells a caller that wants to say so beforehand).
    """
    try:
        existing = get_relationship(db, actor=actor, influencer_id=influencer_id, archived_ok=True)
    except NotFound:
        pass
    else:
        if existing.archived_at is None:
            return existing, False
        existing.archived_at = None
        db.flush()
        return existing, True
    stmt = (
        insert(Relationship)
        .from_select(
            ["user_id", "influencer_id"],
            select(literal(actor.id), Influencer.id).where(
                Influencer.id == influencer_id, Influencer.team_id == actor.team_id
            ),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "influencer_id"])
        .returning(Relationship.id)
    )
    created = db.execute(stmt).scalar_one_or_none() is not None
    try:
        return get_relationship(db, actor=actor, influencer_id=influencer_id), created
    except NotFound:
        raise NotFound("That influencer is not in this workspace's directory.") from None


def set_status(
    db: Session, *, actor: User, influencer_id: uuid.UUID, status: str
) -> tuple[Relationship, str]:
    """Set the pipeline status (saved, contacted, warm, cold, partnered); returns the relationship
    and the status it had (for Undo)."""
    cleaned = validate_status(status)
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id)
    previous = relationship.status
    relationship.status = cleaned
    db.flush()
    return relationship, previous


def undo_status(
    db: Session, *, actor: User, influencer_id: uuid.UUID, changed_to: str, back_to: str
) -> tuple[Relationship, bool]:
    """Undo a status change: back to `back_to`, only while the status is still `changed_to` (a
    status set since is the user's newer choice and stays); (relationship, whether it is back)."""
    changed, back = validate_status(changed_to), validate_status(back_to)
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id, for_update=True)
    if relationship.status == changed:
        relationship.status = back
        db.flush()
    return relationship, relationship.status == back


# Creators one `/crm status` moves together (set_statuses): its Undo carries each with the status
# it had in a Slack button value (2,000 characters: 50 fit).
STATUS_AT_ONCE_MAX = 50


def set_statuses(
    db: Session, *, actor: User, influencer_ids: Sequence[uuid.UUID], status: str
) -> list[tuple[Relationship, str]]:
    """set_status on each of the actor's relationships with these influencers, in order, a repeated
    id once; at most STATUS_AT_ONCE_MAX. Returns each relationship with the status it had."""
    cleaned = validate_status(status)
    unique = each_creator_once(influencer_ids, at_most=STATUS_AT_ONCE_MAX, done="are moved")
    return [set_status(db, actor=actor, influencer_id=i, status=cleaned) for i in unique]


def undo_statuses(
    db: Session, *, actor: User, changed_to: str, back_to: Sequence[tuple[uuid.UUID, str]]
) -> list[tuple[Relationship, bool]]:
    """undo_status for each (influencer, status it had): back while still `changed_to`; each
    relationship with whether it is back."""
    return [
        undo_status(db, actor=actor, influencer_id=i, changed_to=changed_to, back_to=previous)
        for i, previous in back_to
    ]


def set_notes(
    db: Session,
    *,
    actor: User,
    influencer_id: uuid.UUID,
    text: str,
    append: bool,
    now: datetime | None = None,
) -> Relationship:
    """Replace the notes (blank clears them) or append `text` as a new paragraph dated today (local)."""
    if append:
        return append_note(db, actor=actor, influencer_id=influencer_id, text=text, now=now)[0]
    cleaned = validate_notes(text)
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id)
    relationship.notes = cleaned
    db.flush()
    return relationship


def append_note(
    db: Session, *, actor: User, influencer_id: uuid.UUID, text: str, now: datetime | None = None
) -> tuple[Relationship, str]:
    """Append `text` to the notes as a new paragraph dated today (local); returns the relationship
    and the notes_mark of the notes it was appended to, which undo_note takes them back to."""
    cleaned = validate_notes(text)
    if cleaned is None:
        raise InvalidInput("notes", "Write something to add to the notes.")
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id, for_update=True)
    stamp = local_today(resolve_now(now), zone_of(actor.timezone)).isoformat()
    paragraph = f"{stamp}: {cleaned}"
    existing = (relationship.notes or "").rstrip()
    notes = f"{existing}\n\n{paragraph}" if existing else paragraph
    if len(notes) > NOTES_MAX:
        raise InvalidInput(
            "notes", f"Notes can be at most {NOTES_MAX:,} characters; shorten or replace them first."
        )
    relationship.notes = notes
    db.flush()
    return relationship, notes_mark(existing)


def notes_mark(notes: str | None) -> str:
    """Notes as an Undo button carries them: their length and a digest ("142.3f9a0c1d2e4b5a6f"),
    enough to tell whether they are still the same without carrying the text."""
    text = notes or ""
    return f"{len(text)}.{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def undo_note(
    db: Session, *, actor: User, influencer_id: uuid.UUID, before: str, after: str
) -> tuple[Relationship, bool]:
    """Undo an appended note: the notes go back to what they were (`before`, a notes_mark), only
    while they are still as the append left them (`after`): an edit since is the user's newer
    choice and stays. Returns the relationship and whether its notes are as they were before."""
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id, for_update=True)
    current = relationship.notes or ""
    length = before.partition(".")[0]
    if notes_mark(current) == after and length.isascii() and length.isdigit():
        kept = current[: int(length)]
        if notes_mark(kept) == before:  # what the append added to is still there, unchanged
            relationship.notes = kept or None
            db.flush()
    return relationship, notes_mark(relationship.notes) == before


def update_tags(
    db: Session,
    *,
    actor: User,
    influencer_id: uuid.UUID,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> tuple[Relationship, list[str]]:
    """Add and/or remove tags (normalized as in normalize_tags); removing wins over adding.

    Returns the relationship and the tags asked to be removed that it did not have (so the user can
    be told). With nothing to add or remove the relationship is returned unchanged (callers that
    need a tag from the user check for that themselves).
    """
    to_add, to_remove = normalize_tags(add), normalize_tags(remove)
    relationship = get_relationship(
        db, actor=actor, influencer_id=influencer_id, for_update=bool(to_add or to_remove)
    )
    return relationship, _retag(db, relationship, to_add, to_remove)


def _retag(db: Session, relationship: Relationship, to_add: list[str], to_remove: list[str]) -> list[str]:
    """Apply normalized tags to add and remove (removing wins); the ones to remove it did not have."""
    current = list(relationship.tags or [])
    not_there = [t for t in to_remove if t not in current]
    result = [t for t in current if t not in to_remove]
    result += [t for t in to_add if t not in result and t not in to_remove]
    if len(result) > TAGS_MAX:
        raise InvalidInput("tags", f"A relationship can have at most {TAGS_MAX} tags; remove some first.")
    if result != current:
        relationship.tags = result
        db.flush()
    return not_there


# Creators one `/crm tag` changes together (tag_several): its Undo carries each with the tags that
# changed in a Slack button value (2,000 characters: 30 creators with 20 tags of 30 characters fit;
# an answer whose Undo would not fit says how to reverse it instead).
TAG_AT_ONCE_MAX = 30


@dataclass(frozen=True, slots=True)
class TagChange:
    """What tag_several did to one relationship: the tags it gained, and those it lost."""

    relationship: Relationship
    added: list[str]
    removed: list[str]


def tag_several(
    db: Session,
    *,
    actor: User,
    influencer_ids: Sequence[uuid.UUID],
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> list[TagChange]:
    """update_tags on each of the actor's relationships with these influencers, in order, a repeated
    id once; at most TAG_AT_ONCE_MAX. Each change says which tags really came and went (a tag it
    had already, or did not have, changes nothing there), which untag_several takes back."""
    unique = each_creator_once(influencer_ids, at_most=TAG_AT_ONCE_MAX, done="are tagged")
    to_add, to_remove = normalize_tags(add), normalize_tags(remove)
    changes = []
    for influencer_id in unique:
        relationship = get_relationship(db, actor=actor, influencer_id=influencer_id, for_update=True)
        before = list(relationship.tags or [])
        _retag(db, relationship, to_add, to_remove)
        after = list(relationship.tags)
        added = [t for t in after if t not in before]
        changes.append(TagChange(relationship, added, [t for t in before if t not in after]))
    return changes


def untag_several(
    db: Session, *, actor: User, changes: Sequence[tuple[uuid.UUID, Sequence[str], Sequence[str]]]
) -> list[Relationship]:
    """Take back tag_several: for each (influencer, tags added, tags removed), the added tags go
    and the removed come back (a tag changed again since is left as it is: removing one that is
    gone, or adding one that is back, changes nothing)."""
    taken_back = []
    for influencer_id, added, removed in changes:
        relationship, _ = update_tags(db, actor=actor, influencer_id=influencer_id, add=removed, remove=added)
        taken_back.append(relationship)
    return taken_back


def set_priority(
    db: Session, *, actor: User, influencer_id: uuid.UUID, priority: int
) -> tuple[Relationship, int]:
    """Set the priority, 0 (none) to 5 (highest); returns the relationship and the priority it had."""
    cleaned = validate_priority(priority)
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id)
    previous = relationship.priority
    relationship.priority = cleaned
    db.flush()
    return relationship, previous


# Creators one `/crm priority` sets together (set_priorities): its Undo carries each with the
# priority it had in a Slack button value (2,000 characters: 50 fit).
PRIORITY_AT_ONCE_MAX = 50


def set_priorities(
    db: Session, *, actor: User, influencer_ids: Sequence[uuid.UUID], priority: int
) -> list[tuple[Relationship, int]]:
    """set_priority on each of the actor's relationships with these influencers, in order, a
    repeated id once; at most PRIORITY_AT_ONCE_MAX. Returns each with the priority it had."""
    cleaned = validate_priority(priority)
    unique = each_creator_once(influencer_ids, at_most=PRIORITY_AT_ONCE_MAX, done="get a priority")
    return [set_priority(db, actor=actor, influencer_id=i, priority=cleaned) for i in unique]


def undo_priorities(
    db: Session, *, actor: User, changed_to: int, back_to: Sequence[tuple[uuid.UUID, int]]
) -> list[tuple[Relationship, bool]]:
    """Take back set_priorities: each (influencer, priority it had) goes back while its priority is
    still `changed_to` (one set since stays); each relationship with whether it is back."""
    changed = validate_priority(changed_to)
    results = []
    for influencer_id, previous in back_to:
        had = validate_priority(previous)
        relationship = get_relationship(db, actor=actor, influencer_id=influencer_id, for_update=True)
        if relationship.priority == changed:
            relationship.priority = had
        results.append((relationship, relationship.priority == had))
    db.flush()
    return results


def edit_relationship(
    db: Session,
    *,
    actor: User,
    relationship_id: uuid.UUID,
    edit: RelationshipEdit,
    now: datetime | None = None,
) -> Relationship:
    """Apply an edit-form submission: every field is validated before anything is written. A new
    cadence schedules the follow-up as `/crm cadence` does (crm.cadence.schedule_by_cadence), unless
    the same submission changed the follow-up."""
    changes: dict[str, object] = {}
    if edit.status is not KEEP:
        changes["status"] = validate_status(edit.status)
    if edit.priority is not KEEP:
        changes["priority"] = validate_priority(edit.priority)
    if edit.tags is not KEEP:
        changes["tags"] = normalize_tags(edit.tags)
    if edit.follow_up is not KEEP:
        changes["follow_up_date"] = follow_up_due(edit.follow_up, actor=actor, now=resolve_now(now))
    if edit.notes is not KEEP:
        changes["notes"] = validate_notes(edit.notes)
    if edit.cadence is not KEEP:
        changes["cadence_days"] = validate_days(edit.cadence)
    relationship = get_relationship_by_id(db, actor=actor, relationship_id=relationship_id)
    old_follow_up = relationship.follow_up_date
    follow_up_changed = "follow_up_date" in changes and changes["follow_up_date"] != old_follow_up
    if follow_up_changed:
        changes["follow_up_from_cadence"] = False  # a follow-up changed in the form is set by hand
    cadence_changed = "cadence_days" in changes and changes["cadence_days"] != relationship.cadence_days
    for attribute, value in changes.items():
        setattr(relationship, attribute, value)
    if cadence_changed and not follow_up_changed:  # as /crm cadence does; a follow-up typed here wins
        schedule_by_cadence(relationship, actor=actor, now=now)
    db.flush()
    return relationship
