"""The in-process click buffer: redirects hand clicks over, a thread writes them in batches.

A redirect must not wait for an INSERT, so `add()` only appends to a list under a lock. A background
thread flushes the list at least every FLUSH_INTERVAL seconds with one INSERT per few thousand
clicks (crm.clicks.record_clicks). `close()` stops the thread and flushes whatever is left, retrying
a failed write a few times: gunicorn calls it when a worker exits (bot/server.py, worker_exit), the
Socket Mode process when it stops, so a clean stop loses no click.

While the database is unreachable a failed batch goes back to the front of the list and is retried
on the next flush; the list is capped at MAX_PENDING clicks (memory stays bounded during a long
outage; clicks beyond it are counted in `dropped` and logged, the redirects still work).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine

from crm.clicks import Click, record_clicks

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.5  # seconds; the issue asks for at least every second
MAX_PENDING = 200_000  # ~60 MB of clicks at most, hours of traffic at benchmark rates
CLOSE_ATTEMPTS = 5
CLOSE_RETRY_PAUSE = 0.5


class ClickBuffer:
    """Clicks waiting to be written; see the module docstring."""

    def __init__(
        self, engine: Engine, *, interval: float = FLUSH_INTERVAL, max_pending: int = MAX_PENDING
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._max_pending = max_pending
        self._lock = threading.Lock()  # guards _pending and the counters
        self._flushing = threading.Lock()  # one flush at a time (the thread, close(), a test)
        self._pending: list[Click] = []
        self._stop = threading.Event()
        self.recorded = 0  # clicks written so far (kept or dropped by the INSERT's join)
        self.dropped = 0  # clicks refused because the buffer was full
        self._thread = threading.Thread(target=self._run, name="crm-click-buffer", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def add(self, click: Click) -> None:
        """Queue one click for the next flush (never blocks on the database)."""
        with self._lock:
            if len(self._pending) >= self._max_pending:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 10_000 == 0:
                    log.warning("click buffer full: %d clicks not recorded so far", self.dropped)
                return
            self._pending.append(click)

    def flush(self) -> int:
        """Write every queued click now; returns how many were written (0 when the write failed,
        in which case they stay queued for the next flush)."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                with self._engine.begin() as conn:
                    record_clicks(conn, batch)
            except Exception as exc:  # database down or slow: keep them for the next flush
                log.warning("could not record %d clicks (%s); retrying", len(batch), type(exc).__name__)
                with self._lock:
                    room = max(self._max_pending - len(self._pending), 0)
                    self.dropped += max(len(batch) - room, 0)
                    self._pending[:0] = batch[:room]
                return 0
            with self._lock:
                self.recorded += len(batch)
            return len(batch)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception:  # never let the flusher die; flush() already logs database errors
                log.exception("click buffer flush failed")

    def close(self) -> None:
        """Stop the flusher and write what is left (a few attempts if the database is failing)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()
        for attempt in range(CLOSE_ATTEMPTS):
            self.flush()
            if not self.pending:
                return
            if attempt + 1 < CLOSE_ATTEMPTS:
                time.sleep(CLOSE_RETRY_PAUSE)
        log.error("stopping with %d clicks not recorded: the database did not take them", self.pending)
