"""Client-side deadlines for database work on the request path.

PostgreSQL's statement_timeout is enforced by the server, so it cannot help when the server itself
does not answer (frozen with SIGSTOP, a stalled network, an exhausted machine): the client then
waits on a socket read for as long as the kernel keeps the connection, which is minutes. Slack
wants its ack within 3 s, so every database step a listener takes has a deadline here:

- `within(seconds)` sets a deadline for the calling thread (handlers/runtime/scope.py does, for
  each request; /healthz does, for its check).
- `guard_engine(engine)` makes the engine's pool honour it: when a connection is checked out under a
  deadline, a `SELECT 1` proves it alive (replacing SQLAlchemy's pool_pre_ping, which has no
  deadline) and the connection is handed to a watchdog thread until the deadline is lifted.
- When a deadline passes while its connection is still in use, the watchdog shuts the socket down.
  The blocked read returns at once, psycopg raises OperationalError, SQLAlchemy invalidates that
  connection, and the transaction never commits unless COMMIT had already been sent. The code that
  set the deadline turns that into `DeadlineExceeded`, which says whether a COMMIT was in flight.

New connections are bounded by libpq's own `connect_timeout` (bot/server.py), and a checkout that
would have to wait for a free pooled connection by the pool's `pool_timeout`.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, event, exc

log = logging.getLogger(__name__)


class DeadlineExceeded(RuntimeError):
    """Database work ran past its deadline and its connection was cut.

    `commit_in_flight` is True when the deadline hit while COMMIT was being sent or awaited: the
    change may or may not have been saved. Otherwise nothing was saved.
    """

    def __init__(self, seconds: float, *, commit_in_flight: bool = False) -> None:
        super().__init__(f"database work did not finish within {seconds:g} s")
        self.commit_in_flight = commit_in_flight


@dataclass
class _Deadline:
    at: float  # time.monotonic()
    seconds: float
    watched: list[int] = field(default_factory=list)  # watchdog tickets
    tripped: bool = False
    committing: bool = False
    finished: bool = False


_local = threading.local()

# The watchdog wakes at most this often; a deadline is enforced this much late at worst.
WAKE_GRANULARITY = 0.05


def current() -> _Deadline | None:
    """The calling thread's deadline, if it set one."""
    return getattr(_local, "deadline", None)


class _Watchdog:
    """One thread that shuts down the sockets of connections whose deadline passed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        # ticket -> (duplicate of the socket's fd, the deadline it belongs to). A duplicate, so that
        # the socket stays the same object even if the connection closes and its fd number is reused.
        self._entries: dict[int, tuple[int, _Deadline]] = {}
        self._tickets = itertools.count(1)
        self._thread: threading.Thread | None = None

    def watch(self, fd: int, deadline: _Deadline) -> int:
        dup = os.dup(fd)
        with self._cond:
            ticket = next(self._tickets)
            self._entries[ticket] = (dup, deadline)
            heapq.heappush(self._heap, (deadline.at, ticket))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="crm-db-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0][1] == ticket:  # the earliest deadline now: the thread must wake sooner
                self._cond.notify()
        return ticket

    def finish(self, deadline: _Deadline) -> None:
        """The work under `deadline` is over: stop watching its connections."""
        with self._cond:
            deadline.finished = True
            dups = [self._entries.pop(t)[0] for t in deadline.watched if t in self._entries]
        for dup in dups:
            os.close(dup)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    # At least WAKE_GRANULARITY between wake-ups: most entries are finished long
                    # before their deadline, so waking for each would cost a thread switch per request.
                    timeout = (
                        max(self._heap[0][0] - time.monotonic(), WAKE_GRANULARITY) if self._heap else None
                    )
                    self._cond.wait(timeout)
                _, ticket = heapq.heappop(self._heap)
                entry = self._entries.pop(ticket, None)
                if entry is None:  # finished in time
                    continue
                dup, deadline = entry
                if deadline.finished:
                    os.close(dup)
                    continue
                deadline.tripped = True
                try:
                    with socket.socket(fileno=dup) as sock:  # closes the duplicate on exit
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:  # already closed by the peer: nothing to cut
                    pass
            log.warning("database work passed its %.1f s deadline; connection cut", deadline.seconds)


_watchdog = _Watchdog()


@contextmanager
def within(seconds: float) -> Iterator[_Deadline]:
    """Database work in this block (this thread) must finish within `seconds`.

    An error raised in the block after the watchdog cut a connection becomes DeadlineExceeded.
    Watching ends here, after the block: a Session closed inside the block has returned its
    connection to the pool (and reset it) by then, and that reset is bounded too. A block that
    completed is never reported as failed, even if its deadline passed on the way out.
    """
    if current() is not None:
        raise RuntimeError("deadlines do not nest")
    deadline = _Deadline(at=time.monotonic() + seconds, seconds=seconds)
    _local.deadline = deadline
    try:
        yield deadline
    except Exception as error:
        if deadline.tripped:
            raise DeadlineExceeded(seconds, commit_in_flight=deadline.committing) from error
        raise
    finally:
        _local.deadline = None
        _watchdog.finish(deadline)


@contextmanager
def committing() -> Iterator[None]:
    """Mark the COMMIT in this block: a deadline passing here leaves the outcome unknown."""
    deadline = current()
    if deadline is not None:
        deadline.committing = True
    try:
        yield
    finally:
        if deadline is not None:
            deadline.committing = False


def _socket_fd(dbapi_connection) -> int | None:
    try:
        return dbapi_connection.pgconn.socket  # psycopg 3
    except Exception:  # not psycopg, or closed: no socket to watch
        return None


def guard_engine(engine: Engine) -> Engine:
    """Make `engine`'s pool check connections on checkout and honour the thread's deadline.

    Use it on an engine made with pool_pre_ping=False (this check replaces it). Idempotent.
    """
    if event.contains(engine, "checkout", _check_out):
        return engine
    event.listen(engine, "checkout", _check_out)
    event.listen(engine, "checkin", _check_in)
    return engine


# A pooled connection idle for longer than this is pinged before use. One that was in use moments
# ago is not: under load that saves a round trip per request, and a connection that died meanwhile
# (a database restart) fails its first statement, which invalidates the whole pool at once.
PING_AFTER_IDLE = 2.0
_RETURNED_AT = "crm_returned_at"


def _check_in(dbapi_connection, connection_record) -> None:
    connection_record.info[_RETURNED_AT] = time.monotonic()


def _check_out(dbapi_connection, connection_record, connection_proxy) -> None:
    """Pool checkout: watch the connection under the thread's deadline, then prove it alive."""
    deadline = current()
    if deadline is not None:
        if time.monotonic() >= deadline.at:
            deadline.tripped = True
            raise DeadlineExceeded(deadline.seconds)
        fd = _socket_fd(dbapi_connection)
        if fd is not None:
            deadline.watched.append(_watchdog.watch(fd, deadline))
    returned_at = connection_record.info.get(_RETURNED_AT)
    if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE:
        return  # new (it just answered the handshake), or in use moments ago
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        # The ping opened a transaction (the driver begins one implicitly); end it, so that the
        # connection is handed out idle, as the pool had it (e.g. its isolation level can be set).
        dbapi_connection.rollback()
    except Exception as error:
        if deadline is not None and deadline.tripped:
            raise DeadlineExceeded(deadline.seconds) from error
        # A connection that died while pooled (the server restarted): the pool replaces it.
        raise exc.DisconnectionError() from error
