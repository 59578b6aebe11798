"""The APScheduler setup for the jobs in bot.jobs.JOBS; PostgreSQL decides which replica does the work.

Each process keeps its schedule in APScheduler's MemoryJobStore: APScheduler 3's job stores cannot
be shared between processes (its FAQ says so), and they need not be. Every replica fires every
trigger; the jobs claim work in the database (unique delivery keys, FOR UPDATE SKIP LOCKED, leases),
so a reminder or summary is posted once however many replicas run. coalesce=True and
max_instances=1 keep a slow run from piling up behind itself. The triggers themselves (times in
CRM_TIMEZONE) are in the registry, bot/jobs/__init__.py; `crm-bot jobs list` prints them.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, tzinfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.config import Settings
from bot.db import make_engine
from bot.jobs import JOBS, Trigger, run_job
from bot.jobs.context import JobContext, make_slack_client, make_worker_id
from crm import clock

log = logging.getLogger(__name__)

JOB_DEFAULTS = {
    "coalesce": True,  # many missed runs of one trigger run once
    "max_instances": 1,  # never two runs of the same job in one process
    # misfire_grace_time (how late a run may still start) comes from each job's Trigger
}


def _run(ctx: JobContext, name: str) -> None:
    """One triggered run: log what it did; a database outage is one warning line, not a traceback."""
    try:
        result = run_job(ctx, name)
    except OperationalError as exc:
        log.warning(
            "%s: database unavailable, will retry at the next trigger (%s)", name, str(exc).splitlines()[0]
        )
        return
    except Exception:
        log.exception("%s: job failed", name)
        return
    # Runs that did nothing (most reminder minutes) and the quiet jobs' runs log at DEBUG only.
    noteworthy = getattr(result, "noteworthy", True) and not JOBS[name].quiet
    log.log(logging.INFO if noteworthy else logging.DEBUG, "%s", result)


def _apscheduler_trigger(trigger: Trigger, tz: tzinfo) -> BaseTrigger:
    if trigger.every is not None:
        return IntervalTrigger(seconds=int(trigger.every.total_seconds()), timezone=tz)
    return CronTrigger(timezone=tz, **trigger.cron)


def build_scheduler(
    settings: Settings,
    engine: Engine,
    *,
    client: WebClient | None = None,
    worker_id: str | None = None,
    start_now: datetime | None = None,
) -> BackgroundScheduler:
    """A configured, not yet started scheduler (tests inspect it; start_background starts it)."""
    ctx = JobContext(
        settings=settings,
        engine=engine,
        client=client or make_slack_client(settings),
        worker_id=worker_id or make_worker_id(),
    )
    tz = settings.tz
    now = start_now or clock.now()
    scheduler = BackgroundScheduler(
        timezone=tz,
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults=JOB_DEFAULTS,
    )

    for job in JOBS.values():
        for trigger in job.triggers:
            scheduler.add_job(
                _run,
                _apscheduler_trigger(trigger, tz),
                args=(ctx, job.name),
                id=f"{job.name}-{trigger.suffix}" if trigger.suffix else job.name,
                name=job.name,
                misfire_grace_time=trigger.misfire_grace_time,
                # `undefined`: APScheduler's default, the trigger's own first fire time
                next_run_time=now if trigger.at_start else undefined,
            )
    log.info("scheduler worker %s, timezone %s", ctx.worker_id, settings.timezone)
    return scheduler


def start_background(settings: Settings, engine: Engine) -> BackgroundScheduler:
    """Start the jobs in background threads of this process (`crm-bot run`); call .shutdown() to stop."""
    scheduler = build_scheduler(settings, engine)
    scheduler.start()
    return scheduler


def run_forever(settings: Settings, database_url: str) -> int:
    """`crm-bot scheduler`: migrate to head, run only the jobs until SIGTERM / SIGINT, then finish.

    Migrating here, as `crm-bot run` does, lets the scheduler run alone on a fresh database; the
    migration's advisory lock (migrations/env.py) makes replicas starting at once migrate once.
    """
    from bot.db import mask_url
    from bot.migrate import upgrade

    make_slack_client(settings)  # fail fast, with one clear line, when the bot token is missing
    log.info("migrating %s to head", mask_url(database_url))
    upgrade(database_url)
    engine = make_engine(database_url, pool_size=4, max_overflow=2)
    stop = threading.Event()

    def request_stop(signum: int, _frame) -> None:
        log.info("scheduler: %s received, stopping after the running jobs", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler = start_background(settings, engine)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        engine.dispose()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("scheduler: stopped")
    return 0
