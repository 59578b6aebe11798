"""Clicks: recorded in batches, counted per assignment / campaign / creator, rolled up per day."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from crm import assignments, campaigns, clicks, exports
from crm.click_retention import RECENT, retention_cutoff
from crm.clicks import Click, ClickCount
from crm.models import Assignment, LinkClick, LinkClickDay
from tests.factories import make_influencer, make_user

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(db):
    me = make_user(db, team_id="T1")
    spring = campaigns.create_campaign(db, actor=me, name="Spring", landing_url="https://shop.example.com/a")
    fall = campaigns.create_campaign(db, actor=me, name="Fall", landing_url="https://shop.example.com/b")
    maya = make_influencer(db, team_id="T1", handle="maya", name="Maya")
    ben = make_influencer(db, team_id="T1", handle="ben", name="Ben")

    def assign(campaign, influencer) -> Assignment:
        return assignments.assign_influencer(
            db, actor=me, campaign_id=campaign.id, influencer_id=influencer.id
        )[0]

    return {
        "spring_maya": assign(spring, maya),
        "spring_ben": assign(spring, ben),
        "fall_maya": assign(fall, maya),
        "spring": spring,
        "fall": fall,
        "maya": maya,
        "ben": ben,
    }


def _clicks(assignment: Assignment, *ages: timedelta, client: str = "mobile") -> list[Click]:
    return [Click(assignment.id, NOW - age, client, "instagram.com") for age in ages]


def test_record_stores_each_click_with_class_and_referrer_host_only(db, world):
    batch = _clicks(world["spring_maya"], timedelta(hours=1), timedelta(days=2), client="desktop")
    assert clicks.record_clicks(db, batch) == 2
    rows = db.execute(select(LinkClick.client_class, LinkClick.referrer_host, LinkClick.clicked_at)).all()
    assert sorted(rows) == sorted(("desktop", "instagram.com", c.clicked_at) for c in batch)


def test_a_click_of_a_deleted_assignment_does_not_fail_the_batch(db, world):
    gone = world["spring_ben"]
    batch = _clicks(world["spring_maya"], timedelta(hours=1)) + _clicks(gone, timedelta(hours=1))
    db.execute(delete(Assignment).where(Assignment.id == gone.id))
    assert clicks.record_clicks(db, batch) == 1


def test_large_batches_are_split_into_statements(db, world, statements):
    batch = _clicks(world["spring_maya"], *[timedelta(seconds=i) for i in range(clicks.INSERT_BATCH + 1)])
    with statements() as seen:
        assert clicks.record_clicks(db, batch) == clicks.INSERT_BATCH + 1
    assert len(seen) == 2


def test_counts_per_assignment_and_campaign_total_and_last_7_days(db, world):
    clicks.record_clicks(
        db,
        _clicks(world["spring_maya"], timedelta(hours=1), timedelta(days=3), timedelta(days=10))
        + _clicks(world["spring_ben"], timedelta(days=8))
        + _clicks(world["fall_maya"], timedelta(minutes=5)),
    )
    ids = [world[k].id for k in ("spring_maya", "spring_ben", "fall_maya")]
    per_assignment = clicks.counts_by_assignment(db, assignment_ids=ids, now=NOW)
    assert per_assignment == {
        world["spring_maya"].id: ClickCount(3, 2),
        world["spring_ben"].id: ClickCount(1, 0),
        world["fall_maya"].id: ClickCount(1, 1),
    }
    per_campaign = clicks.counts_by_campaign(db, campaign_ids=[world["spring"].id, world["fall"].id], now=NOW)
    assert per_campaign == {world["spring"].id: ClickCount(4, 2), world["fall"].id: ClickCount(1, 1)}
    assert clicks.counts_by_assignment(db, assignment_ids=[], now=NOW) == {}


def test_roll_up_moves_old_raw_clicks_into_daily_counts_and_keeps_every_total(db, world):
    maya = world["spring_maya"]
    old = [timedelta(days=100, hours=h) for h in (1, 2, 30)]  # two on one UTC day, one the day before
    clicks.record_clicks(db, _clicks(maya, timedelta(days=1), *old))
    before = clicks.counts_by_assignment(db, assignment_ids=[maya.id], now=NOW)

    cutoff = retention_cutoff(days=90, now=NOW)
    assert clicks.roll_up_batch(db, cutoff=cutoff, batch=2) == 2  # batches: the caller commits each
    assert clicks.roll_up_batch(db, cutoff=cutoff) == 1
    assert clicks.roll_up_batch(db, cutoff=cutoff) == 0

    assert db.scalar(select(func.count()).select_from(LinkClick)) == 1  # the recent one stays raw
    days = dict(db.execute(select(LinkClickDay.day, LinkClickDay.clicks)).all())
    assert days == {
        (NOW - timedelta(days=100, hours=1)).date(): 2,
        (NOW - timedelta(days=101, hours=6)).date(): 1,
    }
    assert (
        clicks.counts_by_assignment(db, assignment_ids=[maya.id], now=NOW)
        == before
        == {maya.id: ClickCount(4, 1)}
    )


def test_rolling_up_into_a_day_that_already_has_a_count_adds_to_it(db, world):
    maya = world["spring_maya"]
    cutoff = retention_cutoff(days=90, now=NOW)
    clicks.record_clicks(db, _clicks(maya, timedelta(days=100)))
    clicks.roll_up_batch(db, cutoff=cutoff)
    clicks.record_clicks(db, _clicks(maya, timedelta(days=100, minutes=1)))  # late arrival, same day
    clicks.roll_up_batch(db, cutoff=cutoff)
    assert db.execute(select(LinkClickDay.clicks)).scalars().all() == [2]


def test_retention_is_never_shorter_than_the_recent_window():
    assert retention_cutoff(days=1, now=NOW) == NOW - RECENT


def test_top_creators_in_a_period_over_raw_and_rolled_up_clicks(db, world):
    clicks.record_clicks(
        db,
        _clicks(world["spring_maya"], timedelta(days=1), timedelta(days=2))
        + _clicks(world["fall_maya"], timedelta(days=3))
        + _clicks(world["spring_ben"], timedelta(days=1), timedelta(days=20)),
    )
    # a rolled-up day inside the period counts, one outside does not
    db.add(LinkClickDay(assignment_id=world["spring_ben"].id, day=(NOW - timedelta(days=5)).date(), clicks=4))
    db.add(
        LinkClickDay(assignment_id=world["spring_ben"].id, day=(NOW - timedelta(days=30)).date(), clicks=50)
    )
    other_team = make_user(db, team_id="T2")
    theirs = campaigns.create_campaign(db, actor=other_team, name="X", landing_url="https://x.example.com")
    zed = make_influencer(db, team_id="T2", handle="zed")
    a, _ = assignments.assign_influencer(db, actor=other_team, campaign_id=theirs.id, influencer_id=zed.id)
    clicks.record_clicks(db, _clicks(a, *[timedelta(hours=i) for i in range(1, 20)]))
    db.flush()

    since, until = NOW - timedelta(days=7), NOW
    top = clicks.top_creators(db, team_id="T1", since=since, until=until, limit=5)
    assert [(c.handle, c.clicks) for c in top] == [("ben", 5), ("maya", 3)]
    assert [c.handle for c in clicks.top_creators(db, team_id="T1", since=since, until=until, limit=1)] == [
        "ben"
    ]
    assert clicks.team_clicks(db, team_id="T1", since=since, until=until) == 8
    assert clicks.team_clicks(db, team_id="T1", since=NOW, until=NOW + timedelta(days=1)) == 0
    assert clicks.top_creators(db, team_id="T3", since=since, until=until) == []


def test_the_campaign_export_gains_the_short_link_and_clicks_when_short_links_are_on(db, world):
    clicks.record_clicks(db, _clicks(world["spring_maya"], timedelta(days=1), timedelta(days=9)))
    db.add(
        LinkClickDay(assignment_id=world["spring_maya"].id, day=(NOW - timedelta(days=120)).date(), clicks=5)
    )
    db.flush()
    owner = db.get(type(world["spring"].owner), world["spring"].user_id)

    def rows(**kw) -> list[dict[str, str]]:
        data = exports.campaign_csv(db, actor=owner, campaign_id=world["spring"].id, now=NOW, **kw)
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))

    on = {r["handle"]: r for r in rows(public_url="https://crm.example.com")}
    assert list(next(iter(on.values())))[-3:] == list(exports.LINK_COLUMNS)
    maya = on["maya"]
    assert maya["short_link"] == f"https://crm.example.com/l/{world['spring_maya'].short_code}"
    assert (maya["clicks"], maya["clicks_last_7_days"]) == ("7", "1")
    assert (on["ben"]["clicks"], on["ben"]["clicks_last_7_days"]) == ("0", "0")
    off = rows()
    assert "short_link" not in off[0] and "clicks" not in off[0]
