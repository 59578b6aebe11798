"""Settings read from the environment (and a `.env` file in the working directory, if present)."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from bot.public_url import parse_public_url, parse_retention_days
from crm.click_retention import DEFAULT_RETENTION_DAYS

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_HOST = "0.0.0.0"  # every interface: HTTP mode runs behind a load balancer or in a container
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# The placeholders .env.example ships with (tests/test_config.py keeps the two in step): a copied
# .env still holding one is refused at start with a line saying which variable to fill in.
EXAMPLE_VALUES = {
    "SLACK_BOT_TOKEN": "xoxb-your-bot-token",
    "SLACK_SIGNING_SECRET": "your-signing-secret",
    "SLACK_APP_TOKEN": "xapp-your-app-level-token",
}
# What only a placeholder holds: a dash-separated word like these, or a mark no token has. Words,
# not substrings: a real token's random part may contain "xxx" or "your" by chance.
PLACEHOLDER_WORDS = ("your", "example", "placeholder", "changeme", "replace", "paste")
PLACEHOLDER_MARKS = ("...", "…", "<", ">", "*")
# What each credential is, where it is found, and its shape. Slack's tokens are a prefix, then
# letters, digits and dashes (xoxb-123-456-AbC…); a signing secret is 32 hexadecimal digits.
CREDENTIALS = {
    "SLACK_BOT_TOKEN": (
        "your bot token (xoxb-…) from OAuth & Permissions → Bot User OAuth Token",
        re.compile(r"xoxb-[A-Za-z0-9-]+"),
        "a bot token: xoxb- followed by letters, digits and dashes",
    ),
    "SLACK_APP_TOKEN": (
        "your app-level token (xapp-…) from Basic Information → App-Level Tokens"
        " (or leave it empty for HTTP mode)",
        re.compile(r"xapp-[A-Za-z0-9-]+"),
        "an app-level token: xapp- followed by letters, digits and dashes",
    ),
    "SLACK_SIGNING_SECRET": (
        "your Signing Secret from Basic Information → App Credentials",
        re.compile(r"[0-9a-fA-F]{32}"),
        "a signing secret: 32 hexadecimal digits (0-9, a-f)",
    ),
}
HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable and how to fix it."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("influencer-crm")))
    admin_user_ids: frozenset[str] = frozenset()
    admin_channel: str | None = None
    timezone: str = "UTC"
    port: int = 3000
    host: str = DEFAULT_HOST
    log_level: str = "INFO"
    # Where the bot's HTTP server is reachable from the internet (short links <public_url>/l/<code>);
    # None: no short links, QR codes or click counts anywhere (bot/public_url.py validates it).
    public_url: str | None = None
    click_retention_days: int = DEFAULT_RETENTION_DAYS

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def bind_address(self) -> str:
        """HOST:PORT as gunicorn's `bind` takes it (an IPv6 address in brackets)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, load_dotenv: bool = True, with_slack: bool = True
    ) -> Settings:
        """Build settings from `environ` (default: os.environ, after loading `.env` without overriding).

        `with_slack=False` leaves the Slack credentials unread and unchecked, for commands that never
        talk to Slack (`migrate`, `demo-data`, `try`): a half-filled .env does not stop them.
        """
        if environ is None:
            if load_dotenv:
                from dotenv import load_dotenv as _load

                _load(Path.cwd() / ".env", override=False)
            environ = os.environ

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        timezone = get("CRM_TIMEZONE") or "UTC"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"CRM_TIMEZONE={timezone!r} is not an IANA timezone name (for example Europe/Berlin or UTC)"
            ) from None

        port_raw = get("PORT") or "3000"
        if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
            raise ConfigError(f"PORT={port_raw!r} must be a TCP port number between 1 and 65535")

        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL={log_level!r} must be one of {', '.join(LOG_LEVELS)}")

        database_url = get("DATABASE_URL")
        if database_url and not database_url.startswith(
            ("postgresql://", "postgresql+psycopg://", "postgres://")
        ):
            raise ConfigError(
                "DATABASE_URL must be a PostgreSQL URL such as postgresql://user:password@host:5432/dbname"
            )

        api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"SLACK_API_URL={api_url!r} must be an http(s) URL such as {DEFAULT_SLACK_API_URL}"
            )
        if not api_url.endswith("/"):
            api_url += "/"

        host = (get("HOST") or DEFAULT_HOST).removeprefix("[").removesuffix("]")
        if not _valid_host(host):
            raise ConfigError(
                f"HOST={host!r} must be an IP address or a host name to listen on "
                f"(for example {DEFAULT_HOST} for every interface, or 127.0.0.1)"
            )

        credentials = {name: _credential(name, get(name)) if with_slack else None for name in CREDENTIALS}

        admin_ids = frozenset(
            part.strip() for part in (get("CRM_ADMIN_USER_IDS") or "").split(",") if part.strip()
        )
        for admin_id in admin_ids:
            if not admin_id.isalnum() or admin_id[0] not in "UW":
                raise ConfigError(
                    f"CRM_ADMIN_USER_IDS has {admin_id!r}: give Slack user ids (U012ABCDEF), comma-separated"
                )

        public_url = parse_public_url(get("CRM_PUBLIC_URL"))
        retention = parse_retention_days(get("CRM_CLICK_RETENTION_DAYS"))

        data_dir = get("CRM_DATA_DIR")
        return cls(
            slack_bot_token=credentials["SLACK_BOT_TOKEN"],
            slack_signing_secret=credentials["SLACK_SIGNING_SECRET"],
            slack_app_token=credentials["SLACK_APP_TOKEN"],
            slack_api_url=api_url,
            database_url=database_url,
            data_dir=Path(data_dir).expanduser()
            if data_dir
            else Path(platformdirs.user_data_dir("influencer-crm")),
            admin_user_ids=admin_ids,
            admin_channel=get("CRM_ADMIN_CHANNEL"),
            timezone=timezone,
            port=int(port_raw),
            host=host,
            log_level=log_level,
            public_url=public_url,
            click_retention_days=retention,
        )

    def require_slack(self) -> None:
        """Check what `crm-bot run` needs: a bot token, and a signing secret unless in Socket Mode."""
        if not self.slack_bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) into .env")
        if not self.socket_mode and not self.slack_signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode never starts without it "
                "(Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode"
            )


def _credential(name: str, value: str | None) -> str | None:
    """`value` when it has the shape of the Slack credential `name`; a ConfigError naming `name` if not.

    The value itself is never repeated in the message: it may be a real secret pasted wrongly.
    """
    if value is None:
        return None
    what, shape, described = CREDENTIALS[name]
    if value == EXAMPLE_VALUES[name]:
        raise ConfigError(f"{name} still holds the example value from .env.example — paste {what}")
    if _is_placeholder(value):
        raise ConfigError(f"{name} holds a placeholder, not a real value — paste {what}")
    if not shape.fullmatch(value):
        raise ConfigError(f"{name} is not {described} — paste {what}")
    return value


def _is_placeholder(value: str) -> bool:
    words = value.lower().split("-")
    return any(mark in value for mark in PLACEHOLDER_MARKS) or any(
        word.startswith(PLACEHOLDER_WORDS) or (len(word) >= 3 and set(word) == {"x"}) for word in words
    )


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(HOSTNAME.fullmatch(host))
