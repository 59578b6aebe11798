"""The morning going-cold section end to end: the going-cold job records it, the reminders job sends
it through the fake Web API, once per user per day, within Slack's limits, never twice a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from bot.db import transaction
from bot.jobs.reminders import enqueue_going_cold, send_reminders
from crm.models import Relationship
from crm.reminders.going_cold import COLD_ITEMS, nagged_count
from handlers.blocks.text import MESSAGE_BLOCKS
from tests.factories import make_influencer, make_relationship, make_user
from tests.scheduler.helpers import deliveries, dm_channel, dm_channels
from tests.scheduler.validation import assert_valid_message

MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def seed_cold(engine, *, n: int, tz: str = "UTC", follow_up: datetime | None = None, names=None):
    """A user with `n` warm relationships last contacted 40 days before MORNING (past the default)."""
    with transaction(engine) as db:
        user = make_user(db, timezone=tz)
        for k in range(n):
            name = names[k] if names else f"Cold {k}"
            make_relationship(
                db,
                user=user,
                influencer=make_influencer(db, name=name),
                status="warm",
                last_contacted_at=MORNING - 40 * DAY,
            )
        if follow_up is not None:
            make_relationship(
                db, user=user, influencer=make_influencer(db, name="Due Dana"), follow_up_date=follow_up
            )
        return user


def bulk_cold(engine, user, n: int) -> None:
    """`n` more warm relationships going cold for `user`, inserted in two statements."""
    with engine.begin() as conn:
        conn.execute(
            text(
                """
                WITH inf AS (
                    INSERT INTO influencers (team_id, name, handle, platform)
                    SELECT :team, 'Bulk ' || g, 'bulk' || g, 'instagram' FROM generate_series(1, :n) g
                    RETURNING id
                )
                INSERT INTO user_influencers (user_id, influencer_id, status, last_contacted_at)
                SELECT :user, inf.id, 'warm', :contact FROM inf
                """
            ),
            {"team": user.team_id, "n": n, "user": user.id, "contact": MORNING - 60 * DAY},
        )


def posted(fake):
    return fake.calls_to("chat.postMessage")


def test_the_morning_section_goes_out_once_a_day_from_nine_local(make_ctx, fake_slack, clean_tables):
    user = seed_cold(clean_tables, n=3, names=["Ana", "Ben", "Cy"])
    ctx = make_ctx()
    assert (
        enqueue_going_cold(ctx, now=MORNING - timedelta(minutes=1))
        == "going cold: 0 users' sections recorded"
    )
    assert send_reminders(ctx, now=MORNING - timedelta(minutes=1)).dms_sent == 0
    assert enqueue_going_cold(ctx, now=MORNING) == "going cold: 1 users' sections recorded"
    assert enqueue_going_cold(ctx, now=MORNING) == "going cold: 0 users' sections recorded"  # once a day
    report = send_reminders(ctx, now=MORNING)
    assert (report.dms_sent, report.going_cold, report.cancelled) == (1, 3, 0)
    (dm,) = posted(fake_slack)
    assert dm.params["channel"] == dm_channel(user)
    assert_valid_message(dm.params)
    assert dm.params["text"] == "3 relationships going cold: Ana, Ben, Cy"
    actions = [b for b in dm.blocks if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions[0]["elements"]] == [
        "Log contact",
        "Snooze a week",
        "Mark cold",
    ]
    assert len(actions) == 3
    assert "no contact for 40 days (cadence: every month)" in str(dm.blocks)
    assert [d.status for d in deliveries(clean_tables)] == ["sent"]
    with transaction(clean_tables) as db:
        assert nagged_count(db, day=date(2026, 12, 1)) == 3
    # Later the same day: nothing new is recorded or sent.
    enqueue_going_cold(ctx, now=MORNING + timedelta(hours=5))
    assert send_reminders(ctx, now=MORNING + timedelta(hours=5)).dms_sent == 0
    # The next morning: again.
    enqueue_going_cold(ctx, now=MORNING + DAY)
    assert send_reminders(ctx, now=MORNING + DAY).dms_sent == 1


def test_follow_ups_and_going_cold_share_one_dm_and_a_later_dm_does_not_repeat_them(
    make_ctx, fake_slack, clean_tables
):
    user = seed_cold(clean_tables, n=2, follow_up=MORNING)
    ctx = make_ctx()
    enqueue_going_cold(ctx, now=MORNING)
    report = send_reminders(ctx, now=MORNING)
    assert (report.dms_sent, report.follow_ups, report.going_cold) == (1, 1, 2)
    (dm,) = posted(fake_slack)
    assert dm.blocks[0]["text"]["text"] == "Follow-ups due"
    assert "*Going cold* (2)" in str(dm.blocks)
    assert dm.params["text"].endswith("· 2 relationships going cold")
    # A follow-up falling due in the afternoon is reminded, without the going-cold section again.
    with transaction(clean_tables) as db:
        make_relationship(
            db,
            user=db.get(type(user), user.id),
            influencer=make_influencer(db),
            follow_up_date=MORNING + 6 * timedelta(hours=1),
        )
    assert send_reminders(ctx, now=MORNING + timedelta(hours=6)).dms_sent == 1
    assert "Going cold" not in str(posted(fake_slack)[-1].blocks)


def test_a_section_with_nothing_left_to_say_is_cancelled_not_sent(make_ctx, fake_slack, clean_tables):
    user = seed_cold(clean_tables, n=1)
    ctx = make_ctx()
    enqueue_going_cold(ctx, now=MORNING)
    with transaction(clean_tables) as db:  # contacted in the meantime
        db.execute(
            text("UPDATE user_influencers SET last_contacted_at = :now WHERE user_id = :u"),
            {"now": MORNING, "u": user.id},
        )
    report = send_reminders(ctx, now=MORNING)
    assert (report.dms_sent, report.cancelled) == (0, 1)
    assert [d.status for d in deliveries(clean_tables)] == ["cancelled"]
    assert posted(fake_slack) == []


def test_ten_thousand_going_cold_is_one_dm_per_user_within_the_block_limit(
    make_ctx, fake_slack, clean_tables
):
    big = seed_cold(clean_tables, n=0, follow_up=MORNING - DAY)
    bulk_cold(clean_tables, big, 10_000)
    small = seed_cold(clean_tables, n=2)
    ctx = make_ctx()
    enqueue_going_cold(ctx, now=MORNING)
    report = send_reminders(ctx, now=MORNING)
    assert report.dms_sent == 2
    by_channel = {c.params["channel"]: c for c in posted(fake_slack)}
    assert set(by_channel) == {dm_channel(big), dm_channel(small)}
    dm = by_channel[dm_channel(big)]
    assert_valid_message(dm.params)
    assert len(dm.blocks) <= MESSAGE_BLOCKS
    buttons = [b for b in dm.blocks if b.get("block_id", "").startswith("going-cold-actions:")]
    assert len(buttons) == COLD_ITEMS
    assert f"…and {10_000 - COLD_ITEMS:,} more going cold" in str(dm.blocks)
    assert "Home" in dm.blocks[-1]["elements"][0]["text"]
    with transaction(clean_tables) as db:
        assert nagged_count(db, day=date(2026, 12, 1)) == 10_002
    enqueue_going_cold(ctx, now=MORNING + timedelta(hours=1))
    assert send_reminders(ctx, now=MORNING + timedelta(hours=1)).dms_sent == 0
    assert len(dm_channels(fake_slack)) == 2


def test_snoozed_or_marked_cold_are_not_mentioned(make_ctx, fake_slack, clean_tables):
    user = seed_cold(clean_tables, n=3)
    with transaction(clean_tables) as db:
        rels = db.query(Relationship).filter(Relationship.user_id == user.id).all()
        rels[0].cold_snoozed_until = MORNING + 7 * DAY
        rels[1].status = "cold"
    ctx = make_ctx()
    enqueue_going_cold(ctx, now=MORNING)
    assert send_reminders(ctx, now=MORNING).going_cold == 1


def test_a_follow_up_dm_before_nine_local_leaves_going_cold_for_the_morning_section(
    make_ctx, fake_slack, clean_tables
):
    early = MORNING - timedelta(hours=2)
    seed_cold(clean_tables, n=2, follow_up=early)
    ctx = make_ctx()
    enqueue_going_cold(ctx, now=early)
    report = send_reminders(ctx, now=early)
    assert (report.dms_sent, report.follow_ups, report.going_cold) == (1, 1, 0)
    assert "Going cold" not in str(posted(fake_slack)[-1].blocks)
    enqueue_going_cold(ctx, now=MORNING)
    assert send_reminders(ctx, now=MORNING).going_cold == 2
