"""`crm-bot run`: migrate, then serve Slack in Socket Mode or in HTTP mode under gunicorn.

Socket Mode (SLACK_APP_TOKEN set) opens a WebSocket to Slack: no public URL, for development and
small installs. HTTP mode serves bot/wsgi.py under gunicorn's gthread worker (Bolt's own HTTP server
is for development only) on HOST:PORT (0.0.0.0:3000 by default), for production behind a load balancer.
With CRM_PUBLIC_URL set, both also serve the short links GET /l/<code> (bot/redirects.py): HTTP mode
in every gunicorn worker, Socket Mode on HOST:PORT with /healthz (bot/public_http.py).

Replicas: nothing in a process matters beyond one request. Sessions are per request, users and all
records live in PostgreSQL, Bolt's only cache is auth.test's answer, migrations are serialised by an
advisory lock (migrations/env.py), and the scheduler claims work in PostgreSQL with leases
(bot/scheduler.py), so any number of replicas can share one database.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
from typing import Any

from gunicorn.app.base import BaseApplication
from sqlalchemy import Engine

from bot.config import Settings
from handlers.home_refresh import PUBLISHER_THREADS
from handlers.runtime.after_ack import WORK_THREADS

log = logging.getLogger(__name__)

# gunicorn gthread worker: each of a worker's HTTP threads runs one request's listener up to its
# ack (bot/app.py: process_before_response); Slack calls after the commit run in the App's
# background executor. Socket Mode runs as many envelopes at once.
HTTP_THREADS = 8
SOCKET_MODE_THREADS = HTTP_THREADS
# Processes per replica; gunicorn's own WEB_CONCURRENCY convention overrides it. Two use both cores
# of a small machine (the GIL limits one process to about one core).
DEFAULT_WORKERS = 2
# Kept-alive connections from a load balancer must outlive its idle timeout (60 s on AWS ALB and
# GCP), or the balancer reuses a connection we just closed and the user gets a 502.
KEEPALIVE_SECONDS = 75


def make_listener_engine(database_url: str) -> Engine:
    """The engine request handlers use: fails fast rather than holding an ack hostage.

    Every step is bounded so that the ack still reaches Slack within its 3 s when PostgreSQL is
    down, frozen or overloaded (the user then reads "temporarily unavailable, nothing was changed"):
    - the pool covers every request thread, the work threads (handlers/runtime/after_ack.py), the
      App Home publisher's threads
      (handlers/home_refresh.py), the health check and spare, so a checkout waits for a free
      connection only under a leak, and then 0.5 s at most;
    - connecting gives up after libpq's minimum connect_timeout, 2 s;
    - the server cancels a statement after 1.5 s and a lock wait after 1 s;
    - a frozen server is covered by the request's client-side deadline
      (handlers/runtime/deadline.py), which also replaces pool_pre_ping with a bounded ping.
    """
    from bot.db import make_engine
    from handlers.runtime.deadline import guard_engine

    engine = make_engine(
        database_url,
        pool_pre_ping=False,
        pool_size=max(HTTP_THREADS, SOCKET_MODE_THREADS) + WORK_THREADS + PUBLISHER_THREADS + 2,
        max_overflow=4,
        pool_timeout=0.5,
        connect_args={
            "connect_timeout": 2,
            "options": "-c statement_timeout=1500 -c lock_timeout=1000"
            " -c idle_in_transaction_session_timeout=10000",
        },
    )
    return guard_engine(engine)


def make_scheduler_engine(database_url: str) -> Engine:
    """The scheduler's own small pool, without the listeners' 5 s statement limit (view refreshes)."""
    from bot.db import make_engine

    return make_engine(database_url, pool_size=4, max_overflow=2)


def serving_mode(settings: Settings) -> str:
    """ "socket" when an app-level token is configured, else "http"."""
    return "socket" if settings.socket_mode else "http"


def _start_scheduler(settings: Settings, engine: Engine) -> Any:
    from bot.scheduler import start_background

    return start_background(settings, engine)


def run(settings: Settings, database_url: str, *, with_scheduler: bool = True) -> int:
    """Run the bot until interrupted; returns the process exit code."""
    settings.require_slack()  # ConfigError -> one line from the CLI, exit 1
    from bot.db import mask_url
    from bot.migrate import upgrade

    log.info("migrating %s to head", mask_url(database_url))
    upgrade(database_url)
    if serving_mode(settings) == "socket":
        return _run_socket_mode(settings, database_url, with_scheduler=with_scheduler)
    return _run_http(settings, database_url, with_scheduler=with_scheduler)


def _run_socket_mode(settings: Settings, database_url: str, *, with_scheduler: bool) -> int:
    from bot.app import Executors, create_app
    from bot.socket_mode import CheckedSocketModeHandler

    engine = make_listener_engine(database_url)
    scheduler_engine = make_scheduler_engine(database_url) if with_scheduler else None
    scheduler = _start_scheduler(settings, scheduler_engine) if scheduler_engine is not None else None
    links = _serve_links(settings, database_url, engine) if settings.public_url else None
    # SIGTERM (docker stop, systemd) ends the process through the finally below, like Ctrl-C: the
    # click buffer is flushed and the scheduler shut down.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    executors = Executors.new()
    try:
        app = create_app(settings, engine=engine, background=executors.background, work=executors.work)
        freeze_startup_objects()
        log.info("connecting to Slack in Socket Mode")
        # Blocks until interrupted.
        CheckedSocketModeHandler(app, settings.slack_app_token, concurrency=SOCKET_MODE_THREADS).start()
    finally:
        executors.shutdown()  # what was acked is worked on and answered
        if links is not None:
            server, redirects = links
            server.stop()
            redirects.buffer.close()  # after the server: no click arrives once it is flushed
            redirects.engine.dispose()
        if scheduler is not None:
            scheduler.shutdown()
        for eng in (engine, scheduler_engine):
            if eng is not None:
                eng.dispose()
    return 0


def _exit_cleanly(signum, frame) -> None:
    raise SystemExit(0)


def _serve_links(settings: Settings, database_url: str, engine: Engine) -> tuple[Any, Any]:
    """Socket Mode with CRM_PUBLIC_URL: /l/ and /healthz on HOST:PORT (bot/public_http.py)."""
    from bot.public_http import PublicServer, links_and_health, make_redirects

    redirects = make_redirects(database_url, engine)
    server = PublicServer(links_and_health(redirects, engine), settings.host, settings.port).start()
    log.info("serving short links on %s (GET /l/<code>, GET /healthz)", settings.bind_address)
    return server, redirects


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """gunicorn settings for HTTP mode."""
    return {
        "bind": settings.bind_address,  # HOST:PORT
        "worker_class": "gthread",
        "workers": int(os.environ.get("WEB_CONCURRENCY") or DEFAULT_WORKERS),
        "threads": HTTP_THREADS,
        "keepalive": KEEPALIVE_SECONDS,
        # A request lasts as long as Bolt waits for an ack (3 s); 30 s only catches a stuck worker.
        "timeout": 30,
        "graceful_timeout": 20,
        "loglevel": settings.log_level.lower(),
        "errorlog": "-",
        "accesslog": None,  # a line per click is noise; failures are logged by the app and errorlog
        "proc_name": "crm-bot",
        "post_worker_init": worker_ready,
    }


def worker_ready(worker: Any) -> None:
    """gunicorn's post_worker_init hook: the worker has built its app and is about to serve."""
    stop_gracefully_on_quit(worker)
    freeze_startup_objects()


