"""Fixtures for Slack end-to-end tests; the API is documented in tests/slack/harness.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from slack_sdk import WebClient

from bot.app import create_app
from bot.config import Settings
from bot.wsgi import create_wsgi_app
from handlers.home_refresh import HomePublisher
from handlers.runtime.after_ack import MAX_QUEUED_WORK
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import LoopbackServer, Payloads, SlackTestApp, TrackingExecutor

BOT_TOKEN = "xoxb-1234567890-0987654321-TESTtokenVALUEnotREAL"
SIGNING_SECRET = "8f742231b10e8888abcd99eeefff85a5"  # 32 hex digits, as Slack's are


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def make_settings(fake: FakeSlack, database_url: str, **overrides) -> Settings:
    settings = Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        database_url=database_url,
        admin_user_ids=frozenset({"UADMIN0001"}),
        admin_channel="C0ADMINS01",
        timezone="UTC",
        log_level="INFO",
    )
    return dataclasses.replace(settings, **overrides)


@pytest.fixture
def slack_app_factory(
    fake_slack: FakeSlack, clean_tables, database_url
) -> Iterator[Callable[..., SlackTestApp]]:
    """Build SlackTestApps (settings overridable); each one's executor is shut down afterwards."""
    executors: list[TrackingExecutor] = []
    publishers: list[HomePublisher] = []

    def build(*, engine=None, work_limit: int = MAX_QUEUED_WORK, **overrides) -> SlackTestApp:
        """`engine` replaces the test database's (tables are still truncated afterwards);
        `work_limit` is create_app's (requests waiting for the work queue)."""
        engine = engine or clean_tables
        settings = make_settings(fake_slack, database_url, **overrides)
        executor = TrackingExecutor()
        executors.append(executor)
        client = WebClient(base_url=settings.slack_api_url, token=settings.slack_bot_token)
        home = HomePublisher(client, engine)
        publishers.append(home)
        app = create_app(
            settings,
            client=client,
            engine=engine,
            background=executor,
            work=executor,
            work_limit=work_limit,
            home_publisher=home,
        )
        payloads = Payloads(settings.slack_signing_secret or "", fake_slack)
        return SlackTestApp(app, fake_slack, settings, engine, executor, payloads, home)

    yield build
    for executor, home in zip(executors, publishers, strict=True):
        executor.drain()
        home.drain()
        executor.shutdown(wait=True)
        home.shutdown(wait=True)


@pytest.fixture
def slack_app(slack_app_factory) -> SlackTestApp:
    return slack_app_factory()


@pytest.fixture
def slack_http(slack_app: SlackTestApp) -> Iterator[LoopbackServer]:
    wsgi = create_wsgi_app(
        slack_app.app, slack_app.engine, signing_secret=slack_app.settings.slack_signing_secret
    )
    server = LoopbackServer(wsgi)
    yield server
    server.stop()
