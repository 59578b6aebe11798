"""Slack requests already applied: a replayed command or a double-submitted modal changes data once.

The key names the request (see crm.models.AppliedRequest). `claim_request` inserts it in the caller's
transaction, so the key is committed exactly when the change is: a request that fails and rolls back
can be sent again and will apply. `prune_applied_requests` (the daily job prune-applied-requests)
deletes keys once no replay can reach them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.clock import resolve_now
from crm.models import AppliedRequest

KEY_MAX = 200
# How long an applied request's key is kept. Slack retries within minutes and the signature check
# refuses a replay more than five minutes old, so a day is ample.
KEPT_FOR = timedelta(days=1)


def claim_request(db: Session, *, key: str, team_id: str) -> bool:
    """True the first time `key` is claimed; False when a committed request already holds it.

    A concurrent claim of the same key waits here until the first transaction ends (the primary
    key's unique check), then sees it: two simultaneous submissions of one modal apply once.
    """
    stmt = (
        insert(AppliedRequest)
        .values(key=key[:KEY_MAX], team_id=team_id)
        .on_conflict_do_nothing(index_elements=[AppliedRequest.key])
        .returning(AppliedRequest.key)
    )
    return db.scalar(stmt) is not None


def was_applied(db: Session, *, key: str) -> bool:
    """True when a committed request holds `key`."""
    return db.scalar(select(AppliedRequest.key).where(AppliedRequest.key == key[:KEY_MAX])) is not None


def prune_applied_requests(db: Session, *, now: datetime) -> int:
    """Delete the keys of requests applied more than KEPT_FOR before `now`; how many were deleted."""
    cutoff = resolve_now(now) - KEPT_FOR
    return db.execute(delete(AppliedRequest).where(AppliedRequest.applied_at < cutoff)).rowcount
