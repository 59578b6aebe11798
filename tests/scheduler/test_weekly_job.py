"""The weekly admin summary job: Monday 09:00 CRM_TIMEZONE, once per workspace-week, caught up once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import transaction
from bot.jobs.weekly import post_weekly_summaries
from crm.models import Interaction
from tests.factories import make_influencer, make_relationship, make_user
from tests.scheduler.validation import assert_valid_message

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)


def seed_activity(engine, team: str = "T0001") -> None:
    """Two emails last week and one the week before: +1 week over week."""
    with transaction(engine) as db:
        user = make_user(db, team_id=team, display_name="Alice")
        inf = make_influencer(db, team_id=team, name="Maya Lopez", handle="maya")
        make_relationship(db, user=user, influencer=inf, relationship_strength=80, status="warm")
        for days in (2, 3, 9):
            db.add(
                Interaction(
                    user_id=user.id,
                    influencer_id=inf.id,
                    type="email",
                    interaction_date=MONDAY_9 - timedelta(days=days),
                )
            )


def test_posted_at_monday_nine_berlin_once_with_week_over_week_change(make_ctx, fake_slack, clean_tables):
    seed_activity(clean_tables)
    ctx = make_ctx()
    # A minute before, the newest slot is the previous Monday's: a first start posts that one (catch-up).
    assert post_weekly_summaries(ctx, now=MONDAY_9 - timedelta(minutes=1)).posted == 1
    fake_slack.reset()
    report = post_weekly_summaries(ctx, now=MONDAY_9)
    assert (report.posted, report.failed) == (1, 0)
    assert post_weekly_summaries(ctx, now=MONDAY_9 + timedelta(hours=1)).posted == 0
    [post] = fake_slack.calls_to("chat.postMessage")
    assert_valid_message(post.params)
    assert "Mon 23 Nov 2026 – Sun 29 Nov 2026" in post.blocks[0]["text"]["text"]
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in post.blocks[2]["fields"]}
    assert fields["*Interactions*"] == "2 (▲ 1)" and fields["*Active users*"] == "1 (±0)"
    body = str(post.blocks)
    assert "Maya Lopez" in body and "strength 80" in body
    assert post.text.startswith("Weekly CRM summary Mon 23 Nov 2026 – Sun 29 Nov 2026: 2 interactions (▲ 1)")


def test_catch_up_after_weeks_down_posts_once(make_ctx, fake_slack, clean_tables):
    seed_activity(clean_tables)
    ctx = make_ctx()
    back = MONDAY_9 + timedelta(weeks=3, days=2, hours=5)  # the bot was down since before MONDAY_9
    assert post_weekly_summaries(ctx, now=back).posted == 1
    for hours in range(1, 4):  # the hourly catch-up check
        assert post_weekly_summaries(ctx, now=back + timedelta(hours=hours)).posted == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert "Mon 14 Dec 2026 – Sun 20 Dec 2026" in fake_slack.last("chat.postMessage").text


def test_failure_is_retried_later_and_no_channel_means_nothing(make_ctx, settings, fake_slack, clean_tables):
    seed_activity(clean_tables)
    assert "CRM_ADMIN_CHANNEL" in str(
        post_weekly_summaries(make_ctx(settings=replace(settings, admin_channel=None)), now=MONDAY_9)
    )
    fake_slack.fail("chat.postMessage", error="not_in_channel")
    ctx = make_ctx()
    assert post_weekly_summaries(ctx, now=MONDAY_9).failed == 1
    assert post_weekly_summaries(ctx, now=MONDAY_9 + timedelta(minutes=1)).posted == 1
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [200, 200]
    assert fake_slack.calls_to("chat.postMessage")[0].response["ok"] is False
