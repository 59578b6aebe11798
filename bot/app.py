"""`create_app(settings)`: the Bolt App, wired, with no module-level state.

One factory for every way the bot runs (Socket Mode, each gunicorn worker, tests), so each caller
chooses its own Web API client, database engine and background executor.

How a request goes (handlers/runtime/ has the details):
- HTTP mode checks Slack's signature once, on the raw bytes, before Bolt sees the body
  (bot/wsgi.py); Socket Mode needs none (the WebSocket was opened with the app-level token).
- `process_before_response=True`: Bolt runs the listener in the request's own thread and sends the
  ack when the listener returns — no polling for an ack, no ack racing the listener's error handling.
- `/crm` and buttons ack first: their listener acks and hands its work to the work queue
  (handlers/runtime/after_ack.py), so the ack leaves before any database work. Modal submissions and
  options requests answer in the ack itself, so they do their (bounded, handlers/runtime/scope.py)
  transaction first. Slack calls always go to a background executor after the commit
  (handlers/runtime/slack_calls.py).
- Events API retries (x-slack-retry-num > 0) are acknowledged without running listeners again.
- Payloads without the structure of their type are refused before Bolt sees them: by bot/wsgi.py
  in HTTP mode, by bot/socket_mode.py in Socket Mode.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.config import Settings
from bot.logging import bolt_base_logger
from handlers.home_refresh import HomePublisher
from handlers.profiles import ProfileFetcher
from handlers.runtime.after_ack import MAX_QUEUED_WORK, WORK_THREADS, WorkQueue
from handlers.runtime.deadline import guard_engine
from handlers.runtime.errors import register_error_handler
from handlers.runtime.runtime import RUNTIME_KEY, Runtime

log = logging.getLogger(__name__)

# Threads for Slack calls made after a listener's commit (replies, modals, error messages): each is a
# Web API round trip of 100-500 ms, seconds when Slack is slow, never on the ack path. They wait on
# the network, not the CPU, so there are many: with Slack answering in 3 s, 128 threads per process
# still send about 40 replies a second (benchmarks/slack_load.py measures it).
BACKGROUND_THREADS = 128


@dataclass(frozen=True, slots=True)
class Executors:
    """The App's thread pools for work after the ack and for Slack calls after the commit."""

    work: ThreadPoolExecutor
    background: ThreadPoolExecutor

    @classmethod
    def new(cls) -> Executors:
        return cls(
            work=ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="crm-work"),
            background=ThreadPoolExecutor(BACKGROUND_THREADS, thread_name_prefix="crm-slack"),
        )

    def shutdown(self) -> None:
        """Finish what was acked: the queued work first (it queues replies), then the Slack calls.
        A process calls this before it exits (bot/server.py); at interpreter exit no new task can
        be submitted, so work still queued then could not send its reply."""
        self.work.shutdown(wait=True)
        self.background.shutdown(wait=True)


def is_event_retry(request: BoltRequest) -> bool:
    """True for a redelivery of an Events API event (Slack's retry_attempt / X-Slack-Retry-Num > 0).

    Socket Mode sends every first delivery with retry_attempt 0, which Bolt passes on as the header
    `x-slack-retry-num: 0`: that is not a retry.
    """
    value = request.headers.get("x-slack-retry-num")
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return False
    value = str(value).strip()
    return value.isascii() and value.isdigit() and int(value) > 0


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    engine: Engine | None = None,
    background: Executor | None = None,
    work: Executor | None = None,
    work_limit: int = MAX_QUEUED_WORK,
    home_publisher: HomePublisher | None = None,
) -> App:
    """The Slack app: settings, engine and background work in every context, all listeners.

    The App's Runtime (handlers/runtime/runtime.py) owns a HomePublisher (background App Home
    refreshes; its threads start on the first refresh) and a ProfileFetcher (users.info for users
    seen for the first time). `work` runs listeners' work after their ack (WORK_THREADS threads
    unless given), with at most `work_limit` requests waiting or running. Tests pass their own
    executors and publisher to drain them.
    """
    if client is None:
        # No RateLimitErrorRetryHandler here: it sleeps for Retry-After, and listeners must never
        # sleep on the ack path (the scheduler's client has one; see bot/scheduler.py).
        client = WebClient(base_url=settings.slack_api_url, token=settings.slack_bot_token)
    if engine is None:
        from bot.db import make_engine, resolve_url

        engine = make_engine(resolve_url(settings.database_url, settings.data_dir))
    guard_engine(engine)
    if background is None or work is None:
        default = Executors.new()
        background = background or default.background
        work = work or default.work
    if home_publisher is None:
        home_publisher = HomePublisher(client, engine)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        background=background,
        work=WorkQueue(work, work_limit),
        home_publisher=home_publisher,
        profiles=ProfileFetcher(),
    )

    app = App(
        name="crm-bot",
        logger=bolt_base_logger(settings.log_level),
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        # The signature is checked once, on the raw bytes, by bot/wsgi.py (HTTP mode only).
        request_verification_enabled=False,
        # No auth.test at construction: tests build apps while Slack is unreachable, and a replica
        # should start even if Slack is briefly down. Bolt then calls auth.test once, lazily, on the
        # first request (SingleTeamAuthorization caches the result for the process).
        token_verification_enabled=False,
        # Unmatched requests go to our error handler, which logs them without the body.
        raise_error_for_unhandled_request=True,
        process_before_response=True,
        listener_executor=background,
    )

    def attach_runtime(context: BoltContext, next) -> BoltResponse | None:
        """Global middleware: listeners find the App's Runtime in their context."""
        context[RUNTIME_KEY] = runtime
        return next()

    def ignore_event_retries(request: BoltRequest, next) -> BoltResponse | None:
        """Acknowledge Events API retries without running listeners again.

        Slack retries an event only when our 200 did not reach it in time (a timeout, a replica
        dying, a load balancer error); the first delivery has usually been processed. Our event
        handlers re-render state (App Home), so the next event repairs a missed one, while
        processing a retry could repeat side effects.
        """
        if request.body.get("type") == "event_callback" and is_event_retry(request):
            return BoltResponse(status=200, body="")
        return next()

    app.middleware(ignore_event_retries)
    app.middleware(attach_runtime)

    from handlers import register_listeners

    register_listeners(app)
    register_error_handler(app)
    return app
