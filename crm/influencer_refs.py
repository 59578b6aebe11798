"""Parse what a user types to name an influencer: `@maya`, `maya`, or a profile link.

Links to the big platforms map to (platform, handle): instagram.com/maya, tiktok.com/@maya,
youtube.com/@maya (also /c/… and /user/…), x.com/maya and twitter.com/maya (platform "x"),
twitch.tv/maya, linkedin.com/in/maya. `www.` / `m.` / `mobile.` prefixes, trailing slashes, query
strings and fragments are ignored. A link to any other site is a blog whose handle is the site's
host name (e.g. mayacooks.com). Links to a post rather than a profile are rejected, because the
handle cannot be read from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from crm.errors import InvalidInput
from crm.text import clean_text
from crm.urls import looks_like_url

HANDLE_MAX = 100
# Letters, digits, '_', '.', '-' (the union of what the platforms allow), at least one letter or digit.
_HANDLE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_HOST_PREFIXES = ("www.", "m.", "mobile.")

# Paths under a platform's host that are not profiles (posts, search, settings…).
_NOT_PROFILES = {
    "instagram": {"p", "reel", "reels", "explore", "stories", "accounts", "tv", "direct", "about"},
    "x": {"home", "i", "intent", "search", "share", "hashtag", "explore", "settings", "messages"},
    "twitch": {"directory", "videos", "settings", "search"},
}

_FIELD = "influencer"


@dataclass(frozen=True, slots=True)
class InfluencerRef:
    """A parsed reference: the handle, and the platform and canonical profile URL when a link gave them."""

    handle: str
    platform: str | None
    profile_url: str | None


def _junk(text: str) -> InvalidInput:
    shown = text if len(text) <= 60 else text[:57] + "…"
    return InvalidInput(
        _FIELD, f"“{shown}” is not a handle or a profile link. Use @handle or paste the profile URL."
    )


def _valid_handle(candidate: str, original: str) -> str:
    if not _HANDLE.match(candidate) or not any(c.isalnum() for c in candidate):
        raise _junk(original)
    return candidate


def _not_a_profile(_original: str) -> InvalidInput:
    return InvalidInput(_FIELD, "That link is not to a profile; paste the profile link or give the @handle.")


def _from_url(text: str) -> InfluencerRef:
    url = text if re.match(r"^https?://", text, re.IGNORECASE) else "https://" + text
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    segments = [s for s in parts.path.split("/") if s]
    first = segments[0] if segments else ""

    if host == "instagram.com":
        return _profile("instagram", first, text, "https://www.instagram.com/{}/")
    if host == "tiktok.com":
        if not first.startswith("@"):
            raise _not_a_profile(text)
        return _profile("tiktok", first[1:], text, "https://www.tiktok.com/@{}")
    if host == "youtube.com":
        if first.startswith("@"):
            return _profile("youtube", first[1:], text, "https://www.youtube.com/@{}")
        if first in ("c", "user") and len(segments) > 1:
            return _profile("youtube", segments[1], text, f"https://www.youtube.com/{first}/{{}}")
        raise _not_a_profile(text)
    if host in ("x.com", "twitter.com"):
        return _profile("x", first, text, "https://x.com/{}")
    if host == "twitch.tv":
        return _profile("twitch", first, text, "https://www.twitch.tv/{}")
    if host == "linkedin.com":
        if first != "in" or len(segments) < 2:
            raise _not_a_profile(text)
        return _profile("linkedin", segments[1], text, "https://www.linkedin.com/in/{}/")
    if not host or "." not in host:
        raise _junk(text)
    # Any other site: a blog, known by its host name.
    path = parts.path.rstrip("/")
    canonical = f"{parts.scheme.lower()}://{parts.hostname}{path}"
    return InfluencerRef(handle=_valid_handle(host, text), platform="blog", profile_url=canonical)


def _profile(platform: str, handle: str, original: str, url_template: str) -> InfluencerRef:
    if not handle or handle.lower() in _NOT_PROFILES.get(platform, set()):
        raise _not_a_profile(original)
    handle = _valid_handle(handle, original)
    return InfluencerRef(handle=handle, platform=platform, profile_url=url_template.format(handle))


def parse_influencer_ref(text: str) -> InfluencerRef:
    """`@maya`, `maya` or a profile link as an InfluencerRef; InvalidInput("influencer") on anything else."""
    cleaned = clean_text(text, field=_FIELD, max_len=None, label="The influencer") or ""
    if not cleaned:
        raise InvalidInput(_FIELD, "Give the influencer's @handle or profile link.")
    if len(cleaned) > 2000:
        raise _junk(cleaned)
    if looks_like_url(cleaned):
        return _from_url(cleaned)
    handle = cleaned[1:] if cleaned.startswith("@") else cleaned
    if len(handle) > HANDLE_MAX:
        raise InvalidInput(_FIELD, f"A handle can be at most {HANDLE_MAX} characters.")
    return InfluencerRef(handle=_valid_handle(handle, cleaned), platform=None, profile_url=None)
