"""Which column holds what: header names matched by the aliases common exports use.

Fields are the ones crm.exports writes (name, platform, handle, profile_url, email, followers,
status, priority, tags, notes, follow_up, last_contacted, cadence), so an export imports back as it
is. A column named after a platform ("Instagram URL", "TikTok handle", "YouTube") is a profile on
that platform; several profile columns may coexist, since one creator can have several profiles,
and so may follower counts ("Instagram followers", "TikTok followers": the largest is kept) and
tags ("Tags" beside "Niche" or "Categories": all of them). Any other field may come from one column
only: two columns for it (two "Email" columns, or "Name" beside "Full name") are reported as
duplicates, and the import refuses until the mapping is corrected with `with_column`.

A correction made in Slack travels as codes, one per column: "-" (ignored), a field ("email"), or a
profile field on a platform ("handle:tiktok", "profile_url:instagram"); `with_codes` applies them
and `code_problems` says which choices cannot work together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from crm.errors import InvalidInput
from crm.models import PLATFORMS
from crm.profiles import platform_named

FIELDS = (
    "name",
    "platform",
    "handle",
    "profile_url",
    "email",
    "followers",
    "status",
    "priority",
    "tags",
    "notes",
    "follow_up",
    "last_contacted",
    "cadence",
)
# Fields a file may hold in several columns (one per profile).
MULTI_FIELDS = ("handle", "profile_url")
# ... and follower counts, one per platform ("Instagram followers", "TikTok followers": the largest
# is the creator's, as the directory keeps one count per creator), and tags ("Tags" beside "Niche":
# all of them).
SEVERAL_COLUMNS = (*MULTI_FIELDS, "followers", "tags")

_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "creator", "creator name", "influencer", "influencer name", "display name"),
    "handle": ("handle", "username", "user name", "@", "user", "account", "social handle"),
    "platform": ("platform", "network", "channel", "social network", "social platform"),
    "profile_url": ("profile url", "url", "link", "profile link", "profile", "social url", "social link"),
    "email": ("email", "e mail", "email address", "e mail address", "contact email"),
    "followers": (
        "followers",
        "follower",
        "follower count",
        "followers count",
        "total followers",
        "audience",
        "audience size",
        "subscribers",
        "fans",
    ),
    "status": ("status", "stage", "pipeline status"),
    "tags": ("tags", "tag", "labels", "label", "niche", "niches", "category", "categories", "vertical"),
    "priority": ("priority",),
    "notes": ("notes", "note", "comments", "comment"),
    "follow_up": (
        "follow up",
        "followup",
        "next follow up",
        "follow up date",
        "next followup",
        "follow up on",
    ),
    "cadence": ("cadence", "contact cadence", "contact every", "contact frequency"),
    "last_contacted": (
        "last contacted",
        "last contact",
        "last contacted at",
        "last contact date",
        "contacted",
    ),
}
# The platforms a column can be about ("Instagram handle", "IG URL"): those where a handle is a
# profile. A header's first word names one as crm.profiles.platform_named reads it.
_COLUMN_PLATFORMS = tuple(p for p in PLATFORMS if p not in ("blog", "other"))
_BY_ALIAS = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}

IGNORED = "-"  # the code of a column nothing is read from
# Every code a column may be given: ignored, each field, and each profile field on each platform.
CODES = (
    IGNORED,
    *FIELDS,
    *(f"{field}:{platform}" for field in MULTI_FIELDS for platform in _COLUMN_PLATFORMS),
)


@dataclass(frozen=True, slots=True)
class Column:
    """Column `index` (0-based) with header `header` holds `field` (None: ignored), on `platform`
    when the header names one."""

    index: int
    header: str
    field: str | None
    platform: str | None = None


@dataclass(frozen=True, slots=True)
class ColumnMap:
    columns: tuple[Column, ...]

    @property
    def ignored(self) -> list[str]:
        """Headers of the columns nothing is read from."""
        return [c.header for c in self.columns if c.field is None]

    @property
    def duplicates(self) -> dict[str, list[str]]:
        """Fields read from more than one column (where one is allowed), with those headers."""
        seen: dict[str, list[str]] = {}
        for column in self.columns:
            if column.field is not None and column.field not in SEVERAL_COLUMNS:
                seen.setdefault(column.field, []).append(column.header)
        return {field: headers for field, headers in seen.items() if len(headers) > 1}

    def of(self, field: str) -> list[Column]:
        return [c for c in self.columns if c.field == field]

    def with_column(self, header: str | int, field: str | None, *, platform: str | None = None) -> ColumnMap:
        """This mapping with one column read as `field` (None ignores it). `header` is a header's
        text (every column so named) or a 0-based column position (for duplicate headers)."""
        if field is not None and field not in FIELDS:
            raise InvalidInput("mapping", f"“{field}” is not a field; use one of: {', '.join(FIELDS)}.")
        if platform is not None and platform not in PLATFORMS:
            raise InvalidInput("mapping", f"Platform must be one of: {', '.join(PLATFORMS)}.")
        if platform is not None and field not in MULTI_FIELDS:
            raise InvalidInput("mapping", "Only a handle or a profile link column can name a platform.")
        hit = False
        columns = []
        for column in self.columns:
            if column.index == header or column.header == header:
                column, hit = replace(column, field=field, platform=platform), True
            columns.append(column)
        if not hit:
            raise InvalidInput("mapping", f"The file has no column “{header}”.")
        return ColumnMap(tuple(columns))


def _normal(header: str) -> str:
    text = header.replace("\ufeff", "").strip().lower()
    if text == "@":
        return text
    return " ".join(re.sub(r"[_\-./:#()]+", " ", text).split())


def _guess(header: str) -> tuple[str | None, str | None]:
    key = _normal(header)
    if key in _BY_ALIAS:
        return _BY_ALIAS[key], None
    words = key.split()
    platform = platform_named(words[0]) if words else None
    if platform in _COLUMN_PLATFORMS:
        rest = " ".join(words[1:])
        if rest in ("", "url", "link", "profile", "profile url", "profile link", "page", "channel"):
            return ("profile_url", platform) if rest else ("handle", platform)
        if rest in ("handle", "username", "user name", "@", "account", "name"):
            return "handle", platform
        if rest in _ALIASES["followers"]:  # "Instagram followers", "YouTube subscribers"
            return "followers", None
    return None, None


def map_columns(headers: list[str]) -> ColumnMap:
    """The mapping the headers suggest; unknown headers are ignored (ColumnMap.ignored)."""
    columns = []
    for index, header in enumerate(headers):
        field, platform = _guess(header)
        columns.append(Column(index=index, header=header, field=field, platform=platform))
    return ColumnMap(tuple(columns))


def column_code(column: Column) -> str:
    """The code of what `column` is read as (see the module docstring)."""
    if column.field is None:
        return IGNORED
    return f"{column.field}:{column.platform}" if column.platform else column.field


def with_codes(mapping: ColumnMap, codes: Mapping[int, str]) -> ColumnMap:
    """`mapping` with the column at each 0-based position read as its code; InvalidInput("mapping")
    for an unknown code or a position the file does not have."""
    for index, code in codes.items():
        if code not in CODES:
            raise InvalidInput("mapping", f"“{code}” is not something a column can hold.")
        if not 0 <= index < len(mapping.columns):
            raise InvalidInput("mapping", f"The file has no column {index + 1}.")
        field, _, platform = code.partition(":")
        mapping = mapping.with_column(index, None if code == IGNORED else field, platform=platform or None)
    return mapping


Codes = dict[int, str]  # column position → code: what the user chose it holds


def corrected(headers: list[str], codes: Mapping[int, str]) -> tuple[ColumnMap, Codes]:
    """The mapping of `headers` with the user's choices applied, and those choices that differ from
    what the headers suggest (all a correction needs to carry)."""
    suggested = map_columns(headers)
    mapping = with_codes(suggested, codes)
    changed = {
        i: column_code(column)
        for i, column in enumerate(mapping.columns)
        if column_code(column) != column_code(suggested.columns[i])
    }
    return mapping, changed


def code_problems(codes: Mapping[int, str]) -> dict[int, str]:
    """Why a set of choices (position → code) cannot be imported, by position: a field other than a
    handle or profile link chosen for two columns, or no column naming a creator."""
    problems: dict[int, str] = {}
    first: dict[str, int] = {}
    for index in sorted(codes):
        field = codes[index].partition(":")[0]
        if codes[index] == IGNORED or field in SEVERAL_COLUMNS:
            continue
        if field in first:
            problems[index] = f"Column {first[field] + 1} is already read as this; choose one column for it."
        first.setdefault(field, index)
    if codes and not any(code.partition(":")[0] in MULTI_FIELDS for code in codes.values()):
        problems.setdefault(
            min(codes), "No column is read as a handle or a profile link; a creator needs one."
        )
    return problems
