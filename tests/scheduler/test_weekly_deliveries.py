"""Weekly summary deliveries: one per (workspace, ISO week), the current slot only, claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crm.models import Delivery
from crm.reminders.deliveries import mark_sent
from crm.reminders.summaries import (
    claim_weekly_summaries,
    enqueue_weekly_summaries,
    summary_slot,
    summary_week_start,
    weekly_key,
)
from tests.factories import make_user

BERLIN = ZoneInfo("Europe/Berlin")
LEASE = timedelta(minutes=5)


def test_summary_slot_is_the_latest_monday_nine_oclock_local():
    monday_9 = datetime(2026, 11, 30, 9, tzinfo=BERLIN)  # a Monday
    assert summary_slot(monday_9, BERLIN) == monday_9
    assert summary_slot(monday_9 - timedelta(seconds=1), BERLIN) == monday_9 - timedelta(days=7)
    assert summary_slot(monday_9 + timedelta(days=6, hours=14), BERLIN) == monday_9
    # Given in UTC, still judged in Berlin: 08:00 UTC is 09:00 in Berlin in winter.
    assert summary_slot(datetime(2026, 11, 30, 8, tzinfo=UTC), BERLIN) == monday_9
    assert summary_week_start(monday_9, BERLIN) == datetime(2026, 11, 23, tzinfo=BERLIN)
    assert weekly_key("T1", monday_9) == "T1@2026-W49"


def test_enqueued_once_per_workspace_week_and_catch_up_posts_only_the_current_week(db):
    make_user(db, team_id="TA")
    make_user(db, team_id="TA")
    make_user(db, team_id="TB")
    monday_9 = datetime(2026, 11, 30, 9, tzinfo=BERLIN)
    assert enqueue_weekly_summaries(db, tz=BERLIN, now=monday_9) == 2
    assert enqueue_weekly_summaries(db, tz=BERLIN, now=monday_9 + timedelta(hours=1)) == 0
    # Down for three weeks: the first run afterwards records the newest week only, and the one
    # week's summary that was still pending is superseded rather than posted late.
    back = monday_9 + timedelta(weeks=3, days=2)
    assert enqueue_weekly_summaries(db, tz=BERLIN, now=back) == 2
    rows = db.scalars(select(Delivery).order_by(Delivery.dedupe_key)).all()
    assert [(r.dedupe_key, r.status) for r in rows] == [
        ("TA@2026-W49", "cancelled"),
        ("TA@2026-W52", "pending"),
        ("TB@2026-W49", "cancelled"),
        ("TB@2026-W52", "pending"),
    ]


def test_weekly_claims_do_not_overlap_until_the_lease_expires(db):
    make_user(db, team_id="TA")
    now = datetime(2026, 11, 30, 9, tzinfo=BERLIN)
    enqueue_weekly_summaries(db, tz=BERLIN, now=now)
    [claim] = claim_weekly_summaries(db, worker_id="w1", lease=LEASE, now=now)
    assert claim.team_id == "TA" and claim.due_at == now
    assert claim_weekly_summaries(db, worker_id="w2", lease=LEASE, now=now) == []
    [again] = claim_weekly_summaries(db, worker_id="w2", lease=LEASE, now=now + LEASE)
    assert again.delivery_id == claim.delivery_id
    ids = [claim.delivery_id]
    assert mark_sent(db, worker_id="w1", delivery_ids=ids, now=now) == 0
    assert mark_sent(db, worker_id="w2", delivery_ids=ids, now=now + LEASE) == 1
    assert claim_weekly_summaries(db, worker_id="w3", lease=LEASE, now=now + 2 * LEASE) == []
    assert enqueue_weekly_summaries(db, tz=BERLIN, now=now + timedelta(days=1)) == 0
