"""Merging two creators who are one person: preview what will happen, then move everything to one.

The *survivor* is the creator named first in `/crm merge <a> <b>`; the second (the *absorbed* one)
is deleted once everything hanging off it has moved to the survivor, in one transaction:

- Profiles: all of the absorbed creator's profiles become the survivor's (none primary; the
  survivor's primary profile stays primary). The survivor keeps its name, unless that is only its
  handle (what a creator saved without a name is called: `/crm add @lena_fit`) and the absorbed
  creator has a name of its own, which it then takes (merged_name); an e-mail or follower count it
  lacks is taken from the absorbed creator.
- Relationships, interactions, assignments of every user move. Only the acting user's own counts and
  values are ever shown (the preview); other users' data moves silently.
- Deliveries (reminders) follow their relationship; see "Follow-up" below for a combined one.

Where one user tracks both creators, the two relationships become the survivor's one, combined by
these rules (`combine()`):

- Status: the furthest along, in the order saved < contacted < cold < warm < partnered. Cold sits
  after contacted because it is a verdict reached *after* contact (an old "saved" record must not
  make someone who said no look untouched), and below warm because a warm or partnered record is
  live evidence of a relationship that outweighs an older "went cold".
- Priority: the higher one.
- Tags: the union, the survivor's first, then the absorbed one's new tags in their order, cut at
  crm.relationship_fields.TAGS_MAX (the preview names the tags that do not fit).
- Notes: both texts are kept in full, never cut. When both have notes, each is headed with its
  creator's name before the merge and the date it was last changed ("— Maya L, as of 2026-03-02 —"),
  the survivor's first; when only the absorbed one has notes, they are kept under their heading;
  the survivor's alone stay as they are. (Combined notes may exceed the edit form's NOTES_MAX; the
  form then asks to shorten them, which beats losing any.)
- Follow-up: the earliest open one (a completed follow-up has none). A reminder already recorded for
  that instant on the absorbed relationship moves with it, so nobody is reminded twice.
- last_contacted_at: the latest. Strength: recomputed from all interactions (crm.strength).
- Archived (removed from the list, crm.archive): the combined relationship is active if either was.

Assignments to the same campaign (one row per campaign and creator, a schema rule):
- Same user: one is kept — the one further along (completed > active > planned > cancelled), on a tie
  the survivor's — because its tracking link is the one more likely published and reported on; the
  other's notes are appended to it (same user, so nothing is revealed). Its UTM values and link are
  kept as they were: a link already given to the creator must keep working.
- Different users: the merge is refused, naming the campaign. Dropping a colleague's assignment would
  lose their data, and keeping both needs one assignment per user (a schema change).

Bad input: the same creator twice is refused; a creator gone (already merged) or outside the actor's
workspace is NotFound with nothing changed (the button's ids are re-checked at click time).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from crm.clock import resolve_now, zone_of
from crm.errors import Conflict, InvalidInput, NotFound
from crm.influencers import named_by_handle
from crm.models import (
    ASSIGNMENT_STATUSES,
    Assignment,
    Delivery,
    Influencer,
    InfluencerProfile,
    Interaction,
    Relationship,
    User,
)
from crm.profiles import PROFILES_MAX
from crm.relationship_fields import TAGS_MAX
from crm.reminders.follow_ups import follow_up_key
from crm.strength import recompute, score

STATUS_ORDER = ("saved", "contacted", "cold", "warm", "partnered")
ASSIGNMENT_ORDER = ("cancelled", "planned", "active", "completed")
assert set(ASSIGNMENT_ORDER) == set(ASSIGNMENT_STATUSES)

SAME_CREATOR = "That is the same creator twice; name two different creators to merge."
GONE = "One of the two creators no longer exists (perhaps already merged); nothing was changed."


@dataclass(frozen=True, slots=True)
class Side:
    """One relationship as combine() reads it, with the name its creator had before the merge."""

    relationship: Relationship
    name: str


@dataclass(frozen=True, slots=True)
class Combined:
    """The field values of two relationships combined (strength is recomputed separately)."""

    status: str
    priority: int
    tags: list[str]
    dropped_tags: list[str]
    notes: str | None
    follow_up_date: datetime | None
    last_contacted_at: datetime | None


@dataclass(frozen=True, slots=True)
class MergePlan:
    """What a merge does, as the acting user may see it: the creators and only the actor's own data.

    `relationship` is "none" (the actor tracks neither), "kept" (only the survivor), "moves" (only
    the absorbed one) or "combined" (both; `combined` and `strength` then say the result).
    """

    survivor: Influencer
    absorbed: Influencer
    name: str  # the survivor's name after the merge (merged_name)
    profiles: list[InfluencerProfile]  # the absorbed creator's, all moving
    relationship: str
    combined: Combined | None
    strength: int | None
    interactions: int  # the actor's interactions with the absorbed creator
    assignments: int  # the actor's assignments moving to the survivor
    assignments_merged: int  # the actor's same-campaign pairs of which one is kept


def merged_name(survivor: Influencer, absorbed: Influencer) -> str:
    """The survivor's name after the merge: its own, unless that is only its handle and the absorbed
    creator has a real one ("lena_fit" merged with "Lena Fischer" is Lena Fischer)."""
    if named_by_handle(survivor) and not named_by_handle(absorbed):
        return absorbed.name
    return survivor.name


def _heading(side: Side, owner: User) -> str:
    day = side.relationship.updated_at.astimezone(zone_of(owner.timezone)).date()
    return f"— {side.name}, as of {day.isoformat()} —\n{side.relationship.notes}"


def combine(kept: Side, absorbed: Side, *, owner: User) -> Combined:
    """Two relationships of `owner`, one per creator, combined by the rules in the module docstring."""
    a, b = kept.relationship, absorbed.relationship
    status = max(a.status, b.status, key=STATUS_ORDER.index)
    union = list(dict.fromkeys([*(a.tags or []), *(b.tags or [])]))
    if a.notes and b.notes:
        notes = f"{_heading(kept, owner)}\n\n{_heading(absorbed, owner)}"
    elif b.notes:
        notes = _heading(absorbed, owner)
    else:
        notes = a.notes
    follow_ups = [d for d in (a.follow_up_date, b.follow_up_date) if d is not None]
    contacts = [d for d in (a.last_contacted_at, b.last_contacted_at) if d is not None]
    return Combined(
        status=status,
        priority=max(a.priority, b.priority),
        tags=union[:TAGS_MAX],
        dropped_tags=union[TAGS_MAX:],
        notes=notes,
        follow_up_date=min(follow_ups, default=None),
        last_contacted_at=max(contacts, default=None),
    )


def _creators(
    db: Session, *, team_id: str, survivor_id: uuid.UUID, absorbed_id: uuid.UUID, lock: bool
) -> tuple[Influencer, Influencer]:
    """Both creators of the actor's workspace (locked in id order when `lock`); refused if the same."""
    if survivor_id == absorbed_id:
        raise InvalidInput("influencer", SAME_CREATOR)
    stmt = (
        select(Influencer)
        .where(Influencer.id.in_([survivor_id, absorbed_id]), Influencer.team_id == team_id)
        .order_by(Influencer.id)
    )
    if lock:
        stmt = stmt.with_for_update()
    found = {i.id: i for i in db.scalars(stmt)}
    if len(found) != 2:
        raise NotFound(GONE)
    return found[survivor_id], found[absorbed_id]


