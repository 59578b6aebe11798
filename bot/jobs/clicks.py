"""The retention job of short-link clicks: raw clicks older than CRM_CLICK_RETENTION_DAYS become
daily counts (crm.clicks.roll_up_batch), so link_clicks stays small while every total stays exact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from bot.db import transaction
from bot.jobs.context import Account
from crm.click_retention import retention_cutoff
from crm.clicks import ROLL_UP_BATCH, roll_up_batch


def roll_up_clicks_job(engine: Engine, *, retention_days: int, now: datetime | None = None) -> Account:
    """Roll up every raw click before the cutoff, one committed batch of ROLL_UP_BATCH at a time.

    Replicas may run it at the same moment: each batch claims its rows with SKIP LOCKED, and a
    deleted click is added to its day exactly once.
    """
    cutoff = retention_cutoff(days=retention_days, now=now)
    total = 0
    while True:
        with transaction(engine) as db:
            moved = roll_up_batch(db, cutoff=cutoff, batch=ROLL_UP_BATCH)
        total += moved
        if moved < ROLL_UP_BATCH:
            break
    text = f"roll-up-clicks: {total} raw clicks older than {retention_days} days rolled up into daily counts"
    return Account(text, noteworthy=bool(total))
