"""The reminder DM lists all open due follow-ups, but only newly due ones trigger it and are recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.jobs.reminders import send_reminders
from crm.models import Delivery
from handlers.blocks.digests import NEW_MARK
from tests.scheduler.helpers import add_follow_ups, deliveries, dm_channel, seed_user
from tests.scheduler.validation import assert_valid_message

YESTERDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TODAY = YESTERDAY + timedelta(days=1)


def rows(engine) -> dict[str, dict]:
    """Every delivery row, all columns, by dedupe key: to show that listing an item changed nothing."""
    return {
        d.dedupe_key: {c.name: getattr(d, c.name) for c in Delivery.__table__.columns}
        for d in deliveries(engine)
    }


def item_texts(call) -> list[str]:
    return [b["text"]["text"] for b in call.blocks if b.get("block_id", "").startswith("followup-item:")]


def test_reminded_yesterday_for_x_then_y_due_today_gives_one_dm_with_y_new_and_x_listed(
    make_ctx, fake_slack, clean_tables
):
    user = seed_user(clean_tables, tz="UTC", due=[YESTERDAY, TODAY], names=["Xena", "Yuri"])
    ctx = make_ctx()
    first = send_reminders(ctx, now=YESTERDAY)
    assert (first.dms_sent, first.follow_ups, first.listed_again) == (1, 1, 0)
    (xena_first,) = item_texts(fake_slack.last("chat.postMessage"))
    assert xena_first.startswith(f"{NEW_MARK} *Xena*")
    after_first = rows(clean_tables)

    # X alone, reminded and still open, never triggers another DM.
    for later in (timedelta(minutes=1), timedelta(hours=8), timedelta(days=1, seconds=-1)):
        assert send_reminders(ctx, now=YESTERDAY + later).dms_sent == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1

    second = send_reminders(ctx, now=TODAY)
    assert (second.dms_sent, second.follow_ups, second.listed_again) == (1, 1, 1)
    assert str(second) == "reminders: 1 DMs sent, 1 follow-ups, 0 failed, 1 older ones listed again"
    post = fake_slack.last("chat.postMessage")
    assert post.params["channel"] == dm_channel(user)
    assert_valid_message(post.params)
    yuri, xena = item_texts(post)
    assert yuri.startswith(f"{NEW_MARK} *Yuri*") and "due today at 09:00" in yuri
    assert xena.startswith("*Xena*") and "overdue since Mon 30 Nov 2026 09:00" in xena
    headings = [b["elements"][0]["text"] for b in post.blocks if b["type"] == "context"]
    assert headings == ["*Still open from earlier*, oldest first"]
    assert len([b for b in post.blocks if b["type"] == "actions"]) == 2  # Done / Snooze / Log on both
    assert post.text == "You have 1 follow-up due: Yuri · 1 older follow-up still open"

    # Y got its delivery; X's row is exactly as the first DM left it, and no row was added for it.
    after_second = rows(clean_tables)
    assert len(after_second) == 2
    (x_key,) = after_first
    assert after_second[x_key] == after_first[x_key]
    (y_key,) = set(after_second) - {x_key}
    assert after_second[y_key]["status"] == "sent" and after_second[y_key]["slack_ts"] == post.response["ts"]

    # Both reminded and open: nothing more, ever, until one gets a new due time.
    for later in (timedelta(minutes=1), timedelta(days=3)):
        assert send_reminders(ctx, now=TODAY + later).dms_sent == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert rows(clean_tables) == after_second


def test_an_item_backing_off_goes_out_as_new_with_the_next_new_one_not_as_listed(
    make_ctx, fake_slack, clean_tables
):
    """A failed item is not 'reminded before': the next DM to that user delivers it too, once."""
    nine = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    seed_user(clean_tables, tz="UTC", due=[nine, nine + timedelta(seconds=30)], names=["Ana", "Ben"])
    fake_slack.fail("chat.postMessage", status=500)
    ctx = make_ctx()
    assert send_reminders(ctx, now=nine).failed == 1  # Ana backs off until 09:01
    report = send_reminders(ctx, now=nine + timedelta(seconds=30))  # Ben falls due before that
    assert (report.dms_sent, report.follow_ups, report.listed_again) == (1, 2, 0)
    texts = item_texts(fake_slack.last("chat.postMessage"))
    assert [t.split("*")[1] for t in texts] == ["Ana", "Ben"]
    assert all(t.startswith(NEW_MARK) for t in texts)
    assert {d.status for d in deliveries(clean_tables)} == {"sent"}
    assert send_reminders(ctx, now=nine + timedelta(minutes=2)).dms_sent == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # the failed attempt and the one DM


def test_a_full_dm_lists_new_ones_first_and_counts_the_rest(make_ctx, fake_slack, clean_tables):
    old = [YESTERDAY - timedelta(hours=k) for k in range(30)]
    new = [TODAY - timedelta(minutes=k) for k in range(5)]
    busy = seed_user(clean_tables, tz="UTC", due=old)
    seed_user(clean_tables, tz="UTC", due=old[:3])  # a user with only older open follow-ups
    ctx = make_ctx()
    assert send_reminders(ctx, now=YESTERDAY).follow_ups == 33
    add_follow_ups(clean_tables, busy, new)
    before = rows(clean_tables)
    report = send_reminders(ctx, now=TODAY)
    assert (report.dms_sent, report.follow_ups, report.listed_again) == (1, 5, 30)
    post = fake_slack.last("chat.postMessage")
    assert post.params["channel"] == dm_channel(busy)  # the one DM: the other user has nothing new
    assert_valid_message(post.params)
    texts = item_texts(post)
    assert [t.startswith(NEW_MARK) for t in texts] == [True] * 5 + [False] * (len(texts) - 5)
    assert "overdue since Sun 29 Nov 2026 04:00" in texts[5]  # the oldest of the old ones first
    more = [b["elements"][0]["text"] for b in post.blocks if b["type"] == "context"][-1]
    assert more == f"…and {35 - len(texts)} more — `/crm due`"
    after = rows(clean_tables)
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(before) + 5