def _relationships(db: Session, influencer_id: uuid.UUID, *, lock: bool) -> dict[uuid.UUID, Relationship]:
    stmt = select(Relationship).where(Relationship.influencer_id == influencer_id).order_by(Relationship.id)
    if lock:
        stmt = stmt.with_for_update()
    return {r.user_id: r for r in db.scalars(stmt)}


def _assignments(db: Session, influencer_id: uuid.UUID) -> dict[uuid.UUID, Assignment]:
    stmt = (
        select(Assignment)
        .options(joinedload(Assignment.campaign))
        .where(Assignment.influencer_id == influencer_id)
        .order_by(Assignment.id)
    )
    return {a.campaign_id: a for a in db.scalars(stmt)}


def _clashes(survivor: dict[uuid.UUID, Assignment], absorbed: dict[uuid.UUID, Assignment]) -> None:
    """Conflict when a campaign has both creators assigned by two different users."""
    for campaign_id, theirs in absorbed.items():
        ours = survivor.get(campaign_id)
        if ours is not None and ours.user_id != theirs.user_id:
            raise Conflict(
                f"Both creators are on the campaign “{ours.campaign.name}”, assigned by different "
                "people; a campaign holds one assignment per creator, so they cannot be merged yet."
            )


def _plan(db: Session, *, actor: User, survivor: Influencer, absorbed: Influencer, lock: bool) -> MergePlan:
    profiles = list(
        db.scalars(
            select(InfluencerProfile)
            .where(InfluencerProfile.influencer_id == absorbed.id)
            .order_by(InfluencerProfile.is_primary.desc(), InfluencerProfile.created_at)
        )
    )
    have = db.scalar(select(func.count()).where(InfluencerProfile.influencer_id == survivor.id))
    if have + len(profiles) > PROFILES_MAX:
        raise InvalidInput(
            "influencer",
            f"Together they have {have + len(profiles)} profiles; a creator can have {PROFILES_MAX}.",
        )
    kept_assignments, moved_assignments = _assignments(db, survivor.id), _assignments(db, absorbed.id)
    _clashes(kept_assignments, moved_assignments)
    mine_kept = _relationships(db, survivor.id, lock=lock).get(actor.id)
    mine_moved = _relationships(db, absorbed.id, lock=lock).get(actor.id)
    combined = strength = None
    if mine_kept and mine_moved:
        relationship = "combined"
        combined = combine(Side(mine_kept, survivor.name), Side(mine_moved, absorbed.name), owner=actor)
        rows = db.execute(
            select(Interaction.type, Interaction.interaction_date).where(
                Interaction.user_id == actor.id, Interaction.influencer_id.in_([survivor.id, absorbed.id])
            )
        ).all()
        strength = score([(kind, when) for kind, when in rows], now=resolve_now(None))
    else:
        relationship = "kept" if mine_kept else "moves" if mine_moved else "none"
    interactions = db.scalar(
        select(func.count()).where(Interaction.user_id == actor.id, Interaction.influencer_id == absorbed.id)
    )
    mine = [a for a in moved_assignments.values() if a.user_id == actor.id]
    merged = sum(1 for a in mine if a.campaign_id in kept_assignments)
    return MergePlan(
        survivor=survivor,
        absorbed=absorbed,
        name=merged_name(survivor, absorbed),
        profiles=profiles,
        relationship=relationship,
        combined=combined,
        strength=strength,
        interactions=interactions,
        assignments=len(mine) - merged,
        assignments_merged=merged,
    )


