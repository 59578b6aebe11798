"""Listeners that ack first: the ack leaves at once, the work runs right after it.

A slash command or a button click carries nothing back in its ack, so its listener is written as
a plain function of the request, `work(body, context)`, and registered through `after_ack(work)`::

    def show_clicked(body, context):
        action = action_of(body)
        with scope(context) as s:                  # one short transaction
            message = build_card(s.db, s.actor, ...)
        reply(context, message)                    # committed: now Slack may be called

    app.action(SHOW)(after_ack(show_clicked))

The listener Bolt runs acks and hands `work` to the App's WorkQueue, then returns, so Bolt sends
the ack (process_before_response, bot/app.py) before any database work starts. The order of every
such request is therefore: ack → transaction → commit → Slack calls.

- The work runs on a small pool of WORK_THREADS threads per process, sized with the database pool
  (bot/server.py), so queued work waits for a thread rather than for a pooled connection.
- An exception in `work` is answered as the error handler answers one (handlers/runtime/errors.py):
  logged with ids and frames only, and the user is told in a reply (response_url, then fallbacks).
- When more than MAX_QUEUED_WORK requests are already waiting (the process is far behind), the
  request is not queued: the user is told the CRM is busy and that nothing was changed.

View submissions (their ack carries inline errors or the next view) and options requests (their ack
carries the options) keep doing their work before the ack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import BoltContext

from handlers.runtime.errors import answer_after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.slack_calls import reply

log = logging.getLogger(__name__)

# Threads per process that run listeners' work after their ack. Each holds at most one pooled
# database connection at a time (bot/server.py sizes the pool with this).
WORK_THREADS = 8
# Requests waiting for a work thread beyond which new ones are turned away with BUSY_MESSAGE: at a
# few milliseconds each, a queue this long is seconds behind.
MAX_QUEUED_WORK = 500

BUSY_MESSAGE = "The CRM is busy right now, so nothing was changed — please try again in a minute."

Work = Callable[[dict[str, Any], BoltContext], None]


class WorkQueue:
    """Runs listeners' work after their ack on `executor`, at most `limit` waiting or running."""

    def __init__(self, executor: Executor, limit: int = MAX_QUEUED_WORK) -> None:
        self._executor = executor
        self._limit = limit
        self._lock = threading.Lock()
        self._queued = 0

    def submit(self, work: Work, body: dict[str, Any], context: BoltContext) -> bool:
        """Queue `work`; False (and nothing queued) when `limit` requests are already in."""
        with self._lock:
            if self._queued >= self._limit:
                return False
            self._queued += 1
        try:
            self._executor.submit(self._run, work, body, context)
        except BaseException:
            self._done()
            raise
        return True

    @property
    def queued(self) -> int:
        """Requests waiting for a work thread or running on one."""
        with self._lock:
            return self._queued

    def _run(self, work: Work, body: dict[str, Any], context: BoltContext) -> None:
        try:
            work(body, context)
        except Exception as error:
            answer_after_ack(error, body, context)
        finally:
            self._done()

    def _done(self) -> None:
        with self._lock:
            self._queued -= 1


def after_ack(work: Work) -> Callable[..., None]:
    """The listener to register for `work`: ack at once, then run `work` on the App's WorkQueue."""

    def listener(ack: Callable[..., Any], body: dict[str, Any], context: BoltContext) -> None:
        ack()
        if not runtime_of(context).work.submit(work, body, context):
            log.warning("work queue full: turned away %s", work.__name__)
            reply(context, {"text": BUSY_MESSAGE})

    listener.__name__ = listener.__qualname__ = f"after_ack({work.__name__})"
    return listener


def action_of(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked element of a block_actions payload (Bolt's `action`): the first of `actions`.
    Payloads without one are refused before any listener runs (handlers/runtime/payloads.py)."""
    return body["actions"][0]
