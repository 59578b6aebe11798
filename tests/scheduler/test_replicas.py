"""Several scheduler replicas on one database: every reminder and summary is posted exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db import make_engine, transaction
from bot.jobs.reminders import send_reminders
from bot.jobs.weekly import post_weekly_summaries
from crm.models import Delivery
from tests.factories import make_influencer, make_relationship, make_user
from tests.scheduler.conftest import ADMIN_CHANNEL

USERS, ITEMS = 30, 3


def run_replicas(n: int, database_url: str, make_ctx, job) -> list:
    """Run `job(ctx)` in `n` threads at once, each with its own engine, worker id and Slack client."""
    barrier = threading.Barrier(n)
    results: list = []
    errors: list[BaseException] = []

    def replica() -> None:
        engine = make_engine(database_url, pool_size=2, max_overflow=0)
        try:
            ctx = make_ctx(engine=engine)
            barrier.wait()
            results.append(job(ctx))
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=replica) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_three_replicas_send_each_reminder_exactly_once(make_ctx, fake_slack, clean_tables, database_url):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with transaction(clean_tables) as db:
        for _ in range(USERS):
            user = make_user(db, timezone="Europe/Berlin")
            fake_slack.set_user(user.slack_user_id, tz="Europe/Berlin")
            for k in range(ITEMS):
                make_relationship(
                    db, user=user, influencer=make_influencer(db), follow_up_date=now - timedelta(hours=k)
                )
    reports = run_replicas(3, database_url, make_ctx, lambda ctx: send_reminders(ctx, now=now, batch_size=4))
    posts = fake_slack.calls_to("chat.postMessage")
    per_channel = Counter(c.params["channel"] for c in posts)
    assert len(per_channel) == USERS and set(per_channel.values()) == {1}
    assert all(len([b for b in c.blocks if b["type"] == "actions"]) == ITEMS for c in posts)
    assert sum(r.dms_sent for r in reports) == USERS and sum(r.follow_ups for r in reports) == USERS * ITEMS
    with transaction(clean_tables) as db:
        assert db.scalar(select(func.count()).where(Delivery.status == "sent")) == USERS * ITEMS
    # A second round by all three finds nothing left to do.
    run_replicas(3, database_url, make_ctx, lambda ctx: send_reminders(ctx, now=now + timedelta(minutes=1)))
    assert len(fake_slack.calls_to("chat.postMessage")) == USERS


def test_three_replicas_list_older_items_in_the_one_dm_and_leave_their_rows_alone(
    make_ctx, fake_slack, clean_tables, database_url
):
    yesterday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    today = yesterday + timedelta(days=1)
    with transaction(clean_tables) as db:
        users = [make_user(db) for _ in range(USERS)]
        for user in users:
            for _ in range(2):
                make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=yesterday)
    send_reminders(make_ctx(), now=yesterday)
    with transaction(clean_tables) as db:
        before = {(d.id, d.status, d.delivered_at, d.attempts) for d in db.scalars(select(Delivery))}
        for user in users[::2]:  # half the users get something new today
            make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=today)
    reports = run_replicas(
        3, database_url, make_ctx, lambda ctx: send_reminders(ctx, now=today, batch_size=4)
    )
    today_posts = fake_slack.calls_to("chat.postMessage")[USERS:]
    per_channel = Counter(c.params["channel"] for c in today_posts)
    assert len(per_channel) == len(users[::2]) and set(per_channel.values()) == {1}
    assert all(len([b for b in c.blocks if b["type"] == "actions"]) == 3 for c in today_posts)
    assert sum(r.follow_ups for r in reports) == len(users[::2])
    assert sum(r.listed_again for r in reports) == 2 * len(users[::2])
    with transaction(clean_tables) as db:
        after = {(d.id, d.status, d.delivered_at, d.attempts) for d in db.scalars(select(Delivery))}
    assert before <= after and len(after - before) == len(users[::2])


def test_two_replicas_post_the_weekly_summary_once_per_workspace(
    make_ctx, fake_slack, clean_tables, database_url
):
    with transaction(clean_tables) as db:
        for team in ("TA000001", "TB000001"):
            make_user(db, team_id=team)
    monday_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    run_replicas(2, database_url, make_ctx, lambda ctx: post_weekly_summaries(ctx, now=monday_9))
    run_replicas(2, database_url, make_ctx, lambda ctx: post_weekly_summaries(ctx, now=monday_9))
    posts = fake_slack.calls_to("chat.postMessage")
    assert len(posts) == 2 and {c.params["channel"] for c in posts} == {ADMIN_CHANNEL}
    assert sorted("TA000001" in c.blocks[1]["elements"][0]["text"] for c in posts) == [False, True]
