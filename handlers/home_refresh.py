"""App Home refresh after a change, off the command: after commit, in the background, once per user.

A listener only notes that the Home tab changed (`s.refresh_home()` in handlers/runtime/scope.py);
once its transaction has committed the scope hands the user to the App's HomePublisher, which
re-publishes from its own session and threads:

- after commit, so the dashboard always shows the change (it reads committed data);
- per-user coalescing: a user whose refresh is queued is not queued again, and changes made while
  their refresh runs cause one more run after it, never two runs at once, so the last publish
  always shows the final state;
- at most one publish per user per MIN_PUBLISH_INTERVAL: a refresh asked for sooner after the
  user's last publish waits for the end of the interval, then publishes the latest state once, so
  a burst of changes (a user moving five creators along the pipeline) costs two dashboards, not
  five; one timer thread queues the waiting refreshes when their interval is over;
- bounded: a couple of threads and at most MAX_PENDING users waiting; beyond that a refresh is
  dropped with a warning (the next change or the next visit to the tab publishes again);
- a failed views.publish (Slack 5xx, 429, a timeout) is retried with backoff, honouring
  Retry-After, up to PUBLISH_ATTEMPTS times; then logged, never shown: the change was made and
  confirmed already.

The App owns its publisher (bot/app.py create_app); threads start on the first refresh, not at
import. Tests wait for it with `drain()` (tests/slack/harness.py does), which publishes the
refreshes waiting out their interval at once rather than at its end (so does `shutdown()`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.views import View
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm import clock
from crm.clock import zone_of
from crm.dashboard import home_dashboard
from crm.models import User
from handlers.blocks.home import home_view
from handlers.runtime.errors import is_database_unavailable, log_failure

log = logging.getLogger(__name__)

# Threads publishing Home tabs: views.publish is a Slack round trip (100-500 ms), so two threads keep
# up with a busy worker, while the CPU and the connection pool stay with the commands.
PUBLISHER_THREADS = 2
# Users waiting for a refresh, at most; a burst beyond this drops refreshes rather than memory.
MAX_PENDING = 1_000
# Seconds from the start of one publish of a user's Home to the next one, at least (see above).
MIN_PUBLISH_INTERVAL = 1.0
# views.publish attempts per refresh, the first backoff (doubling), and the longest wait honoured.
PUBLISH_ATTEMPTS = 4
PUBLISH_BACKOFF = 1.0
MAX_PUBLISH_WAIT = 30.0
# Slack's `error` values that mean "try again later" even with a 200 status.
TRANSIENT_ERRORS = ("internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited")


@dataclass(frozen=True, slots=True)
class HomeTarget:
    """Whose Home tab to re-publish: the fields of the actor the dashboard needs, as committed."""

    user_id: uuid.UUID
    team_id: str
    slack_user_id: str
    timezone: str
    weekly_digest_since: datetime | None = None  # App Home shows the digest switch's state

    @classmethod
    def of(cls, actor: User) -> HomeTarget:
        return cls(actor.id, actor.team_id, actor.slack_user_id, actor.timezone, actor.weekly_digest_since)

    def as_user(self) -> User:
        """A transient User (never added to a session) for crm's `actor` arguments: saves a query."""
        return User(
            id=self.user_id,
            team_id=self.team_id,
            slack_user_id=self.slack_user_id,
            timezone=self.timezone,
            weekly_digest_since=self.weekly_digest_since,
        )


def home_view_for(db: Session, actor: User, *, now: datetime | None = None) -> View:
    """`actor`'s App Home (home_dashboard: due, pipeline, strongest, neglected, recent)."""
    now = now or clock.now()
    dashboard = home_dashboard(db, actor=actor, now=now)
    return home_view(dashboard, tz=zone_of(actor.timezone), now=now)


