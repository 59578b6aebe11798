"""A thread pool that can wait until it is idle: `crm-bot try` prints a line's answers only once the
listener and every reply it handed to the pool have finished (the end-to-end tests wait the same way)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor


class TrackingExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor that counts its queued and running tasks, so a caller can wait for none."""

    def __init__(self, max_workers: int = 8, *, thread_name_prefix: str = "crm-try") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._cond = threading.Condition()
        self._pending = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._cond:
            self._pending += 1

        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                self._done()

        try:
            return super().submit(run)
        except BaseException:  # not queued (the pool is shut down): nothing to wait for
            self._done()
            raise

    def _done(self) -> None:
        with self._cond:
            self._pending -= 1
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        with self._cond:
            return self._pending

    def drain(self, timeout: float) -> bool:
        """Wait until no task is queued or running (tasks submitted meanwhile included), at most
        `timeout` seconds; whether it got there."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True
