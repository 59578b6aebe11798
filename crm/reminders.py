"""Exactly-once delivery of follow-up reminders and weekly summaries, decided in PostgreSQL.

Every message the scheduler posts is first recorded as a row in `deliveries` under a unique
(kind, dedupe_key): "<relationship id>@<due instant>" for a follow-up, "<team>@<ISO year-week>" for a
weekly summary. Enqueueing is `INSERT … ON CONFLICT DO NOTHING`, so running it on any number of
replicas, any number of times, records each due thing once. Replicas then *claim* pending rows with a
lease (claimed_by, claimed_until), post, and mark the rows sent only while the lease is still theirs.
A replica that dies leaves leased rows that any replica takes over once `claimed_until` has passed;
a row marked sent is never claimed again. The one window left is a crash between Slack accepting a
post and the commit of `mark_sent` (Slack has no idempotency key): then the message is posted again.

Follow-up reminders are claimed per *user* (one DM lists all of a user's due items), see
`claim_due_users`. Nothing here imports Slack and nothing commits: the caller (bot.jobs) commits each
step in its own short transaction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

FOLLOW_UP = "follow_up_reminder"  # the kinds, spelled literally in the SQL below
WEEKLY = "weekly_summary"
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
SUMMARY_TIME = time(9, 0)  # Monday 09:00 in CRM_TIMEZONE
# Serialises enqueueing between replicas: concurrent INSERT … ON CONFLICT of overlapping key sets in
# different orders can deadlock, and a second replica enqueueing the same rows is wasted work anyway.
_ENQUEUE_LOCK = 0x43524D_0001


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def follow_up_key(relationship_id: uuid.UUID, due_at: datetime) -> str:
    """The dedupe key of one follow-up due time (the SQL in enqueue_due_follow_ups builds the same)."""
    return f"{relationship_id}@{due_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"


def weekly_key(team_id: str, slot: datetime) -> str:
    """The dedupe key of one workspace's summary for the ISO week of `slot`."""
    year, week, _ = slot.isocalendar()
    return f"{team_id}@{year}-W{week:02d}"


def enqueue_due_follow_ups(db: Session, *, now: datetime | None = None) -> int:
    """Record a pending reminder for every follow-up due at or before `now`; returns rows added.

    A follow-up already recorded for the same due instant is skipped (NOT EXISTS filters the bulk,
    ON CONFLICT covers the rest), so a follow-up is reminded once per due time, and snoozing it or
    setting a new date (a new due instant, so a new key) makes it due again. Follow-ups completed
    before they fell due have no follow_up_date any more and are never enqueued.
    """
    now = _now(now)
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ENQUEUE_LOCK})
    _fail_exhausted(db, now=now)
    result = db.execute(
        text(
            """
            INSERT INTO deliveries (kind, dedupe_key, team_id, user_id, relationship_id, due_at,
                                    status, next_attempt_at)
            SELECT 'follow_up_reminder', k.key, u.team_id, r.user_id, r.id, r.follow_up_date, 'pending', :now
            FROM user_influencers r
            JOIN users u ON u.id = r.user_id
            CROSS JOIN LATERAL (
                SELECT r.id::text || '@' ||
                       to_char(r.follow_up_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS key
            ) k
            WHERE r.follow_up_date <= :now
              AND NOT EXISTS (SELECT 1 FROM deliveries d
                              WHERE d.kind = 'follow_up_reminder' AND d.dedupe_key = k.key)
            ON CONFLICT (kind, dedupe_key) DO NOTHING
            """
        ),
        {"now": now},
    )
    return result.rowcount or 0


def _fail_exhausted(db: Session, *, now: datetime) -> None:
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


