"""bot.scheduler: the triggers, and `crm-bot scheduler` as a process that posts and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, text

from bot.db import make_engine, transaction
from bot.migrate import current_head
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
        "going-cold",
        "refresh-analytics",
        "recompute-strength",
        "weekly-summary",
        "weekly-summary-catch-up",
        "personal-digest",
        "prune-applied-requests",
        "roll-up-clicks",
    }
    assert isinstance(jobs["reminders"].trigger, IntervalTrigger)
    assert jobs["reminders"].trigger.interval == timedelta(minutes=1)
    assert jobs["refresh-analytics"].trigger.interval == timedelta(minutes=15)
    assert jobs["going-cold"].trigger.interval == timedelta(minutes=15)
    assert jobs["weekly-summary-catch-up"].trigger.interval == timedelta(hours=1)
    assert jobs["personal-digest"].trigger.interval == timedelta(hours=1)
    # The start-up runs are due at once.
    for job_id in (
        "reminders",
        "going-cold",
        "refresh-analytics",
        "weekly-summary-catch-up",
        "personal-digest",
    ):
        assert jobs[job_id].next_run_time == start
    weekly, nightly = jobs["weekly-summary"].trigger, jobs["recompute-strength"].trigger
    assert isinstance(weekly, CronTrigger) and str(weekly.timezone) == "Europe/Berlin"
    assert weekly.get_next_fire_time(None, start) == datetime(2026, 12, 7, 9, 0, tzinfo=settings.tz)
    assert nightly.get_next_fire_time(None, start) == datetime(2026, 12, 3, 3, 0, tzinfo=settings.tz)
    prune = jobs["prune-applied-requests"].trigger
    assert prune.get_next_fire_time(None, start) == datetime(2026, 12, 3, 4, 0, tzinfo=settings.tz)
    # The daily and weekly jobs wait for their own time (no run at start).
    for job_id, (hour, minute) in {
        "weekly-summary": (9, 0),
        "recompute-strength": (3, 0),
        "prune-applied-requests": (4, 0),
    }.items():
        first = jobs[job_id].next_run_time.astimezone(settings.tz)
        assert (first.hour, first.minute) == (hour, minute), job_id
    assert all(j.coalesce and j.max_instances == 1 for j in jobs.values())
    assert jobs["reminders"].misfire_grace_time == 60 and jobs["weekly-summary"].misfire_grace_time == 3600
    assert jobs["prune-applied-requests"].misfire_grace_time == 3600
    assert {j.id: j.name for j in jobs.values()}["weekly-summary-catch-up"] == "weekly-summary"


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


def _scheduler_env(fake_slack, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database_url,
        "CRM_TIMEZONE": "UTC",
        "LOG_LEVEL": "INFO",
    }


def test_crm_bot_scheduler_posts_and_exits_cleanly_on_sigterm(
    fake_slack, clean_tables, database_url, tmp_path
):
    with transaction(clean_tables) as db:
        user = make_user(db)
        make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=datetime.now(UTC))
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "scheduler"],
        env=_scheduler_env(fake_slack, database_url),
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


# APScheduler's own line once one of our jobs returned (our _run logs any failure itself); it is
# DEBUG-only noise at INFO (bot/logging.py), so the test below runs the schedulers at DEBUG.
_EXECUTED = re.compile(r'Job "(?P<name>[\w-]+) \(trigger: [^"]*" executed successfully')
START_JOBS = {"reminders", "refresh-analytics", "weekly-summary"}


def test_two_crm_bot_schedulers_started_at_once_on_an_empty_database_migrate_it_and_run(
    fake_slack, fresh_database_url, tmp_path
):
    """`crm-bot scheduler` alone on a fresh database: it migrates to head first (replicas at once, once)."""
    env = {
        **_scheduler_env(fake_slack, fresh_database_url),
        "CRM_ADMIN_CHANNEL": "C0ADMIN001",
        "LOG_LEVEL": "DEBUG",
    }
    logs = [tmp_path / f"replica{n}.log" for n in range(2)]
    procs = []
    for log_path in logs:
        with open(log_path, "w") as err:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "scheduler"],
                    env=env,
                    cwd=tmp_path,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                )
            )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until every replica's start-up jobs have run
            ran = [{m["name"] for m in _EXECUTED.finditer(p.read_text())} for p in logs]
            if all(names >= START_JOBS for names in ran) or any(p.poll() is not None for p in procs):
                break
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
    outputs = [p.read_text() for p in logs]
    for proc, out in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, out
        assert "migrating" in out and "to head" in out and "scheduler: stopped" in out
        assert {m["name"] for m in _EXECUTED.finditer(out)} >= START_JOBS, out
        for failure in ("job failed", "database unavailable", "Traceback", "ERROR"):
            assert failure not in out, out
    engine = make_engine(fresh_database_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                current_head()
            ]
            assert conn.execute(text("SELECT to_regclass('admin_analytics')")).scalar() == "admin_analytics"
    finally:
        engine.dispose()
