"""`create_app(settings)`: the Bolt App, wired, with no module-level state.

One factory for every way the bot runs (Socket Mode, each gunicorn worker, tests), so each caller
chooses its own Web API client, database engine and listener executor.
"""

from __future__ import annotations

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


class StickyAck(Ack):
    """Bolt's Ack, except that once acknowledged it stays acknowledged.

    slack_bolt 1.30's ThreadListenerRunner, when a listener raises *after* ack(), sets
    ack.response back to None (it hands the error handler response=None and then stores that).
    The request thread polls ack.response every 10 ms; if it has not looked yet, it waits the full
    3 s and answers 404, so Slack shows an error for a click that was acknowledged. Ignoring the
    reset keeps the 200 that ack() produced; the error handler still tells the user what went wrong.
    """

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and getattr(self, "_response", None) is not None:
            return
        self._response = value


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
