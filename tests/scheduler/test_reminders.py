"""crm.reminders against real PostgreSQL: enqueue, claim per user, lease, digest, mark sent/failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crm.models import Delivery
from crm.reminders.deliveries import BACKOFF_CAP, MAX_ATTEMPTS, mark_failed, mark_sent
from crm.reminders.follow_ups import (
    claim_due_users,
    claimable_left,
    enqueue_due_follow_ups,
    follow_up_key,
    load_digests,
)
from tests.factories import make_influencer, make_relationship, make_user

NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LEASE = timedelta(minutes=5)


def at(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


def _pending(db) -> list[Delivery]:
    return list(db.scalars(select(Delivery).where(Delivery.status == "pending").order_by(Delivery.due_at)))


def test_follow_ups_fall_due_at_their_instant_in_each_users_timezone(db):
    ny_user = make_user(db, timezone="America/New_York")
    tokyo_user = make_user(db, timezone="Asia/Tokyo")
    ny_rel = make_relationship(
        db, user=ny_user, influencer=make_influencer(db), follow_up_date=at(NY, 2026, 12, 1, 9)
    )
    tk_rel = make_relationship(
        db, user=tokyo_user, influencer=make_influencer(db), follow_up_date=at(TOKYO, 2026, 12, 1, 9)
    )
    # 09:00 Tokyo is 00:00 UTC; 09:00 New York is 14:00 UTC.
    assert enqueue_due_follow_ups(db, now=at(UTC, 2026, 11, 30, 23, 59)) == 0
    assert enqueue_due_follow_ups(db, now=at(UTC, 2026, 12, 1, 0, 0)) == 1
    assert enqueue_due_follow_ups(db, now=at(UTC, 2026, 12, 1, 13, 59)) == 0
    assert enqueue_due_follow_ups(db, now=at(UTC, 2026, 12, 1, 14, 0)) == 1
    rows = _pending(db)
    assert [r.relationship_id for r in rows] == [tk_rel.id, ny_rel.id]
    assert [r.dedupe_key for r in rows] == [
        follow_up_key(tk_rel.id, tk_rel.follow_up_date),
        follow_up_key(ny_rel.id, ny_rel.follow_up_date),
    ]
    assert rows[0].team_id == tokyo_user.team_id and rows[0].user_id == tokyo_user.id


def test_a_due_time_is_enqueued_once_and_a_new_due_time_again(db):
    user = make_user(db)
    rel = make_relationship(
        db, user=user, influencer=make_influencer(db), follow_up_date=at(UTC, 2026, 12, 1, 9)
    )
    now = at(UTC, 2026, 12, 1, 10)
    assert enqueue_due_follow_ups(db, now=now) == 1
    assert enqueue_due_follow_ups(db, now=now + timedelta(days=3)) == 0
    rel.follow_up_date = at(UTC, 2026, 12, 2, 9)  # snoozed a day
    db.flush()
    assert enqueue_due_follow_ups(db, now=now) == 0  # not due yet
    assert enqueue_due_follow_ups(db, now=now + timedelta(days=1)) == 1
    rel.follow_up_date = None  # completed
    db.flush()
    assert enqueue_due_follow_ups(db, now=now + timedelta(days=9)) == 0


def test_claim_takes_whole_users_and_leases_them(db):
    a, b = make_user(db), make_user(db)
    due = at(UTC, 2026, 12, 1, 9)
    for user, n in ((a, 3), (b, 2)):
        for _ in range(n):
            make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=due)
    now = due + timedelta(minutes=1)
    enqueue_due_follow_ups(db, now=now)
    first = claim_due_users(db, worker_id="w1", now=now, lease=LEASE, limit=1)
    assert len(first) == 1
    (user_id, ids) = next(iter(first.items()))
    assert len(ids) == {a.id: 3, b.id: 2}[user_id]
    second = claim_due_users(db, worker_id="w2", now=now, lease=LEASE, limit=10)
    assert set(second) == {a.id, b.id} - {user_id}
    assert claim_due_users(db, worker_id="w3", now=now, lease=LEASE) == {}
    rows = _pending(db)
    assert all(r.attempts == 1 and r.claimed_until == now + LEASE for r in rows)


def test_expired_lease_is_taken_over_but_sent_rows_never_again(db):
    user = make_user(db)
    due = at(UTC, 2026, 12, 1, 9)
    rels = [
        make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=due) for _ in range(2)
    ]
    now = due
    enqueue_due_follow_ups(db, now=now)
    claimed = claim_due_users(db, worker_id="dead", now=now, lease=LEASE)[user.id]
    # The holder dies without marking anything: before the lease ends nobody else may take it...
    assert claim_due_users(db, worker_id="w2", now=now + LEASE - timedelta(seconds=1), lease=LEASE) == {}
    later = now + LEASE
    taken = claim_due_users(db, worker_id="w2", now=later, lease=LEASE)
    assert sorted(taken[user.id]) == sorted(claimed)
    # ...and the dead holder can no longer mark them: the lease is not its own any more.
    assert mark_sent(db, worker_id="dead", delivery_ids=claimed, now=later) == 0
    digest = load_digests(db, worker_id="w2", user_ids=[user.id], now=later)
    assert [sorted(i.relationship_id for i in d.items) for d in digest] == [sorted(r.id for r in rels)]
    assert mark_sent(db, worker_id="w2", delivery_ids=taken[user.id], now=later, channel="D1", ts="1.0") == 2
    far = later + timedelta(days=2)
    assert claim_due_users(db, worker_id="w3", now=far, lease=LEASE) == {}
    assert enqueue_due_follow_ups(db, now=far) == 0


def test_digest_cancels_items_whose_follow_up_changed_and_counts_older_ones(db):
    user = make_user(db, timezone="Europe/Berlin")
    due = at(UTC, 2026, 12, 1, 9)
    old = make_relationship(
        db, user=user, influencer=make_influencer(db), follow_up_date=due - timedelta(days=2)
    )
    enqueue_due_follow_ups(db, now=due - timedelta(days=2))
    ids = claim_due_users(db, worker_id="w", now=due - timedelta(days=2), lease=LEASE)[user.id]
    mark_sent(db, worker_id="w", delivery_ids=ids, now=due - timedelta(days=2))
    keep = make_relationship(db, user=user, influencer=make_influencer(db, name="Keep"), follow_up_date=due)
    moved = make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=due)
    enqueue_due_follow_ups(db, now=due)
    claim_due_users(db, worker_id="w", now=due, lease=LEASE)
    moved.follow_up_date = due + timedelta(days=1)
    db.flush()
    [digest] = load_digests(db, worker_id="w", user_ids=[user.id], now=due)
    assert [i.relationship_id for i in digest.items] == [keep.id]
    assert digest.items[0].influencer_name == "Keep" and digest.timezone == "Europe/Berlin"
    # `old`, reminded two days ago and still open, is listed again without a delivery of its own.
    assert [(i.relationship_id, i.delivery_id) for i in digest.overdue] == [(old.id, None)]
    assert digest.overdue_total == 1 and digest.delivery_ids == [digest.items[0].delivery_id]
    statuses = {d.relationship_id: d.status for d in db.scalars(select(Delivery))}
    assert statuses == {old.id: "sent", keep.id: "pending", moved.id: "cancelled"}


def test_failed_post_backs_off_exponentially_then_gives_up(db):
    user = make_user(db)
    make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=at(UTC, 2026, 12, 1, 9))
    now = at(UTC, 2026, 12, 1, 9)
    enqueue_due_follow_ups(db, now=now)
    delays = []
    for _ in range(MAX_ATTEMPTS):
        ids = claim_due_users(db, worker_id="w", now=now, lease=LEASE)[user.id]
        assert claim_due_users(db, worker_id="w", now=now, lease=LEASE) == {}
        assert mark_failed(db, worker_id="w", delivery_ids=ids, error="boom", now=now) == 1
        row = db.scalars(select(Delivery)).one()
        db.refresh(row)
        delays.append(row.next_attempt_at - now)
        if row.status == "pending":
            assert (
                claim_due_users(
                    db, worker_id="w", now=row.next_attempt_at - timedelta(seconds=1), lease=LEASE
                )
                == {}
            )
        now = row.next_attempt_at
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays[-1] == BACKOFF_CAP
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and row.last_error == "boom"


def _remind(db, *, now: datetime) -> None:
    """Enqueue, claim and mark sent everything due at `now` (a DM that went out)."""
    enqueue_due_follow_ups(db, now=now)
    for ids in claim_due_users(db, worker_id="earlier", now=now, lease=LEASE).values():
        mark_sent(db, worker_id="earlier", delivery_ids=ids, now=now)


def test_digest_lists_older_open_ones_oldest_first_up_to_a_limit_and_only_with_something_new(db):
    due = at(UTC, 2026, 12, 1, 9)
    user, quiet = make_user(db), make_user(db)
    older = [
        make_relationship(
            db, user=user, influencer=make_influencer(db), follow_up_date=due - timedelta(days=d)
        )
        for d in (1, 3, 2)
    ]
    make_relationship(db, user=quiet, influencer=make_influencer(db), follow_up_date=due - timedelta(days=1))
    _remind(db, now=due - timedelta(days=1))
    new = make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=due)
    gone = make_relationship(db, user=quiet, influencer=make_influencer(db), follow_up_date=due)
    enqueue_due_follow_ups(db, now=due)
    claimed = claim_due_users(db, worker_id="w", now=due, lease=LEASE)
    assert set(claimed) == {user.id, quiet.id}
    gone.follow_up_date = None  # completed before its DM: `quiet` is left with only an older one
    db.flush()
    before = {d.id: (d.status, d.attempts, d.claimed_by) for d in db.scalars(select(Delivery))}

    digests = load_digests(db, worker_id="w", user_ids=list(claimed), now=due, overdue_limit=2)
    assert [d.user_id for d in digests] == [user.id]
    [digest] = digests
    assert [i.relationship_id for i in digest.items] == [new.id] and digest.items[0].is_new
    assert [i.relationship_id for i in digest.overdue] == [older[1].id, older[2].id]  # 3 and 2 days ago
    assert not any(i.is_new for i in digest.overdue) and digest.overdue_total == 3
    db.expire_all()
    after = {d.id: (d.status, d.attempts, d.claimed_by) for d in db.scalars(select(Delivery))}
    changed = {k for k in after if after[k] != before[k]}
    assert [db.get(Delivery, k).relationship_id for k in changed] == [gone.id]  # cancelled, nothing else


def test_claiming_a_user_takes_their_items_still_backing_off_too(db):
    user = make_user(db)
    nine = at(UTC, 2026, 12, 1, 9)
    first = make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=nine)
    enqueue_due_follow_ups(db, now=nine)
    ids = claim_due_users(db, worker_id="w", now=nine, lease=LEASE)[user.id]
    mark_failed(db, worker_id="w", delivery_ids=ids, error="boom", now=nine)  # back at 09:01
    half = nine + timedelta(seconds=30)
    assert claim_due_users(db, worker_id="w", now=half, lease=LEASE) == {}  # nothing ready
    second = make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=half)
    enqueue_due_follow_ups(db, now=half)
    claimed = claim_due_users(db, worker_id="w", now=half, lease=LEASE)
    [digest] = load_digests(db, worker_id="w", user_ids=[user.id], now=half)
    assert sorted(claimed[user.id]) == sorted(digest.delivery_ids) and len(digest.delivery_ids) == 2
    assert [i.relationship_id for i in digest.items] == [first.id, second.id] and digest.overdue == []


def test_a_follow_up_moved_away_and_back_before_its_reminder_is_reminded(db):
    user = make_user(db)
    due = at(UTC, 2026, 12, 1, 9)
    rel = make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=due)
    enqueue_due_follow_ups(db, now=due)
    claim_due_users(db, worker_id="w", now=due, lease=LEASE)
    rel.follow_up_date = due + timedelta(days=1)
    db.flush()
    assert load_digests(db, worker_id="w", user_ids=[user.id], now=due) == []  # cancelled
    rel.follow_up_date = due  # ...and set back to the very same instant
    db.flush()
    later = due + timedelta(minutes=1)
    assert enqueue_due_follow_ups(db, now=later) == 1
    row = db.scalars(select(Delivery)).one()
    db.refresh(row)
    assert (row.status, row.attempts, row.claimed_by, row.next_attempt_at) == ("pending", 0, None, later)
    ids = claim_due_users(db, worker_id="w2", now=later, lease=LEASE)[user.id]
    [digest] = load_digests(db, worker_id="w2", user_ids=[user.id], now=later)
    assert digest.delivery_ids == ids == [row.id]
    assert mark_sent(db, worker_id="w2", delivery_ids=ids, now=later) == 1
    assert enqueue_due_follow_ups(db, now=later + timedelta(days=1)) == 0  # sent stays sent


def test_claimable_left_sees_only_ready_unleased_work(db):
    user = make_user(db)
    nine = at(UTC, 2026, 12, 1, 9)
    make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=nine)
    assert not claimable_left(db, now=nine)  # due, but not enqueued yet
    enqueue_due_follow_ups(db, now=nine)
    assert claimable_left(db, now=nine)
    ids = claim_due_users(db, worker_id="w", now=nine, lease=LEASE)[user.id]
    assert not claimable_left(db, now=nine + LEASE - timedelta(seconds=1))  # leased
    assert claimable_left(db, now=nine + LEASE)  # the holder died
    mark_failed(db, worker_id="w", delivery_ids=ids, error="boom", now=nine)
    assert not claimable_left(db, now=nine + timedelta(seconds=59))  # backing off
    assert claimable_left(db, now=nine + timedelta(minutes=1))
