"""Follow-up reminders: enqueue due follow-ups, claim whole users, load what their DM lists."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from crm.clock import local_today, resolve_now, zone_of
from crm.going_cold import GoingCold, unnagged_going_cold
from crm.models import User
from crm.reminders import going_cold
from crm.reminders.deliveries import ENQUEUE_LOCK, MAX_ATTEMPTS, fail_exhausted


def follow_up_key(relationship_id: uuid.UUID, due_at: datetime) -> str:
    """The dedupe key of one follow-up due time (the SQL in enqueue_due_follow_ups builds the same)."""
    return f"{relationship_id}@{due_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"


def enqueue_due_follow_ups(db: Session, *, now: datetime | None = None) -> int:
    """Record a pending reminder for every follow-up due at or before `now`; returns rows added.

    A follow-up already recorded for the same due instant is skipped (NOT EXISTS filters the bulk,
    ON CONFLICT covers the rest), so a follow-up is reminded once per due time, and snoozing it or
    setting a new date (a new due instant, so a new key) makes it due again. Follow-ups completed
    before they fell due have no follow_up_date any more and are never enqueued, nor are those of
    archived relationships (restored, a cancelled one comes back as below). The one row that
    comes back is a *cancelled* one whose follow-up was moved away and then back to the same instant
    before it was reminded: it is pending again (counted as added), or it would never be reminded.
    """
    now = resolve_now(now)
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ENQUEUE_LOCK})
    fail_exhausted(db, now=now)
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
            WHERE r.follow_up_date <= :now AND r.archived_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM deliveries d
                              WHERE d.kind = 'follow_up_reminder' AND d.dedupe_key = k.key
                                AND d.status <> 'cancelled')
            ON CONFLICT (kind, dedupe_key) DO UPDATE
            SET status = 'pending', attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at,
                claimed_by = NULL, claimed_until = NULL, last_error = NULL
            WHERE deliveries.status = 'cancelled'
            """
        ),
        {"now": now},
    )
    return result.rowcount or 0


