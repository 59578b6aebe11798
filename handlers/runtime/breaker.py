"""Fail fast while the database is known to be down, instead of spending every request's budget.

Without this, a frozen database makes each request wait its whole deadline (2 s) before it is told
"temporarily unavailable"; with a few threads per process and Slack sending more, requests queue
behind each other and are answered after Slack's 3 s. So once a request found the database
unavailable, the breaker opens: requests are told at once, without touching the database, and
every COOLDOWN seconds one request is let through as a probe. The first probe that succeeds closes
the breaker; the database returning costs users at most COOLDOWN plus one probe.
"""

from __future__ import annotations

import threading
import time

# Seconds between probes while the database is unavailable.
COOLDOWN = 1.0


class DatabaseDown(RuntimeError):
    """The breaker is open: this request was not sent to the database at all."""


class Breaker:
    """Closed (every request goes through) until a failure; then open, with one probe at a time."""

    def __init__(self, *, cooldown: float = COOLDOWN, clock=time.monotonic) -> None:
        self._cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._open = False
        self._probe_at = 0.0
        self._probing = False

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open

    def admit(self) -> None:
        """Return if this request may use the database (closed, or it is the next probe); else raise
        DatabaseDown."""
        with self._lock:
            if not self._open:
                return
            if not self._probing and self._clock() >= self._probe_at:
                self._probing = True
                return
        raise DatabaseDown("the database was unavailable moments ago; not retried yet")

    def succeeded(self) -> None:
        """The database answered: close."""
        with self._lock:
            self._open = self._probing = False

    def failed(self) -> None:
        """The database was unavailable: open (again), next probe after the cooldown."""
        with self._lock:
            self._open = True
            self._probing = False
            self._probe_at = self._clock() + self._cooldown
