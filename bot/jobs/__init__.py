"""Scheduled jobs: each opens its own sessions, calls crm, posts through the Web API, isolates failures.

- reminders: follow-up reminder DMs (every minute)
- weekly-summary: last week's admin summary to CRM_ADMIN_CHANNEL (Monday 09:00 CRM_TIMEZONE, caught up)
- refresh-analytics: REFRESH MATERIALIZED VIEW CONCURRENTLY admin_analytics (every 15 minutes)
- recompute-strength: nightly decay of relationship_strength

`run_once` backs `crm-bot jobs run <name>`; bot.scheduler runs the same functions on triggers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.config import Settings
from bot.db import make_engine
from bot.jobs.context import JobContext, make_slack_client, make_worker_id
from bot.jobs.maintenance import recompute_strength, refresh_analytics
from bot.jobs.reminders import ReminderReport, send_reminders
from bot.jobs.weekly import SummaryReport, post_weekly_summaries

__all__ = [
    "JOBS",
    "JobContext",
    "ReminderReport",
    "SummaryReport",
    "make_slack_client",
    "make_worker_id",
    "post_weekly_summaries",
    "recompute_strength",
    "refresh_analytics",
    "run_job",
    "run_once",
    "send_reminders",
]

NEEDS_SLACK = frozenset({"reminders", "weekly-summary"})


# Each job returns an object whose str() is the one-line account; a `failed` count when it has items.
JOBS: dict[str, Callable[[JobContext, datetime | None], object]] = {
    "reminders": lambda ctx, now: send_reminders(ctx, now=now),
    "weekly-summary": lambda ctx, now: post_weekly_summaries(ctx, now=now),
    "refresh-analytics": lambda ctx, now: refresh_analytics(ctx.engine, now=now),
    "recompute-strength": lambda ctx, now: recompute_strength(ctx.engine, now=now),
}


def run_job(ctx: JobContext, name: str, *, now: datetime | None = None) -> object:
    """Run the job called `name` once; str() of the result says what it did."""
    return JOBS[name](ctx, now)


def run_once(settings: Settings, database_url: str, job_name: str, *, now: datetime | None = None) -> int:
    """`crm-bot jobs run <name>`: run one job, print what it did, exit 0 (1 if some item failed)."""
    if job_name not in JOBS:
        raise ValueError(f"unknown job {job_name!r}; choose from {', '.join(JOBS)}")
    client = make_slack_client(settings) if job_name in NEEDS_SLACK else None
    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    try:
        ctx = JobContext(settings=settings, engine=engine, client=client)  # type: ignore[arg-type]
        result = run_job(ctx, job_name, now=now)
    finally:
        engine.dispose()
    print(result)
    return 1 if getattr(result, "failed", 0) else 0
