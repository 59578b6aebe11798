"""Settings read from the environment (and a `.env` file in the working directory, if present)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


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
    log_level: str = "INFO"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, load_dotenv: bool = True) -> Settings:
        """Build settings from `environ` (default: os.environ, after loading `.env` without overriding)."""
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

        bot_token = get("SLACK_BOT_TOKEN")
        if bot_token and not bot_token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN must be a bot token starting with xoxb- (OAuth & Permissions page)"
            )
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information page)"
            )

        admin_ids = frozenset(
            part.strip() for part in (get("CRM_ADMIN_USER_IDS") or "").split(",") if part.strip()
        )
        for admin_id in admin_ids:
            if not admin_id.isalnum() or admin_id[0] not in "UW":
                raise ConfigError(
                    f"CRM_ADMIN_USER_IDS has {admin_id!r}: give Slack user ids (U012ABCDEF), comma-separated"
                )

        data_dir = get("CRM_DATA_DIR")
        return cls(
            slack_bot_token=bot_token,
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=app_token,
            slack_api_url=api_url,
            database_url=database_url,
            data_dir=Path(data_dir).expanduser()
            if data_dir
            else Path(platformdirs.user_data_dir("influencer-crm")),
            admin_user_ids=admin_ids,
            admin_channel=get("CRM_ADMIN_CHANNEL"),
            timezone=timezone,
            port=int(port_raw),
            log_level=log_level,
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
