"""The `deliveries` rows shared by both kinds: lease bookkeeping, post attempts, marking sent or failed.

A post goes through three steps, each committed on its own: `mark_attempted` (the outcome is
unknown from here on), the Slack call, then `mark_sent` or `mark_failed`. A row still carrying
`attempted_at` when it is claimed again had a post whose outcome nobody learnt (a timeout, a crash):
`unconfirmed_posts` lists them so the caller can look for the message in Slack, then record it with
`mark_sent` if it is there, or `mark_not_posted` if it is not.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from crm.clock import resolve_now

FOLLOW_UP = "follow_up_reminder"  # the kinds, spelled literally in the SQL below
WEEKLY = "weekly_summary"
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# Serialises enqueueing between replicas: concurrent INSERT … ON CONFLICT of overlapping key sets in
# different orders can deadlock, and a second replica enqueueing the same rows is wasted work anyway.
ENQUEUE_LOCK = 0x43524D_0001


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


def claim_pending(
    db: Session, *, kind: str, worker_id: str, lease: timedelta, now: datetime, limit: int
) -> Sequence[Row]:
    """Lease up to `limit` pending rows of `kind` to `worker_id`, earliest due first.

    Returns each row's (id, user_id, team_id, due_at). FOR UPDATE SKIP LOCKED skips rows another
    open claim holds; a row claimed by a transaction that committed after our snapshot is re-checked
    on locking (EvalPlanQual) and fails the lease test.
    """
    return db.execute(
        text(
            """
            UPDATE deliveries SET claimed_by = :worker, claimed_until = :until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM deliveries
                WHERE kind = :kind AND status = 'pending' AND next_attempt_at <= :now
                  AND (claimed_until IS NULL OR claimed_until <= :now) AND attempts < :max
                ORDER BY due_at, id
                LIMIT :limit
                FOR UPDATE SKIP LOCKED
            )
            RETURNING id, user_id, team_id, due_at
            """
        ),
        {
            "kind": kind,
            "worker": worker_id,
            "until": now + lease,
            "now": now,
            "max": MAX_ATTEMPTS,
            "limit": limit,
        },
    ).all()


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
                   slack_ts = :ts, claimed_until = NULL, last_error = NULL, attempted_at = NULL
            WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'pending'
            """
        ),
        {"now": resolve_now(now), "channel": channel, "ts": ts, "ids": delivery_ids, "worker": worker_id},
    )
    return result.rowcount or 0


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` tries: 1, 2, 4, … minutes, at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def mark_failed(
    db: Session,
    *,
    worker_id: str,
    delivery_ids: list[uuid.UUID],
    error: str,
    now: datetime | None = None,
    outcome_unknown: bool = False,
) -> int:
    """Release rows after a failed post: pending again after a backoff, or failed after MAX_ATTEMPTS.

    `outcome_unknown` (a timeout, a lost connection, a 5xx: Slack may have posted) keeps the
    attempt's marker, so the next claim looks for the message before posting; otherwise Slack said
    it did not post, and the marker is cleared.
    """
    now = resolve_now(now)
    result = db.execute(
        text(
            """
            UPDATE deliveries
            SET status = CASE WHEN attempts >= :max THEN 'failed' ELSE 'pending' END,
                next_attempt_at = :now + least(:base * power(2, greatest(attempts - 1, 0)), :cap),
                claimed_by = NULL, claimed_until = NULL, last_error = left(:error, 1000),
                attempted_at = CASE WHEN :unknown THEN attempted_at END
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
            "unknown": outcome_unknown,
        },
    )
    return result.rowcount or 0


def mark_attempted(
    db: Session,
    *,
    worker_id: str,
    delivery_ids: list[uuid.UUID],
    channel: str,
    message_key: uuid.UUID,
    now: datetime | None = None,
) -> int:
    """Record that a post of these rows to `channel`, tagged `message_key`, is about to start.

    Commit it before calling Slack: from then on a crash or a timeout leaves a row that says a
    message may exist. Only rows whose lease is still this worker's are marked; returns how many, and
    the caller posts only when that is all of them (else another replica has taken some over).
    """
    now = resolve_now(now)
    result = db.execute(
        text(
            """
            UPDATE deliveries SET attempted_at = :now, message_key = :key, slack_channel = :channel
            WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'pending' AND claimed_until > :now
            """
        ),
        {"now": now, "key": message_key, "channel": channel, "ids": delivery_ids, "worker": worker_id},
    )
    return result.rowcount or 0


@dataclass(frozen=True, slots=True)
class UnconfirmedPost:
    """An earlier post whose outcome is unknown: look in `channel` since `attempted_at` for a message
    whose metadata carries `message_key`; it delivers `delivery_ids` if it is there."""

    message_key: uuid.UUID
    channel: str
    attempted_at: datetime
    delivery_ids: list[uuid.UUID]


def unconfirmed_posts(db: Session, *, worker_id: str, delivery_ids: list[uuid.UUID]) -> list[UnconfirmedPost]:
    """Of the rows `worker_id` holds among `delivery_ids`, those left by a post of unknown outcome."""
    rows = db.execute(
        text(
            """
            SELECT message_key, slack_channel, attempted_at, id FROM deliveries
            WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'pending'
              AND attempted_at IS NOT NULL
            ORDER BY attempted_at, id
            """
        ),
        {"ids": delivery_ids, "worker": worker_id},
    ).all()
    posts: dict[tuple[uuid.UUID, str], list] = defaultdict(list)
    for key, channel, attempted_at, delivery_id in rows:
        posts[(key, channel)].append((attempted_at, delivery_id))
    return [
        UnconfirmedPost(key, channel, min(a for a, _ in found), [d for _, d in found])
        for (key, channel), found in posts.items()
    ]


def mark_not_posted(db: Session, *, worker_id: str, delivery_ids: list[uuid.UUID]) -> int:
    """Clear the marker of rows whose earlier post was looked for and is not there."""
    result = db.execute(
        text(
            """
            UPDATE deliveries SET attempted_at = NULL
            WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'pending'
            """
        ),
        {"ids": delivery_ids, "worker": worker_id},
    )
    return result.rowcount or 0