def preview_merge(db: Session, *, actor: User, survivor_id: uuid.UUID, absorbed_id: uuid.UUID) -> MergePlan:
    """What merging `absorbed_id` into `survivor_id` would do, as the actor may see it; writes nothing."""
    survivor, absorbed = _creators(
        db, team_id=actor.team_id, survivor_id=survivor_id, absorbed_id=absorbed_id, lock=False
    )
    return _plan(db, actor=actor, survivor=survivor, absorbed=absorbed, lock=False)


def merge_influencers(
    db: Session, *, actor: User, survivor_id: uuid.UUID, absorbed_id: uuid.UUID, now: datetime | None = None
) -> MergePlan:
    """Move everything of `absorbed_id` to `survivor_id` and delete it; returns the plan carried out.

    Both creators are re-read and locked, so a concurrent merge of either waits and then finds one
    gone (NotFound, nothing changed). Every check runs before the first write.
    """
    now = resolve_now(now)
    survivor, absorbed = _creators(
        db, team_id=actor.team_id, survivor_id=survivor_id, absorbed_id=absorbed_id, lock=True
    )
    plan = _plan(db, actor=actor, survivor=survivor, absorbed=absorbed, lock=True)
    _move_assignments(db, survivor=survivor, absorbed=absorbed)
    db.execute(
        update(Interaction).where(Interaction.influencer_id == absorbed.id).values(influencer_id=survivor.id)
    )
    users = _move_relationships(db, survivor=survivor, absorbed=absorbed)
    db.execute(
        update(InfluencerProfile)
        .where(InfluencerProfile.influencer_id == absorbed.id)
        .values(influencer_id=survivor.id, is_primary=False)
    )
    survivor.name = plan.name
    survivor.email = survivor.email or absorbed.email
    if survivor.follower_count is None:
        survivor.follower_count = absorbed.follower_count
    db.flush()
    for user_id in users:
        recompute(db, user_id=user_id, influencer_id=survivor.id, now=now)
    db.execute(delete(Influencer).where(Influencer.id == absorbed.id))
    db.expire(survivor)
    return plan


