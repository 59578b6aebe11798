"""Links a user types: whether a word is meant as a link, and checking an absolute http(s) address.

`looks_like_url` is the one test for "is this a link?" (a /crm argument, an influencer reference);
campaign landing URLs, which must also make valid tracking links, are checked by crm.utm.
"""

from __future__ import annotations

import re

from crm.errors import InvalidInput
from crm.text import clean_text

URL_MAX = 2000
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_HOST_THEN_PATH = re.compile(r"^([a-z0-9-]+\.)+[a-z]{2,}/", re.IGNORECASE)
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)


def looks_like_url(text: str) -> bool:
    """Whether `text` is meant as a link: it has an http(s) scheme, or is a host name followed by a
    path (instagram.com/maya); `maya`, `@maya`, `a/b` and `v1.2` are not."""
    cleaned = text.strip()
    return bool(_SCHEME.match(cleaned) or _HOST_THEN_PATH.match(cleaned))


def validate_http_url(value: str, *, field: str) -> str:
    """An absolute http(s) URL of at most 2,000 characters, or InvalidInput(field)."""
    cleaned = clean_text(value, field=field, max_len=None, label="The link") or ""
    if not _HTTP_URL.match(cleaned):
        raise InvalidInput(field, "The link must be a full http:// or https:// address.")
    if len(cleaned) > URL_MAX:
        raise InvalidInput(field, f"The link must be at most {URL_MAX:,} characters.")
    return cleaned