def claim_due_users(
    db: Session, *, worker_id: str, now: datetime | None = None, lease: timedelta, limit: int = 50
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Lease all claimable reminders of up to `limit` users to `worker_id`: {user id: delivery ids}.

    A user is never split between workers.

    Why this is race-free under READ COMMITTED: the CTE locks the chosen users' rows FOR NO KEY
    UPDATE SKIP LOCKED, so while one worker's claim transaction is open every other worker skips those
    users. Once it commits, another worker may lock the same user, but its UPDATE re-checks each
    delivery row against the latest committed version (PostgreSQL's EvalPlanQual recheck of an
    updated row): the lease just written makes `claimed_until <= now` false, so nothing is claimed
    twice. Only rows enqueued after the first claim (a later due time) can go to a second worker.
    NO KEY UPDATE rather than UPDATE so foreign-key checks (KEY SHARE) of concurrent inserts of the
    user's interactions are not blocked.
    """
    now = _now(now)
    rows = db.execute(
        text(
            """
            WITH claimable AS (
                SELECT u.id FROM users u
                WHERE u.id IN (
                    SELECT d.user_id FROM deliveries d
                    WHERE d.kind = 'follow_up_reminder' AND d.status = 'pending' AND d.next_attempt_at <= :now
                      AND (d.claimed_until IS NULL OR d.claimed_until <= :now) AND d.attempts < :max
                )
                ORDER BY u.id
                LIMIT :limit
                FOR NO KEY UPDATE OF u SKIP LOCKED
            )
            UPDATE deliveries d
            SET claimed_by = :worker, claimed_until = :until, attempts = d.attempts + 1
            FROM claimable c
            WHERE d.user_id = c.id AND d.kind = 'follow_up_reminder' AND d.status = 'pending'
              AND d.next_attempt_at <= :now
              AND (d.claimed_until IS NULL OR d.claimed_until <= :now) AND d.attempts < :max
            RETURNING d.user_id, d.id
            """
        ),
        {
            "now": now,
            "until": now + lease,
            "worker": worker_id,
            "limit": limit,
            "max": MAX_ATTEMPTS,
        },
    ).all()
    by_user: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for user_id, delivery_id in rows:
        by_user[user_id].append(delivery_id)
    return dict(by_user)


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One follow-up in a reminder DM."""

    delivery_id: uuid.UUID
    relationship_id: uuid.UUID
    influencer_id: uuid.UUID
    influencer_name: str
    handle: str
    platform: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Digest:
    """What one user's reminder DM says: newly due items, and how many older ones are still open."""

    user_id: uuid.UUID
    team_id: str
    slack_user_id: str
    timezone: str
    items: list[DigestItem]
    other_overdue: int  # open follow-ups due before now that were reminded earlier

    @property
    def delivery_ids(self) -> list[uuid.UUID]:
        return [item.delivery_id for item in self.items]


def load_digests(
    db: Session, *, worker_id: str, user_ids: list[uuid.UUID], now: datetime | None = None
) -> list[Digest]:
    """The reminder DMs to send for users whose rows `worker_id` holds a live lease on.

    An item is still valid only if its relationship still has the follow-up due at the same instant;
    a follow-up completed, cleared or moved since it was enqueued is cancelled here, not reminded.
    """
    now = _now(now)
    if not user_ids:
        return []
    db.execute(
        text(
            """
            UPDATE deliveries d SET status = 'cancelled', claimed_by = NULL, claimed_until = NULL
            WHERE d.kind = 'follow_up_reminder' AND d.status = 'pending' AND d.claimed_by = :worker
              AND d.user_id = ANY(:users)
              AND NOT EXISTS (SELECT 1 FROM user_influencers r
                              WHERE r.id = d.relationship_id AND r.follow_up_date = d.due_at)
            """
        ),
        {"worker": worker_id, "users": user_ids},
    )
    rows = db.execute(
        text(
            """
            SELECT d.id, d.relationship_id, d.due_at, i.id, i.name, i.handle, i.platform,
                   u.id, u.team_id, u.slack_user_id, u.timezone
            FROM deliveries d
            JOIN user_influencers r ON r.id = d.relationship_id
            JOIN influencers i ON i.id = r.influencer_id
            JOIN users u ON u.id = d.user_id
            WHERE d.kind = 'follow_up_reminder' AND d.status = 'pending' AND d.claimed_by = :worker
              AND d.claimed_until > :now AND d.user_id = ANY(:users)
            ORDER BY u.id, d.due_at, lower(i.name)
            """
        ),
        {"worker": worker_id, "users": user_ids, "now": now},
    ).all()
    others = dict(
        db.execute(
            text(
                """
                SELECT r.user_id, count(*) FROM user_influencers r
                WHERE r.user_id = ANY(:users) AND r.follow_up_date <= :now
                  AND NOT EXISTS (SELECT 1 FROM deliveries d
                                  WHERE d.relationship_id = r.id AND d.due_at = r.follow_up_date
                                    AND d.kind = 'follow_up_reminder' AND d.status = 'pending'
                                    AND d.claimed_by = :worker)
                GROUP BY r.user_id
                """
            ),
            {"worker": worker_id, "users": user_ids, "now": now},
        ).all()
    )
    items: dict[uuid.UUID, list[DigestItem]] = defaultdict(list)
    users: dict[uuid.UUID, tuple[str, str, str]] = {}
    for d_id, rel_id, due_at, inf_id, name, handle, platform, u_id, team, slack_id, tz in rows:
        items[u_id].append(DigestItem(d_id, rel_id, inf_id, name, handle, platform, due_at))
        users[u_id] = (team, slack_id, tz)
    return [
        Digest(u_id, *users[u_id], items=items[u_id], other_overdue=others.get(u_id, 0)) for u_id in items
    ]


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
        {"now": _now(now), "channel": channel, "ts": ts, "ids": delivery_ids, "worker": worker_id},
    )
    return result.rowcount or 0


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` tries: 1, 2, 4, … minutes, at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def mark_failed(
    db: Session, *, worker_id: str, delivery_ids: list[uuid.UUID], error: str, now: datetime | None = None
) -> int:
    """Release rows after a failed post: pending again after a backoff, or failed after MAX_ATTEMPTS."""
    now = _now(now)
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


def summary_slot(now: datetime, tz: ZoneInfo) -> datetime:
    """The latest Monday 09:00 (in `tz`) at or before `now`: when the newest summary fell due.

    Only this slot is ever enqueued, so a bot that was down for weeks posts one summary, not one per
    missed week.
    """
    local = _now(now).astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    slot = datetime.combine(monday, SUMMARY_TIME, tzinfo=tz)
    if slot > local:
        slot = datetime.combine(monday - timedelta(days=7), SUMMARY_TIME, tzinfo=tz)
    return slot


def summary_week_start(slot: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 (in `tz`) of the week a summary posted at `slot` reports on: the week before."""
    monday = slot.astimezone(tz).date() - timedelta(days=7)
    return datetime.combine(monday, time(0, 0), tzinfo=tz)


def enqueue_weekly_summaries(db: Session, *, tz: ZoneInfo, now: datetime | None = None) -> int:
    """Record the current summary slot for every workspace that has users; returns rows added.

    Older summaries still pending (failing, or never claimed) are superseded by the newer week and
    cancelled, so a stale week is not posted after the current one.
    """
    slot = summary_slot(_now(now), tz)
    year, week, _ = slot.isocalendar()
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ENQUEUE_LOCK})
    result = db.execute(
        text(
            """
            INSERT INTO deliveries (kind, dedupe_key, team_id, due_at, status, next_attempt_at)
            SELECT 'weekly_summary', t.team_id || :suffix, t.team_id, :slot, 'pending', :slot
            FROM (SELECT DISTINCT team_id FROM users) t
            ON CONFLICT (kind, dedupe_key) DO NOTHING
            """
        ),
        {"suffix": f"@{year}-W{week:02d}", "slot": slot},
    )
    db.execute(
        text(
            """
            UPDATE deliveries SET status = 'cancelled', claimed_by = NULL, claimed_until = NULL,
                   last_error = coalesce(last_error, 'superseded by a newer week')
            WHERE kind = 'weekly_summary' AND status = 'pending' AND due_at < :slot
              AND (claimed_until IS NULL OR claimed_until <= :now)
            """
        ),
        {"slot": slot, "now": _now(now)},
    )
    return result.rowcount or 0


@dataclass(frozen=True, slots=True)
class SummaryClaim:
    """One workspace's weekly summary leased to this worker."""

    delivery_id: uuid.UUID
    team_id: str
    due_at: datetime


def claim_weekly_summaries(
    db: Session, *, worker_id: str, lease: timedelta, now: datetime | None = None, limit: int = 20
) -> list[SummaryClaim]:
    """Lease pending summaries to `worker_id`.

    FOR UPDATE SKIP LOCKED skips rows another open claim holds; a row claimed by a transaction that
    committed after our snapshot is re-checked on locking (EvalPlanQual) and fails the lease test.
    """
    now = _now(now)
    rows = db.execute(
        text(
            """
            UPDATE deliveries SET claimed_by = :worker, claimed_until = :until, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM deliveries
                WHERE kind = 'weekly_summary' AND status = 'pending' AND next_attempt_at <= :now
                  AND (claimed_until IS NULL OR claimed_until <= :now) AND attempts < :max
                ORDER BY due_at
                LIMIT :limit
                FOR UPDATE SKIP LOCKED
            )
            RETURNING id, team_id, due_at
            """
        ),
        {
            "worker": worker_id,
            "until": now + lease,
            "now": now,
            "max": MAX_ATTEMPTS,
            "limit": limit,
        },
    ).all()
    return [SummaryClaim(*row) for row in rows]