def claim_due_users(
    db: Session, *, worker_id: str, now: datetime | None = None, lease: timedelta, limit: int = 50
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Lease all claimable reminders of up to `limit` users to `worker_id`: {user id: delivery ids}.

    A user is never split between workers. A user is chosen when one of their reminders is ready
    (`next_attempt_at` reached); then their rows still backing off after a failed post are taken
    too, so the one DM delivers everything not yet delivered instead of listing an undelivered item
    as "reminded before" and sending it again once its backoff ends.

    Why this is race-free under READ COMMITTED: the CTE locks the chosen users' rows FOR NO KEY
    UPDATE SKIP LOCKED, so while one worker's claim transaction is open every other worker skips those
    users. Once it commits, another worker may lock the same user, but its UPDATE re-checks each
    delivery row against the latest committed version (PostgreSQL's EvalPlanQual recheck of an
    updated row): the lease just written makes `claimed_until <= now` false, so nothing is claimed
    twice. Only rows enqueued after the first claim (a later due time) can go to a second worker.
    The same recheck means a claim can come back empty while work is left: its snapshot still saw
    users another worker claimed and committed just before, and those were the ones it locked.
    `claimable_left` tells a caller whether to try again.
    NO KEY UPDATE rather than UPDATE so foreign-key checks (KEY SHARE) of concurrent inserts of the
    user's interactions are not blocked.
    """
    now = resolve_now(now)
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


def claimable_left(db: Session, *, now: datetime | None = None) -> bool:
    """Whether any follow-up reminder is ready to be claimed (pending, due to try, not leased)."""
    return bool(
        db.execute(
            text(
                """
                SELECT EXISTS (
                    SELECT 1 FROM deliveries d
                    WHERE d.kind = 'follow_up_reminder' AND d.status = 'pending' AND d.next_attempt_at <= :now
                      AND (d.claimed_until IS NULL OR d.claimed_until <= :now) AND d.attempts < :max
                )
                """
            ),
            {"now": resolve_now(now), "max": MAX_ATTEMPTS},
        ).scalar()
    )


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One follow-up in a reminder DM.

    `delivery_id` is the delivery this DM records as sent when the follow-up is newly due; it is None
    for a follow-up reminded before (or given up on) and still open, which the DM lists again
    without touching its delivery row.
    """

    delivery_id: uuid.UUID | None
    relationship_id: uuid.UUID
    influencer_id: uuid.UUID
    influencer_name: str
    handle: str
    platform: str
    due_at: datetime

    @property
    def is_new(self) -> bool:
        return self.delivery_id is not None


@dataclass(frozen=True, slots=True)
class Digest:
    """What one user's reminder DM says: the newly due items that trigger it, then older open ones."""

    user_id: uuid.UUID
    team_id: str
    slack_user_id: str
    timezone: str
    items: list[DigestItem]  # newly due, oldest first: what this DM delivers
    overdue: list[DigestItem] = field(default_factory=list)  # reminded before, still open, oldest first
    overdue_total: int = 0  # all of them; `overdue` holds at most load_digests' overdue_limit
    # Going cold and not yet mentioned today (crm.reminders.going_cold): the first few, and how many.
    cold: list[GoingCold] = field(default_factory=list)
    cold_total: int = 0
    cold_delivery_id: uuid.UUID | None = None  # the day's going-cold row, when this DM delivers it
    built_at: datetime | None = None  # the instant it was loaded at: what mark_nagged re-reads

    @property
    def delivery_ids(self) -> list[uuid.UUID]:
        ids = [item.delivery_id for item in self.items if item.delivery_id is not None]
        return ids + ([self.cold_delivery_id] if self.cold_delivery_id is not None else [])


def load_digests(
    db: Session,
    *,
    worker_id: str,
    user_ids: list[uuid.UUID],
    now: datetime | None = None,
    overdue_limit: int = 50,
    cold_limit: int = going_cold.COLD_ITEMS,
) -> list[Digest]:
    """The reminder DMs to send for users whose rows `worker_id` holds a live lease on.

    An item is still valid only if its relationship still has the follow-up due at the same instant;
    a follow-up completed, cleared or moved since it was enqueued, or whose relationship was archived
    (`/crm remove`), is cancelled here, not reminded.
    Only users left with at least one newly due item get a digest: a DM is triggered by new items
    alone, never by ones reminded before. Each digest also lists the user's older open follow-ups
    (at most `overdue_limit` of them, oldest first, and their total): those whose delivery for the
    current due instant is not this worker's live lease — sent earlier, given up on, or (rarely)
    another replica's. Listing them reads their rows and changes nothing.
    A user whose going-cold row for the day (crm.reminders.going_cold) is held gets a digest too, with
    no follow-ups if none is due; every digest from COLD_NAG_TIME local on lists the user's
    going-cold relationships not yet mentioned today (at most `cold_limit`, and their total). A
    going-cold row with nothing left to mention is cancelled.
    """
    now = resolve_now(now)
    if not user_ids:
        return []
    db.execute(
        text(
            """
            UPDATE deliveries d SET status = 'cancelled', claimed_by = NULL, claimed_until = NULL
            WHERE d.kind = 'follow_up_reminder' AND d.status = 'pending' AND d.claimed_by = :worker
              AND d.user_id = ANY(:users)
              AND d.relationship_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM user_influencers r
                              WHERE r.id = d.relationship_id AND r.follow_up_date = d.due_at
                                AND r.archived_at IS NULL)
            """
        ),
        {"worker": worker_id, "users": user_ids},
    )
    # Every open follow-up that has a delivery row for its current due instant is due (rows are only
    # enqueued once due); the row says whether it is new in this DM or was reminded before. The
    # (kind, dedupe_key) key allows one row per relationship and instant, so the join does not fan out.
    rows = db.execute(
        text(
            """
            WITH listed AS (
                SELECT r.user_id, r.id AS rel_id, r.follow_up_date AS due_at,
                       i.id AS inf_id, i.name, i.handle, i.platform,
                       CASE WHEN d.status = 'pending' AND d.claimed_by = :worker AND d.claimed_until > :now
                            THEN d.id END AS delivery_id
                FROM user_influencers r
                JOIN deliveries d ON d.kind = 'follow_up_reminder' AND d.relationship_id = r.id
                                 AND d.due_at = r.follow_up_date
                JOIN influencers i ON i.id = r.influencer_id
                WHERE r.user_id = ANY(:users) AND r.follow_up_date <= :now AND r.archived_at IS NULL
            ), ranked AS (
                SELECT l.*,
                       count(l.delivery_id) OVER (PARTITION BY l.user_id) AS new_total,
                       count(*) FILTER (WHERE l.delivery_id IS NULL) OVER (PARTITION BY l.user_id)
                           AS overdue_total,
                       row_number() OVER (PARTITION BY l.user_id, l.delivery_id IS NULL
                                          ORDER BY l.due_at, lower(l.name), l.rel_id) AS rank
                FROM listed l
            )
            SELECT k.delivery_id, k.rel_id, k.due_at, k.inf_id, k.name, k.handle, k.platform,
                   k.overdue_total, u.id, u.team_id, u.slack_user_id, u.timezone
            FROM ranked k
            JOIN users u ON u.id = k.user_id
            WHERE k.new_total > 0 AND (k.delivery_id IS NOT NULL OR k.rank <= :limit)
            ORDER BY u.id, k.delivery_id IS NULL, k.rank
            """
        ),
        {"worker": worker_id, "users": user_ids, "now": now, "limit": overdue_limit},
    ).all()
    new: dict[uuid.UUID, list[DigestItem]] = defaultdict(list)
    old: dict[uuid.UUID, list[DigestItem]] = defaultdict(list)
    users: dict[uuid.UUID, tuple[str, str, str, int]] = {}
    for d_id, rel_id, due_at, inf_id, name, handle, platform, n_old, u_id, team, slack_id, tz in rows:
        item = DigestItem(d_id, rel_id, inf_id, name, handle, platform, due_at)
        (new if item.is_new else old)[u_id].append(item)
        users[u_id] = (team, slack_id, tz, n_old)
    cold_rows = going_cold.claimed_cold_rows(db, worker_id=worker_id, user_ids=user_ids, now=now)
    for user in db.scalars(select(User).where(User.id.in_(set(cold_rows) - set(users)))):
        users[user.id] = (user.team_id, user.slack_user_id, user.timezone, 0)
    # Going cold is a morning section: a follow-up DM before COLD_NAG_TIME local leaves it out.
    today = {
        u_id: local_today(now, zone_of(tz))
        for u_id, (_, _, tz, _) in users.items()
        if now.astimezone(zone_of(tz)).time() >= going_cold.COLD_NAG_TIME
    }
    cold = unnagged_going_cold(db, user_ids=list(today), today=today, now=now, limit=cold_limit)
    empty = [cold_rows.pop(u_id) for u_id in list(cold_rows) if u_id not in cold]
    if empty:  # nothing going cold left to mention today: that row has nothing to deliver
        going_cold.cancel_rows(db, worker_id=worker_id, delivery_ids=empty)
    digests = []
    for u_id, (team, slack_id, tz, n_old) in users.items():
        if not new[u_id] and u_id not in cold_rows:
            continue
        cold_items, cold_total = cold.get(u_id, ([], 0))
        digests.append(
            Digest(
                u_id,
                team,
                slack_id,
                tz,
                items=new[u_id],
                overdue=old[u_id],
                overdue_total=n_old,
                cold=cold_items,
                cold_total=cold_total,
                cold_delivery_id=cold_rows.get(u_id),
                built_at=now,
            )
        )
    return digests