def _move_assignments(db: Session, *, survivor: Influencer, absorbed: Influencer) -> None:
    kept_by_campaign = _assignments(db, survivor.id)
    for campaign_id, moving in _assignments(db, absorbed.id).items():
        kept = kept_by_campaign.get(campaign_id)
        if kept is not None:  # same user (_clashes refused different ones): keep one
            if ASSIGNMENT_ORDER.index(moving.status) > ASSIGNMENT_ORDER.index(kept.status):
                kept, moving = moving, kept
            kept.notes = "\n\n".join(n for n in (kept.notes, moving.notes) if n) or None
            db.delete(moving)
            db.flush()
        kept.influencer_id = survivor.id
    db.flush()


def _move_relationships(db: Session, *, survivor: Influencer, absorbed: Influencer) -> list[uuid.UUID]:
    """Move or combine every user's relationship; the users whose strength must be recomputed (those
    who tracked the absorbed creator: interactions come with a relationship, crm.interactions)."""
    kept_by_user = _relationships(db, survivor.id, lock=True)
    moving_by_user = _relationships(db, absorbed.id, lock=True)
    owners = {u.id: u for u in db.scalars(select(User).where(User.id.in_(list(moving_by_user))))}
    for user_id, moving in moving_by_user.items():
        kept = kept_by_user.get(user_id)
        if kept is None:
            moving.influencer_id = survivor.id
            continue
        result = combine(Side(kept, survivor.name), Side(moving, absorbed.name), owner=owners[user_id])
        kept.status, kept.priority, kept.tags = result.status, result.priority, result.tags
        kept.notes, kept.follow_up_date = result.notes, result.follow_up_date
        kept.last_contacted_at = result.last_contacted_at
        if kept.archived_at is not None and moving.archived_at is None:
            kept.archived_at = None  # active if either was active (crm.archive)
        if result.follow_up_date is not None and result.follow_up_date == moving.follow_up_date:
            _move_reminder(db, kept=kept, moving=moving, due_at=result.follow_up_date)
        db.delete(moving)  # its other deliveries go with it (ON DELETE CASCADE)
        db.flush()
    db.flush()
    return sorted(moving_by_user)


def _move_reminder(db: Session, *, kept: Relationship, moving: Relationship, due_at: datetime) -> None:
    """The absorbed relationship's reminder for `due_at` now belongs to the kept relationship."""
    key = follow_up_key(kept.id, due_at)
    taken = db.scalar(
        select(func.count()).where(Delivery.kind == "follow_up_reminder", Delivery.dedupe_key == key)
    )
    if taken:
        return
    db.execute(
        update(Delivery)
        .where(
            Delivery.kind == "follow_up_reminder",
            Delivery.relationship_id == moving.id,
            Delivery.due_at == due_at,
        )
        .values(relationship_id=kept.id, dedupe_key=key)
    )
