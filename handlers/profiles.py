"""A user's Slack profile on first sight: timezone, name and admin flag from users.info, after ack().

Slack payloads carry no timezone, so a new user starts with the workspace default (CRM_TIMEZONE).
Without a look-up, `/crm followup @maya tomorrow` as someone's first command would schedule 09:00 in
that default instead of their own 09:00. So handlers/runtime/scope.py asks users.info once per user,
before the listener's transaction starts (no transaction is open while Slack is called), and stores
the answer with crm.users.update_user_profile.

"Never fetched" is `display_name IS NULL`: every successful look-up stores a display name (Slack
always has at least the user name), so known users cost no Web API call and no extra statement. A
failed look-up is logged and the command goes on with the default zone; the user is asked about
again on a later request, but at most once per RETRY_AFTER per process, so an app without the
users:read scope (or a Slack outage) does not double its Web API traffic.

Later timezone changes (travel) are the scheduler's business (bot/jobs/context.py re-checks zones).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from crm.errors import InvalidInput
from crm.models import User
from crm.users import DISPLAY_NAME_MAX, update_user_profile
from handlers.runtime.clients import quick_client

log = logging.getLogger(__name__)

# After a failed users.info, wait this long (per user, per process) before asking again.
RETRY_AFTER = 600.0
# Failures remembered at most; beyond that the oldest are forgotten (a retry is harmless).
MAX_REMEMBERED = 10_000
# Seconds a first-sight users.info may take before the request goes on with the default zone.
PROFILE_TIMEOUT = 0.8


def needs_profile(user: User) -> bool:
    """True while the user's Slack profile has never been stored (see the module docstring)."""
    return user.display_name is None


def display_name_of(info: dict[str, Any]) -> str:
    """The name Slack shows for the user: profile display name, else real name, else user name."""
    profile = info.get("profile") or {}
    for candidate in (
        profile.get("display_name"),
        profile.get("real_name"),
        info.get("real_name"),
        info.get("name"),
        info.get("id"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return " ".join(candidate.split())[:DISPLAY_NAME_MAX]
    return "?"  # Slack always sends an id; this only keeps the user from being looked up forever


def store_profile(db: Session, user: User, info: dict[str, Any]) -> None:
    """Save users.info's `user` object on `user`: tz, display name, is_admin = admin or owner."""
    name = display_name_of(info)
    is_admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
    tz = info.get("tz") if isinstance(info.get("tz"), str) and info.get("tz") else None
    try:
        update_user_profile(db, user=user, timezone=tz, display_name=name, is_admin=is_admin)
    except InvalidInput:  # a zone this system's tz database does not know: keep the default zone
        log.warning("users.info gave a timezone this system does not know; keeping %s", user.timezone)
        update_user_profile(db, user=user, display_name=name, is_admin=is_admin)


class ProfileFetcher:
    """Looks up never-fetched users once (see module docstring); one per App, shared by its threads."""

    def __init__(self, *, retry_after: float = RETRY_AFTER, clock=time.monotonic) -> None:
        self._retry_after = retry_after
        self._clock = clock
        self._failed: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _recently_failed(self, key: tuple[str, str]) -> bool:
        with self._lock:
            failed_at = self._failed.get(key)
            return failed_at is not None and self._clock() - failed_at < self._retry_after

    def _remember_failure(self, key: tuple[str, str]) -> None:
        with self._lock:
            if len(self._failed) >= MAX_REMEMBERED:
                self._failed.pop(next(iter(self._failed)))
            self._failed[key] = self._clock()

    def look_up(self, client: WebClient, user: User) -> dict[str, Any] | None:
        """users.info's `user` object for a never-fetched user, or None (asked recently, or it failed).

        Called with no transaction open (handlers/runtime/scope.py), and bounded by PROFILE_TIMEOUT
        on a client of its own, so a slow Slack costs a new user's first request at most that.
        """
        if not needs_profile(user):
            return None
        key = (user.team_id, user.slack_user_id)
        if self._recently_failed(key):
            return None
        quick = quick_client(client, PROFILE_TIMEOUT)
        try:
            info = quick.users_info(user=user.slack_user_id).get("user") or {}
        except Exception as exc:  # Slack down, slow, rate limited, scope missing: keep the default zone
            log.warning(
                "users.info failed (%s); keeping timezone %s for now", type(exc).__name__, user.timezone
            )
            self._remember_failure(key)
            return None
        with self._lock:
            self._failed.pop(key, None)
        return info
