"""`create_app(settings)`: the Bolt App, wired, with no module-level state.

One factory for every way the bot runs (Socket Mode, each gunicorn worker, tests), so each caller
chooses its own Web API client, database engine and listener executor.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.context.ack import Ack
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.config import Settings
from bot.logging import bolt_base_logger
from bot.verification import SignatureVerification
from handlers.home_refresh import HomePublisher
from handlers.profiles import ProfileFetcher

# Listener threads per process. In Bolt every listener, *including its ack()*, runs in this
# executor; the request thread only waits (up to 3 s) for the ack. So the pool must never be full of
# listeners busy with post-ack work (respond(), views.open, Web API round trips of 100-500 ms at
# Slack) while a new request waits for a thread to ack in. 16 = twice the 8 HTTP threads of a
# gunicorn worker (bot/server.py), so every in-flight request can ack immediately even while as many
# earlier listeners finish their post-ack calls. It stays below the engine's connection pool
# (bot/server.py sizes pool_size to this + headroom), so a listener never waits for a connection
# before it can ack. Bolt's default is 5, shared by acks and lazy listeners alike.
LISTENER_THREADS = 16


# How long the request thread waits for a listener's ack (Slack's limit; Bolt's ack_timeout too).
ACK_WAIT_SECONDS = 3.0


class StickyAck(Ack):
    """Bolt's Ack, except that once acknowledged it stays acknowledged, and is seen at once.

    Sticky: slack_bolt 1.30's ThreadListenerRunner, when a listener raises *after* ack(), sets
    ack.response back to None (it hands the error handler response=None and then stores that).
    If the request thread has not looked yet, it waits the full 3 s and answers 404, so Slack shows
    an error for a click that was acknowledged. Ignoring the reset keeps the 200 that ack() produced;
    the error handler still tells the user what went wrong.

    Seen at once: the request thread waits for the ack by reading ack.response and sleeping 10 ms
    between reads, so every answer waited for the next tick (in the load benchmark, 12 ms at
    50 requests/s for work that takes 2-3 ms). Here a read *by the thread that created the ack*
    blocks on an Event until the ack arrives (at most until the 3 s deadline), so Bolt's first read
    returns as soon as ack() is called. That thread is the request thread: the middleware in
    create_app creates the ack there, and listeners run in the listener executor's threads
    (process_before_response stays off), so no other read of it happens in that thread while
    waiting would matter. Reads from any other thread never wait.
    """

    def __init__(self) -> None:
        self._response: BoltResponse | None = None
        self._acknowledged = threading.Event()
        self._waiter: int | None = threading.get_ident()
        self._wait_until = time.monotonic() + ACK_WAIT_SECONDS
        super().__init__()

    def listener_started(self) -> None:
        """Called by handlers.uow as a listener starts. If it runs in the thread that made this ack
        (called inline, without an executor), reads there must not wait for an ack that only this
        very listener can make."""
        if threading.get_ident() == self._waiter:
            self._waiter = None

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        if self._response is None and threading.get_ident() == self._waiter:
            remaining = self._wait_until - time.monotonic()
            if remaining > 0:
                self._acknowledged.wait(remaining)
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and self._response is not None:
            return
        self._response = value
        if value is not None:
            self._acknowledged.set()


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    engine: Engine | None = None,
    listener_executor: Executor | None = None,
    home_publisher: HomePublisher | None = None,
) -> App:
    """The Slack app: our request verification, settings+engine in every context, all listeners.

    The App owns a HomePublisher (background App Home refreshes, handlers/home_refresh.py; its
    threads start on the first refresh) and a ProfileFetcher (users.info for users seen for the
    first time, handlers/profiles.py). Tests pass their own publisher to drain it.
    """
    if client is None:
        # No RateLimitErrorRetryHandler here: it sleeps for Retry-After, and listeners must never
        # sleep on the ack path (the scheduler's client has one; see bot/scheduler.py).
        client = WebClient(base_url=settings.slack_api_url, token=settings.slack_bot_token)
    if engine is None:
        from bot.db import make_engine, resolve_url

        engine = make_engine(resolve_url(settings.database_url, settings.data_dir))
    if listener_executor is None:
        listener_executor = ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="crm-listener")
    if home_publisher is None:
        home_publisher = HomePublisher(client, engine)
    profiles = ProfileFetcher()

    app = App(
        name="crm-bot",
        logger=bolt_base_logger(settings.log_level),
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        # Bolt's verification answers 500 on a non-numeric timestamp and logs bodies; ours replaces it,
        # placed in before_authorize so it runs before authorization can call auth.test.
        request_verification_enabled=False,
        before_authorize=SignatureVerification(settings.slack_signing_secret),
        # No auth.test at construction: tests build apps while Slack is unreachable, and a replica
        # should start even if Slack is briefly down. Bolt then calls auth.test once, lazily, on the
        # first request (SingleTeamAuthorization caches the result for the process).
        token_verification_enabled=False,
        # Unmatched requests go to our error handler, which logs them without the body.
        raise_error_for_unhandled_request=True,
        listener_executor=listener_executor,
    )

    def attach_settings_and_engine(context: BoltContext, next) -> BoltResponse | None:
        """Global middleware: listeners (and @unit_of_work) find `settings`, `engine` and the App's
        home publisher and profile fetcher in context."""
        context["settings"] = settings
        context["engine"] = engine
        context["home_publisher"] = home_publisher
        context["profiles"] = profiles
        context["ack"] = StickyAck()  # read by Bolt's listener runner after the middleware
        return next()

    def ignore_event_retries(request: BoltRequest, next) -> BoltResponse | None:
        """Acknowledge Events API retries without running listeners again.

        Events are acknowledged before their listener runs, so Slack only retries when that 200 did
        not reach it (a timeout, a replica dying, a load balancer error); the first delivery has
        usually been processed. Our event handlers re-render state (App Home), so the next event
        repairs a missed one, while processing a retry could repeat side effects.
        """
        if request.headers.get("x-slack-retry-num") and request.body.get("type") == "event_callback":
            return BoltResponse(status=200, body="")
        return next()

    app.middleware(attach_settings_and_engine)
    app.middleware(ignore_event_retries)

    from bot.errors import register_error_handler
    from handlers import register_listeners

    register_listeners(app)
    register_error_handler(app)
    return app
