"""GET/HEAD /l/<code>: the short-link redirect, served before Bolt (bot/wsgi.py routes it here).

In order, cheapest first:
1. A method other than GET or HEAD → 405. A path whose raw form differs from the decoded one
   (percent-encoding: `/l/%41b…`, `%2e%2e`, `%00`) or a code without the shape of one
   (crm.short_codes.looks_like_code) → 404, before any database query: a flood of junk costs no
   database work and writes nothing.
2. One indexed SELECT (crm.links.resolve) under a short deadline; unknown or cancelled → 404.
3. 302 to the stored destination with `Cache-Control: no-store`, so every visit comes back here.
   A GET from a person is counted: the click goes to the in-process buffer (bot/click_buffer.py),
   never written on the request path. HEAD requests, link-preview bots and prefetches get the same
   redirect and are not counted. Only a coarse client class and the referrer's host are kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from bot.click_buffer import ClickBuffer
from crm import clock
from crm.clicks import Click
from crm.links import LINK_PATH, resolve
from crm.short_codes import looks_like_code
from handlers.runtime.deadline import within

log = logging.getLogger(__name__)

# A redirect waits at most this long for PostgreSQL (it shares the worker with Slack's requests).
REDIRECT_DEADLINE = 1.0
# Link-preview fetchers named by the issue, matched case-insensitively in the User-Agent, plus the
# generic words crawlers put in theirs.
PREVIEW_AGENTS = (
    "slackbot-linkexpanding",
    "slackbot",
    "facebookexternalhit",
    "facebookcatalog",
    "twitterbot",
    "whatsapp",
    "telegrambot",
    "discordbot",
    "linkedinbot",
    "skypeuripreview",
    "embedly",
)
_CRAWLER = re.compile(r"bot\b|crawler|spider|preview", re.IGNORECASE)
# Headers browsers send on a speculative load (prefetch / prerender), never a person's click.
PURPOSE_HEADERS = ("HTTP_PURPOSE", "HTTP_SEC_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")
_MOBILE = ("mobi", "android", "iphone", "ipad", "ipod", "windows phone")
_DESKTOP = ("windows nt", "macintosh", "x11", "cros", "linux")
_HOST = re.compile(r"[a-z0-9.-]{1,255}")

NOT_FOUND_PAGE = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Link not found</title>"
    b"<body style='font-family:sans-serif;max-width:30em;margin:4em auto'>"
    b"<h1>Link not found</h1><p>This link does not exist or is no longer active.</p></html>"
)
UNAVAILABLE_PAGE = (
    b"<!doctype html><html lang=en><meta charset=utf-8><title>Try again</title>"
    b"<body style='font-family:sans-serif;max-width:30em;margin:4em auto'>"
    b"<h1>Temporarily unavailable</h1><p>Please try this link again in a moment.</p></html>"
)

StartResponse = Callable[..., Any]


def is_prefetch_or_preview(environ: dict[str, Any]) -> bool:
    """A link-preview bot, a crawler, or a browser's speculative prefetch: redirected, not counted."""
    for header in PURPOSE_HEADERS:
        value = environ.get(header, "").lower()
        if "prefetch" in value or "preview" in value or "prerender" in value:
            return True
    agent = environ.get("HTTP_USER_AGENT", "")
    lowered = agent.lower()
    return any(name in lowered for name in PREVIEW_AGENTS) or bool(_CRAWLER.search(agent))


def client_class(user_agent: str) -> str:
    """'mobile', 'desktop' or 'other' from the User-Agent (the only thing kept of it)."""
    agent = user_agent.lower()
    if any(word in agent for word in _MOBILE):
        return "mobile"
    if any(word in agent for word in _DESKTOP):
        return "desktop"
    return "other"


def referrer_host(referer: str | None) -> str | None:
    """The host of an http(s) Referer, lower-cased; None when absent or not a plain host name."""
    if not referer:
        return None
    try:
        parts = urlsplit(referer.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    return host


def link_code(environ: dict[str, Any]) -> str | None:
    """The code of a /l/<code> request, or None when the path is not a plain, unencoded code.

    gunicorn passes the request line's path as RAW_URI (bot/public_http.py does the same); when it
    differs from the decoded PATH_INFO, the client percent-encoded something: refused.
    """
    path = environ.get("PATH_INFO", "")
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is not None and raw.split("?", 1)[0] != path:
        return None
    code = path[len(LINK_PATH) :]
    return code if looks_like_code(code) else None


class Redirects:
    """The WSGI handler for /l/<code>: looks codes up on `engine` (bot/public_http.make_link_engine:
    AUTOCOMMIT, so one SELECT is one round trip), counts clicks into `buffer`."""

    def __init__(self, engine: Engine, buffer: ClickBuffer) -> None:
        self.engine = engine
        self.buffer = buffer

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _page(start_response, "405 Method Not Allowed", b"", head=False, allow="GET, HEAD")
        head = method == "HEAD"
        code = link_code(environ)
        if code is None:
            return _page(start_response, "404 Not Found", NOT_FOUND_PAGE, head=head)
        try:
            with within(REDIRECT_DEADLINE), self.engine.connect() as conn:
                destination = resolve(conn, code=code)
        except Exception as exc:  # database down or slow: say so, do not crash the worker
            reason = (str(exc).splitlines() or [""])[0][:200]
            log.warning("short link look-up failed (%s: %s)", type(exc).__name__, reason)
            return _page(start_response, "503 Service Unavailable", UNAVAILABLE_PAGE, head=head)
        if destination is None:
            return _page(start_response, "404 Not Found", NOT_FOUND_PAGE, head=head)
        if not head and not is_prefetch_or_preview(environ):
            self.buffer.add(
                Click(
                    destination.assignment_id,
                    clock.now(),
                    client_class(environ.get("HTTP_USER_AGENT", "")),
                    referrer_host(environ.get("HTTP_REFERER")),
                )
            )
        start_response(
            "302 Found",
            [
                ("Location", destination.url),
                ("Cache-Control", "no-store"),
                ("Content-Length", "0"),
            ],
        )
        return [b""]


def _page(start_response: StartResponse, status: str, body: bytes, *, head: bool, allow: str = ""):
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("Content-Length", str(len(body))),
    ]
    if allow:
        headers.append(("Allow", allow))
    start_response(status, headers)
    return [b"" if head else body]
