"""Database-only jobs: refresh the admin analytics view, recompute relationship strength nightly.

Both are idempotent, so a replica running them twice only wastes work; a transaction-scoped advisory
lock makes a replica skip the job while another one is running it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import Engine, text

from bot.db import transaction
from bot.jobs.context import Account
from crm import analytics

log = logging.getLogger(__name__)

_REFRESH_LOCK = 0x43524D_0010
_STRENGTH_LOCK = 0x43524D_0011


def _try_lock(db, key: int) -> bool:
    return bool(db.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))


def refresh_analytics(engine: Engine, *, now: datetime | None = None) -> Account:
    """REFRESH MATERIALIZED VIEW CONCURRENTLY admin_analytics (readers are never blocked)."""
    started = time.perf_counter()
    with transaction(engine) as db:
        if not _try_lock(db, _REFRESH_LOCK):
            return Account("refresh-analytics: skipped, another replica is refreshing", noteworthy=False)
        analytics.refresh_admin_analytics(db, concurrently=True)
    return Account(f"refresh-analytics: admin_analytics refreshed in {time.perf_counter() - started:.2f} s")


def recompute_strength(engine: Engine, *, now: datetime | None = None) -> Account:
    """Recompute every relationship's strength (its recency decay changes daily)."""
    from crm import strength  # imported late: only this job needs it

    with transaction(engine) as db:
        if not _try_lock(db, _STRENGTH_LOCK):
            return Account("recompute-strength: skipped, another replica is recomputing", noteworthy=False)
        changed = strength.recompute_all(db, now=now)
    return Account(f"recompute-strength: {changed} relationships changed", noteworthy=bool(changed))
