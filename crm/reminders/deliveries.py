"""The `deliveries` rows shared by both kinds: lease bookkeeping, marking sent or failed, backoff."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

FOLLOW_UP = "follow_up_reminder"  # the kinds, spelled literally in the SQL below
WEEKLY = "weekly_summary"
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Serialises enqueueing between replicas: concurrent INSERT … ON CONFLICT of overlapping key sets in
# different orders can deadlock, and a second replica enqueueing the same rows is wasted work anyway.
ENQUEUE_LOCK = 0x43524D_0001


def aware_now(now: datetime | None) -> datetime:
    """`now` (it must be aware), or the wall clock when None."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def fail_exhausted(db: Session, *, now: datetime) -> None:
    """Give up on rows whose holder died on every one of MAX_ATTEMPTS claims (a poison item)."""
    db.execute(
        text(
            """
            UPDATE deliveries SET status = 'failed', claimed_by = NULL, claimed_until = NULL,
                   last_error = coalesce(last_error, 'lease expired after the last attempt')
            WHERE status = 'pending' AND attempts >= :max AND claimed_until <= :now
            """
        ),
        {"max": MAX_ATTEMPTS, "now": now},
    )


def mark_sent(
    db: Session,
    *,
    worker_id: str,
    delivery_ids: list[uuid.UUID],
    now: datetime | None = None,
    channel: str | None = None,
    ts: str | None = None,
) -> int:
    """Record rows as delivered, only those still leased to `worker_id`; returns how many."""
    result = db.execute(
        text(
            """
            UPDATE deliveries SET status = 'sent', delivered_at = :now, slack_channel = :channel,
                   slack_ts = :ts, claimed_until = NULL, last_error = NULL
            WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'pending'
            """
        ),
        {"now": aware_now(now), "channel": channel, "ts": ts, "ids": delivery_ids, "worker": worker_id},
    )
    return result.rowcount or 0


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` tries: 1, 2, 4, … minutes, at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def mark_failed(
    db: Session, *, worker_id: str, delivery_ids: list[uuid.UUID], error: str, now: datetime | None = None
) -> int:
    """Release rows after a failed post: pending again after a backoff, or failed after MAX_ATTEMPTS."""
    now = aware_now(now)
    result = db.execute(
        text(
            """
            UPDATE deliveries
            SET status = CASE WHEN attempts >= :max THEN 'failed' ELSE 'pending' END,
                next_attempt_at = :now + least(:base * power(2, greatest(attempts - 1, 0)), :cap),
                claimed_by = NULL, claimed_until = NULL, last_error = left(:error, 1000)
            WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'pending'
            """
        ),
        {
            "max": MAX_ATTEMPTS,
            "now": now,
            "base": BACKOFF_BASE,
            "cap": BACKOFF_CAP,
            "error": error,
            "ids": delivery_ids,
            "worker": worker_id,
        },
    )
    return result.rowcount or 0
