"""A creator's profiles and who they are: the one place the identity rules live.

What a user types to name a profile — `@maya`, `maya`, a profile link — becomes a `Profile`
(platform, handle, canonical URL, identity key), or a `BareHandle` when no platform is known yet.
Two profiles are the same exactly when their identity keys are equal; influencer_profiles holds
each key once per team.

- **Handle-based platforms** are known by platform and handle, case-insensitively: instagram.com/maya,
  tiktok.com/@maya, x.com/maya (twitter.com too), twitch.tv/maya, linkedin.com/in/maya and
  youtube.com/@maya → "instagram:maya", "youtube:maya".
- **Path-based sites** are known by a normalized URL, never by their host alone: Medium
  (medium.com/@anna, anna.medium.com, a publication medium.com/pub), Substack (anna.substack.com,
  substack.com/@anna), YouTube channels (/channel/UC…, kept case-sensitive like YouTube's ids; the
  legacy /c/… and /user/… names), Linktree (linktr.ee/anna) and any other site, a personal site or
  blog: example.com/blog/anna → "url:example.com/blog/anna", example.com/blog/bob is someone else.
- **Written differently, still the same**: scheme, case, `www.`/`m.`/`mobile.`, trailing slash,
  fragment and query (on the platforms above, the whole query; on other sites the tracking
  parameters only — utm_*, fbclid, gclid, si, igsh… — since `?id=123` may be what names the
  profile). A link to a post on a platform whose profile is in its path (youtube.com/@maya/videos,
  medium.com/@anna/a-post, anna.substack.com/p/a-post) means its author's profile; a link to an
  Instagram post or a YouTube video names no one and is refused.
- On other sites the path's case is ignored as well; two pages of one personal site
  (mayacooks.com and mayacooks.com/about) are two profiles, which can be linked to one creator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from crm.errors import InvalidInput
from crm.models import PLATFORMS
from crm.suggest import PLATFORM_SYNONYMS, did_you_mean
from crm.text import clean_text
from crm.urls import URL_MAX, looks_like_url

HANDLE_MAX = 100  # influencers.handle / influencer_profiles.handle
IDENTITY_MAX = 1000  # influencer_profiles.identity_key: a btree entry must stay well under 2,700 bytes
PROFILES_MAX = 20  # profiles one creator can have (the card lists them all)

# Letters, digits, '_', '.', '-' (the union of what the platforms allow), at least one letter or digit.
_HANDLE_CHAR = r"[A-Za-z0-9_.\-]"
_HANDLE = re.compile(rf"^{_HANDLE_CHAR}{{1,{HANDLE_MAX}}}$")
# An @handle written in running text: not inside a word, so not the domain of an e-mail address.
_HANDLE_IN_TEXT = re.compile(rf"(?<![\w@.\-])@({_HANDLE_CHAR}{{1,{HANDLE_MAX}}})")
_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$", re.IGNORECASE)
_HOST_PREFIXES = ("www.", "m.", "mobile.")
_FIELD = "influencer"

# Paths under a platform's host that are not profiles (posts, search, settings…).
_NOT_PROFILES = {
    "instagram": {"p", "reel", "reels", "explore", "stories", "accounts", "tv", "direct", "about"},
    "x": {"home", "i", "intent", "search", "share", "hashtag", "explore", "settings", "messages"},
    "twitch": {"directory", "videos", "settings", "search"},
    "medium": {"p", "m", "me", "tag", "tags", "topic", "topics", "search", "plans", "about", "membership"},
    "linktree": {"s", "admin", "login", "register", "discover", "marketplace"},
}
# Subdomains of medium.com / substack.com that are the service's own, not someone's.
_SERVICE_SUBDOMAINS = {"www", "m", "mobile", "help", "policy", "blog", "api", "cdn", "on", "open", "support"}

# Query parameters that say where a click came from, never who the profile is.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
    "igsh", "igshid", "si", "feature", "ref", "ref_src", "ref_url", "source", "s", "t", "_ga", "_gl",
    "mkt_tok", "trk", "share", "sharing", "from", "hl", "lang", "locale", "app", "r",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Profile:
    """One profile: `handle` is what is shown after "@" (on other sites a short host/path label),
    `url` the canonical link (None for a blog known only by name), `identity` what makes it unique."""

    platform: str
    handle: str
    url: str | None
    identity: str


@dataclass(frozen=True, slots=True)
class BareHandle:
    """`@maya` or `maya` without a platform: it may name a profile on any platform."""

    handle: str


def _junk(text: str) -> InvalidInput:
    shown = text if len(text) <= 60 else text[:57] + "…"
    return InvalidInput(
        _FIELD, f"“{shown}” is not a handle or a profile link. Use @handle or paste the profile URL."
    )


def _not_a_profile() -> InvalidInput:
    return InvalidInput(_FIELD, "That link is not to a profile; paste the profile link or give the @handle.")


def handles_in(text: str) -> list[str]:
    """The @handles written in `text`, each once, in order: "call with @maya.lopez." gives
    ["maya.lopez"] (a full stop or hyphen at the end is the sentence's); "maya@eats.example" and
    "@..." give none."""
    found: dict[str, None] = {}
    for match in _HANDLE_IN_TEXT.finditer(text):
        handle = match[1].rstrip(".-")
        if any(c.isalnum() for c in handle):
            found.setdefault(handle, None)
    return list(found)


def _valid_handle(candidate: str, original: str) -> str:
    if not _HANDLE.match(candidate) or not any(c.isalnum() for c in candidate):
        raise _junk(original)
    return candidate


def _handle_profile(platform: str, handle: str, original: str, url_template: str) -> Profile:
    """A profile on a handle-based platform (youtube included, for /@handle)."""
    if not handle or handle.lower() in _NOT_PROFILES.get(platform, set()):
        raise _not_a_profile()
    handle = _valid_handle(handle, original)
    return Profile(platform, handle, url_template.format(handle), f"{platform}:{handle.lower()}")


def _path_profile(platform: str, handle: str, original: str, url: str, identity: str) -> Profile:
    """A profile known by its URL; `handle` is the name shown for it."""
    return Profile(platform, _valid_handle(handle, original), url, f"url:{identity.lower()}")


def _bare_site(handle: str, platform: str) -> Profile:
    """`mayacooks.com` given as a blog: the site itself."""
    return _site(urlsplit("https://" + handle), handle, platform=platform)


def _host_of(parts) -> str:
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def _segment(text: str) -> str:
    """One path segment with its percent-encoding normalized ("%41" and "A" are the same)."""
    return quote(unquote(text), safe="@:!$&'()*+,;=-._~")


def _site(parts, original: str, *, platform: str = "blog") -> Profile:
    """Any other site: host, path and the query parameters that are not tracking ones."""
    try:
        host = _host_of(parts).encode("idna").decode("ascii")
        port = parts.port
    except (UnicodeError, ValueError):
        raise _junk(original) from None
    if not _DOMAIN.match(host):
        raise _junk(original)
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    path = "/".join(_segment(s) for s in parts.path.split("/") if s)
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower() in _TRACKING or k.lower().startswith(_TRACKING_PREFIXES))
    )
    where = host + (f"/{path}" if path else "") + (f"?{urlencode(query)}" if query else "")
    scheme = "http" if parts.scheme.lower() == "http" else "https"
    label = where if len(where) <= HANDLE_MAX else where[: HANDLE_MAX - 1] + "…"
    return Profile(platform, label, f"{scheme}://{where}", f"url:{where.lower()}")


def _from_url(text: str) -> Profile:
    url = text if re.match(r"^https?://", text, re.IGNORECASE) else "https://" + text
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _junk(text) from None
    host = _host_of(parts)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    first = segments[0] if segments else ""
    second = segments[1] if len(segments) > 1 else ""

    if host == "instagram.com":
        return _handle_profile("instagram", first, text, "https://www.instagram.com/{}/")
    if host == "tiktok.com":
        if not first.startswith("@"):
            raise _not_a_profile()
        return _handle_profile("tiktok", first[1:], text, "https://www.tiktok.com/@{}")
    if host in ("x.com", "twitter.com"):
        return _handle_profile("x", first, text, "https://x.com/{}")
    if host == "twitch.tv":
        return _handle_profile("twitch", first, text, "https://www.twitch.tv/{}")
    if host == "linkedin.com":
        if first != "in" or not second:
            raise _not_a_profile()
        return _handle_profile("linkedin", second, text, "https://www.linkedin.com/in/{}/")
    if host == "youtube.com":
        return _youtube(first, second, text)
    if host == "youtu.be":
        raise _not_a_profile()
    if host == "medium.com":
        if first.startswith("@"):
            name = first[1:]
            return _path_profile("blog", name, text, f"https://medium.com/@{name}", f"medium.com/@{name}")
        if not first or first.lower() in _NOT_PROFILES["medium"]:
            raise _not_a_profile()
        return _path_profile("blog", first, text, f"https://medium.com/{first}", f"medium.com/{first}")
    if host == "substack.com":
        if not first.startswith("@"):
            raise _not_a_profile()
        name = first[1:]
        return _path_profile("blog", name, text, f"https://substack.com/@{name}", f"substack.com/@{name}")
    for service in ("medium.com", "substack.com"):
        sub = host.removesuffix("." + service)
        if sub != host and "." not in sub and sub not in _SERVICE_SUBDOMAINS:
            if service == "medium.com":  # anna.medium.com is medium.com/@anna
                return _path_profile("blog", sub, text, f"https://medium.com/@{sub}", f"medium.com/@{sub}")
            return _path_profile("blog", sub, text, f"https://{sub}.{service}", f"{sub}.{service}")
    if host in ("linktr.ee", "linktree.com"):
        if not first or first.lower() in _NOT_PROFILES["linktree"]:
            raise _not_a_profile()
        return _path_profile("other", first, text, f"https://linktr.ee/{first}", f"linktr.ee/{first}")
    if not host or "." not in host:
        raise _junk(text)
    return _site(parts, text)


def _youtube(first: str, second: str, text: str) -> Profile:
    if first.startswith("@"):
        return _handle_profile("youtube", first[1:], text, "https://www.youtube.com/@{}")
    if first == "channel" and second:
        # Channel ids are case-sensitive (UCx… and UCX… are different channels): their case is kept.
        channel = _valid_handle(second, text)
        url = f"https://www.youtube.com/channel/{channel}"
        return Profile("youtube", channel, url, f"youtube:channel/{channel}")
    if first in ("c", "user") and second:
        handle = _valid_handle(second, text)
        url = f"https://www.youtube.com/{first}/{handle}"
        return Profile("youtube", handle, url, f"youtube:{first}/{handle.lower()}")
    raise _not_a_profile()


def parse_reference(text: str) -> Profile | BareHandle:
    """`@maya`, `maya` or a profile link; InvalidInput("influencer") on anything else."""
    cleaned = clean_text(text, field=_FIELD, max_len=None, label="The influencer") or ""
    if not cleaned:
        raise InvalidInput(_FIELD, "Give the influencer's @handle or profile link.")
    if len(cleaned) > URL_MAX:
        raise _junk(cleaned)
    if is_profile_link(cleaned):
        profile = _from_url(cleaned)
        if len(profile.identity) > IDENTITY_MAX:
            raise InvalidInput(_FIELD, "That link is too long to be a profile link.")
        return profile
    handle = cleaned[1:] if cleaned.startswith("@") else cleaned
    if len(handle) > HANDLE_MAX:
        raise InvalidInput(_FIELD, f"A handle can be at most {HANDLE_MAX} characters.")
    return BareHandle(_valid_handle(handle, cleaned))


def is_profile_link(text: str) -> bool:
    """Whether `text` is meant as a link: crm.urls.looks_like_url, or `anna.substack.com` /
    `anna.medium.com` written without a scheme or a path (clearly someone's profile)."""
    lowered = text.strip().lower()
    if looks_like_url(lowered):
        return True
    return _DOMAIN.match(lowered) is not None and lowered.endswith((".substack.com", ".medium.com"))


# How each platform is written for people, everywhere it is shown (messages, cards, lists, App Home, pickers).
# Brand names keep their own capitals, which str.capitalize() would lose ("Tiktok", "Youtube").
PLATFORM_LABELS = {
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "x": "X",
    "twitch": "Twitch",
    "linkedin": "LinkedIn",
    "blog": "Blog",
    "other": "Other",
}


def platform_label(platform: str | None) -> str:
    """'TikTok' for 'tiktok'; a platform this table does not know yet is shown as stored."""
    return PLATFORM_LABELS.get(platform or "", platform or "Other")


def creator_name(name: str, handle: str, platform: str | None) -> str:
    """“Maya Lopez” (@maya · Instagram): how crm's messages name a creator. The platform is always
    there, so one handle on two platforms reads apart (Slack messages use the handlers'
    creator_label, the same words in mrkdwn)."""
    return f"“{name}” (@{handle} · {platform_label(platform)})"


def platform_named(word: str) -> str | None:
    """The platform `word` names, in any case: its name, or a short form people write for one where
    a handle is a profile ("ig", "yt", "twitter", from crm.suggest.PLATFORM_SYNONYMS); else None.

    The short forms of blogs ("medium", "substack") are left out: a handle there is not a profile
    (a Medium writer is the link medium.com/@anna), so they must not turn `@anna` into one.
    """
    cleaned = (word or "").strip().lower()
    if cleaned in PLATFORMS:
        return cleaned
    target = PLATFORM_SYNONYMS.get(cleaned)
    return target if target in _URL_TEMPLATES else None


def validate_platform(platform: str) -> str:
    """A known platform (see platform_named: "TikTok", "yt"), or InvalidInput("platform")."""
    chosen = platform_named(platform)
    if chosen is None:
        word = " ".join(str(platform).split())[:30]
        guess = did_you_mean(word.lower(), PLATFORMS, synonyms=PLATFORM_SYNONYMS)
        said = f"“{word}” is not a platform. {guess} Use one of: {', '.join(PLATFORMS)}."
        raise InvalidInput("platform", " ".join(said.split()))
    return chosen


_URL_TEMPLATES = {
    "instagram": "https://www.instagram.com/{}/",
    "tiktok": "https://www.tiktok.com/@{}",
    "youtube": "https://www.youtube.com/@{}",
    "x": "https://x.com/{}",
    "twitch": "https://www.twitch.tv/{}",
    "linkedin": "https://www.linkedin.com/in/{}/",
}


def on_platform(handle: str, platform: str) -> Profile:
    """The profile `@handle` names on `platform`. A blog given as a domain (mayacooks.com) is that
    site; any other blog or "other" handle is known by platform and name, with no link."""
    if platform in _URL_TEMPLATES:
        return _handle_profile(platform, handle, handle, _URL_TEMPLATES[platform])
    if _DOMAIN.match(handle):
        return _bare_site(handle, platform)
    handle = _valid_handle(handle, handle)
    return Profile(platform, handle, None, f"{platform}:{handle.lower()}")


def parse_profile(text: str, *, platform: str | None = None) -> Profile:
    """The profile `text` names: a link (whose platform must agree with `platform`, when given) or
    a handle on `platform`. InvalidInput("platform") when a bare handle comes without one."""
    chosen = validate_platform(platform) if platform is not None else None
    parsed = parse_reference(text)
    if isinstance(parsed, BareHandle):
        if chosen is None:
            raise InvalidInput(
                "platform", f"Say which platform @{parsed.handle} is on, e.g. “@{parsed.handle} tiktok”."
            )
        return on_platform(parsed.handle, chosen)
    if chosen is not None and chosen != parsed.platform:
        raise InvalidInput(
            "platform",
            f"The link is a {platform_label(parsed.platform)} profile but the platform given is"
            f" {platform_label(chosen)}.",
        )
    return parsed


def stored_profile(*, platform: str, handle: str, profile_url: str | None) -> Profile:
    """The profile an influencer row written before profiles existed stands for (migration 0007).

    A blog's link wins (it tells medium.com/@anna from medium.com/@bob, which older versions saved
    as one "medium.com" blog), as does a link to the same handle on the same platform (youtube.com/c/
    maya); otherwise the handle on its platform. A link may turn a blog into "other" (Linktree).
    """
    if profile_url:
        try:
            parsed = parse_reference(profile_url)
        except InvalidInput:
            parsed = None
        sites = {"blog", "other"}
        if isinstance(parsed, Profile) and (
            {parsed.platform, platform} <= sites
            or (parsed.platform == platform and parsed.handle.lower() == handle.lower())
        ):
            return parsed
    try:
        return on_platform(handle, platform)
    except InvalidInput:
        # A handle older rules accepted but these do not: keep it, known by platform and handle.
        return Profile(platform, handle[:HANDLE_MAX], profile_url, f"{platform}:{handle.lower()}")


def describe(profile: Profile) -> str:
    """The profile in a sentence: 'Instagram @maya', or a site's link."""
    if profile.identity.startswith("url:") and profile.url:
        return profile.url
    return f"{platform_label(profile.platform)} @{profile.handle}"
