"""A reminder DM or weekly summary reaches Slack once, even when Slack's answer is lost or we die.

Real PostgreSQL and the fake Web API, which keeps every posted message (with its metadata) per
channel and answers conversations.history from them. The fake's clock is the job's, so message
timestamps and the recorded attempt times agree as Slack's and ours do. Each test ends by showing
what the user (or the admin channel) has: the messages in the channel.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from http.client import RemoteDisconnected
from pathlib import Path
from urllib.error import URLError

from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState

from bot.db import transaction
from bot.jobs.context import PostSafeConnectionErrorRetryHandler
from bot.jobs.reminders import send_reminders
from bot.jobs.weekly import post_weekly_summaries
from crm.reminders.deliveries import backoff, mark_attempted
from crm.reminders.follow_ups import claim_due_users, enqueue_due_follow_ups
from tests.scheduler.conftest import ADMIN_CHANNEL
from tests.scheduler.helpers import deliveries, dm_channel, seed_user
from tests.scheduler.test_weekly_job import MONDAY_9, seed_activity

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=2)  # past the first backoff (1 minute)
AFTER_LEASE = NOW + timedelta(minutes=6)  # past a dead worker's 5-minute lease


def _tag(message: dict) -> str:
    """The delivery id a posted message carries in its metadata."""
    assert message["metadata"]["event_type"] == "crm_delivery"
    return message["metadata"]["event_payload"]["delivery_id"]


def test_a_post_answered_after_the_client_timeout_is_found_and_not_sent_again(
    make_ctx, fake_slack, clean_tables
):
    user = seed_user(clean_tables, tz="UTC", due=[NOW - timedelta(hours=2), NOW])
    dm = dm_channel(user)
    fake_slack.clock = NOW.timestamp
    fake_slack.answer_late("chat.postMessage", after=10)  # Slack posts; the answer comes too late
    ctx = make_ctx(timeout=1)

    first = send_reminders(ctx, now=NOW)
    assert (first.dms_sent, first.failed, first.unknown) == (0, 1, 1)
    assert len(fake_slack.messages_in(dm)) == 1  # Slack did post it
    rows = deliveries(clean_tables)
    assert {(d.status, d.attempted_at, d.slack_channel) for d in rows} == {("pending", NOW, dm)}

    second = send_reminders(ctx, now=LATER)
    assert (second.dms_sent, second.found_posted, second.failed) == (0, 1, 0)
    [message] = fake_slack.messages_in(dm)  # what the user has: one DM, listing both follow-ups
    assert len([b for b in message["blocks"] if b["type"] == "actions"]) == 2
    assert _tag(message) == str(rows[0].id)  # the DM's first (oldest) delivery names it
    rows = deliveries(clean_tables)
    assert {(d.status, d.slack_ts, d.attempted_at) for d in rows} == {("sent", message["ts"], None)}
    lookup = fake_slack.last("conversations.history").params
    assert lookup["channel"] == dm and lookup["include_all_metadata"] in ("1", "true", True)
    assert float(lookup["oldest"]) < NOW.timestamp()

    assert send_reminders(ctx, now=LATER + timedelta(hours=1)).dms_sent == 0
    assert len(fake_slack.messages_in(dm)) == 1


_KILLED_WORKER = """
import sys
from datetime import datetime

from bot.config import Settings
from bot.db import make_engine
from bot.jobs.context import JobContext, make_slack_client
from bot.jobs.reminders import send_reminders

