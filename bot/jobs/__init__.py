"""The one registry of scheduled jobs: name, what runs, when, and what it does.

`crm-bot jobs run <name>` / `crm-bot jobs list` (bot/cli.py) and the scheduler (bot/scheduler.py)
both read JOBS. Each job opens its own sessions, calls crm, posts through the Web API and isolates
failures per item; it returns an object whose str() is the one-line account of the run, with a
`failed` count when it has items.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Settings
from bot.db import make_engine
from bot.jobs.clicks import roll_up_clicks_job
from bot.jobs.context import JobContext, make_slack_client
from bot.jobs.digest import send_personal_digests
from bot.jobs.housekeeping import prune_applied_requests_job
from bot.jobs.maintenance import recompute_strength, refresh_analytics
from bot.jobs.reminders import enqueue_going_cold, send_reminders
from bot.jobs.weekly import post_weekly_summaries


@dataclass(frozen=True)
class Trigger:
    """When a job fires, in CRM_TIMEZONE: every `every`, or on `cron` (APScheduler CronTrigger fields).

    `at_start` also fires it as soon as the scheduler starts (catching up whatever fell due while the
    bot was down). `misfire_grace_time`: seconds late a run may still start. `suffix` tells apart two
    triggers of one job (the scheduler's job id is "<name>-<suffix>").
    """

    every: timedelta | None = None
    cron: Mapping[str, int | str] | None = None
    at_start: bool = False
    misfire_grace_time: int = 60
    suffix: str = ""

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError("a trigger has either `every` or `cron`")

    def describe(self) -> str:
        """E.g. "every 15 minutes, and at start" or "cron day_of_week=mon hour=9 minute=0"."""
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            amount, unit = (minutes // 60, "hour") if minutes % 60 == 0 else (minutes, "minute")
            text = f"every {unit}" if amount == 1 else f"every {amount} {unit}s"
        else:
            text = "cron " + " ".join(f"{field}={value}" for field, value in self.cron.items())
        return text + (", and at start" if self.at_start else "")


@dataclass(frozen=True)
class Job:
    """A scheduled job. `run(ctx, now)`: `now` pins the clock (tests), None means the wall clock.

    `needs_slack`: `jobs run` builds a Web API client (and so needs SLACK_BOT_TOKEN) only for these.
    `quiet`: a run logs its account at DEBUG instead of INFO (it runs often and is routine).
    """

    name: str
    run: Callable[[JobContext, datetime | None], object]
    triggers: tuple[Trigger, ...]
    description: str
    needs_slack: bool = False
    quiet: bool = False


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "reminders",
            lambda ctx, now: send_reminders(ctx, now=now),
            (Trigger(every=timedelta(minutes=1), at_start=True),),
            "follow-up reminder DMs, one per user whose follow-ups became due",
            needs_slack=True,
        ),
        Job(
            "going-cold",
            lambda ctx, now: enqueue_going_cold(ctx, now=now),
            (Trigger(every=timedelta(minutes=15), at_start=True),),
            "record each user's morning going-cold section (sent by the reminders job)",
            quiet=True,
        ),
        Job(
            "weekly-summary",
            lambda ctx, now: post_weekly_summaries(ctx, now=now),
            (
                Trigger(cron={"day_of_week": "mon", "hour": 9, "minute": 0}, misfire_grace_time=3600),
                # catch-up: a no-op once the week's summary is posted
                Trigger(every=timedelta(hours=1), at_start=True, suffix="catch-up"),
            ),
            "last week's admin summary per workspace to CRM_ADMIN_CHANNEL",
            needs_slack=True,
        ),
        Job(
            "personal-digest",
            lambda ctx, now: send_personal_digests(ctx, now=now),
            # hourly: each user's Monday 09:00 comes in their own timezone; a no-op once sent
            (Trigger(every=timedelta(hours=1), at_start=True),),
            "the personal weekly digest DM of each opted-in user, Monday 09:00 their time",
            needs_slack=True,
        ),
        Job(
            "refresh-analytics",
            lambda ctx, now: refresh_analytics(ctx.engine, now=now),
            (Trigger(every=timedelta(minutes=15), at_start=True),),
            "REFRESH MATERIALIZED VIEW CONCURRENTLY admin_analytics",
            quiet=True,
        ),
        Job(
            "recompute-strength",
            lambda ctx, now: recompute_strength(ctx.engine, now=now),
            (Trigger(cron={"hour": 3, "minute": 0}, misfire_grace_time=3600),),
            "recompute relationship strength (its recency decay changes daily)",
        ),
        Job(
            "prune-applied-requests",
            lambda ctx, now: prune_applied_requests_job(ctx.engine, now=now),
            (Trigger(cron={"hour": 4, "minute": 0}, misfire_grace_time=3600),),
            "delete the keys of Slack requests applied more than a day ago (replay protection)",
        ),
        Job(
            "roll-up-clicks",
            lambda ctx, now: roll_up_clicks_job(
                ctx.engine, retention_days=ctx.settings.click_retention_days, now=now
            ),
            (Trigger(cron={"hour": 4, "minute": 30}, misfire_grace_time=3600),),
            "roll short-link clicks older than CRM_CLICK_RETENTION_DAYS up into daily counts",
        ),
    )
}


def run_job(ctx: JobContext, name: str, *, now: datetime | None = None) -> object:
    """Run the job called `name` once; str() of the result says what it did."""
    return JOBS[name].run(ctx, now)


def run_once(settings: Settings, database_url: str, job_name: str, *, now: datetime | None = None) -> int:
    """`crm-bot jobs run <name>`: run one job, print what it did, exit 0 (1 if some item failed)."""
    if job_name not in JOBS:
        raise ValueError(f"unknown job {job_name!r}; choose from {', '.join(JOBS)}")
    client = make_slack_client(settings) if JOBS[job_name].needs_slack else None
    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    try:
        ctx = JobContext(settings=settings, engine=engine, client=client)  # type: ignore[arg-type]
        result = run_job(ctx, job_name, now=now)
    finally:
        engine.dispose()
    print(result)
    return 1 if getattr(result, "failed", 0) else 0
