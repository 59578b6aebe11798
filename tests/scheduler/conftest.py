"""Fixtures for scheduler tests: the fake Slack Web API and a job context pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.config import Settings
from bot.jobs.context import JobContext, make_slack_client
from tests.slack.fake_slack import FakeSlack

ADMIN_CHANNEL = "C0ADMIN001"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(fake_slack) -> Settings:
    return Settings(
        slack_bot_token="xoxb-test-token",
        slack_api_url=fake_slack.api_url,
        admin_channel=ADMIN_CHANNEL,
        timezone="Europe/Berlin",
    )


@pytest.fixture
def make_ctx(clean_tables, settings) -> Callable[..., JobContext]:
    """JobContext factory: each call is one 'replica' (own worker id and Slack client).

    `timeout=` gives its Slack client a shorter timeout (the fake can answer later than that).
    """

    def make(*, timeout: float = 10, **kw) -> JobContext:
        kw.setdefault("engine", clean_tables)
        kw.setdefault("client", make_slack_client(settings, timeout=timeout))
        return JobContext(settings=kw.pop("settings", settings), **kw)

    return make


# The Slack app harness (tests/slack/conftest.py): the real app wired to `fake_slack` above.
from tests.slack.conftest import slack_app, slack_app_factory  # noqa: E402, F401
