"""Weekly summaries: one delivery per (workspace, ISO week), only the newest Monday-09:00 slot."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm.clock import resolve_now
from crm.reminders.deliveries import ENQUEUE_LOCK, WEEKLY, claim_pending

SUMMARY_TIME = time(9, 0)  # Monday 09:00 in CRM_TIMEZONE


def weekly_key(owner: object, slot: datetime) -> str:
    """The dedupe key of a weekly delivery for the ISO week of `slot`: "<owner>@<year>-W<week>".

    The owner is the workspace of a summary, or the user of a personal digest.
    """
    year, week, _ = slot.isocalendar()
    return f"{owner}@{year}-W{week:02d}"


def summary_slot(now: datetime, tz: ZoneInfo) -> datetime:
    """The latest Monday 09:00 (in `tz`) at or before `now`: when the newest summary fell due.

    Only this slot is ever enqueued, so a bot that was down for weeks posts one summary, not one per
    missed week.
    """
    local = resolve_now(now).astimezone(tz)
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
    slot = summary_slot(resolve_now(now), tz)
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ENQUEUE_LOCK})
    result = db.execute(
        text(
            """
            INSERT INTO deliveries (kind, dedupe_key, team_id, due_at, status, next_attempt_at)
            SELECT 'weekly_summary', t.team_id || :suffix, t.team_id, :slot, 'pending', :slot
            FROM (SELECT DISTINCT team_id FROM users) t
            ON CONFLICT (kind, dedupe_key) DO NOTHING
            """
        ),
        {"suffix": weekly_key("", slot), "slot": slot},  # each team id + "@<ISO week>"
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
        {"slot": slot, "now": resolve_now(now)},
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
    """Lease pending summaries to `worker_id` (crm.reminders.deliveries.claim_pending)."""
    rows = claim_pending(db, kind=WEEKLY, worker_id=worker_id, lease=lease, now=resolve_now(now), limit=limit)
    return [SummaryClaim(row.id, row.team_id, row.due_at) for row in rows]


def posted_summaries(db: Session, *, delivery_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """{delivery id: (channel, ts)} of the summaries among `delivery_ids` recorded as posted: where
    their chart goes (a reply in that message's thread)."""
    rows = db.execute(
        text(
            """
            SELECT id, slack_channel, slack_ts FROM deliveries
            WHERE id = ANY(:ids) AND kind = 'weekly_summary' AND status = 'sent'
              AND slack_channel IS NOT NULL AND slack_ts IS NOT NULL
            """
        ),
        {"ids": delivery_ids},
    ).all()
    return {delivery_id: (channel, ts) for delivery_id, channel, ts in rows}
