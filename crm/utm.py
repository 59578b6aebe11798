"""UTM tracking links built by the rules of Google's Campaign URL Builder.

- The base URL must be an absolute http(s) URL with a host; its other query parameters are kept
  byte for byte and in order, its #fragment stays last.
- Every `utm_*` parameter already in the base URL is removed, not only the five we set: a stale
  `utm_id` or `utm_source_platform` copied from another campaign's link would mis-attribute visits.
- Values are encoded as application/x-www-form-urlencoded (`urllib.parse.quote_plus`: space → `+`,
  everything but letters, digits and `_.-~` percent-encoded as UTF-8), so `parse_qsl` returns them as given.
- Values are normalized (trimmed, lower-cased, inner whitespace runs → `-`) unless `normalize=False`:
  GA4 treats `Instagram` and `instagram` as two sources, which splits a campaign's report.
- A value that is empty or only whitespace counts as missing: optional ones are omitted, and
  `source`, `medium` and `campaign` are required.
- Links longer than 2,000 characters are refused: older browsers, some email clients and link
  shorteners truncate them, which silently drops the UTM parameters at the end.
"""

from __future__ import annotations

import re
from urllib.parse import quote_plus, unquote_plus, urlsplit

from crm.errors import InvalidInput

MAX_URL_LENGTH = 2000

# Order of the parameters in the link, as Google's builder writes them.
UTM_FIELDS = ("source", "medium", "campaign", "content", "term")
REQUIRED_FIELDS = ("source", "medium", "campaign")

_WHITESPACE_RUN = re.compile(r"\s+")  # str patterns match Unicode whitespace, the same set str.strip() trims
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")


class UTMError(InvalidInput):
    """A landing URL or UTM value that cannot make a valid tracking link; `field` is "url" or "utm_<name>"."""


def normalize_utm_value(value: str) -> str:
    """The value trimmed, lower-cased, with each inner run of whitespace replaced by one `-`."""
    return _WHITESPACE_RUN.sub("-", value.strip().lower())


def validate_base_url(url: str, *, field: str = "url") -> str:
    """The URL stripped of surrounding whitespace, if it is an absolute http(s) URL with a host.

    Raises UTMError(field, ...) otherwise. Used for campaign landing URLs as well as by build_utm_url.
    """
    if not isinstance(url, str) or not url.strip():
        raise UTMError(field, "A landing URL is required, e.g. https://example.com/spring.")
    url = url.strip()
    example = "e.g. https://example.com/spring"
    if _UNSAFE_IN_URL.search(url):
        raise UTMError(field, f"The URL must not contain spaces or control characters ({example}).")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise UTMError(field, f"That is not a valid URL ({exc}); use a full address, {example}.") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise UTMError(field, f"The URL must start with http:// or https:// ({example}).")
    if not parts.hostname:
        raise UTMError(field, f"The URL must include a host name ({example}).")
    return url


def _prepare(name: str, value: str | None, normalize: bool) -> str | None:
    """The value to put in the link, or None when it is missing (None, empty or only whitespace)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UTMError(f"utm_{name}", f"The UTM {name} must be text.")
    if not value.strip():
        return None
    prepared = normalize_utm_value(value) if normalize else value
    try:
        prepared.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates cannot be percent-encoded
        raise UTMError(f"utm_{name}", f"The UTM {name} contains characters that cannot be encoded.") from exc
    return prepared


def _is_utm_parameter(segment: str) -> bool:
    """True when a raw `key=value` query segment's decoded key starts with `utm_` (any case)."""
    key = segment.split("=", 1)[0]
    return unquote_plus(key).lower().startswith("utm_")


def build_utm_url(
    base_url: str,
    *,
    source: str,
    medium: str,
    campaign: str,
    content: str | None = None,
    term: str | None = None,
    normalize: bool = True,
) -> str:
    """The base URL with utm_source, utm_medium, utm_campaign (and utm_content, utm_term if given).

    Raises UTMError (an InvalidInput) naming the field: "url" for a bad base URL or a result over
    2,000 characters, "utm_<name>" for a missing required value.
    """
    url = validate_base_url(base_url)
    values = {
        "source": _prepare("source", source, normalize),
        "medium": _prepare("medium", medium, normalize),
        "campaign": _prepare("campaign", campaign, normalize),
        "content": _prepare("content", content, normalize),
        "term": _prepare("term", term, normalize),
    }
    for name in REQUIRED_FIELDS:
        if values[name] is None:
            raise UTMError(f"utm_{name}", f"The UTM {name} is required and cannot be blank.")

    # Split by hand, the way urlsplit does (fragment at the first '#', query at the first '?'), so the
    # rest of the URL is kept exactly as written; urlunsplit would re-serialize parts of it.
    rest, hash_sign, fragment = url.partition("#")
    prefix, _, query = rest.partition("?")
    kept = [seg for seg in query.split("&") if seg and not _is_utm_parameter(seg)]
    added = [f"utm_{name}={quote_plus(values[name], safe='')}" for name in UTM_FIELDS if values[name]]
    result = f"{prefix}?{'&'.join(kept + added)}{hash_sign}{fragment}"
    if len(result) > MAX_URL_LENGTH:
        raise UTMError(
            "url",
            f"The tracking link would be {len(result):,} characters; links over {MAX_URL_LENGTH:,} "
            "characters get cut off by some browsers and apps. Shorten the landing URL or the UTM values.",
        )
    return result
