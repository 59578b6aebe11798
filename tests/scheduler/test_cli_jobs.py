"""`crm-bot jobs run <name>` runs one job against the configured database and Slack, and says what it did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db import transaction
from bot.jobs import JOBS
from crm.models import AppliedRequest, Delivery
from tests.factories import make_influencer, make_relationship, make_user


@pytest.fixture
def env(monkeypatch, fake_slack, database_url, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "CRM_ADMIN_CHANNEL": "C0ADMIN001",
        "CRM_TIMEZONE": "UTC",
    }.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_jobs_run_reminders_prints_what_it_did(env, fake_slack, clean_tables, capsys):
    past = datetime.now(UTC) - timedelta(hours=1)
    with transaction(clean_tables) as db:
        for n in (2, 1):
            user = make_user(db)
            for _ in range(n):
                make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=past)
    assert main(["jobs", "run", "reminders"]) == 0
    assert capsys.readouterr().out.strip() == "reminders: 2 DMs sent, 3 follow-ups, 0 failed"
    assert main(["jobs", "run", "reminders"]) == 0
    assert capsys.readouterr().out.strip() == "reminders: 0 DMs sent, 0 follow-ups, 0 failed"
    with transaction(clean_tables) as db:
        assert {d.status for d in db.scalars(select(Delivery))} == {"sent"}


def test_jobs_run_reports_failures_with_a_non_zero_exit(env, fake_slack, clean_tables, capsys):
    with transaction(clean_tables) as db:
        user = make_user(db)
        make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=datetime.now(UTC))
    fake_slack.fail("conversations.open", error="user_not_found")
    assert main(["jobs", "run", "reminders"]) == 1
    assert capsys.readouterr().out.strip() == "reminders: 0 DMs sent, 0 follow-ups, 1 failed"


def test_database_jobs_need_no_slack_token(env, clean_tables, capsys):
    env.delenv("SLACK_BOT_TOKEN")
    assert main(["jobs", "run", "refresh-analytics"]) == 0
    assert capsys.readouterr().out.startswith("refresh-analytics: admin_analytics refreshed in ")
    assert main(["jobs", "run", "recompute-strength"]) == 0
    assert capsys.readouterr().out.strip() == "recompute-strength: 0 relationships changed"
    assert main(["jobs", "run", "reminders"]) == 1
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


def test_jobs_run_prune_applied_requests_deletes_keys_older_than_a_day(env, clean_tables, capsys):
    env.delenv("SLACK_BOT_TOKEN")  # a database-only job
    now = datetime.now(UTC)
    with transaction(clean_tables) as db:
        for key, age in {"old": timedelta(days=2), "recent": timedelta(hours=1)}.items():
            db.add(AppliedRequest(key=key, team_id="T1", applied_at=now - age))
    assert main(["jobs", "run", "prune-applied-requests"]) == 0
    assert capsys.readouterr().out.strip() == (
        "prune-applied-requests: 1 applied requests older than a day deleted"
    )
    with transaction(clean_tables) as db:
        assert list(db.scalars(select(AppliedRequest.key))) == ["recent"]


def test_jobs_run_accepts_exactly_the_registered_jobs(env, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["jobs", "run", "no-such-job"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'no-such-job'" in err
    for name in JOBS:
        assert f"'{name}'" in err
    assert set(JOBS) == {
        "reminders",
        "going-cold",
        "weekly-summary",
        "personal-digest",
        "refresh-analytics",
        "recompute-strength",
        "prune-applied-requests",
        "roll-up-clicks",
    }


def test_jobs_list_prints_each_job_with_when_and_what(env, capsys):
    assert main(["jobs", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(JOBS)
    by_name = {line.split()[0]: line for line in lines}
    assert "every minute, and at start (CRM_TIMEZONE): follow-up reminder DMs" in by_name["reminders"]
    assert "cron day_of_week=mon hour=9 minute=0; every hour, and at start" in by_name["weekly-summary"]
    assert "every 15 minutes, and at start" in by_name["refresh-analytics"]
    assert "cron hour=4 minute=0 (CRM_TIMEZONE): delete the keys" in by_name["prune-applied-requests"]
