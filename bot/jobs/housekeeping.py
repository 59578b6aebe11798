"""Housekeeping jobs: delete rows that have served their purpose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from bot.db import transaction
from bot.jobs.context import Account
from crm.applied_requests import prune_applied_requests
from crm.clock import resolve_now


def prune_applied_requests_job(engine: Engine, *, now: datetime | None = None) -> Account:
    """Delete applied-request keys older than a day (crm.applied_requests.KEPT_FOR), in one commit.

    Replicas may run it at the same moment: the DELETE is idempotent, the second finds nothing left.
    """
    with transaction(engine) as db:
        deleted = prune_applied_requests(db, now=resolve_now(now))
    text = f"prune-applied-requests: {deleted} applied requests older than a day deleted"
    return Account(text, noteworthy=bool(deleted))
