"""The weekly summary through the job and the fake Web API: what to act on per owner, the newly
partnered, open campaigns, and the chart uploaded once into the post's thread (or not, without
holding the summary back)."""

from __future__ import annotations

import io
import logging
import struct
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from matplotlib.image import imread
from sqlalchemy import text

from bot.db import transaction
from bot.jobs.weekly import post_weekly_summaries
from crm.charts import CHART_HEIGHT, CHART_WIDTH
from crm.models import Assignment, Campaign
from tests.factories import make_influencer, make_relationship, make_user
from tests.scheduler.conftest import ADMIN_CHANNEL
from tests.scheduler.validation import assert_valid_message

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)
LONG_AGO = MONDAY_9 - timedelta(weeks=20)
UPLOAD_CALLS = ["files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"]


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, after checking the signature and chunk name."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def seed_workspace(engine) -> dict[str, str]:
    """Alice: two overdue follow-ups and a warm relationship silent for 60 days (going cold by the
    default 30-day cadence). Bob: a creator partnered last Wednesday. One open campaign with a
    planned and an active assignment, and a completed one (not listed)."""
    with transaction(engine) as db:
        alice = make_user(db, slack_user_id="U0ALICE01", display_name="Alice")
        bob = make_user(db, slack_user_id="U0BOB0001", display_name="Bob")
        for name in ("Ana Overdue", "Ben Overdue"):
            make_relationship(
                db,
                user=alice,
                influencer=make_influencer(db, name=name),
                follow_up_date=MONDAY_9 - timedelta(days=3),
                created_at=LONG_AGO,
            )
        silent = make_influencer(db, name="Cara Silent")
        make_relationship(
            db,
            user=alice,
            influencer=silent,
            status="warm",
            last_contacted_at=MONDAY_9 - timedelta(days=60),
            created_at=LONG_AGO,
        )
        maya = make_influencer(db, name="Maya Lopez", handle="maya")
        rel = make_relationship(db, user=bob, influencer=maya, status="saved", created_at=LONG_AGO)
        rel.status = "partnered"
        db.flush()
        db.execute(
            text(
                "UPDATE user_influencers SET status_changed_at = :at, last_contacted_at = :at WHERE id = :id"
            ),
            {"at": MONDAY_9 - timedelta(days=5), "id": rel.id},
        )
        spring = Campaign(
            team_id="T0001",
            user_id=alice.id,
            name="Spring <!channel> launch",
            landing_url="https://x.example",
        )
        done = Campaign(
            team_id="T0001",
            user_id=alice.id,
            name="Old one",
            landing_url="https://x.example",
            status="completed",
        )
        db.add_all([spring, done])
        db.flush()
        db.add(Assignment(campaign_id=spring.id, influencer_id=maya.id, user_id=bob.id, status="active"))
        db.add(Assignment(campaign_id=spring.id, influencer_id=silent.id, user_id=alice.id, status="planned"))
        db.add(Assignment(campaign_id=done.id, influencer_id=silent.id, user_id=alice.id, status="completed"))
    return {"alice": "U0ALICE01", "bob": "U0BOB0001"}


def section_texts(blocks: list[dict]) -> dict[str, str]:
    """{section title: its body} for the summary's titled sections."""
    out = {}
    for b in blocks:
        if b["type"] == "section" and "text" in b:
            title, _, body = b["text"]["text"].partition("\n")
            out[title.strip("*")] = body
    return out


def test_summary_names_owners_partnered_and_campaigns_and_the_chart_is_in_its_thread(
    make_ctx, fake_slack, clean_tables
):
    seed_workspace(clean_tables)
    report = post_weekly_summaries(make_ctx(), now=MONDAY_9)
    assert (report.posted, report.charts, report.charts_failed) == (1, 1, 0)
    [post] = fake_slack.calls_to("chat.postMessage")
    assert_valid_message(post.params)
    sections = section_texts(post.blocks)
    owners = sections["Needs attention, per owner"].split("\n")
    assert owners == ["• <@U0ALICE01> — 2 overdue follow-ups · 1 going cold"]
    partnered = sections["Moved to partnered this week"]
    assert "*Maya Lopez* (@maya · Instagram) — Bob, Wed 25 Nov 2026" in partnered
    campaigns = sections["Open campaigns — assignments by status"].split("\n")
    assert campaigns == [
        "• *Spring &lt;!channel&gt; launch* (active): planned 1 · active 1 · completed 0 · cancelled 0"
    ]
    body = str(post.blocks) + post.text
    assert "<!channel>" not in body and "<!here>" not in body and "<!everyone>" not in body
    assert "1 owner with follow-ups overdue or relationships going cold" in post.text

    # The chart: files upload v2, into the summary's thread, with alt text, a real PNG of the set size.
    methods = [m for m in fake_slack.methods() if m in UPLOAD_CALLS or m == "chat.postMessage"]
    assert methods == ["chat.postMessage", *UPLOAD_CALLS]
    url_call = fake_slack.last("files.getUploadURLExternal")
    assert "Pipeline by status" in url_call.params["alt_txt"]
    assert url_call.params["filename"].endswith(".png")
    complete = fake_slack.last("files.completeUploadExternal")
    assert (complete.params["channel_id"], complete.params["thread_ts"]) == (
        ADMIN_CHANNEL,
        post.response["ts"],
    )
    [png] = fake_slack.uploads.values()
    assert png_size(png) == (CHART_WIDTH, CHART_HEIGHT)
    assert imread(io.BytesIO(png), format="png").shape[:2] == (CHART_HEIGHT, CHART_WIDTH)
    assert int(url_call.params["length"]) == len(png)

    # The hourly catch-up finds the week's summary posted: nothing more is posted or uploaded.
    again = post_weekly_summaries(make_ctx(), now=MONDAY_9 + timedelta(hours=1))
    assert (again.posted, again.charts) == (0, 0)
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1


