"""Concurrent claimers on one database, each with its own engine: no row twice, no user split."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db import make_engine, transaction
from crm.models import Delivery
from crm.reminders.deliveries import mark_sent
from crm.reminders.follow_ups import claim_due_users, enqueue_due_follow_ups
from tests.factories import make_influencer, make_relationship, make_user

USERS, ITEMS_PER_USER, WORKERS = 40, 5, 3


def test_three_claimers_each_take_every_delivery_exactly_once(clean_tables, database_url):
    due = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with transaction(clean_tables) as db:
        for _ in range(USERS):
            user = make_user(db)
            for _ in range(ITEMS_PER_USER):
                make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=due)

    claims: list[tuple[str, object, list]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        engine = make_engine(database_url, pool_size=1, max_overflow=0)
        try:
            barrier.wait()
            while True:
                with transaction(engine) as db:  # every replica enqueues too: same rows, once
                    enqueue_due_follow_ups(db, now=due)
                with transaction(engine) as db:
                    claimed = claim_due_users(
                        db, worker_id=name, now=due, lease=timedelta(minutes=5), limit=3
                    )
                if not claimed:
                    return
                with transaction(engine) as db:
                    for ids in claimed.values():
                        assert mark_sent(db, worker_id=name, delivery_ids=ids, now=due) == len(ids)
                with lock:
                    claims.extend((name, user_id, ids) for user_id, ids in claimed.items())
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    delivery_ids = [d for _, _, ids in claims for d in ids]
    assert len(delivery_ids) == len(set(delivery_ids)) == USERS * ITEMS_PER_USER
    per_user = Counter(user_id for _, user_id, _ in claims)
    assert set(per_user.values()) == {1}, "a user's items were split between claims"
    assert all(len(ids) == ITEMS_PER_USER for _, _, ids in claims)
    with transaction(clean_tables) as db:
        assert db.scalar(select(func.count()).where(Delivery.status == "sent")) == USERS * ITEMS_PER_USER
