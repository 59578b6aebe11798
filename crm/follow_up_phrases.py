"""When to follow up, as people type it: "tomorrow 3pm", "Fri 14:00", "Dec 24", "in 2 weeks", "03/04"?

`parse_follow_up(text, tz=…, today=…)` gives a date (due at 09:00 local, the reminder time), an aware
datetime in `tz` when a time of day was given, or None for "clear". Two kinds of failure, both
InvalidInput with a message for the user:

- `NotADate`: the text is not written like a date at all ("someday"). A caller looking for the date
  at the end of a command tries shorter tails on this one.
- any other InvalidInput: the text *is* a date, but a wrong one — "03/04" (3 April or 4 March?),
  "Feb 30", "2020-01-01" (past), "in 99999 weeks" (beyond crm.followups' limit), "25:00". That message
  says exactly what is wrong and is the one to show.

Decisions: a date without a year is its next occurrence (today included); a weekday, with or
without "next"/"this", is the next such day strictly after today; "next week" is next Monday (the
start of the next working week); "end of the week" (or "eow") is the coming Friday, today included,
"end of the month" ("eom") its last day and "end of the year" ("eoy") 31 December; "end of day"
("eod") is today at 17:00; a time alone ("3pm") is today; "in N months" (and "next month",
"in N years") keeps the day of the month, clamped to the month's end. A part of the day stands for a
time: morning 09:00, afternoon 14:00, evening 18:00, night 20:00 ("tonight": today at 20:00).
Counts may be written as words up to twelve ("in two weeks"). Numbers with a slash are day/month
or month/day, whichever is a real date; when both are, and differ, the user is asked which.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.clock import local_today, resolve_now
from crm.errors import InvalidInput
from crm.followups import FIELD, FURTHEST_AHEAD_YEARS, add_months, latest_follow_up_day, too_far_message
from crm.suggest import respell
from crm.text import NUMBER_WORDS

HINT = (
    "Try tomorrow 3pm, fri 14:00, Dec 24, 24 Dec, YYYY-MM-DD [HH:MM], in 3 days, in 2 weeks, "
    "next week, next month, end of month, tomorrow morning or clear."
)
CLEAR_WORDS = ("clear", "none", "no", "never", "-")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

# A time of day at the end ("… at 3pm", "… 14:00", "… 9:30 am") or at the start ("3pm tomorrow").
# It needs a colon or am/pm, so the 24 of "Dec 24" is never read as an hour.
_CLOCK = r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?|(?P<noon>noon|midday)"
_TIME_AT_END = re.compile(rf"(?:^|\s)(?:at\s+)?(?:{_CLOCK})$")
_TIME_AT_START = re.compile(rf"^(?:at\s+)?(?:{_CLOCK})(?=\s)")
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_ISO_T = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[a-z]{3,9})\.?"
_YEAR = r"(?:\s+(?P<year>\d{4}))?"
_MONTH_DAY = re.compile(rf"^{_MONTH}\s+{_DAY}{_YEAR}$")
_DAY_MONTH = re.compile(rf"^{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}$")
_UNITS = r"(?P<unit>d|days?|w|wks?|weeks?|mo|mos|months?|y|yrs?|years?|h|hrs?|hours?|mins?|minutes?)"
_IN_N = re.compile(rf"^(?:in\s+(?P<n>\d+|{'|'.join(NUMBER_WORDS)})|(?P<bare>\d+))\s*{_UNITS}$")
# The times a part of the day stands for ("tomorrow morning", "fri afternoon", "tonight").
PARTS_OF_DAY = {"morning": time(9, 0), "afternoon": time(14, 0), "evening": time(18, 0), "night": time(20, 0)}
# "By the end of the day": when a working day ends.
END_OF_DAY = time(17, 0)
_PART_AT_END = re.compile(r"(?:^|\s)(?:in\s+the\s+|this\s+|at\s+)?(?P<part>morning|afternoon|evening|night)$")


# The words dates are written with, to respell a mistyped one ("nxt week", "in 3 dys"); a prefix
# such as "tues" or "dec" is read as it is and needs no respelling.
DATE_VOCABULARY = frozenset(
    (*WEEKDAYS, *MONTHS, *PARTS_OF_DAY, *NUMBER_WORDS, "today", "tonight", "tomorrow", "next", "this")
) | {
    "in",
    "at",
    "of",
    "the",
    "end",
    "noon",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
}


class NotADate(InvalidInput):
    """The text is not written like a date at all (as opposed to a date that is wrong)."""

    def __init__(self, shown: str) -> None:
        super().__init__(FIELD, f"“{shown}” is not a date I understand. {HINT}")


def parse_follow_up(text: str, *, tz: ZoneInfo, today: date | None = None) -> date | datetime | None:
    """A follow-up from what a user typed: a date, an aware datetime in `tz`, or None to clear it.

    `today` is the user's local date (default: today in `tz`). Raises NotADate when the text is not
    a date, InvalidInput saying what is wrong when it is a wrong one (see the module docstring).
    """
    shown = " ".join((text or "").split())[:60]
    cleaned = " ".join((text or "").lower().replace(",", " ").split())
    if today is None:
        today = local_today(resolve_now(None), tz)
    if not cleaned:
        raise InvalidInput(FIELD, f"Give a follow-up date. {HINT}")
    if cleaned in CLEAR_WORDS:
        return None
    cleaned = _ISO_T.sub(r"\1 ", cleaned)
    rest, at = _split_time(cleaned, shown)
    day = _read_day(rest, today, shown) if rest else today
    if day is None:
        raise NotADate(shown)
    if day < today:
        raise InvalidInput(FIELD, f"“{shown}” is in the past; pick today or a later date.")
    if day > latest_follow_up_day(today):
        raise InvalidInput(FIELD, f"“{shown}” is too far ahead. {too_far_message(today)}")
    return day if at is None else datetime.combine(day, at, tzinfo=tz)


def respelled(text: str, *, tz: ZoneInfo, today: date) -> str | None:
    """`text` with its mistyped date words respelled, when that makes it a date ("nxt week" → "next
    week", "in 3 dys" → "in 3 days"); None when no word needed it or the result is still no date."""

    def is_date(candidate: str) -> bool:
        try:
            parse_follow_up(candidate, tz=tz, today=today)
        except NotADate:
            return False
        except InvalidInput:
            pass  # a date, but a wrong one ("in 3 yeers"): still what was meant; running it says why
        return True

    return respell(text, DATE_VOCABULARY, makes_sense=is_date)


def _split_time(cleaned: str, shown: str) -> tuple[str, time | None]:
    """(the date words, the time of day or None): the time may come last or first, or be a part of
    the day at the end ("tomorrow morning")."""
    if cleaned == "tonight":
        return "today", PARTS_OF_DAY["night"]
    if cleaned in ("end of day", "end of the day", "eod"):
        return "today", END_OF_DAY
    if part := _PART_AT_END.search(cleaned):
        return cleaned[: part.start()].strip(), PARTS_OF_DAY[part.group("part")]
    if match := _TIME_AT_END.search(cleaned):
        rest = cleaned[: match.start()].strip()
    elif match := _TIME_AT_START.match(cleaned):
        rest = cleaned[match.end() :].strip()
    else:
        return cleaned, None
    if not (match.group("minute") or match.group("ampm") or match.group("noon")):
        return cleaned, None  # a bare number ("in 3", "dec 24") is not a time
    return rest, _clock(match, shown)


def _clock(match: re.Match[str], shown: str) -> time:
    if match.group("noon"):
        return time(12, 0)
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    ampm = (match.group("ampm") or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise InvalidInput(FIELD, f"“{shown}”: with am/pm the hour is 1 to 12, e.g. 9am or 2:30pm.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(FIELD, f"“{shown}” has no real time of day; write e.g. 14:00 or 2pm.")
    return time(hour, minute)


def _read_day(words: str, today: date, shown: str) -> date | None:
    """The date `words` name (without the time), None when they are not a date."""
    if words in ("today", "tod"):
        return today
    if words == "yesterday":  # a date, so that the answer says it is in the past
        return today - timedelta(days=1)
    if words in ("tomorrow", "tmrw", "tmr", "tomorow", "tommorow"):
        return today + timedelta(days=1)
    if words == "next week":
        return today + timedelta(days=7 - today.weekday())  # next Monday
    if words in ("next month", "next year"):
        return add_months(today, 1 if words == "next month" else 12)
    if (end := _end_of(words, today)) is not None:
        return end
    if (weekday := _weekday(words.removeprefix("next ").removeprefix("this "))) is not None:
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if match := _IN_N.match(words):
        return _in_n(match, today, shown)
    if match := _ISO.match(words):
        return _exact(int(match.group(1)), int(match.group(2)), int(match.group(3)), shown)
    if match := _SLASHED.match(words):
        return _slashed(match, today, shown)
    if match := _MONTH_DAY.match(words) or _DAY_MONTH.match(words):
        month = _month(match.group("month"))
        if month is None:
            return None
        day = int(match.group("day"))
        if match.group("year"):
            return _exact(int(match.group("year")), month, day, shown)
        return _next_occurrence(month, day, today, shown)
    return None


def _end_of(words: str, today: date) -> date | None:
    """The day "end of the week / month / year" (or eow, eom, eoy) names, None for other words."""
    words = {"eow": "end of week", "eom": "end of month", "eoy": "end of year"}.get(words, words)
    period = words.removeprefix("end of ").removeprefix("the ") if words.startswith("end of ") else None
    if period == "week":
        return today + timedelta(days=(4 - today.weekday()) % 7)  # the coming Friday, today included
    if period == "month":
        return date(today.year, today.month, monthrange(today.year, today.month)[1])
    if period == "year":
        return date(today.year, 12, 31)
    return None


def _weekday(word: str) -> int | None:
    """0 for monday … 6 for sunday; the full name or a prefix of at least three letters."""
    for index, name in enumerate(WEEKDAYS):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def _month(word: str) -> int | None:
    """1 for january … 12; the full name or a prefix of at least three letters ("sept" too)."""
    for index, name in enumerate(MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _in_n(match: re.Match[str], today: date, shown: str) -> date:
    """“in 3 days”, “2w”, “in a month”, “in two years”: counted from today; hours and minutes are
    refused."""
    unit = match.group("unit")
    if unit.startswith(("h", "min")):
        raise InvalidInput(
            FIELD, f"“{shown}”: a follow-up is a day, with a time if you like: today 3pm, tomorrow 10:00."
        )
    raw = match.group("n") or match.group("bare")
    if not raw.isdigit():
        count = NUMBER_WORDS[raw]  # a, an, one … twelve
    elif len(raw) > 6:
        raise InvalidInput(FIELD, f"“{shown}” is too far ahead. {too_far_message(today)}")
    else:
        count = int(raw)
    if unit.startswith(("mo", "y")):
        months = count * 12 if unit.startswith("y") else count
        if months > 12 * FURTHEST_AHEAD_YEARS:
            raise InvalidInput(FIELD, f"“{shown}” is too far ahead. {too_far_message(today)}")
        return add_months(today, months)
    days = count * 7 if unit.startswith("w") else count
    if days > (latest_follow_up_day(today) - today).days:
        raise InvalidInput(FIELD, f"“{shown}” is too far ahead. {too_far_message(today)}")
    return today + timedelta(days=days)


def _exact(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(FIELD, f"“{shown}” is not a real date.") from None


def _next_occurrence(month: int, day: int, today: date, shown: str) -> date:
    """The first `month`/`day` on or after today (29 Feb: the next leap year's)."""
    for year in range(today.year, today.year + 9):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        if found >= today:
            return found
    raise InvalidInput(FIELD, f"“{shown}” is not a real date: there is no {day} {MONTHS[month - 1].title()}.")


def _slashed(match: re.Match[str], today: date, shown: str) -> date:
    """03/04 → day/month or month/day, whichever is a real date; asks when both are and differ."""
    first, second = int(match.group(1)), int(match.group(2))
    year = int(match.group(3)) if match.group(3) else None
    readings = []  # (day, month)
    for day, month in ((first, second), (second, first)):
        if 1 <= month <= 12 and (day, month) not in readings and _real(year, month, day):
            readings.append((day, month))
    if not readings:
        raise InvalidInput(FIELD, f"“{shown}” is not a real date, as day/month or month/day.")
    dates = [date(year, m, d) if year else _next_occurrence(m, d, today, shown) for d, m in readings]
    if len(dates) == 1:
        return dates[0]
    (d1, d2) = dates
    raise InvalidInput(
        FIELD,
        f"“{shown}” could be {_long(d1)} or {_long(d2)} — write {d1.isoformat()} or {_short(d1)}, "
        f"or {d2.isoformat()} or {_short(d2)}.",
    )


def _real(year: int | None, month: int, day: int) -> bool:
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: 29/02 is real in some year
    except ValueError:
        return False
    return True


def _long(day: date) -> str:
    return f"{day.day} {day:%B}"


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"