url, api, now = sys.argv[1:4]
settings = Settings(slack_bot_token="xoxb-test-token", slack_api_url=api)
ctx = JobContext(settings=settings, engine=make_engine(url), client=make_slack_client(settings))
send_reminders(ctx, now=datetime.fromisoformat(now))
"""


def test_a_worker_killed_between_post_and_record_leaves_no_second_dm(make_ctx, fake_slack, clean_tables):
    user = seed_user(clean_tables, tz="UTC", due=[NOW])
    dm = dm_channel(user)
    fake_slack.clock = NOW.timestamp
    fake_slack.answer_late("chat.postMessage", after=60)  # keeps the worker waiting after the post
    url = clean_tables.url.render_as_string(hide_password=False)
    worker = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER, url, fake_slack.api_url, NOW.isoformat()],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        fake_slack.wait_for("chat.postMessage", timeout=60)  # Slack has posted the DM ...
    finally:
        worker.kill()  # ... and the worker dies before it records it
        worker.wait()
    [row] = deliveries(clean_tables)
    assert (row.status, row.attempted_at, row.slack_ts) == ("pending", NOW, None)
    assert len(fake_slack.messages_in(dm)) == 1

    ctx = make_ctx()
    assert send_reminders(ctx, now=NOW + timedelta(minutes=4)).dms_sent == 0  # its lease still holds
    report = send_reminders(ctx, now=AFTER_LEASE)
    assert (report.dms_sent, report.found_posted, report.failed) == (0, 1, 0)
    [message] = fake_slack.messages_in(dm)  # what the user has: the one DM
    assert _tag(message) == str(row.id)
    [row] = deliveries(clean_tables)
    assert (row.status, row.slack_ts, row.attempted_at) == ("sent", message["ts"], None)


def test_an_unknown_outcome_where_slack_did_not_post_is_posted_once(make_ctx, fake_slack, clean_tables):
    user = seed_user(clean_tables, tz="UTC", due=[NOW])
    dm = dm_channel(user)
    fake_slack.clock = NOW.timestamp
    fake_slack.fail("chat.postMessage", status=500)  # a 5xx: Slack may or may not have posted
    ctx = make_ctx()
    first = send_reminders(ctx, now=NOW)
    assert (first.dms_sent, first.failed, first.unknown) == (0, 1, 1)
    assert fake_slack.messages_in(dm) == []

    fake_slack.clock = LATER.timestamp
    second = send_reminders(ctx, now=LATER)
    assert (second.dms_sent, second.found_posted) == (1, 0)
    assert len(fake_slack.calls_to("conversations.history")) == 1  # looked, found nothing, posted
    [message] = fake_slack.messages_in(dm)  # what the user has: exactly one DM
    [row] = deliveries(clean_tables)
    assert (row.status, row.slack_ts, row.attempted_at) == ("sent", message["ts"], None)
    assert send_reminders(ctx, now=LATER + timedelta(hours=1)).dms_sent == 0
    assert len(fake_slack.messages_in(dm)) == 1


def test_a_worker_that_died_after_marking_but_before_posting_is_posted_once(
    make_ctx, fake_slack, clean_tables
):
    user = seed_user(clean_tables, tz="UTC", due=[NOW])
    dm = dm_channel(user)
    with transaction(clean_tables) as db:  # a replica claims and marks the attempt ...
        enqueue_due_follow_ups(db, now=NOW)
        [ids] = claim_due_users(db, worker_id="dead:1:x", now=NOW, lease=timedelta(minutes=5)).values()
    with transaction(clean_tables) as db:  # ... committed on its own, then it is killed
        mark_attempted(db, worker_id="dead:1:x", delivery_ids=ids, channel=dm, message_key=ids[0], now=NOW)
    fake_slack.clock = AFTER_LEASE.timestamp
    report = send_reminders(make_ctx(), now=AFTER_LEASE)
    assert (report.dms_sent, report.found_posted) == (1, 0)
    assert fake_slack.calls_to("conversations.history")  # it looked first
    [message] = fake_slack.messages_in(dm)
    assert _tag(message) == str(ids[0])


def test_a_plain_slack_error_is_known_not_posted_and_needs_no_lookup(make_ctx, fake_slack, clean_tables):
    user = seed_user(clean_tables, tz="UTC", due=[NOW])
    fake_slack.fail("chat.postMessage", error="channel_not_found")
    ctx = make_ctx()
    first = send_reminders(ctx, now=NOW)
    assert (first.failed, first.unknown) == (1, 0)
    assert [d.attempted_at for d in deliveries(clean_tables)] == [None]
    assert send_reminders(ctx, now=LATER).dms_sent == 1
    assert fake_slack.calls_to("conversations.history") == []
    assert len(fake_slack.messages_in(dm_channel(user))) == 1


def test_while_the_history_cannot_be_read_nothing_is_posted(make_ctx, fake_slack, clean_tables):
    user = seed_user(clean_tables, tz="UTC", due=[NOW])
    dm = dm_channel(user)
    fake_slack.clock = NOW.timestamp
    fake_slack.answer_late("chat.postMessage", after=10)
    ctx = make_ctx(timeout=1)
    send_reminders(ctx, now=NOW)
    fake_slack.fail("conversations.history", status=503)
    blocked = send_reminders(ctx, now=LATER)
    assert (blocked.dms_sent, blocked.found_posted, blocked.failed, blocked.unknown) == (0, 0, 1, 1)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    [row] = deliveries(clean_tables)
    assert (row.status, row.attempted_at) == ("pending", NOW)
    report = send_reminders(ctx, now=LATER + backoff(row.attempts))
    assert (report.dms_sent, report.found_posted) == (0, 1)
    assert len(fake_slack.messages_in(dm)) == 1


def test_without_the_history_scope_an_unknown_outcome_is_posted_again(make_ctx, fake_slack, clean_tables):
    """An app not yet reinstalled with im:history cannot look; it delivers as it did before."""
    user = seed_user(clean_tables, tz="UTC", due=[NOW])
    fake_slack.fail("chat.postMessage", status=500)
    fake_slack.fail("conversations.history", error="missing_scope")
    ctx = make_ctx()
    send_reminders(ctx, now=NOW)
    assert send_reminders(ctx, now=LATER).dms_sent == 1
    assert len(fake_slack.messages_in(dm_channel(user))) == 1


def test_the_weekly_summary_answered_after_the_timeout_is_posted_once(make_ctx, fake_slack, clean_tables):
    seed_activity(clean_tables)
    fake_slack.clock = MONDAY_9.timestamp
    fake_slack.answer_late("chat.postMessage", after=10)
    ctx = make_ctx(timeout=1)
    first = post_weekly_summaries(ctx, now=MONDAY_9)
    assert (first.posted, first.failed, first.unknown) == (0, 1, 1)
    second = post_weekly_summaries(ctx, now=MONDAY_9 + timedelta(minutes=2))
    assert (second.posted, second.found_posted, second.failed) == (0, 1, 0)
    [summary] = fake_slack.messages_in(ADMIN_CHANNEL)  # what the admins have: one summary
    [row] = deliveries(clean_tables)
    assert (row.status, row.slack_ts, _tag(summary)) == ("sent", summary["ts"], str(row.id))
    assert fake_slack.last("conversations.history").params["channel"] == ADMIN_CHANNEL


def test_a_weekly_summary_slack_did_not_post_is_posted_once(make_ctx, fake_slack, clean_tables):
    seed_activity(clean_tables)
    fake_slack.clock = MONDAY_9.timestamp
    fake_slack.fail("chat.postMessage", status=502)
    ctx = make_ctx()
    assert post_weekly_summaries(ctx, now=MONDAY_9).unknown == 1
    report = post_weekly_summaries(ctx, now=MONDAY_9 + timedelta(minutes=2))
    assert (report.posted, report.found_posted) == (1, 0)
    assert len(fake_slack.messages_in(ADMIN_CHANNEL)) == 1


def _retries(error: Exception, method: str) -> bool:
    request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})
    return PostSafeConnectionErrorRetryHandler().can_retry(state=RetryState(), request=request, error=error)


def test_the_client_never_re_posts_blindly_after_a_lost_connection():
    """A reset after the request went out may follow a post Slack made: that one is looked for instead."""
    assert not _retries(RemoteDisconnected("closed"), "chat.postMessage")
    assert not _retries(ConnectionResetError(), "chat.postMessage")
    assert _retries(URLError(ConnectionRefusedError()), "chat.postMessage")  # never reached Slack
    assert _retries(RemoteDisconnected("closed"), "conversations.open")  # safe to repeat
