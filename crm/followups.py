"""Follow-ups: when to get back to an influencer — set, clear, complete, snooze, list due.

A follow-up is stored as an instant (`follow_up_date`, timestamptz). One given as a date means 09:00
on that date in the acting user's timezone, the time the reminder goes out; "due today" means due
before the end of the user's local day. What people type ("tomorrow 3pm") is read by
crm.follow_up_phrases.
"""

from __future__ import annotations

import uuid
from calendar import monthrange
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from crm.cadence import schedule_after_done
from crm.clock import end_of_local_day, follow_up_instant, local_today, resolve_now, zone_of
from crm.errors import InvalidInput
from crm.models import Relationship, User
from crm.relationship_fields import each_creator_once
from crm.scoped import actor_relationships, get_relationship, get_relationship_by_id

FIELD = "follow_up"
PAST_TOLERANCE = timedelta(days=1)
# The one limit on how far ahead a follow-up may be: this many years from the user's local today.
FURTHEST_AHEAD_YEARS = 5
SNOOZE_MAX_DAYS = 365
# Creators one `/crm followup` sets together (set_follow_ups): its Undo carries each with the
# follow-up it had in a Slack button value (2,000 characters: 30 fit).
FOLLOW_UP_AT_ONCE_MAX = 30


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day (31 Jan + 1 → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def latest_follow_up_day(today: date) -> date:
    """The last local day a follow-up may be set for: FURTHEST_AHEAD_YEARS after today."""
    return add_months(today, 12 * FURTHEST_AHEAD_YEARS)


def too_far_message(today: date) -> str:
    latest = latest_follow_up_day(today)
    return (
        f"A follow-up can be at most {FURTHEST_AHEAD_YEARS} years ahead: "
        f"on or before {latest.day} {latest:%b %Y}."
    )


def follow_up_due(due: date | datetime | None, *, actor: User, now: datetime) -> datetime | None:
    """Validate a follow-up and return the instant it is due (UTC), or None to clear it.

    A date means 09:00 on it in the actor's timezone; an aware datetime is kept as given. It may be
    earlier today (up to a day back, for clocks and timezones that disagree) and at most
    FURTHEST_AHEAD_YEARS ahead, counted in the actor's local days.
    """
    if due is None:
        return None
    tz = zone_of(actor.timezone)
    if isinstance(due, datetime):
        if due.tzinfo is None or due.utcoffset() is None:
            raise InvalidInput(FIELD, "The follow-up time needs a timezone.")
        instant = resolve_now(due)
    elif isinstance(due, date):
        instant = follow_up_instant(due, tz)
    else:
        raise InvalidInput(FIELD, "Give the follow-up as a date, e.g. tomorrow, Dec 24 or 2026-12-24 10:00.")
    if instant < now - PAST_TOLERANCE:
        raise InvalidInput(FIELD, "That follow-up date is in the past; pick today or a later date.")
    today = local_today(now, tz)
    if local_today(instant, tz) > latest_follow_up_day(today):
        raise InvalidInput(FIELD, too_far_message(today))
    return instant


def set_follow_up(
    db: Session,
    *,
    actor: User,
    influencer_id: uuid.UUID,
    due: date | datetime | None,
    now: datetime | None = None,
) -> Relationship:
    """Set (or with None clear) the follow-up on the actor's relationship with this influencer."""
    instant = follow_up_due(due, actor=actor, now=resolve_now(now))
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id)
    _set_by_hand(db, relationship, instant)
    return relationship


def _set_by_hand(db: Session, relationship: Relationship, instant: datetime | None) -> None:
    relationship.follow_up_date = instant
    relationship.follow_up_from_cadence = False  # set by hand: a contact's cadence does not move it back
    db.flush()


def set_follow_ups(
    db: Session,
    *,
    actor: User,
    influencer_ids: Sequence[uuid.UUID],
    due: date | datetime | None,
    now: datetime | None = None,
) -> list[tuple[Relationship, datetime | None, bool]]:
    """set_follow_up on each of the actor's relationships with these influencers, in order, a
    repeated id once; at most FOLLOW_UP_AT_ONCE_MAX. Returns each relationship with the follow-up
    it had (the instant, and whether the cadence set it), which undo_follow_ups puts back."""
    unique = each_creator_once(influencer_ids, at_most=FOLLOW_UP_AT_ONCE_MAX, done="get a follow-up")
    instant = follow_up_due(due, actor=actor, now=resolve_now(now))
    results = []
    for influencer_id in unique:
        relationship = get_relationship(db, actor=actor, influencer_id=influencer_id, for_update=True)
        results.append((relationship, relationship.follow_up_date, relationship.follow_up_from_cadence))
        _set_by_hand(db, relationship, instant)
    return results


