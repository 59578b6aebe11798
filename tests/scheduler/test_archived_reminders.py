"""No reminder DM for a follow-up whose relationship was removed (archived) from the user's list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import transaction
from bot.jobs.reminders import send_reminders
from crm import archive
from crm.models import Relationship
from tests.scheduler.helpers import deliveries, dm_channels, seed_user

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _archive(engine, user, handle_index: int = 0) -> None:
    with transaction(engine) as db:
        rels = sorted(
            db.query(Relationship).filter(Relationship.user_id == user.id), key=lambda r: r.follow_up_date
        )
        archive.archive_relationship(db, actor=user, influencer_id=rels[handle_index].influencer_id, now=NOW)


def test_an_archived_relationships_follow_up_is_never_reminded(make_ctx, fake_slack, clean_tables):
    alice = seed_user(clean_tables, tz="UTC", due=[NOW - timedelta(hours=1)], names=["Maya Lopez"])
    _archive(clean_tables, alice)
    report = send_reminders(make_ctx(), now=NOW)
    assert report.dms_sent == 0
    assert dm_channels(fake_slack) == []
    assert deliveries(clean_tables) == []


def test_a_pending_reminder_is_cancelled_and_the_rest_still_go_out(make_ctx, fake_slack, clean_tables):
    bob = seed_user(
        clean_tables,
        tz="UTC",
        due=[NOW - timedelta(hours=2), NOW - timedelta(hours=1)],
        names=["Gone", "Kept"],
    )
    ctx = make_ctx()
    send_reminders(ctx, now=NOW - timedelta(minutes=90))  # "Gone" is reminded once, before removal
    _archive(clean_tables, bob)  # "Gone"
    fake_slack.calls.clear()
    report = send_reminders(ctx, now=NOW)
    assert report.dms_sent == 1
    (dm,) = fake_slack.calls_to("chat.postMessage")
    said = repr(dm.blocks) + dm.params.get("text", "")
    assert "Kept" in said and "Gone" not in said  # not even among the older open follow-ups
