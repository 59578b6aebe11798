"""The weekly summary's top creators by clicks: shown with short links on, last week's clicks only."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.db import transaction
from bot.jobs.weekly import post_weekly_summaries
from crm import assignments, campaigns
from crm.clicks import Click, record_clicks
from tests.factories import make_influencer, make_user
from tests.scheduler.test_weekly_job import MONDAY_9
from tests.scheduler.validation import assert_valid_message


def seed_clicks(engine) -> None:
    """Maya: 3 clicks last week (and 4 the week before); Ben: 1 last week."""
    with transaction(engine) as db:
        user = make_user(db, team_id="T0001", display_name="Alice")
        spring = campaigns.create_campaign(db, actor=user, name="Spring", landing_url="https://x.example.com")
        for handle, name, days_ago in (
            ("maya", "Maya <!here>", (1, 2, 3, 8, 9, 10, 11)),
            ("ben", "Ben", (4,)),
        ):
            creator = make_influencer(db, team_id="T0001", handle=handle, name=name)
            assignment, _ = assignments.assign_influencer(
                db, actor=user, campaign_id=spring.id, influencer_id=creator.id
            )
            record_clicks(
                db, [Click(assignment.id, MONDAY_9 - timedelta(days=d), "mobile") for d in days_ago]
            )


def test_top_creators_by_clicks_of_last_week(make_ctx, settings, fake_slack, clean_tables):
    seed_clicks(clean_tables)
    ctx = make_ctx(settings=replace(settings, public_url="https://crm.example.com"))
    assert post_weekly_summaries(ctx, now=MONDAY_9).posted == 1
    [post] = fake_slack.calls_to("chat.postMessage")
    assert_valid_message(post.params)
    (section,) = [b for b in post.blocks if "Top creators by clicks" in b.get("text", {}).get("text", "")]
    text = section["text"]["text"]
    assert text.startswith("*Top creators by clicks (4 clicks on short links)*")
    assert "• *Maya &lt;!here&gt;* (@maya · Instagram): 3\n• *Ben* (@ben · Instagram): 1" in text


def test_no_clicks_section_without_short_links(make_ctx, fake_slack, clean_tables):
    seed_clicks(clean_tables)
    assert post_weekly_summaries(make_ctx(), now=MONDAY_9).posted == 1
    [post] = fake_slack.calls_to("chat.postMessage")
    assert "Top creators by clicks" not in str(post.blocks)
