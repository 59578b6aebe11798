"""Going-cold nags: one morning DM section per user per day, never the same relationship twice a day.

`enqueue_going_cold` records, for every user with a relationship going cold (crm.going_cold) whose
local time is past COLD_NAG_TIME, one `deliveries` row per local day: kind follow_up_reminder,
no relationship, key "cold:<user id>@<local date>". It is claimed with the user's follow-up rows
(claim_due_users), so a user gets one DM with both, delivered exactly once however many relationships
are going cold — 10,000 going cold at once is still one DM per user, listing COLD_ITEMS of them and
counting the rest. Any DM that day lists only relationships not yet mentioned that day: after a DM is
posted, `mark_nagged` stores the user's local date on every relationship it covered
(`going_cold_nags`), shown or counted.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import Date, func, literal, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.clock import local_today, resolve_now, zone_of
from crm.going_cold import going_cold_subquery
from crm.models import Delivery, GoingColdNag, User
from crm.reminders.deliveries import ENQUEUE_LOCK

COLD_NAG_TIME = time(9, 0)  # local time of the morning going-cold section
COLD_ITEMS = 5  # relationships a DM lists by name (with buttons); the rest are counted
KEY_PREFIX = "cold:"


def cold_key(user_id: uuid.UUID, day) -> str:
    """The dedupe key of a user's going-cold section on one local day."""
    return f"{KEY_PREFIX}{user_id}@{day.isoformat()}"


def enqueue_going_cold(db: Session, *, now: datetime | None = None) -> int:
    """Record today's going-cold section for every user who has one due (see the module docstring);
    returns rows added. Running it again the same day adds nothing (ON CONFLICT DO NOTHING)."""
    now = resolve_now(now)
    # As enqueue_due_follow_ups: replicas enqueueing overlapping keys at once could deadlock.
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ENQUEUE_LOCK})
    cold = going_cold_subquery(now)
    owners = db.execute(
        select(User.id, User.team_id, User.timezone)
        .where(User.id.in_(select(cold.c.user_id).distinct()))
        .order_by(User.id)
    ).all()
    rows = []
    for user_id, team_id, tz_name in owners:
        tz = zone_of(tz_name)
        local = now.astimezone(tz)
        if local.time() < COLD_NAG_TIME:
            continue
        day = local.date()
        rows.append(
            {
                "kind": "follow_up_reminder",
                "dedupe_key": cold_key(user_id, day),
                "team_id": team_id,
                "user_id": user_id,
                "relationship_id": None,
                "due_at": datetime.combine(day, COLD_NAG_TIME, tzinfo=tz),
                "status": "pending",
                "next_attempt_at": now,
            }
        )
    if not rows:
        return 0
    # Counted from RETURNING: a multi-row INSERT's rowcount comes back as -1 through the Session.
    added = db.scalars(insert(Delivery).values(rows).on_conflict_do_nothing().returning(Delivery.id))
    return len(added.all())


def claimed_cold_rows(
    db: Session, *, worker_id: str, user_ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, uuid.UUID]:
    """{user id: delivery id} of the going-cold rows `worker_id` holds a live lease on."""
    rows = db.execute(
        text(
            """
            SELECT d.user_id, d.id FROM deliveries d
            WHERE d.kind = 'follow_up_reminder' AND d.relationship_id IS NULL AND d.status = 'pending'
              AND d.claimed_by = :worker AND d.claimed_until > :now AND d.user_id = ANY(:users)
            """
        ),
        {"worker": worker_id, "now": now, "users": user_ids},
    ).all()
    return {user_id: delivery_id for user_id, delivery_id in rows}


def cancel_rows(db: Session, *, worker_id: str, delivery_ids: list[uuid.UUID]) -> None:
    """Cancel going-cold rows with nothing left to say (contacted or nagged since they were enqueued)."""
    db.execute(
        text(
            """
            UPDATE deliveries SET status = 'cancelled', claimed_by = NULL, claimed_until = NULL
            WHERE id = ANY(:ids) AND claimed_by = :worker AND status = 'pending'
            """
        ),
        {"ids": delivery_ids, "worker": worker_id},
    )


def mark_nagged(db: Session, *, user_id: uuid.UUID, timezone: str, now: datetime) -> int:
    """Store the user's local date on every relationship of theirs going cold at `now` (the instant
    their DM was built from): none of them is mentioned again that day. Returns rows written."""
    now = resolve_now(now)
    day = local_today(now, zone_of(timezone))
    cold = going_cold_subquery(now, user_ids=[user_id])
    stmt = insert(GoingColdNag).from_select(
        ["relationship_id", "nagged_on"], select(cold.c.relationship_id, literal(day, Date))
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[GoingColdNag.relationship_id],
        set_={"nagged_on": stmt.excluded.nagged_on},
        where=GoingColdNag.nagged_on.is_distinct_from(stmt.excluded.nagged_on),
    )
    return db.execute(stmt).rowcount or 0


def nagged_count(db: Session, *, day) -> int:
    """How many relationships were mentioned as going cold on `day` (for tests and reports)."""
    return db.scalar(select(func.count()).where(GoingColdNag.nagged_on == day)) or 0
