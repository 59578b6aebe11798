"""Demo workspaces (TDEMO…, bot/demo_workspace.py) are never posted to Slack by the scheduled jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import transaction
from bot.jobs.reminders import send_reminders
from bot.jobs.weekly import post_weekly_summaries
from tests.factories import make_influencer, make_relationship, make_user
from tests.scheduler.helpers import deliveries, dm_channels
from tests.scheduler.test_weekly_job import MONDAY_9, seed_activity


def test_weekly_summary_of_a_demo_workspace_is_never_posted_to_the_admin_channel(
    make_ctx, fake_slack, clean_tables
):
    seed_activity(clean_tables, team="TDEMO0001")
    seed_activity(clean_tables, team="T0REAL001")
    report = post_weekly_summaries(make_ctx(), now=MONDAY_9)
    assert (report.posted, report.demo, report.failed) == (1, 1, 0)
    [post] = fake_slack.calls_to("chat.postMessage")  # the real workspace's only
    assert "Maya Lopez" in str(post.blocks)
    assert "1 demo workspaces skipped" in str(report)
    # Recorded as done: later runs neither post it nor count it again.
    again = post_weekly_summaries(make_ctx(), now=MONDAY_9 + timedelta(hours=1))
    assert (again.posted, again.demo) == (0, 0)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_demo_users_get_no_reminder_dm_and_real_ones_still_do(make_ctx, fake_slack, clean_tables):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with transaction(clean_tables) as db:
        demo = make_user(db, team_id="TDEMO0001", slack_user_id="UDEMO00001")
        make_relationship(
            db, user=demo, influencer=make_influencer(db, team_id="TDEMO0001"), follow_up_date=now
        )
        real = make_user(db, team_id="T0REAL001")
        make_relationship(
            db, user=real, influencer=make_influencer(db, team_id="T0REAL001"), follow_up_date=now
        )
    report = send_reminders(make_ctx(), now=now)
    assert (report.dms_sent, report.demo, report.failed) == (1, 1, 0)
    assert dm_channels(fake_slack) == ["D" + real.slack_user_id[1:]]
    assert "UDEMO00001" not in str([c.params for c in fake_slack.calls])  # not even users.info
    assert [d.status for d in deliveries(clean_tables)] == ["sent", "sent"]
    assert send_reminders(make_ctx(), now=now + timedelta(minutes=1)).demo == 0  # once