def test_a_chart_that_cannot_be_drawn_leaves_the_summary_posted_and_logged(
    make_ctx, fake_slack, clean_tables, monkeypatch, caplog
):
    seed_workspace(clean_tables)

    def broken(trends, *, title):
        raise RuntimeError("renderer " + "exploded")  # the message is built, so no source line holds it

    monkeypatch.setattr("handlers.runtime.chart_upload.weekly_chart_png", broken)
    with caplog.at_level(logging.ERROR, logger="handlers.runtime.errors"):
        report = post_weekly_summaries(make_ctx(), now=MONDAY_9)
    assert (report.posted, report.failed, report.charts, report.charts_failed) == (1, 0, 0, 1)
    assert "1 failed" in str(report)
    assert len(fake_slack.messages_in(ADMIN_CHANNEL)) == 1
    assert not [m for m in fake_slack.methods() if m in UPLOAD_CALLS]
    [record] = [r for r in caplog.records if "drawing the weekly chart" in r.getMessage()]
    logged = record.getMessage()
    assert "RuntimeError" in logged and "in broken" in logged  # the type and the frames
    assert "renderer exploded" not in logged  # never the message (it may quote user data)


def test_an_upload_slack_refuses_leaves_the_summary_and_is_not_retried_with_it(
    make_ctx, fake_slack, clean_tables, caplog
):
    seed_workspace(clean_tables)
    fake_slack.fail("files.completeUploadExternal", error="not_in_channel")
    with caplog.at_level(logging.WARNING, logger="handlers.runtime.chart_upload"):
        report = post_weekly_summaries(make_ctx(), now=MONDAY_9)
    assert (report.posted, report.charts_failed) == (1, 1)
    assert any("not_in_channel" in r.getMessage() for r in caplog.records)
    # The summary is recorded as posted, so a later run neither re-posts it nor uploads again.
    later = post_weekly_summaries(make_ctx(), now=MONDAY_9 + timedelta(hours=1))
    assert (later.posted, later.charts, later.charts_failed) == (0, 0, 0)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1


def test_a_summary_found_posted_after_a_lost_answer_gets_its_chart_once(make_ctx, fake_slack, clean_tables):
    seed_workspace(clean_tables)
    fake_slack.clock = MONDAY_9.timestamp
    fake_slack.answer_late("chat.postMessage", after=10)  # Slack posts; the answer comes too late
    first = post_weekly_summaries(make_ctx(timeout=1), now=MONDAY_9)
    assert (first.posted, first.unknown, first.charts) == (0, 1, 0)
    assert not fake_slack.calls_to("files.completeUploadExternal")
    ctx = make_ctx()
    second = post_weekly_summaries(ctx, now=MONDAY_9 + timedelta(minutes=2))
    assert (second.posted, second.found_posted, second.charts) == (0, 1, 1)
    [summary] = fake_slack.messages_in(ADMIN_CHANNEL)
    complete = fake_slack.last("files.completeUploadExternal")
    assert (complete.params["channel_id"], complete.params["thread_ts"]) == (ADMIN_CHANNEL, summary["ts"])
    third = post_weekly_summaries(ctx, now=MONDAY_9 + timedelta(minutes=4))
    assert (third.found_posted, third.charts) == (0, 0)
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1


def test_chart_figures_that_cannot_be_read_leave_the_summary_posted(
    make_ctx, fake_slack, clean_tables, monkeypatch
):
    seed_workspace(clean_tables)

    def failing(db, *, team_id, end):
        raise RuntimeError("the trends query failed")

    monkeypatch.setattr("bot.jobs.weekly.weekly_trends", failing)
    report = post_weekly_summaries(make_ctx(), now=MONDAY_9)
    assert (report.posted, report.failed, report.charts_failed) == (1, 0, 1)
    assert len(fake_slack.messages_in(ADMIN_CHANNEL)) == 1
    assert not [m for m in fake_slack.methods() if m in UPLOAD_CALLS]
