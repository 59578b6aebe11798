"""How long raw clicks are kept before the retention job rolls them up into daily counts.

Kept apart from crm.clicks (which needs the models) so bot.config can check CRM_CLICK_RETENTION_DAYS
without loading SQLAlchemy.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from crm.clock import resolve_now

RECENT = timedelta(days=7)  # "last 7 days" on the cards: counted from raw clicks only
MIN_RETENTION_DAYS = 7  # so raw clicks always cover RECENT and last-7-days counts stay exact
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650


def retention_cutoff(*, days: int, now: datetime | None = None) -> datetime:
    """Raw clicks before this instant are rolled up (`days` is CRM_CLICK_RETENTION_DAYS)."""
    return resolve_now(now) - timedelta(days=max(days, MIN_RETENTION_DAYS))
