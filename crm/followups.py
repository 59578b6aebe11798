"""Follow-ups: when to get back to an influencer — parse, set, clear, complete, snooze, list due.

A follow-up is stored as an instant (`follow_up_date`, timestamptz). One given as a date means 09:00
on that date in the acting user's timezone, the time the reminder goes out; "due today" means due
before the end of the user's local day.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crm.clock import end_of_local_day, follow_up_instant, local_today, resolve_now, zone_of
from crm.errors import InvalidInput
from crm.models import Relationship, User
from crm.scoped import actor_relationships, get_relationship, get_relationship_by_id

FIELD = "follow_up"
PAST_TOLERANCE = timedelta(days=1)
FURTHEST_AHEAD = timedelta(days=5 * 366)
SNOOZE_MAX_DAYS = 365
IN_N_MAX = 3650

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_IN_N = re.compile(r"^(?:in\s+)?(\d{1,4})\s*(d|days?|w|weeks?)$")
_HINT = "Try 2026-12-01, today, tomorrow, in 3 days, in 2 weeks, friday, next monday or clear."


def _weekday(word: str) -> int | None:
    """0 for monday … 6 for sunday; accepts the full name or its first three letters."""
    for index, name in enumerate(_WEEKDAYS):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def parse_follow_up(text: str, *, tz: ZoneInfo, today: date | None = None) -> date | None:
    """A follow-up date from what a user typed; None for "clear"/"none"; InvalidInput otherwise.

    Understands YYYY-MM-DD, today, tomorrow, in N days / weeks (also "3d", "2w"), a weekday name or
    "next <weekday>" (both the next such day strictly after today). `today` defaults to the current
    date in `tz`.
    """
    cleaned = " ".join((text or "").lower().split())
    if today is None:
        today = local_today(resolve_now(None), tz)
    if not cleaned:
        raise InvalidInput(FIELD, f"Give a follow-up date. {_HINT}")
    if cleaned in ("clear", "none", "no", "never", "-"):
        return None
    if cleaned == "today":
        return today
    if cleaned in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            raise InvalidInput(FIELD, f"{cleaned} is not a real date.") from None
    if match := _IN_N.match(cleaned):
        count, unit = int(match.group(1)), match.group(2)
        days = count * 7 if unit.startswith("w") else count
        if not 0 < days <= IN_N_MAX:
            raise InvalidInput(FIELD, "Pick a follow-up from 1 day to 10 years ahead.")
        return today + timedelta(days=days)
    word = cleaned.removeprefix("next ").removeprefix("this ")
    if (weekday := _weekday(word)) is not None:
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    raise InvalidInput(FIELD, f"I couldn't read “{cleaned[:40]}” as a date. {_HINT}")


def follow_up_due(due: date | datetime | None, *, actor: User, now: datetime) -> datetime | None:
    """Validate a follow-up and return the instant it is due (UTC), or None to clear it."""
    if due is None:
        return None
    if isinstance(due, datetime):
        if due.tzinfo is None or due.utcoffset() is None:
            raise InvalidInput(FIELD, "The follow-up time needs a timezone.")
        instant = resolve_now(due)
    elif isinstance(due, date):
        instant = follow_up_instant(due, zone_of(actor.timezone))
    else:
        raise InvalidInput(FIELD, f"Give the follow-up as a date. {_HINT}")
    if instant < now - PAST_TOLERANCE:
        raise InvalidInput(FIELD, "That follow-up date is in the past; pick today or a later date.")
    if instant > now + FURTHEST_AHEAD:
        raise InvalidInput(FIELD, "Pick a follow-up date within the next 5 years.")
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
    relationship.follow_up_date = instant
    db.flush()
    return relationship


def complete_follow_up(db: Session, *, actor: User, relationship_id: uuid.UUID) -> Relationship:
    """Mark the follow-up done (clears it); a relationship without one is returned unchanged."""
    relationship = get_relationship_by_id(db, actor=actor, relationship_id=relationship_id)
    if relationship.follow_up_date is not None:
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
    db.flush()
    return relationship


def due_cutoff(actor: User, now: datetime | None) -> datetime:
    """Due "today" means due before this instant: the end of the actor's local day."""
    return end_of_local_day(resolve_now(now), zone_of(actor.timezone))


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