def undo_follow_ups(
    db: Session,
    *,
    actor: User,
    set_to: datetime | None,
    back_to: Sequence[tuple[uuid.UUID, datetime | None, bool]],
) -> list[tuple[Relationship, bool]]:
    """Take back set_follow_ups: each (influencer, follow-up it had, whether the cadence set it)
    goes back while its follow-up is still `set_to`, set by hand (one changed since stays); each
    relationship with whether it is back."""
    results = []
    for influencer_id, previous, from_cadence in back_to:
        relationship = get_relationship(db, actor=actor, influencer_id=influencer_id, for_update=True)
        if relationship.follow_up_date == set_to and not relationship.follow_up_from_cadence:
            relationship.follow_up_date, relationship.follow_up_from_cadence = previous, from_cadence
        now_at = relationship.follow_up_date, relationship.follow_up_from_cadence
        results.append((relationship, now_at == (previous, from_cadence)))
    db.flush()
    return results


def complete_follow_up(
    db: Session, *, actor: User, relationship_id: uuid.UUID, now: datetime | None = None
) -> Relationship:
    """Mark the follow-up done: with a cadence (crm.cadence) the next one is today + cadence, else it
    is cleared. A relationship without a follow-up is returned unchanged (a double click does not
    push the next one further)."""
    relationship = get_relationship_by_id(db, actor=actor, relationship_id=relationship_id)
    if relationship.follow_up_date is not None:
        now = resolve_now(now)
        already = relationship.follow_up_from_cadence and relationship.follow_up_date > now
        if not already and not schedule_after_done(db, actor=actor, relationship=relationship, now=now):
            relationship.follow_up_date = None
        db.flush()
    return relationship


def snooze_follow_up(
    db: Session, *, actor: User, relationship_id: uuid.UUID, days: int, now: datetime | None = None
) -> Relationship:
    """Move the follow-up to 09:00 local, `days` days after today (local); sets one if none was set."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= SNOOZE_MAX_DAYS:
        raise InvalidInput("days", f"Snooze for 1 to {SNOOZE_MAX_DAYS} days.")
    now = resolve_now(now)
    tz = zone_of(actor.timezone)
    relationship = get_relationship_by_id(db, actor=actor, relationship_id=relationship_id)
    relationship.follow_up_date = follow_up_instant(local_today(now, tz) + timedelta(days=days), tz)
    relationship.follow_up_from_cadence = False
    db.flush()
    return relationship


# `/crm due week`: what is due today and in the days after it, up to this many.
DUE_WEEK_DAYS = 7


def due_cutoff(actor: User, now: datetime | None, *, days: int = 0) -> datetime:
    """Due "today" means due before this instant: the end of the actor's local day; with `days`,
    the end of the local day that many days later (DUE_WEEK_DAYS for the week ahead)."""
    return end_of_local_day(resolve_now(now), zone_of(actor.timezone), days=days)


def due_follow_ups(
    db: Session, *, actor: User, now: datetime | None = None, limit: int = 100
) -> list[Relationship]:
    """The actor's follow-ups due by the end of today (their timezone), oldest first.

    One statement on the partial index (user_id, follow_up_date) WHERE follow_up_date IS NOT NULL.
    """
    if not 1 <= limit <= 500:
        raise InvalidInput("limit", "The limit must be from 1 to 500.")
    stmt = (
        actor_relationships(actor)
        .where(Relationship.follow_up_date.is_not(None), Relationship.follow_up_date < due_cutoff(actor, now))
        .order_by(Relationship.follow_up_date, Relationship.id)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def next_follow_up(
    db: Session, *, actor: User, now: datetime | None = None, days: int = 0
) -> Relationship | None:
    """The actor's first follow-up after today (their timezone; with `days`, after due_cutoff's
    later day), influencer loaded: what /crm due names when nothing is due. One statement on the
    same partial index as due_follow_ups."""
    stmt = (
        actor_relationships(actor)
        .where(Relationship.follow_up_date >= due_cutoff(actor, now, days=days))
        .order_by(Relationship.follow_up_date, Relationship.id)
        .limit(1)
    )
    return db.scalars(stmt).one_or_none()
