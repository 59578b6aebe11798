"""The reminders job end to end: real PostgreSQL, the fake Slack Web API, a controllable clock."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bot.db import transaction
from bot.jobs.reminders import send_reminders
from crm.clock import follow_up_instant
from crm.interactions import NewInteraction, log_interaction
from crm.models import Relationship, User
from crm.reminders.deliveries import backoff, mark_sent
from crm.reminders.follow_ups import claim_due_users, enqueue_due_follow_ups
from tests.scheduler.helpers import deliveries, dm_channels, seed_user
from tests.scheduler.validation import assert_valid_message

DAY = date(2026, 12, 1)


def test_reminders_go_out_at_nine_local_for_each_timezone(make_ctx, fake_slack, clean_tables):
    ny, tokyo = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
    alice = seed_user(clean_tables, tz="America/New_York", due=[follow_up_instant(DAY, ny)])
    kenji = seed_user(clean_tables, tz="Asia/Tokyo", due=[follow_up_instant(DAY, tokyo)])
    fake_slack.set_user(alice.slack_user_id, tz="America/New_York")
    fake_slack.set_user(kenji.slack_user_id, tz="Asia/Tokyo")
    ctx = make_ctx()

    before_tokyo = datetime(2026, 12, 1, 8, 59, tzinfo=tokyo)
    assert send_reminders(ctx, now=before_tokyo).dms_sent == 0
    report = send_reminders(ctx, now=datetime(2026, 12, 1, 9, 0, tzinfo=tokyo))
    assert (report.dms_sent, report.follow_ups) == (1, 1)
    assert dm_channels(fake_slack) == ["D" + kenji.slack_user_id[1:]]
    assert send_reminders(ctx, now=datetime(2026, 12, 1, 8, 59, tzinfo=ny)).dms_sent == 0
    assert send_reminders(ctx, now=datetime(2026, 12, 1, 9, 1, tzinfo=ny)).dms_sent == 1
    assert dm_channels(fake_slack) == ["D" + kenji.slack_user_id[1:], "D" + alice.slack_user_id[1:]]
    # IM opened first, then the post; the DM shows the time in the user's own zone.
    assert fake_slack.methods().count("conversations.open") == 2
    posted = fake_slack.calls_to("chat.postMessage")
    assert "due today at 09:00" in posted[0].blocks[2]["text"]["text"]
    assert "due today at 09:00" in posted[1].blocks[2]["text"]["text"]
    for call in posted:
        assert_valid_message(call.params)
    assert [d.status for d in deliveries(clean_tables)] == ["sent", "sent"]


def test_one_dm_per_user_lists_all_their_due_and_overdue_items(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    bob = seed_user(clean_tables, tz="UTC", due=[now, now - timedelta(days=2), now - timedelta(hours=1)])
    carol = seed_user(clean_tables, tz="UTC", due=[now - timedelta(minutes=5)])
    seed_user(clean_tables, tz="UTC", due=[now + timedelta(minutes=1)])  # not due yet
    report = send_reminders(make_ctx(), now=now)
    assert (report.dms_sent, report.follow_ups, report.failed) == (2, 4, 0)
    by_channel = {c.params["channel"]: c for c in fake_slack.calls_to("chat.postMessage")}
    bob_dm = by_channel["D" + bob.slack_user_id[1:]]
    assert len([b for b in bob_dm.blocks if b["type"] == "actions"]) == 3
    assert "overdue since" in bob_dm.blocks[2]["text"]["text"]  # oldest first
    assert len([b for b in by_channel["D" + carol.slack_user_id[1:]].blocks if b["type"] == "actions"]) == 1


def test_a_due_time_is_reminded_once_and_a_new_date_makes_it_due_again(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    seed_user(clean_tables, tz="UTC", due=[now])
    ctx = make_ctx()
    assert send_reminders(ctx, now=now).dms_sent == 1
    assert send_reminders(ctx, now=now + timedelta(minutes=1)).dms_sent == 0
    assert send_reminders(ctx, now=now + timedelta(days=1)).dms_sent == 0
    with transaction(clean_tables) as db:  # the user snoozes it by three days
        db.scalars(select(Relationship)).one().follow_up_date = now + timedelta(days=3)
    assert send_reminders(ctx, now=now + timedelta(days=3) - timedelta(minutes=1)).dms_sent == 0
    assert send_reminders(ctx, now=now + timedelta(days=3)).dms_sent == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_429_retry_after_is_honoured(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    seed_user(clean_tables, tz="UTC", due=[now])
    fake_slack.fail("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    report = send_reminders(make_ctx(), now=now)
    waited = time.monotonic() - started
    assert (report.dms_sent, report.failed) == (1, 0)
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 200]
    assert waited >= 1.0, "the client must wait Retry-After seconds before retrying"
    assert [d.status for d in deliveries(clean_tables)] == ["sent"]


def test_a_failure_backs_that_user_off_and_the_batch_goes_on(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    seed_user(clean_tables, tz="UTC", due=[now])
    seed_user(clean_tables, tz="UTC", due=[now])
    fake_slack.fail("chat.postMessage", error="channel_not_found")  # the first post only
    ctx = make_ctx()
    report = send_reminders(ctx, now=now)
    assert (report.dms_sent, report.failed) == (1, 1)
    failed = [d for d in deliveries(clean_tables) if d.status == "pending"]
    assert len(failed) == 1 and failed[0].attempts == 1 and "channel_not_found" in failed[0].last_error
    assert failed[0].next_attempt_at == now + backoff(1)
    assert send_reminders(ctx, now=now + timedelta(seconds=59)).dms_sent == 0
    assert send_reminders(ctx, now=now + timedelta(minutes=1)).dms_sent == 1
    assert {d.status for d in deliveries(clean_tables)} == {"sent"}


def test_a_dead_holders_claim_is_taken_over_after_the_lease(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    user = seed_user(clean_tables, tz="UTC", due=[now, now])
    with transaction(clean_tables) as db:  # a replica enqueues and claims, then is killed
        enqueue_due_follow_ups(db, now=now)
        claim_due_users(db, worker_id="dead:1:x", now=now, lease=timedelta(minutes=5))
    ctx = make_ctx()
    assert send_reminders(ctx, now=now + timedelta(minutes=4)).dms_sent == 0
    report = send_reminders(ctx, now=now + timedelta(minutes=5))
    assert (report.dms_sent, report.follow_ups) == (1, 2)
    assert dm_channels(fake_slack) == ["D" + user.slack_user_id[1:]]


def test_nothing_is_sent_twice_once_marked_sent_even_if_the_holder_dies(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    user = seed_user(clean_tables, tz="UTC", due=[now])
    with transaction(clean_tables) as db:  # posted and recorded, then killed before anything else
        enqueue_due_follow_ups(db, now=now)
        ids = claim_due_users(db, worker_id="dead:1:x", now=now, lease=timedelta(minutes=5))[user.id]
        mark_sent(db, worker_id="dead:1:x", delivery_ids=ids, now=now)
    assert send_reminders(make_ctx(), now=now + timedelta(hours=1)).dms_sent == 0
    assert fake_slack.calls_to("chat.postMessage") == []


def test_an_unknown_timezone_is_looked_up_once_and_kept(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    user = seed_user(clean_tables, tz="UTC", due=[now, now + timedelta(hours=1)])
    fake_slack.set_user(user.slack_user_id, tz="Asia/Tokyo")
    ctx = make_ctx()
    send_reminders(ctx, now=now)
    assert "due today at 09:00" in fake_slack.last("chat.postMessage").blocks[2]["text"]["text"]
    with transaction(clean_tables) as db:
        assert db.get(User, user.id).timezone == "Asia/Tokyo"
    send_reminders(ctx, now=now + timedelta(hours=1))
    assert len(fake_slack.calls_to("users.info")) == 1  # known now, and checked recently
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def _log_call(engine, user: User, *, at: datetime) -> None:
    with transaction(engine) as db:
        rel = db.scalars(select(Relationship).where(Relationship.user_id == user.id)).one()
        actor = db.get(User, user.id)
        log_interaction(db, actor=actor, influencer_id=rel.influencer_id, data=NewInteraction("call"), now=at)


def test_logging_a_contact_that_completes_the_follow_up_means_no_reminder(make_ctx, fake_slack, clean_tables):
    berlin = ZoneInfo("Europe/Berlin")
    user = seed_user(clean_tables, tz="Europe/Berlin", due=[follow_up_instant(DAY, berlin)])
    fake_slack.set_user(user.slack_user_id, tz="Europe/Berlin")
    _log_call(clean_tables, user, at=datetime(2026, 12, 1, 8, 30, tzinfo=berlin))
    assert send_reminders(make_ctx(), now=datetime(2026, 12, 1, 9, 0, tzinfo=berlin)).dms_sent == 0
    assert deliveries(clean_tables) == [] and fake_slack.calls_to("chat.postMessage") == []


def test_a_reminder_still_waiting_to_be_retried_is_cancelled_by_the_contact(
    make_ctx, fake_slack, clean_tables
):
    nine = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    user = seed_user(clean_tables, tz="UTC", due=[nine])
    fake_slack.fail("chat.postMessage", status=500)
    ctx = make_ctx()
    assert send_reminders(ctx, now=nine).failed == 1
    _log_call(clean_tables, user, at=nine + timedelta(seconds=30))
    report = send_reminders(ctx, now=nine + timedelta(minutes=1))
    assert (report.dms_sent, report.cancelled) == (0, 1)
    assert [d.status for d in deliveries(clean_tables)] == ["cancelled"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # only the failed attempt


def test_a_user_row_held_by_another_transaction_is_left_to_the_next_run(make_ctx, fake_slack, clean_tables):
    """The claim skips a locked user; the run retries a few times, stops, and the next run sends."""
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    user = seed_user(clean_tables, tz="UTC", due=[now])
    ctx = make_ctx()
    with clean_tables.connect() as conn, conn.begin():  # e.g. a listener updating the user's profile
        conn.execute(text("SELECT 1 FROM users WHERE id = :id FOR NO KEY UPDATE"), {"id": user.id})
        report = send_reminders(ctx, now=now)
    assert (report.enqueued, report.dms_sent, report.failed) == (1, 0, 0)
    assert [(d.status, d.attempts) for d in deliveries(clean_tables)] == [("pending", 0)]
    assert send_reminders(ctx, now=now + timedelta(minutes=1)).dms_sent == 1
    assert dm_channels(fake_slack) == ["D" + user.slack_user_id[1:]]
