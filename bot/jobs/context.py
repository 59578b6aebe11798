"""What every scheduled job needs: database engine, Slack client, worker id, clock, timezone refresh."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from sqlalchemy import Engine

from bot.config import ConfigError, Settings
from bot.db import transaction
from bot.jobs.posting import never_reached_slack
from crm import clock, users
from crm.errors import InvalidInput
from crm.models import User

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Account(str):
    """A job's one-line account of a run; `noteworthy` is False when it changed nothing.

    The scheduler logs a run at INFO only when it is noteworthy (bot/scheduler.py), so a quiet night
    leaves no line; `crm-bot jobs run` prints it either way.
    """

    noteworthy: bool

    def __new__(cls, text: str, *, noteworthy: bool = True) -> Account:
        account = super().__new__(cls, text)
        account.noteworthy = noteworthy
        return account


def make_worker_id() -> str:
    """hostname:pid:random — unique per process, readable in `deliveries.claimed_by`."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def clock_for(now: datetime | None) -> Clock:
    """A fixed clock when the caller (a test) gives `now`, else the wall clock read at each step."""
    if now is None:
        return clock.now
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return lambda: now


class PostSafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry, except for a chat.postMessage that may have reached Slack.

    A connection reset after the request was sent may come after Slack posted; retrying it blindly
    posts twice. Such a post is left to bot.jobs.posting, which looks for it before posting again.
    """

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if request.url.endswith("/chat.postMessage") and not (error and never_reached_slack(error)):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def make_slack_client(settings: Settings, *, timeout: float = 10) -> WebClient:
    """The scheduler's Web API client: honours 429 Retry-After (never used on a listener's ack path)."""
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: the scheduled jobs post to Slack with the bot token")
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,  # type: ignore[arg-type]  # urllib takes seconds as a float
        retry_handlers=[
            PostSafeConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


@dataclass
class TimezoneRefresher:
    """Keeps users' Slack timezones (users.info → tz) current, lazily and within an API budget.

    A user whose stored timezone is the default "UTC" may never have been looked up, so it is checked
    when this process has not checked it for `unknown_after`; any other is re-checked after
    `known_after` (people travel). At most `budget` users.info calls per job run: the due instant of
    a follow-up was fixed when it was set, so a stale timezone only changes how the time is shown.
    """

    unknown_after: timedelta = timedelta(days=1)
    known_after: timedelta = timedelta(days=7)
    budget: int = 20
    _checked: dict[uuid.UUID, datetime] = field(default_factory=dict)
    _left: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start_run(self) -> None:
        self._left = self.budget

    def _due(self, user_id: uuid.UUID, tz_name: str, now: datetime) -> bool:
        checked = self._checked.get(user_id)
        if checked is None:
            return True
        return now - checked >= (self.unknown_after if tz_name == "UTC" else self.known_after)

    def refresh(
        self, ctx: JobContext, *, user_id: uuid.UUID, slack_user_id: str, tz_name: str, now: datetime
    ) -> str:
        """The user's timezone name, looked up from Slack first when unknown or stale and budget allows."""
        with self._lock:
            if not self._due(user_id, tz_name, now) or self._left <= 0:
                return tz_name
            self._left -= 1
            self._checked[user_id] = now
        try:
            profile = ctx.client.users_info(user=slack_user_id)["user"]
        except Exception as exc:  # a lookup failure must not cost the user their reminder
            log.warning("users.info failed for %s: %s", slack_user_id, exc)
            return tz_name
        new_tz = profile.get("tz") or tz_name
        if new_tz != tz_name:
            with transaction(ctx.engine) as db:
                user = db.get(User, user_id)
                if user is not None:
                    try:
                        users.update_user_profile(db, user=user, timezone=new_tz)
                    except InvalidInput as exc:  # a zone name this system does not know: keep ours
                        log.warning("users.info gave unusable tz %r for %s: %s", new_tz, slack_user_id, exc)
                        return tz_name
        return new_tz


@dataclass
class JobContext:
    """Everything a job run uses; one per scheduler (or per `crm-bot jobs run`)."""

    settings: Settings
    engine: Engine
    client: WebClient
    worker_id: str = field(default_factory=make_worker_id)
    timezones: TimezoneRefresher = field(default_factory=TimezoneRefresher)
    lease: timedelta = timedelta(minutes=5)
