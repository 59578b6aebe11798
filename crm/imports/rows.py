"""One row of the file read into what it says about a creator, or the reasons it cannot be.

Every value goes through the rule the rest of the CRM uses (crm.profiles, crm.relationship_fields,
crm.follow_up_phrases, crm.users, crm.text), so an import accepts what `/crm` accepts. Differences,
and why:
- A follow-up written as a date or ISO 8601 instant may be in the past: an imported roster records
  follow-ups that are already overdue. It may not be further ahead than crm.followups allows.
- A handle without a platform (no platform column, or it is blank) is an Instagram handle
  (crm.influencers.DEFAULT_PLATFORM), unless a link on the same row has that handle.
- A cell starting with `'` before `=`, `+`, `-` or `@` is read without the `'` (crm.exports adds it
  against formula injection).
- Tags may be separated by commas, semicolons or pipes, and come from several columns ("Tags",
  "Niche", "Categories"). A blank cell leaves its field alone.
- Follower counts are written as exports write them: 12500, 12,500, 12.5k, 1.2M (the largest of a
  row's follower columns counts).

A row is left out only when it names no creator: no handle or link, or one that cannot be read. Any
other cell that cannot be read (an e-mail "ben@", a status "hot") leaves that value out and the rest
of the row goes in, as spreadsheet imports do; the preview lists each value left out and why, so it
can be fixed in the file before importing or afterwards by importing the file again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm.cadence import parse_cadence
from crm.clock import follow_up_instant, local_today, resolve_now, start_of_local_day, zone_of
from crm.errors import InvalidInput
from crm.follow_up_phrases import parse_follow_up
from crm.followups import follow_up_due, latest_follow_up_day, too_far_message
from crm.imports.columns import ColumnMap
from crm.influencers import DEFAULT_PLATFORM, FOLLOWER_COUNT_MAX, NAME_MAX
from crm.models import RELATIONSHIP_STATUSES, User
from crm.profiles import BareHandle, Profile, on_platform, parse_profile, parse_reference, validate_platform
from crm.relationship_fields import PRIORITY_MAX, normalize_tags, validate_notes, validate_priority
from crm.suggest import PLATFORM_SYNONYMS, STATUS_SYNONYMS, did_you_mean
from crm.text import clean_name, clean_text
from crm.users import validate_email

_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")
_TAG_SEPARATORS = re.compile(r"[;|]")


@dataclass
class RowData:
    """What one row says: its profiles and the values of the non-blank cells."""

    number: int
    profiles: list[Profile] = field(default_factory=list)
    name: str | None = None
    email: str | None = None
    followers: int | None = None
    status: str | None = None
    priority: int | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    follow_up: datetime | None = None
    last_contacted: datetime | None = None
    cadence: int | None = None  # days (crm.cadence); blank or "off" changes nothing
    left_out: list[str] = field(default_factory=list)  # why a value of the row is not imported


@dataclass(frozen=True, slots=True)
class InvalidRow:
    """A row left out: it names no creator that can be imported."""

    number: int
    reasons: list[str]


# How a value left out is named: "e-mail left out: “ben@” is not an e-mail address."
FIELD_LABELS = {
    "name": "name",
    "email": "e-mail",
    "followers": "followers",
    "status": "status",
    "priority": "priority",
    "tags": "tags",
    "notes": "notes",
    "follow_up": "follow-up",
    "last_contacted": "last contacted",
    "cadence": "cadence",
}


def left_out(name: str, reason: str) -> str:
    """The line saying a row's `name` value is not imported, and why."""
    return f"{FIELD_LABELS[name]} left out: {reason}"


def _cell(cells: list[str], index: int) -> str:
    value = cells[index].strip() if index < len(cells) else ""
    return _FORMULA_GUARD.sub("", value)