def stop_gracefully_on_quit(worker: Any) -> None:
    """Let SIGQUIT and SIGINT stop a worker the way SIGTERM does: finish, drain, exit.

    On Ctrl-C (SIGINT) the master sends its workers SIGQUIT, and the gthread worker's handler for
    it shuts its request thread pool down from inside the signal handler. When the signal lands
    while the worker's main thread is inside that pool's submit(), which holds the pool's lock and
    concurrent.futures' global one, the handler waits for a lock its own thread holds
    (CPython issue #121649). The worker then hangs until the master kills it after
    graceful_timeout, the replies of the requests it acked are lost, and our own threads block in
    submit() on the global lock. tests/slack/test_server.py's Ctrl-C test hit this in 4 runs of 23
    under CPU load, and a faulthandler dump showed these stacks.

    SIGTERM's handler only marks the worker as stopping and wakes its loop, which is safe in a
    signal handler. The worker then serves its open connections (kept-alive ones for 2 s at most),
    leaves its loop and exits through worker_exit, which finishes our work and replies.
    """
    signal.signal(signal.SIGQUIT, worker.handle_exit)
    signal.signal(signal.SIGINT, worker.handle_exit)


def freeze_startup_objects() -> None:
    """Exempt what a process built at start-up (modules, the app, table metadata) from garbage
    collection; call it once the app is built.

    Those ~130,000 objects live as long as the process. Left in the oldest generation, every full
    collection walks them all while holding the GIL, and every request of the process waits: 90-180
    ms of wall time under the load benchmark (BENCHMARKS.md). Frozen (gc.freeze), a full collection
    walks only what was made since: ~11,000 objects, 3-27 ms. Both Slack modes call it.
    """
    gc.freeze()


