"""`/crm admin summary` end to end: the weekly summary of the last 7 days goes to the admin's DM,
its chart into that message's thread (files upload v2), and the reply says so; others get nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from matplotlib.image import imread

from crm.charts import CHART_HEIGHT, CHART_WIDTH
from handlers.commands.admin_summary import SENT, SENT_WITHOUT_CHART
from tests.handlers.conftest import USER_ID
from tests.scheduler.test_weekly_summary_chart import UPLOAD_CALLS, png_size

ADMIN = "UADMIN0001"  # in CRM_ADMIN_USER_IDS for the test app


def test_the_summary_and_its_chart_go_to_the_admins_dm_and_the_reply_says_so(run, crm):
    crm.user(ADMIN, display_name="Admin")
    crm.relationship("ana", name="Ana", follow_up_date=datetime.now(UTC) - timedelta(days=2))
    sent = run.command("admin summary", user_id=ADMIN)

    [post] = sent.to("chat.postMessage")
    assert post.params["channel"] == ADMIN
    dm, ts = post.response["channel"], post.response["ts"]
    assert dm.startswith("D")
    assert f"<@{USER_ID}> — 1 overdue follow-up" in str(post.blocks)
    assert post.text.startswith("Weekly CRM summary ")
    methods = [c.method for c in sent.calls if c.method in (*UPLOAD_CALLS, "chat.postMessage")]
    assert methods == ["chat.postMessage", *UPLOAD_CALLS]
    complete = run.fake.last("files.completeUploadExternal")
    assert (complete.params["channel_id"], complete.params["thread_ts"]) == (dm, ts)
    assert run.fake.last("files.getUploadURLExternal").params["alt_txt"].startswith("Bar charts of 8 weeks")
    [png] = run.fake.uploads.values()
    assert png_size(png) == (CHART_WIDTH, CHART_HEIGHT)
    assert imread(io.BytesIO(png), format="png").shape[:2] == (CHART_HEIGHT, CHART_WIDTH)
    assert sent.reply.params["text"] == SENT


def test_someone_who_is_not_an_admin_gets_the_refusal_and_nothing_is_sent(run, crm):
    crm.relationship("ana", name="Ana")
    sent = run.command("admin summary")  # USER_ID: not in CRM_ADMIN_USER_IDS, not a Slack admin
    assert "admin" in sent.reply.params["text"].lower()
    assert not sent.to("chat.postMessage") and not [c for c in sent.calls if c.method in UPLOAD_CALLS]


def test_words_after_summary_get_its_usage(run, crm):
    crm.user(ADMIN)
    sent = run.command("admin summary 7", user_id=ADMIN)
    assert "takes nothing after it" in sent.text and "/crm admin summary" in sent.text
    assert not sent.to("chat.postMessage")


def test_a_chart_that_cannot_be_drawn_still_sends_the_summary_and_says_so(run, crm, monkeypatch):
    crm.user(ADMIN)

    def broken(trends, *, title):
        raise ValueError("no chart today")

    monkeypatch.setattr("handlers.runtime.chart_upload.weekly_chart_png", broken)
    sent = run.command("admin summary", user_id=ADMIN)
    assert len(sent.to("chat.postMessage")) == 1
    assert not [c for c in sent.calls if c.method in UPLOAD_CALLS]
    assert sent.reply.params["text"] == SENT_WITHOUT_CHART


def test_a_dm_slack_refuses_is_answered_with_an_error_not_silence(run, crm):
    crm.user(ADMIN)
    run.fake.fail("chat.postMessage", error="channel_not_found")
    sent = run.command("admin summary", user_id=ADMIN)
    assert "could not be sent to your DM" in sent.reply.params["text"]
    assert not [c for c in sent.calls if c.method in UPLOAD_CALLS]


def test_a_word_after_admin_that_is_none_of_its_own_is_named_with_what_may_follow(run, crm):
    text = run.command("admin sumary", user_id=ADMIN).reply.params["text"]
    assert "“sumary” is not a number of days. Did you mean “summary”?" in text
    assert "After `admin` comes a number of days (1 to 366), `summary` or `cadence`." in text
    assert "Usage: `/crm admin [days] | admin summary | admin cadence`" in text
    assert "Did you mean" not in run.command("admin channel", user_id=ADMIN).reply.params["text"]
    helped = run.command("admin help", user_id=ADMIN).reply.params["text"]
    assert helped.startswith("Usage: `/crm admin [days] | admin summary | admin cadence`")
    assert (
        "The period is a number of days from 1 to 366."
        in run.command("admin 0", user_id=ADMIN).reply.params["text"]
    )
    assert not run.fake.calls_to("chat.postMessage")
