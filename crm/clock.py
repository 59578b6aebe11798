"""Time helpers shared by the services: "now", a user's timezone, and local-day boundaries.

`now()` is the one reading of the wall clock. Every service that depends on the current time takes
`now: datetime | None`; `resolve_now` turns that into an aware UTC instant, so tests can pin time
and production gets now().
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm.errors import InvalidInput

# A follow-up given as a bare date is due at this local time on that date (the reminder time).
FOLLOW_UP_LOCAL_TIME = time(9, 0)


def now() -> datetime:
    """The current instant, aware and in UTC: the one reading of the wall clock in the code base."""
    return datetime.now(UTC)


def resolve_now(given: datetime | None) -> datetime:
    """`given` as an aware UTC datetime, defaulting to now(); a naive datetime is a bug."""
    if given is None:
        return now()
    if given.tzinfo is None or given.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return given.astimezone(UTC)


def parse_zone(name: str, *, field: str = "timezone") -> ZoneInfo:
    """The IANA zone called `name`, or InvalidInput naming `field`."""
    cleaned = (name or "").strip()
    try:
        if not cleaned or cleaned.startswith("/") or ".." in cleaned:
            raise ValueError(cleaned)
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput(
            field, f"“{cleaned}” is not a known timezone; use an IANA name such as Europe/Berlin."
        ) from None


def zone_of(timezone_name: str | None) -> ZoneInfo:
    """A stored timezone name as a ZoneInfo; UTC when missing or no longer known to this system."""
    try:
        return ZoneInfo(timezone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(now: datetime, tz: ZoneInfo) -> date:
    """The calendar date at instant `now` in `tz`."""
    return now.astimezone(tz).date()


def start_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of `day` in `tz` (as an aware datetime)."""
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def end_of_local_day(now: datetime, tz: ZoneInfo, *, days: int = 0) -> datetime:
    """The first instant of the local day after the one containing `now` (with `days`, after the
    local day that many days later): "due today" means before this."""
    return start_of_local_day(local_today(now, tz) + timedelta(days=days + 1), tz)


def follow_up_instant(day: date, tz: ZoneInfo) -> datetime:
    """When a follow-up given as a date is due: 09:00 local on that date, in UTC."""
    return datetime.combine(day, FOLLOW_UP_LOCAL_TIME, tzinfo=tz).astimezone(UTC)
