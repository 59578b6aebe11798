"""CRM_PUBLIC_URL and CRM_CLICK_RETENTION_DAYS: where short links point, how long raw clicks stay.

CRM_PUBLIC_URL is the base address at which the bot's HTTP server is reachable (short links are
<CRM_PUBLIC_URL>/l/<code>). It must be https — a short link is opened by anyone on any network, and
a plain-http hop lets it be rewritten in transit — except for a local address (localhost, a loopback
or private IP, *.local, *.localhost), where plain http is accepted for development and tests. It is a
base: a path prefix is allowed (behind a reverse proxy), a query, fragment or credentials are not.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from crm.click_retention import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS

EXAMPLE = "https://crm.example.com"


def is_local_host(host: str) -> bool:
    """localhost, *.localhost, *.local, or a loopback / private / link-local IP address."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def parse_public_url(value: str | None) -> str | None:
    """The base URL without a trailing slash, None when unset; ConfigError naming the problem."""
    from bot.config import ConfigError  # bot.config imports this module

    if value is None:
        return None
    problem = f"CRM_PUBLIC_URL={value[:100]!r} must be the https address of this bot, e.g. {EXAMPLE}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a port that is not a number in range raises ValueError
    except ValueError:
        raise ConfigError(problem) from None
    host = parts.hostname or ""
    if not host or parts.scheme.lower() not in ("http", "https") or any(ch.isspace() for ch in value):
        raise ConfigError(problem)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{problem} (no query, #fragment or user:password)")
    if parts.scheme.lower() == "http" and not is_local_host(host):
        raise ConfigError(
            f"CRM_PUBLIC_URL={value[:100]!r} uses plain http: short links must use https "
            f"(e.g. {EXAMPLE}); http is accepted only for a local address such as http://localhost:3000"
        )
    return value.rstrip("/")


def parse_retention_days(value: str | None) -> int:
    """CRM_CLICK_RETENTION_DAYS as a whole number of days in range (default 90)."""
    from bot.config import ConfigError

    if value is None:
        return DEFAULT_RETENTION_DAYS
    if not (value.isascii() and value.isdigit()) or not (
        MIN_RETENTION_DAYS <= int(value) <= MAX_RETENTION_DAYS
    ):
        raise ConfigError(
            f"CRM_CLICK_RETENTION_DAYS={value[:20]!r} must be a number of days from {MIN_RETENTION_DAYS} "
            f"to {MAX_RETENTION_DAYS} (raw clicks older than that are rolled up into daily counts)"
        )
    return int(value)
