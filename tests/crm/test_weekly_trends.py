"""The weekly chart's data: the pipeline by status as it was at each week's end (from the status
history the triggers of migration 0011 keep), and interactions per week, for one workspace."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from crm.models import Interaction, RelationshipStatusChange
from crm.weekly_trends import CHART_WEEKS, week_bounds, weekly_trends
from tests.factories import make_influencer, make_relationship, make_user

BERLIN = ZoneInfo("Europe/Berlin")
END = datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN)  # Monday: the 8 weeks are 5 Oct – 29 Nov


def week(k: int) -> datetime:
    """Midweek (Wednesday noon) of week k, 0 the oldest of the chart's 8."""
    return END - timedelta(weeks=CHART_WEEKS - k) + timedelta(days=2, hours=12)


def set_status(db, rel, status: str, at: datetime) -> None:
    """Change the status (the trigger records it), then date that change `at`."""
    rel.status = status
    db.flush()
    db.execute(
        text("UPDATE user_influencers SET status_changed_at = :at WHERE id = :id"), {"at": at, "id": rel.id}
    )


def test_week_bounds_are_local_mondays_across_the_dst_change():
    bounds = week_bounds(END)
    assert len(bounds) == CHART_WEEKS + 1 and bounds[-1] == END
    assert [b.astimezone(BERLIN).hour for b in bounds] == [0] * (CHART_WEEKS + 1)
    assert bounds[0] == datetime(2026, 10, 5, tzinfo=BERLIN)  # still summer time then
    assert {b.weekday() for b in bounds} == {0}


def test_the_history_follows_every_status_change_and_its_corrected_date(db):
    user = make_user(db)
    rel = make_relationship(db, user=user, influencer=make_influencer(db), status="saved")
    set_status(db, rel, "contacted", week(2))
    set_status(db, rel, "partnered", week(5))
    rel.notes = "an edit that is not a status change"
    db.flush()
    rows = db.execute(
        select(RelationshipStatusChange.status, RelationshipStatusChange.changed_at)
        .where(RelationshipStatusChange.relationship_id == rel.id)
        .order_by(RelationshipStatusChange.id)
    ).all()
    assert [r.status for r in rows] == ["saved", "contacted", "partnered"]
    assert [r.changed_at for r in rows[1:]] == [week(2), week(5)]


def test_pipeline_counts_each_relationship_in_the_status_it_had_at_each_weeks_end(db):
    user = make_user(db, team_id="T1")
    other_team = make_user(db, team_id="T2")
    # Created in week 1 as saved, contacted in week 3, partnered in week 6.
    moving = make_relationship(
        db, user=user, influencer=make_influencer(db, team_id="T1"), status="saved", status_changed_at=week(1)
    )
    db.execute(
        text("UPDATE user_influencers SET created_at = :at WHERE id = :id"), {"at": week(1), "id": moving.id}
    )
    set_status(db, moving, "contacted", week(3))
    set_status(db, moving, "partnered", week(6))
    # Warm since long before the chart; archived in week 4.
    archived = make_relationship(
        db,
        user=user,
        influencer=make_influencer(db, team_id="T1"),
        status="warm",
        status_changed_at=week(0) - timedelta(weeks=10),
    )
    db.execute(
        text("UPDATE user_influencers SET created_at = :c, archived_at = :a WHERE id = :id"),
        {"c": week(0) - timedelta(weeks=10), "a": week(4), "id": archived.id},
    )
    make_relationship(db, user=other_team, influencer=make_influencer(db, team_id="T2"), status="warm")
    trends = weekly_trends(db, team_id="T1", end=END)
    assert trends.pipeline["saved"] == [0, 1, 1, 0, 0, 0, 0, 0]
    assert trends.pipeline["contacted"] == [0, 0, 0, 1, 1, 1, 0, 0]
    assert trends.pipeline["partnered"] == [0, 0, 0, 0, 0, 0, 1, 1]
    assert trends.pipeline["warm"] == [1, 1, 1, 1, 0, 0, 0, 0]
    assert trends.pipeline["cold"] == [0] * CHART_WEEKS


def test_before_its_first_recorded_status_a_relationship_counts_in_that_status(db):
    """What 0011's seed gives an older relationship: one row at status_changed_at, nothing before."""
    user = make_user(db, team_id="T1")
    rel = make_relationship(
        db,
        user=user,
        influencer=make_influencer(db, team_id="T1"),
        status="partnered",
        status_changed_at=week(5),
    )
    db.execute(
        text("UPDATE user_influencers SET created_at = :at WHERE id = :id"), {"at": week(0), "id": rel.id}
    )
    trends = weekly_trends(db, team_id="T1", end=END)
    assert trends.pipeline["partnered"] == [1] * CHART_WEEKS


def test_interactions_are_counted_in_their_week_for_the_workspace_only(db):
    user = make_user(db, team_id="T1")
    other = make_user(db, team_id="T2")
    inf = make_influencer(db, team_id="T1")
    for k, n in ((0, 2), (3, 1), (7, 4)):
        for _ in range(n):
            db.add(Interaction(user_id=user.id, influencer_id=inf.id, type="email", interaction_date=week(k)))
    db.add(Interaction(user_id=user.id, influencer_id=inf.id, type="call", interaction_date=END))  # after
    db.add(
        Interaction(
            user_id=other.id,
            influencer_id=make_influencer(db, team_id="T2").id,
            type="call",
            interaction_date=week(3),
        )
    )
    db.flush()
    trends = weekly_trends(db, team_id="T1", end=END)
    assert trends.interactions == [2, 0, 0, 1, 0, 0, 0, 4]
    assert trends.week_starts[0] == datetime(2026, 10, 5, tzinfo=BERLIN) and trends.end == END
