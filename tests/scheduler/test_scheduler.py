"""bot.scheduler: the triggers, and `crm-bot scheduler` as a process that posts and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from bot.db import transaction
from bot.scheduler import build_scheduler, start_background
from crm.models import Delivery
from tests.factories import make_influencer, make_relationship, make_user


def test_triggers_catch_up_at_start_and_follow_the_crm_timezone(settings, clean_tables):
    start = datetime(2026, 12, 2, 10, 30, tzinfo=settings.tz)  # a Wednesday
    scheduler = build_scheduler(settings, clean_tables, start_now=start)
    scheduler.start(paused=True)  # paused: the job defaults are applied, nothing runs
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(jobs) == {
        "reminders",
        "refresh-analytics",
        "recompute-strength",
        "weekly-summary",
        "weekly-summary-catch-up",
    }
    assert isinstance(jobs["reminders"].trigger, IntervalTrigger)
    assert jobs["reminders"].trigger.interval == timedelta(minutes=1)
    assert jobs["refresh-analytics"].trigger.interval == timedelta(minutes=15)
    assert jobs["weekly-summary-catch-up"].trigger.interval == timedelta(hours=1)
    # The start-up runs are due at once.
    for job_id in ("reminders", "refresh-analytics", "weekly-summary-catch-up"):
        assert jobs[job_id].next_run_time == start
    weekly, nightly = jobs["weekly-summary"].trigger, jobs["recompute-strength"].trigger
    assert isinstance(weekly, CronTrigger) and str(weekly.timezone) == "Europe/Berlin"
    assert weekly.get_next_fire_time(None, start) == datetime(2026, 12, 7, 9, 0, tzinfo=settings.tz)
    assert nightly.get_next_fire_time(None, start) == datetime(2026, 12, 3, 3, 0, tzinfo=settings.tz)
    assert all(j.coalesce and j.max_instances == 1 for j in jobs.values())
    assert jobs["reminders"].misfire_grace_time == 60 and jobs["weekly-summary"].misfire_grace_time == 3600


def test_start_background_runs_the_catch_up_and_shuts_down(settings, fake_slack, clean_tables):
    with transaction(clean_tables) as db:
        user = make_user(db)
        make_relationship(
            db,
            user=user,
            influencer=make_influencer(db),
            follow_up_date=datetime.now(UTC) - timedelta(days=1),
        )
    scheduler = start_background(settings, clean_tables)
    try:
        fake_slack.wait_for("chat.postMessage", 1, timeout=20)
    finally:
        scheduler.shutdown(wait=True)
    assert not scheduler.running
    with transaction(clean_tables) as db:
        assert [
            d.status for d in db.scalars(select(Delivery).where(Delivery.kind == "follow_up_reminder"))
        ] == ["sent"]


def test_crm_bot_scheduler_posts_and_exits_cleanly_on_sigterm(
    fake_slack, clean_tables, database_url, tmp_path
):
    with transaction(clean_tables) as db:
        user = make_user(db)
        make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=datetime.now(UTC))
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "CRM_TIMEZONE": "UTC",
        "LOG_LEVEL": "INFO",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "scheduler"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake_slack.wait_for("chat.postMessage", 1, timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "SIGTERM received" in err and "scheduler: stopped" in err
    assert "reminders: 1 DMs sent, 1 follow-ups, 0 failed" in err