class HomePublisher:
    """Re-publishes App Home tabs in the background, coalescing per user (see module docstring)."""

    _QUEUED, _RUNNING, _AGAIN, _WAITING = "queued", "running", "again", "waiting"

    def __init__(
        self,
        client: WebClient,
        engine: Engine,
        *,
        threads: int = PUBLISHER_THREADS,
        max_pending: int = MAX_PENDING,
        min_interval: float = MIN_PUBLISH_INTERVAL,
    ) -> None:
        self._client = client
        self._engine = engine
        self._threads = threads
        self._max_pending = max_pending
        self._min_interval = min_interval
        self._executor: ThreadPoolExecutor | None = None
        self._timer: threading.Thread | None = None
        self._state: dict[uuid.UUID, str] = {}
        self._targets: dict[uuid.UUID, HomeTarget] = {}
        self._published_at: dict[uuid.UUID, float] = {}  # when each user's last publish began
        self._due: dict[uuid.UUID, float] = {}  # users waiting out the interval: when they may go
        self._cond = threading.Condition()
        self._closed = False
        self._draining = 0  # drain() calls under way: nothing waits for its interval meanwhile

    def request(self, target: HomeTarget) -> None:
        """Publish `target`'s Home soon; a no-op if a publish that will see this change is pending."""
        with self._cond:
            if self._closed:
                return
            self._targets[target.user_id] = target
            state = self._state.get(target.user_id)
            if state == self._RUNNING:
                self._state[target.user_id] = self._AGAIN  # it may have read the data already
                return
            if state is not None:  # queued or waiting (will read the data later), or asked again
                return
            if len(self._state) >= self._max_pending:
                log.warning("App Home refresh dropped: %d users are waiting already", len(self._state))
                del self._targets[target.user_id]
                return
            self._forget_old_publishes()
            last = self._published_at.get(target.user_id)
            self._queue_at(target.user_id, None if last is None else last + self._min_interval)

    def _forget_old_publishes(self) -> None:
        """Keep the last publish times that can still delay a refresh (bounded like the queue)."""
        if len(self._published_at) > self._max_pending:
            horizon = time.monotonic() - self._min_interval
            self._published_at = {
                user: at for user, at in self._published_at.items() if at > horizon or user in self._state
            }

    def _queue_at(self, user_id: uuid.UUID, due: float | None) -> None:
        """Queue the user's refresh now, or mark it waiting until `due` (called holding the lock)."""
        if due is not None and due > time.monotonic() and not self._draining:
            self._state[user_id] = self._WAITING
            self._due[user_id] = due
            if self._timer is None:
                self._timer = threading.Thread(target=self._release_due, name="crm-home-timer", daemon=True)
                self._timer.start()
            self._cond.notify_all()
            return
        self._state[user_id] = self._QUEUED
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="crm-home")
        try:
            self._executor.submit(self._run, user_id)
        except RuntimeError:  # the interpreter is exiting (a worker being stopped): skip it
            del self._state[user_id], self._targets[user_id]
            self._cond.notify_all()
            log.info("App Home refresh skipped: the process is shutting down")

    def _release_due(self) -> None:
        """The timer thread: queue each waiting refresh once its interval is over."""
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                for user_id, due in list(self._due.items()):
                    if due <= now:
                        del self._due[user_id]
                        self._queue_at(user_id, None)
                self._cond.wait(min(self._due.values()) - now if self._due else None)
            self._timer = None

    def _queue_waiting_now(self) -> None:
        """Queue every waiting refresh at once (drain, shutdown; called holding the lock)."""
        for user_id in list(self._due):
            del self._due[user_id]
            self._queue_at(user_id, None)

    def _run(self, user_id: uuid.UUID) -> None:
        with self._cond:
            self._state[user_id] = self._RUNNING
            target = self._targets[user_id]
            self._published_at[user_id] = time.monotonic()
        self._publish(target)
        with self._cond:
            if self._state[user_id] == self._AGAIN and not self._closed:
                self._queue_at(user_id, self._published_at[user_id] + self._min_interval)
                return
            del self._state[user_id]
            del self._targets[user_id]
            self._cond.notify_all()

    def _publish(self, target: HomeTarget) -> None:
        """Build the view (a short transaction), then views.publish, retried with backoff.

        Logged, never shown: the change itself is saved and confirmed. Only ids and error codes are
        logged, never the view (it holds the user's relationships).
        """
        for attempt in range(1, PUBLISH_ATTEMPTS + 1):
            try:
                with Session(self._engine) as db, db.begin():
                    view = home_view_for(db, target.as_user())
            except Exception as exc:
                if is_database_unavailable(exc):
                    log.warning("could not refresh App Home: database unavailable (%s)", type(exc).__name__)
                else:
                    log_failure("App Home refresh", exc)
                return
            try:
                self._client.views_publish(user_id=target.slack_user_id, view=view)
                return
            except SlackApiError as exc:
                status, error = exc.response.status_code, exc.response.get("error")
                if status == 429:
                    wait = float(exc.response.headers.get("retry-after", "1") or 1)
                elif status >= 500 or error in TRANSIENT_ERRORS:
                    wait = PUBLISH_BACKOFF * 2 ** (attempt - 1)
                else:
                    log.warning("could not refresh App Home: Slack answered %s", error)
                    return
                reason = error or status
            except (SlackClientError, OSError) as exc:  # timeouts, connection refused
                wait, reason = PUBLISH_BACKOFF * 2 ** (attempt - 1), type(exc).__name__
            if attempt == PUBLISH_ATTEMPTS or self._closed:
                log.warning("could not refresh App Home after %d attempts (%s)", attempt, reason)
                return
            log.info("App Home publish failed (%s); retrying in %.1f s", reason, wait)
            time.sleep(min(wait, MAX_PUBLISH_WAIT))

    @property
    def pending(self) -> int:
        """Users whose refresh is queued, running or waiting for the end of its interval."""
        with self._cond:
            return len(self._state)

    @property
    def waiting(self) -> int:
        """Users whose refresh waits for the end of its interval."""
        with self._cond:
            return len(self._due)

    def drain(self, timeout: float = 10.0) -> None:
        """Publish every pending refresh, those waiting for their interval at once, and return when
        none is left; TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._draining += 1
            try:
                self._queue_waiting_now()
                while self._state:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError(f"{len(self._state)} App Home refresh(es) still pending")
                    self._cond.wait(remaining)
            finally:
                self._draining -= 1

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking refreshes; with `wait`, finish the pending ones first (those waiting for
        their interval at once), else drop those not started."""
        with self._cond:
            if wait:
                self._queue_waiting_now()
            else:
                for user_id in list(self._due):
                    del self._due[user_id], self._state[user_id], self._targets[user_id]
            self._closed = True
            self._cond.notify_all()
            executor = self._executor
        if executor is not None:
            executor.shutdown(wait=wait)
