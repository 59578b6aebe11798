"""Text helpers for Block Kit: Slack's size limits, mrkdwn escaping, clipping, dates.

Everything a user typed (names, notes, tags) goes through `mrkdwn()` or `plain()` so it can neither
break a block's size limit nor inject `<!channel>`-style mentions or links.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

# Slack's documented limits (https://docs.slack.dev/reference/block-kit).
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000  # Slack truncates longer `text`; we clip well below
FALLBACK_TEXT = 3_000
SECTION_TEXT = 3_000
SECTION_FIELD = 2_000
SECTION_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3_000
BUTTON_TEXT = 75
BUTTON_VALUE = 2_000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS = 100
ACTIONS_ELEMENTS = 25
INPUT_MAX = 3_000  # plain_text_input max_length (and so its initial_value)
VIEW_TITLE = 24
PRIVATE_METADATA = 3_000
LABEL = 2_000
PLACEHOLDER = 150

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def clip_start(text: str, limit: int) -> str:
    """`text` cut to its last `limit` characters (for notes, whose newest part is at the end)."""
    if len(text) <= limit:
        return text
    return ELLIPSIS + text[-(limit - 1) :].lstrip()


# A word joiner (U+2060, invisible) after the @ of a bare special mention.
_SPECIAL_MENTION = re.compile(r"@(?=(?:here|channel|everyone)\b)", re.IGNORECASE)


def _escape(text: str) -> str:
    """Escape what Slack's mrkdwn would turn into links or mentions.

    With `&`, `<` and `>` escaped, no text can form a link (`<url|label>`), a mention (`<@U…>`,
    `<!channel>`, `<!here>`) or a date token. Slack may also parse a bare `@here` / `@channel` /
    `@everyone` in mrkdwn whose `verbatim` is false (the default), so an invisible word joiner after
    the `@` keeps those plain text.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL_MENTION.sub("@\u2060", escaped)


def mrkdwn(text: str, limit: int | None = SECTION_TEXT, *, from_end: bool = False) -> str:
    """User text made safe for mrkdwn: escaped, then clipped to `limit` without splitting an entity.

    The one helper for anything a user (or Slack, on a user's behalf) wrote that goes into mrkdwn:
    names, handles, tags, notes, campaign names, command words, message text. `limit=None` escapes
    without clipping, for text whose length is bounded elsewhere.
    """
    if limit is None:
        return _escape(text)
    cut = clip_start if from_end else clip
    budget = limit
    while True:
        out = _escape(cut(text, budget))
        if len(out) <= limit or budget <= 1:
            return out
        # Escaping grew it: give the raw text less room, in proportion (an entity is 4-5 characters
        # for 1), and at least one character less each time.
        budget = min(budget - 1, budget * limit // len(out))


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_of(mrkdwn_text: str) -> str:
    """Our own mrkdwn (bold, code, escapes) as plain text, for a message's fallback `text`."""
    return unescape(mrkdwn_text.replace("*", "").replace("`", ""))


def link(url: str | None, label: str, *, limit: int = 1_000) -> str:
    """A mrkdwn link to `url`; '' when there is none or it cannot be a safe link (too long, or a '|'
    that would end the URL early)."""
    if not url or len(url) > limit or "|" in url or not url.lower().startswith(("http://", "https://")):
        return ""
    return f"<{_escape(url)}|{label}>"


def full_stop(name: str) -> str:
    """The "." that ends a sentence ending in `name`; none when the name has its own ("Kai & Co.")."""
    return "" if name.rstrip().endswith((".", "!", "?")) else "."


def plain(text: str | None, limit: int, *, default: str = "-") -> str:
    """User text for a plain_text field: never empty (Slack rejects empty text), at most `limit`."""
    text = " ".join((text or "").split())  # plain_text in buttons/options shows one line anyway
    return clip(text, limit) if text else default


def fmt_date(value: date | datetime | None, tz: ZoneInfo, *, empty: str = "none") -> str:
    """A date for people: 'Tue 3 Dec 2026' (in `tz` when given an instant)."""
    if value is None:
        return empty
    if isinstance(value, datetime):
        value = value.astimezone(tz).date()
    return f"{value:%a} {value.day} {value:%b %Y}"


def fmt_datetime(value: datetime | None, tz: ZoneInfo, *, empty: str = "never") -> str:
    """An instant for people, in `tz`: 'Tue 3 Dec 2026 14:05'."""
    if value is None:
        return empty
    local = value.astimezone(tz)
    return f"{fmt_date(local.date(), tz)} {local:%H:%M}"


def days_ago(value: datetime | None, now: datetime, *, empty: str = "never") -> str:
    """'today', '1 day ago', 'in 3 days' — relative to `now`, whole days."""
    if value is None:
        return empty
    days = (now - value).days
    if days == 0:
        return "today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} ago"
    return f"in {-days} day{'s' if days != -1 else ''}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
