"""At INFO the log says what happened: no Bolt warning at start, no scheduler chatter, quiet idle jobs."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient

from bot.app import create_app
from bot.config import Settings
from bot.jobs import JOBS
from bot.jobs.context import Account, JobContext
from bot.logging import configure_logging
from bot.scheduler import _run


@pytest.fixture
def root_logging():
    """Put the root logger back as it was (configure_logging replaces its handlers)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("apscheduler", "alembic.runtime.plugins")}
    yield
    root.handlers[:], root.level = handlers, level
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_no_client_token_warning_when_slack_bot_token_is_in_the_environment(monkeypatch, engine, caplog):
    """Bolt reads SLACK_BOT_TOKEN from the environment although bot/app.py gives it a client."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-fromenv")
    settings = Settings(slack_bot_token="xoxb-1-2-fromenv", slack_signing_secret="0" * 32)
    with caplog.at_level(logging.INFO):
        create_app(settings, client=WebClient(token=settings.slack_bot_token), engine=engine)
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_apscheduler_lines_only_at_debug(root_logging):
    stream = io.StringIO()
    configure_logging("INFO", stream)
    logging.getLogger("apscheduler.executors.default").info('Running job "reminders"')
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("apscheduler.executors.default").warning("Run time of job was missed")
    assert stream.getvalue().count("\n") == 1 and "missed" in stream.getvalue()
    configure_logging("DEBUG", stream)
    logging.getLogger("apscheduler.executors.default").info('Running job "reminders"')
    assert 'Running job "reminders"' in stream.getvalue()


@pytest.mark.parametrize(
    ("job", "account", "logged"),
    [
        ("prune-applied-requests", Account("prune: 3 deleted"), True),
        ("prune-applied-requests", Account("prune: 0 deleted", noteworthy=False), False),
        ("refresh-analytics", Account("refresh-analytics: refreshed"), False),  # a quiet job
    ],
)
def test_a_scheduled_run_logs_at_info_only_when_it_did_something(
    job, account, logged, monkeypatch, engine, caplog
):
    monkeypatch.setitem(
        JOBS, job, JOBS[job].__class__(**{**JOBS[job].__dict__, "run": lambda ctx, now: account})
    )
    ctx = JobContext(settings=Settings(), engine=engine, client=WebClient())
    with caplog.at_level(logging.INFO, logger="bot.scheduler"):
        _run(ctx, job)
    assert [r.getMessage() for r in caplog.records if r.name == "bot.scheduler"] == (
        [account] if logged else []
    )


def test_idle_database_jobs_are_not_noteworthy(clean_tables):
    from bot.jobs.housekeeping import prune_applied_requests_job
    from bot.jobs.maintenance import recompute_strength

    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert prune_applied_requests_job(clean_tables, now=now).noteworthy is False
    assert recompute_strength(clean_tables, now=now).noteworthy is False
