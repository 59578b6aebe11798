"""Contact cadence: how often a user means to contact a creator, and the follow-ups it schedules.

A cadence is a whole number of days from MIN_DAYS (1) to MAX_DAYS (365), read from what people type
("2w", "3 weeks", "10d", "monthly", "1y"; a month counts 30 days, a year 365). A relationship's own
cadence wins; else its workspace's default for its status (set by admins); else it has none (the
going-cold radar then uses its own global default, crm.going_cold).

Scheduling: logging an email, call or meeting sets the follow-up to 09:00 local on the day of the
(latest) contact + cadence, unless a later follow-up was set by hand; Done on a reminder sets it to
today + cadence; setting a cadence schedules from the last contact when that date is still ahead.
`follow_up_from_cadence` records which follow-ups the cadence set, so a hand-set one is recognised.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.clock import follow_up_instant, local_today, resolve_now, zone_of
from crm.errors import InvalidInput
from crm.models import CadenceDefault, Relationship, User
from crm.relationship_fields import validate_status
from crm.scoped import get_relationship
from crm.suggest import respell
from crm.text import NUMBER_WORDS

FIELD = "cadence"
MIN_DAYS = 1
MAX_DAYS = 365
OFF_WORDS = ("off", "none", "clear", "never", "-")
EXAMPLE = "Write it like 2w, 10 days, 3 weeks, 1 month, monthly or off."
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "q": 90, "y": 365}
_UNITS = {
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "w"),
    **dict.fromkeys(("m", "mo", "mos", "month", "months"), "m"),
    **dict.fromkeys(("quarter", "quarters"), "q"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "y"),
}
# Quarterly is three of this module's 30-day months, so that it is shown as "every 3 months".
_ADVERBS = {"daily": 1, "weekly": 7, "fortnightly": 14, "biweekly": 14, "monthly": 30, "quarterly": 90}
_AMOUNT = re.compile(
    rf"^(?:(?:every|each)\s+)?(?P<n>\d{{1,4}}|other|{'|'.join(NUMBER_WORDS)})?\s*(?P<unit>[a-z]+)$"
)


# The words cadences are written with, to respell a mistyped one ("every 2 wekks", "montly").
CADENCE_VOCABULARY = frozenset((*_UNITS, *_ADVERBS, *OFF_WORDS, *NUMBER_WORDS, "every", "each", "other"))


class NotACadence(InvalidInput):
    """The words are not written like a cadence at all (as opposed to one out of range)."""

    def __init__(self, shown: str) -> None:
        super().__init__(FIELD, f"“{shown}” is not a cadence I understand. {EXAMPLE}")


def respelled(text: str) -> str | None:
    """`text` with its mistyped words respelled, when that makes it a cadence ("every 2 wekks" →
    "every 2 weeks", "montly" → "monthly"); None when no word needed it or it is still none."""

    def is_cadence(candidate: str) -> bool:
        try:
            parse_cadence(candidate)
        except NotACadence:
            return False
        except InvalidInput:
            pass  # a cadence out of range: what was meant; running it says why
        return True

    return respell(text, CADENCE_VOCABULARY, makes_sense=is_cadence)


def parse_cadence(text: str) -> int | None:
    """Days for a cadence as typed ("2w" → 14), or None for "off"; InvalidInput naming the words
    when they are not a cadence or it is outside 1 day to 1 year."""
    shown = " ".join((text or "").split())[:40]
    cleaned = shown.lower()
    if not cleaned:
        raise InvalidInput(FIELD, f"Give a cadence. {EXAMPLE}")
    if cleaned in OFF_WORDS:
        return None
    if cleaned in _ADVERBS:
        return _ADVERBS[cleaned]
    match = _AMOUNT.match(cleaned)
    unit = _UNITS.get(match.group("unit")) if match else None
    # A unit alone ("day", "week") is not a cadence: it may end a creator's name ("Anna Day").
    if match is None or unit is None or not (match.group("n") or cleaned.startswith(("every", "each"))):
        raise NotACadence(shown)
    raw = match.group("n") or "1"
    count = 2 if raw == "other" else (int(raw) if raw.isdigit() else NUMBER_WORDS[raw])
    days = count * _UNIT_DAYS[unit]
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidInput(
            FIELD, f"“{shown}” is {days:,} days; a cadence is from 1 day to 1 year (365 days). {EXAMPLE}"
        )
    return days


def _largest_unit(days: int) -> tuple[int, str]:
    """(count, unit name) in the largest unit that divides `days`: (2, "week"), (1, "month")."""
    for size, name in ((365, "year"), (30, "month"), (7, "week")):
        if days % size == 0 and (size != 30 or days < 365):
            return days // size, name
    return days, "day"


def describe(days: int | None) -> str:
    """'every 2 weeks', 'every 10 days', 'every month', 'no cadence' — how a cadence is shown."""
    if days is None:
        return "no cadence"
    n, name = _largest_unit(days)
    return f"every {name}" if n == 1 else f"every {n} {name}s"


def as_words(days: int | None) -> str | None:
    """A cadence as a user would type it back ("2 weeks", "1 month", "10 days"), None for none: what
    the edit form shows, read by parse_cadence to the same days."""
    if days is None:
        return None
    n, name = _largest_unit(days)
    return f"{n} {name}" + ("" if n == 1 else "s")


def validate_days(days: int | None) -> int | None:
    """A stored cadence (whole days, 1–365) or None; InvalidInput otherwise."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidInput(FIELD, f"A cadence is from 1 day to 1 year (365 days). {EXAMPLE}")
    return days