class CrmGunicorn(BaseApplication):
    """gunicorn, configured in code: the master runs the scheduler, each worker builds its own app.

    Engines are never shared across fork: each worker creates its engine and Bolt app in load(),
    which gunicorn calls in the worker after fork (preload_app is off). The scheduler runs once per
    replica, in the master (when_ready): not in the workers, where it would run WEB_CONCURRENCY
    times and restart with every recycled worker. Running it more than once would still be correct
    (deliveries are claimed with SKIP LOCKED leases), only wasteful. Workers are forked from the
    master after the scheduler's engine exists, so each child drops its inherited copy of that pool
    without closing the parent's sockets (engine.dispose(close=False), SQLAlchemy's fork recipe).
    """

    def __init__(self, settings: Settings, database_url: str, *, with_scheduler: bool) -> None:
        self.settings = settings
        self.database_url = database_url
        self.with_scheduler = with_scheduler
        self.scheduler: Any = None
        self.scheduler_engine: Engine | None = None
        self.click_buffer: Any = None  # the worker's, when CRM_PUBLIC_URL is set (flushed on exit)
        self.executors: Any = None  # bot.app.Executors of the worker (drained on exit)
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.settings).items():
            self.cfg.set(key, value)
        self.cfg.set("when_ready", self._when_ready)
        self.cfg.set("post_fork", self._post_fork)
        self.cfg.set("on_exit", self._on_exit)
        self.cfg.set("worker_exit", self._worker_exit)

    def load(self):
        from bot.app import Executors, create_app
        from bot.wsgi import create_wsgi_app

        engine = make_listener_engine(self.database_url)
        self.executors = Executors.new()
        app = create_app(
            self.settings, engine=engine, background=self.executors.background, work=self.executors.work
        )
        redirects = None
        if self.settings.public_url:
            from bot.public_http import make_redirects

            redirects = make_redirects(self.database_url, engine)
            self.click_buffer = redirects.buffer
        return create_wsgi_app(
            app, engine, signing_secret=self.settings.slack_signing_secret, redirects=redirects
        )

    def _when_ready(self, server) -> None:
        if self.with_scheduler:
            self.scheduler_engine = make_scheduler_engine(self.database_url)
            self.scheduler = _start_scheduler(self.settings, self.scheduler_engine)

    def _post_fork(self, server, worker) -> None:
        if self.scheduler_engine is not None:
            self.scheduler_engine.dispose(close=False)

    def _worker_exit(self, server, worker) -> None:
        """In the worker, after its last request: finish the work and replies of the requests it
        acked, then write the clicks still buffered."""
        if self.executors is not None:
            self.executors.shutdown()
        if self.click_buffer is not None:
            self.click_buffer.close()

    def _on_exit(self, server) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown()
        if self.scheduler_engine is not None:
            self.scheduler_engine.dispose()


def _run_http(settings: Settings, database_url: str, *, with_scheduler: bool) -> int:
    routes = "POST /slack/events, GET /healthz" + (", GET /l/<code>" if settings.public_url else "")
    log.info("serving Slack over HTTP on %s (%s)", settings.bind_address, routes)
    CrmGunicorn(settings, database_url, with_scheduler=with_scheduler).run()
    return 0
