"""App Home refresh after a change, off the command: after commit, in the background, once per user.

A write command used to re-publish the user's App Home inside its own listener and transaction: the
dashboard's statements and a views.publish round trip on every status change, holding a pooled
connection and a listener thread meanwhile. Now a listener only notes that the Home tab changed
(`request_home_refresh`); once the unit of work has committed (handlers/uow.py) the note goes to the
App's HomePublisher, which re-publishes from its own session and threads:

- after commit, so the dashboard always shows the change (it reads committed data);
- per-user coalescing: a user whose refresh is queued is not queued again, and changes made while
  their refresh runs cause one more run after it, never two runs at once, so the last publish
  always shows the final state and quick successive changes publish at most twice;
- bounded: a couple of threads and at most MAX_PENDING users waiting; beyond that a refresh is
  dropped with a warning (the next change or the next visit to the tab publishes again);
- failures are logged, never shown: the change was made and confirmed already.

The App owns its publisher (bot/app.py create_app); threads start on the first refresh, not at
import. Tests wait for it with `drain()` (tests/slack/harness.py does).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.errors import is_database_unavailable
from crm.clock import zone_of
from crm.dashboard import home_dashboard
from crm.models import User
from handlers.blocks.home import home_view

log = logging.getLogger(__name__)

# Session.info key under which the unit of work collects the users whose Home tab changed.
PENDING_KEY = "crm.home_refresh"
# Threads publishing Home tabs: views.publish is a Slack round trip (100-500 ms), so two threads keep
# up with a busy worker, while the CPU and the connection pool stay with the commands.
PUBLISHER_THREADS = 2
# Users waiting for a refresh, at most; a burst beyond this drops refreshes rather than memory.
MAX_PENDING = 1_000


@dataclass(frozen=True, slots=True)
class HomeTarget:
    """Whose Home tab to re-publish: the fields of the actor the dashboard needs, as committed."""

    user_id: uuid.UUID
    team_id: str
    slack_user_id: str
    timezone: str

    @classmethod
    def of(cls, actor: User) -> HomeTarget:
        return cls(actor.id, actor.team_id, actor.slack_user_id, actor.timezone)

    def as_user(self) -> User:
        """A transient User (never added to a session) for crm's `actor` arguments: saves a query."""
        return User(
            id=self.user_id, team_id=self.team_id, slack_user_id=self.slack_user_id, timezone=self.timezone
        )


def request_home_refresh(db: Session, actor: User) -> None:
    """Re-publish `actor`'s App Home once this unit of work has committed (nothing if it rolls back)."""
    pending = db.info.get(PENDING_KEY)
    if pending is None:
        raise RuntimeError("request_home_refresh needs a session opened by handlers.uow.unit_of_work")
    pending[actor.id] = HomeTarget.of(actor)


def publish_home(client: WebClient, db: Session, actor: User, *, now: datetime | None = None) -> None:
    """views.publish of `actor`'s dashboard (home_dashboard: due, pipeline, strongest, neglected, recent)."""
    now = now or datetime.now(UTC)
    dashboard = home_dashboard(db, actor=actor, now=now)
    view = home_view(dashboard, tz=zone_of(actor.timezone), now=now)
    client.views_publish(user_id=actor.slack_user_id, view=view)


class HomePublisher:
    """Re-publishes App Home tabs in the background, coalescing per user (see module docstring)."""

    _QUEUED, _RUNNING, _AGAIN = "queued", "running", "again"

    def __init__(
        self,
        client: WebClient,
        engine: Engine,
        *,
        threads: int = PUBLISHER_THREADS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._client = client
        self._engine = engine
        self._threads = threads
        self._max_pending = max_pending
        self._executor: ThreadPoolExecutor | None = None
        self._state: dict[uuid.UUID, str] = {}
        self._targets: dict[uuid.UUID, HomeTarget] = {}
        self._cond = threading.Condition()
        self._closed = False

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
            if state is not None:  # queued (will read the data later) or already asked again
                return
            if len(self._state) >= self._max_pending:
                log.warning("App Home refresh dropped: %d users are waiting already", len(self._state))
                del self._targets[target.user_id]
                return
            self._state[target.user_id] = self._QUEUED
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="crm-home")
            try:
                self._executor.submit(self._run, target.user_id)
            except RuntimeError:  # the interpreter is exiting (a worker being stopped): skip it
                del self._state[target.user_id], self._targets[target.user_id]
                self._cond.notify_all()
                log.info("App Home refresh skipped: the process is shutting down")

    def _run(self, user_id: uuid.UUID) -> None:
        while True:
            with self._cond:
                self._state[user_id] = self._RUNNING
                target = self._targets[user_id]
            self._publish(target)
            with self._cond:
                if self._state[user_id] == self._AGAIN and not self._closed:
                    continue
                del self._state[user_id]
                del self._targets[user_id]
                self._cond.notify_all()
                return

    def _publish(self, target: HomeTarget) -> None:
        # Logged, never shown: the change itself is saved and confirmed. Only ids and error codes
        # are logged, never the view (it holds the user's relationships).
        try:
            with Session(self._engine) as db, db.begin():
                publish_home(self._client, db, target.as_user())
        except SlackApiError as exc:
            log.warning("could not refresh App Home: Slack answered %s", exc.response.get("error"))
        except SlackClientError as exc:
            log.warning("could not refresh App Home: %s", type(exc).__name__)
        except Exception as exc:
            if is_database_unavailable(exc):
                first_line = (str(exc).strip().splitlines() or [""])[0]  # the driver's message, no SQL
                log.warning(
                    "could not refresh App Home: database unavailable (%s: %s)",
                    type(exc).__name__,
                    first_line,
                )
            else:
                log.error("could not refresh App Home", exc_info=exc)

    @property
    def pending(self) -> int:
        """Users whose refresh is queued or running."""
        with self._cond:
            return len(self._state)

    def drain(self, timeout: float = 10.0) -> None:
        """Return when no refresh is queued or running; TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._state:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._state)} App Home refresh(es) still pending")
                self._cond.wait(remaining)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking refreshes; with `wait`, finish the queued ones first."""
        with self._cond:
            self._closed = True
            executor = self._executor
        if executor is not None:
            executor.shutdown(wait=wait)
