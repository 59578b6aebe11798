"""Personal digest deliveries: one per (opted-in user, ISO week) at their Monday 09:00, the current week
only, claimed by one replica at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crm.models import Delivery
from crm.reminders.personal_digests import claim_personal_digests, enqueue_personal_digests
from crm.reminders.summaries import weekly_key
from tests.factories import make_user

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY_9_TOKYO = datetime(2026, 11, 30, 9, tzinfo=TOKYO)
LEASE = timedelta(minutes=5)
LONG_AGO = MONDAY_9_TOKYO - timedelta(weeks=10)


def rows(db) -> list[tuple[str, str]]:
    return [(r.dedupe_key, r.status) for r in db.scalars(select(Delivery).order_by(Delivery.due_at))]


def test_recorded_once_per_week_from_monday_nine_local_and_only_the_newest(db):
    user = make_user(db, timezone="Asia/Tokyo", weekly_digest_since=LONG_AGO)
    make_user(db, timezone="Asia/Tokyo")  # not opted in
    assert enqueue_personal_digests(db, now=MONDAY_9_TOKYO - timedelta(minutes=1)) == 1  # last week's
    assert enqueue_personal_digests(db, now=MONDAY_9_TOKYO - timedelta(seconds=30)) == 0
    assert enqueue_personal_digests(db, now=MONDAY_9_TOKYO) == 1
    assert rows(db) == [
        (weekly_key(user.id, MONDAY_9_TOKYO - timedelta(days=7)), "cancelled"),  # superseded, never sent
        (weekly_key(user.id, MONDAY_9_TOKYO), "pending"),
    ]
    assert weekly_key(user.id, MONDAY_9_TOKYO) == f"{user.id}@2026-W49"


def test_claims_do_not_overlap_until_the_lease_expires(db):
    make_user(db, timezone="Asia/Tokyo", weekly_digest_since=LONG_AGO)
    enqueue_personal_digests(db, now=MONDAY_9_TOKYO)
    [claim] = claim_personal_digests(db, worker_id="w1", lease=LEASE, now=MONDAY_9_TOKYO)
    assert claim_personal_digests(db, worker_id="w2", lease=LEASE, now=MONDAY_9_TOKYO) == []
    [again] = claim_personal_digests(db, worker_id="w2", lease=LEASE, now=MONDAY_9_TOKYO + LEASE)
    assert again.delivery_id == claim.delivery_id and again.due_at == MONDAY_9_TOKYO


def test_opting_out_cancels_the_pending_week(db):
    user = make_user(db, timezone="Asia/Tokyo", weekly_digest_since=LONG_AGO)
    enqueue_personal_digests(db, now=MONDAY_9_TOKYO)
    user.weekly_digest_since = None
    db.flush()
    assert enqueue_personal_digests(db, now=MONDAY_9_TOKYO + timedelta(hours=1)) == 0
    assert rows(db) == [(weekly_key(user.id, MONDAY_9_TOKYO), "cancelled")]
    assert (
        claim_personal_digests(db, worker_id="w1", lease=LEASE, now=MONDAY_9_TOKYO + timedelta(hours=1)) == []
    )