def set_cadence(
    db: Session, *, actor: User, influencer_id: uuid.UUID, days: int | None, now: datetime | None = None
) -> Relationship:
    """Set (None: clear) the actor's cadence with this influencer.

    It schedules at once what the next contact would (schedule_by_cadence). Clearing the cadence
    leaves the follow-up as it is.
    """
    cleaned = validate_days(days)
    relationship = get_relationship(db, actor=actor, influencer_id=influencer_id)
    relationship.cadence_days = cleaned
    schedule_by_cadence(relationship, actor=actor, now=now)
    db.flush()
    return relationship


def schedule_by_cadence(relationship: Relationship, *, actor: User, now: datetime | None = None) -> None:
    """Schedule at once what the next contact would, after a cadence was set (set_cadence, the
    edit form): with a cadence, a last contact and no follow-up set by hand, the follow-up becomes
    last contact + cadence, when that is still ahead of `now`. A contact already further back than
    the cadence is left to the going-cold radar (crm.going_cold) rather than made an overdue
    reminder, so setting cadences on a stale list sends no burst of reminders."""
    days = relationship.cadence_days
    by_hand = relationship.follow_up_date is not None and not relationship.follow_up_from_cadence
    if days is None or relationship.last_contacted_at is None or by_hand:
        return
    due = next_by_cadence(relationship.last_contacted_at, days, actor=actor)
    if due > resolve_now(now):
        relationship.follow_up_date = due
        relationship.follow_up_from_cadence = True


def status_defaults(db: Session, *, team_id: str) -> dict[str, int]:
    """The workspace's default cadence per status (statuses without one are absent)."""
    rows = db.execute(
        select(CadenceDefault.status, CadenceDefault.cadence_days).where(CadenceDefault.team_id == team_id)
    ).all()
    return {status: days for status, days in rows}


def set_status_default(db: Session, *, team_id: str, status: str, days: int | None) -> None:
    """Set (None: remove) the workspace's default cadence for relationships in `status`."""
    cleaned_status = validate_status(status)
    cleaned = validate_days(days)
    if cleaned is None:
        db.execute(
            delete(CadenceDefault).where(
                CadenceDefault.team_id == team_id, CadenceDefault.status == cleaned_status
            )
        )
        return
    stmt = insert(CadenceDefault).values(team_id=team_id, status=cleaned_status, cadence_days=cleaned)
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=[CadenceDefault.team_id, CadenceDefault.status],
            set_={"cadence_days": cleaned},
        )
    )


def cadence_of(db: Session, *, actor: User, relationship: Relationship) -> tuple[int | None, bool]:
    """(the cadence in days or None, whether it is the status default rather than the relationship's)."""
    if relationship.cadence_days is not None:
        return relationship.cadence_days, False
    days = db.scalar(
        select(CadenceDefault.cadence_days).where(
            CadenceDefault.team_id == actor.team_id, CadenceDefault.status == relationship.status
        )
    )
    return days, days is not None


def next_by_cadence(after: datetime, days: int, *, actor: User) -> datetime:
    """The follow-up `days` after the local day of `after`: 09:00 local, the reminder time."""
    tz = zone_of(actor.timezone)
    return follow_up_instant(local_today(resolve_now(after), tz) + timedelta(days=days), tz)


def status_default_sql(team_id: str):
    """SQL: the workspace's default cadence for the relationship's status (NULL without one), for a
    statement on `user_influencers` to return alongside the row."""
    return (
        select(CadenceDefault.cadence_days)
        .where(CadenceDefault.team_id == team_id, CadenceDefault.status == Relationship.status)
        .scalar_subquery()
    )


def schedule_after_contact(
    db: Session, *, actor: User, relationship: Relationship, status_default: int | None
) -> None:
    """After a contact was logged: the follow-up becomes last contact + cadence, unless the current
    one was set by hand and is later than that. Nothing changes without a cadence.

    `status_default` is the workspace's default for the relationship's status (status_default_sql),
    read by the caller in the statement that updated the relationship.
    """
    days = relationship.cadence_days if relationship.cadence_days is not None else status_default
    if days is None or relationship.last_contacted_at is None:
        return
    due = next_by_cadence(relationship.last_contacted_at, days, actor=actor)
    current = relationship.follow_up_date
    if current is not None and not relationship.follow_up_from_cadence and current > due:
        return
    relationship.follow_up_date = due
    relationship.follow_up_from_cadence = True
    db.flush()


def schedule_after_done(
    db: Session, *, actor: User, relationship: Relationship, now: datetime | None = None
) -> bool:
    """After Done on a follow-up: the next one today + cadence (True), or none without a cadence."""
    days, _ = cadence_of(db, actor=actor, relationship=relationship)
    if days is None:
        return False
    relationship.follow_up_date = next_by_cadence(resolve_now(now), days, actor=actor)
    relationship.follow_up_from_cadence = True
    db.flush()
    return True
