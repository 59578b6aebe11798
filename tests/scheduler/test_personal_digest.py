"""The personal weekly digest through the job and the fake Web API: opted-in users only, Monday
09:00 in their own zone, once per user per week across runs, retries and lost answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bot.db import transaction
from bot.jobs.digest import send_personal_digests
from crm.models import Delivery, Interaction, User
from crm.personal_digest import set_weekly_digest
from tests.factories import make_influencer, make_relationship, make_user
from tests.scheduler.helpers import dm_channel
from tests.scheduler.validation import assert_valid_message

NEW_YORK = ZoneInfo("America/New_York")
MONDAY_9_NY = datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK)  # 14:00 UTC
LONG_AGO = MONDAY_9_NY - timedelta(weeks=30)


def seed_user(engine, *, tz: str = "America/New_York", opted_in: datetime | None = LONG_AGO, **kw) -> User:
    """A user with a relationship going cold, an overdue follow-up, one due in 3 days, one partnered
    this week and two interactions logged this week."""
    with transaction(engine) as db:
        user = make_user(db, timezone=tz, **kw)
        user.weekly_digest_since = opted_in
        cold = make_relationship(
            db,
            user=user,
            influencer=make_influencer(db, name="Cara Silent"),
            status="warm",
            last_contacted_at=MONDAY_9_NY - timedelta(days=60),
            created_at=LONG_AGO,
        )
        make_relationship(
            db,
            user=user,
            influencer=make_influencer(db, name="Ana Overdue"),
            follow_up_date=MONDAY_9_NY - timedelta(days=2),
            created_at=LONG_AGO,
        )
        make_relationship(
            db,
            user=user,
            influencer=make_influencer(db, name="Ben Soon"),
            follow_up_date=MONDAY_9_NY + timedelta(days=3),
            created_at=LONG_AGO,
        )
        maya = make_relationship(
            db,
            user=user,
            influencer=make_influencer(db, name="Maya Lopez"),
            created_at=LONG_AGO,
        )
        maya.status = "partnered"
        db.flush()
        db.execute(
            text(
                "UPDATE user_influencers SET status_changed_at = :at, last_contacted_at = :at WHERE id = :id"
            ),
            {"at": MONDAY_9_NY - timedelta(days=2), "id": maya.id},
        )
        for days in (1, 2):
            db.add(
                Interaction(
                    user_id=user.id,
                    influencer_id=maya.influencer_id,
                    type="email",
                    interaction_date=MONDAY_9_NY - timedelta(days=days),
                )
            )
        assert cold.id
        return user


def opt_in_at(engine, user: User, at: datetime) -> None:
    """Move the user's opt-in to `at` (set_weekly_digest stamps the current time)."""
    with transaction(engine) as db:
        db.execute(
            text("UPDATE users SET weekly_digest_since = :at WHERE id = :id"), {"at": at, "id": user.id}
        )


def posts_to(fake, user: User) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == dm_channel(user)]


def test_the_digest_says_pipeline_going_cold_and_due_once_a_week(make_ctx, fake_slack, clean_tables):
    user = seed_user(clean_tables)
    ctx = make_ctx()
    assert send_personal_digests(ctx, now=MONDAY_9_NY - timedelta(minutes=1)).sent == 1  # last week's
    fake_slack.reset()
    report = send_personal_digests(ctx, now=MONDAY_9_NY)
    assert (report.sent, report.failed) == (1, 0)
    [post] = posts_to(fake_slack, user)
    assert_valid_message(post.params)
    body = str(post.blocks)
    assert "saved 2 · contacted 0 · warm 1 · cold 0 · partnered 1" in body
    assert "2 interactions logged" in body and "moved 1 to partnered" in body
    assert "*Going cold* (1)" in body and "Cara Silent" in body and "no contact for 60 days" in body
    assert "going-cold-log-contact" in body  # the same buttons as the morning DM
    assert "*Due* (2 this week, 1 overdue)" in body
    assert body.index("Ana Overdue") < body.index("Ben Soon")
    assert post.text.startswith("Your week in the CRM: 2 interactions logged, 1 relationship going cold")
    for hours in (1, 2, 30):  # the hourly runs of the week
        assert send_personal_digests(ctx, now=MONDAY_9_NY + timedelta(hours=hours)).sent == 0
    assert send_personal_digests(ctx, now=MONDAY_9_NY + timedelta(weeks=1)).sent == 1
    assert len(posts_to(fake_slack, user)) == 2


def test_only_opted_in_users_at_their_own_monday_nine(make_ctx, fake_slack, clean_tables):
    new_york = seed_user(clean_tables)
    los_angeles = seed_user(clean_tables, tz="America/Los_Angeles")  # 06:00 there
    seed_user(clean_tables, opted_in=None)
    late = seed_user(clean_tables, opted_in=MONDAY_9_NY + timedelta(minutes=30))  # after this week's 09:00
    ctx = make_ctx()
    at = MONDAY_9_NY + timedelta(hours=1)
    # Every opted-in user got last week's digest in an earlier run; this one is about this week's.
    opt_in_at(clean_tables, late, LONG_AGO)
    assert send_personal_digests(ctx, now=at - timedelta(days=7) + timedelta(hours=4)).sent == 3
    opt_in_at(clean_tables, late, at)
    fake_slack.reset()
    assert send_personal_digests(ctx, now=at).sent == 1
    assert [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")] == [dm_channel(new_york)]
    assert send_personal_digests(ctx, now=at + timedelta(hours=3)).sent == 1  # 09:00 in Los Angeles
    assert fake_slack.last("chat.postMessage").params["channel"] == dm_channel(los_angeles)


def test_opting_out_cancels_a_digest_still_waiting_to_be_retried(make_ctx, fake_slack, clean_tables):
    user = seed_user(clean_tables)
    fake_slack.fail("chat.postMessage", error="not_authed")
    ctx = make_ctx()
    assert send_personal_digests(ctx, now=MONDAY_9_NY).failed == 1
    with transaction(clean_tables) as db:
        set_weekly_digest(db, actor=db.get(User, user.id), on=False)
    assert send_personal_digests(ctx, now=MONDAY_9_NY + timedelta(hours=1)).sent == 0
    with transaction(clean_tables) as db:
        [row] = db.scalars(select(Delivery).where(Delivery.kind == "personal_digest")).all()
        assert row.status == "cancelled"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # the refused one only


def test_a_digest_whose_answer_was_lost_is_found_not_sent_again(make_ctx, fake_slack, clean_tables):
    user = seed_user(clean_tables)
    fake_slack.clock = MONDAY_9_NY.timestamp
    fake_slack.answer_late("chat.postMessage", after=10)
    first = send_personal_digests(make_ctx(timeout=1), now=MONDAY_9_NY)
    assert (first.sent, first.unknown) == (0, 1)
    second = send_personal_digests(make_ctx(), now=MONDAY_9_NY + timedelta(minutes=5))
    assert (second.sent, second.found_posted) == (0, 1)
    assert len(fake_slack.messages_in(dm_channel(user))) == 1


def test_a_user_with_nothing_gets_no_dm_and_the_week_is_done(make_ctx, fake_slack, clean_tables):
    with transaction(clean_tables) as db:
        make_user(db, timezone="UTC", weekly_digest_since=LONG_AGO)
    ctx = make_ctx()
    report = send_personal_digests(ctx, now=datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    assert (report.sent, report.empty) == (0, 1)
    assert not fake_slack.calls_to("chat.postMessage")
    assert send_personal_digests(ctx, now=datetime(2026, 11, 30, 10, 30, tzinfo=UTC)).empty == 0
