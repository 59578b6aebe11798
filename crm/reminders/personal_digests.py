"""Personal weekly digests: one delivery per (opted-in user, ISO week), at Monday 09:00 in their zone.

`enqueue_personal_digests` records, for every user who opted in before their latest Monday 09:00
(crm.reminders.summaries.summary_slot, in the user's own timezone), a `deliveries` row of kind
personal_digest keyed "<user id>@<ISO week>", so however often it runs, on however many replicas,
each user's week is recorded once; it cancels the still-pending rows of weeks before the user's
current one (a bot down for weeks sends the current digest only) and of users who opted out since.
Claims take a lease with FOR UPDATE SKIP LOCKED, as for the weekly summaries; posting and marking
go through crm.reminders.deliveries like every other kind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.clock import resolve_now, zone_of
from crm.models import Delivery, User
from crm.reminders.deliveries import ENQUEUE_LOCK, claim_pending
from crm.reminders.summaries import summary_slot, weekly_key

PERSONAL_DIGEST = "personal_digest"


def enqueue_personal_digests(db: Session, *, now: datetime | None = None) -> int:
    """Record this week's digest for every opted-in user whose Monday 09:00 has come; returns rows added."""
    now = resolve_now(now)
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ENQUEUE_LOCK})
    users = db.execute(
        select(User.id, User.team_id, User.timezone, User.weekly_digest_since).where(
            User.weekly_digest_since.is_not(None)
        )
    ).all()
    rows, slots = [], {}
    for user_id, team_id, tz_name, since in users:
        slot = summary_slot(now, zone_of(tz_name))
        slots[user_id] = slot
        if since > slot:  # opted in after this week's digest fell due: the first one is next Monday
            continue
        rows.append(
            {
                "kind": PERSONAL_DIGEST,
                "dedupe_key": weekly_key(user_id, slot),  # the week of the slot in their zone
                "team_id": team_id,
                "user_id": user_id,
                "due_at": slot,
                "status": "pending",
                "next_attempt_at": now,
            }
        )
    added = 0
    if rows:
        stmt = insert(Delivery).values(rows).on_conflict_do_nothing().returning(Delivery.id)
        added = len(db.execute(stmt).all())
    # Weeks older than the user's current one, and every week of users who opted out: cancelled
    # while still pending and not leased by a live claim, so neither is posted after all.
    db.execute(
        text(
            """
            UPDATE deliveries d SET status = 'cancelled', claimed_by = NULL, claimed_until = NULL,
                   last_error = coalesce(d.last_error, 'superseded by a newer week or opted out')
            FROM users u
            LEFT JOIN unnest(CAST(:users AS uuid[]), CAST(:slots AS timestamptz[])) AS s(user_id, slot)
                   ON s.user_id = u.id
            WHERE d.kind = 'personal_digest' AND d.status = 'pending' AND u.id = d.user_id
              AND (d.claimed_until IS NULL OR d.claimed_until <= :now)
              AND (u.weekly_digest_since IS NULL OR d.due_at < s.slot)
            """
        ),
        {"now": now, "users": list(slots), "slots": list(slots.values())},
    )
    return added


@dataclass(frozen=True, slots=True)
class DigestClaim:
    """One user's weekly digest leased to this worker."""

    delivery_id: uuid.UUID
    user_id: uuid.UUID
    team_id: str
    due_at: datetime


def claim_personal_digests(
    db: Session, *, worker_id: str, lease: timedelta, now: datetime | None = None, limit: int = 50
) -> list[DigestClaim]:
    """Lease up to `limit` pending digests to `worker_id` (crm.reminders.deliveries.claim_pending)."""
    rows = claim_pending(
        db, kind=PERSONAL_DIGEST, worker_id=worker_id, lease=lease, now=resolve_now(now), limit=limit
    )
    return [DigestClaim(row.id, row.user_id, row.team_id, row.due_at) for row in rows]