def read_row(
    number: int, cells: list[str], mapping: ColumnMap, *, actor: User, now: datetime
) -> RowData | InvalidRow:
    """The row as RowData (with the values it leaves out), or InvalidRow when it names no creator
    that can be imported; an InvalidRow gives every reason found, its values' too."""
    row = RowData(number=number)
    reasons: list[str] = []  # the row's profiles: any of these leaves the whole row out
    problems: list[tuple[str, str]] = []  # (field, reason) of the values left out
    tz = zone_of(actor.timezone)
    had_profile = False

    def attempt(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            reasons.append(exc.message)
            return None

    def attempt_value(name: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            problems.append((name, exc.message))
            return None

    def value(name: str) -> str:
        columns = mapping.of(name)
        return _cell(cells, columns[0].index) if columns else ""

    platform = None
    if raw := value("platform"):
        word = raw.lower()
        platform = attempt(validate_platform, PLATFORM_SYNONYMS.get(word, word))
    for column in mapping.of("profile_url"):
        if raw := _cell(cells, column.index):
            had_profile = True
            profile = attempt(_profile, raw, column.platform or platform)
            if profile is not None and profile.identity not in {p.identity for p in row.profiles}:
                row.profiles.append(profile)
    for column in mapping.of("handle"):
        if raw := _cell(cells, column.index):
            had_profile = True
            profile = attempt(_handle, raw, column.platform or platform, row.profiles)
            if profile is not None and profile.identity not in {p.identity for p in row.profiles}:
                row.profiles.append(profile)
    if raw := value("name"):
        row.name = attempt_value("name", clean_name, raw, field="name", max_len=NAME_MAX, label="The name")
    if raw := value("email"):
        row.email = attempt_value("email", validate_email, raw)
    counts = [
        attempt_value("followers", _followers, raw)
        for c in mapping.of("followers")
        if (raw := _cell(cells, c.index))
    ]
    row.followers = max((n for n in counts if n is not None), default=None)
    if raw := value("status"):
        row.status = attempt_value("status", _status, raw)
    if raw := value("priority"):
        row.priority = attempt_value("priority", _priority, raw)
    tag_cells = [_TAG_SEPARATORS.sub(",", raw) for c in mapping.of("tags") if (raw := _cell(cells, c.index))]
    if tag_cells:  # every tag column, pooled ("Tags" and "Niche")
        row.tags = attempt_value("tags", normalize_tags, ",".join(tag_cells)) or []
    if raw := value("notes"):
        row.notes = attempt_value("notes", validate_notes, raw)
    if raw := value("follow_up"):
        row.follow_up = attempt_value("follow_up", _follow_up, raw, actor, tz, now)
    if raw := value("last_contacted"):
        row.last_contacted = attempt_value("last_contacted", _last_contacted, raw, tz, now)
    if raw := value("cadence"):
        row.cadence = attempt_value("cadence", parse_cadence, raw)
    if not had_profile:
        reasons.append("No handle or profile link: a creator needs one (a name alone is not enough).")
    if reasons:
        return InvalidRow(number, reasons + [reason for _, reason in problems])
    row.left_out = [left_out(name, reason) for name, reason in problems]
    return row


def _profile(raw: str, platform: str | None) -> Profile:
    """A profile link, or a handle on `platform` (a column such as “Instagram” may hold either)."""
    if platform is None and isinstance(parse_reference(raw), BareHandle):
        platform = DEFAULT_PLATFORM
    return parse_profile(raw, platform=platform)


def _handle(raw: str, platform: str | None, links: list[Profile]) -> Profile:
    parsed = parse_reference(raw)
    if isinstance(parsed, Profile):  # a link in the handle column
        return parse_profile(raw, platform=platform)
    if platform is None:
        for link in links:  # the handle of a link on the same row: that profile
            if link.handle.lower() == parsed.handle.lower():
                return link
        platform = DEFAULT_PLATFORM
    return on_platform(parsed.handle, platform)


_COUNT = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>[kmb])?$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[,. \u00a0\u202f]\d{3})+$")  # 12,500 · 1.234.567 · 12 500
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def _followers(raw: str) -> int:
    """A follower count as rosters write it: 12500, 12,500, 12.5k, 1.2M (K/M/B for thousands, millions,
    billions; a comma may be the decimal point before a unit: 12,5k)."""
    text = raw.strip()
    number = -1
    if _THOUSANDS.match(text):
        number = int(re.sub(r"\D", "", text))
    elif match := _COUNT.match(text):
        unit = (match.group("unit") or "").lower()
        figure = float(match.group("number").replace(",", "."))
        if unit or figure.is_integer():  # no fraction of a follower without a unit
            number = round(figure * _UNITS[unit])
    if not 0 <= number <= FOLLOWER_COUNT_MAX:
        raise InvalidInput(
            "followers", f"Followers “{raw[:30]}” is not a follower count; write e.g. 12500, 12.5k or 1.2M."
        )
    return number


def _status(raw: str) -> str:
    cleaned = raw.strip().lower()
    if cleaned not in RELATIONSHIP_STATUSES:
        shown = clean_text(raw, field="status", max_len=None) or ""
        guess = did_you_mean(cleaned, RELATIONSHIP_STATUSES, synonyms=STATUS_SYNONYMS)
        said = f"“{shown[:40]}” is not a status. {guess} Use one of: {', '.join(RELATIONSHIP_STATUSES)}."
        raise InvalidInput("status", " ".join(said.split()))
    return cleaned


def _priority(raw: str) -> int:
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if not number.is_integer() or not 0 <= number <= PRIORITY_MAX:
        raise InvalidInput(
            "priority", f"Priority “{raw[:20]}” is not a whole number from 0 to {PRIORITY_MAX}."
        )
    return validate_priority(int(number))


def _iso(raw: str) -> date | datetime | None:
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _follow_up(raw: str, actor: User, tz: ZoneInfo, now: datetime) -> datetime | None:
    given = _iso(raw)
    if given is None:  # a phrase: read as /crm follow-up reads it (refusing the past)
        return follow_up_due(parse_follow_up(raw, tz=tz, today=local_today(now, tz)), actor=actor, now=now)
    if isinstance(given, datetime) and given.tzinfo is None:
        given = given.replace(tzinfo=tz)
    instant = follow_up_due(given, actor=actor, now=now) if _ahead(given, tz, now) else _instant(given, tz)
    today = local_today(now, tz)
    if local_today(instant, tz) > latest_follow_up_day(today):
        raise InvalidInput("follow_up", too_far_message(today))
    return instant


def _ahead(given: date | datetime, tz: ZoneInfo, now: datetime) -> bool:
    day = given.astimezone(tz).date() if isinstance(given, datetime) else given
    return day >= local_today(now, tz)


def _instant(given: date | datetime, tz: ZoneInfo) -> datetime:
    if isinstance(given, datetime):
        return resolve_now(given)
    return follow_up_instant(given, tz)


def _last_contacted(raw: str, tz: ZoneInfo, now: datetime) -> datetime:
    given = _iso(raw)
    if given is None:
        raise InvalidInput("last_contacted", f"Last contacted “{raw[:40]}” is not a date; write YYYY-MM-DD.")
    if isinstance(given, datetime):
        instant = resolve_now(given if given.tzinfo else given.replace(tzinfo=tz))
    else:
        instant = resolve_now(start_of_local_day(given, tz))
    if instant > now:
        raise InvalidInput("last_contacted", f"Last contacted “{raw[:40]}” is in the future.")
    return instant
