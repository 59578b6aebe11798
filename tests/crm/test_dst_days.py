"""Local days that are not 24 hours long: "today" ends at the next local midnight, not 24 h after the last.

In Europe/Berlin, 29 March 2026 has 23 hours (02:00 CET → 03:00 CEST) and 25 October 2026 has 25
(03:00 CEST → 02:00 CET). A follow-up due at 00:30 on 30 March is tomorrow's, one due at 23:30 on
25 October is today's; an end of day computed as start + 24 h gets both wrong.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.clock import end_of_local_day, local_today, start_of_local_day
from crm.followups import due_follow_ups
from crm.interactions import NewInteraction, log_interaction
from crm.models import Relationship, User
from tests.factories import make_influencer, make_relationship, make_user

BERLIN = ZoneInfo("Europe/Berlin")
SPRING = date(2026, 3, 29)  # 23 hours
AUTUMN = date(2026, 10, 25)  # 25 hours


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("day", "start_utc", "end_utc", "hours"),
    [
        (SPRING, datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 22, 0, tzinfo=UTC), 23),
        (AUTUMN, datetime(2026, 10, 24, 22, 0, tzinfo=UTC), datetime(2026, 10, 25, 23, 0, tzinfo=UTC), 25),
    ],
)
def test_a_changeover_day_ends_at_the_next_local_midnight(day, start_utc, end_utc, hours):
    start = start_of_local_day(day, BERLIN)
    assert start == start_utc
    # early (before the change), late (after it) and the last minute of the day all end at one instant
    for now in (start_utc, berlin(day, 1, 30), berlin(day, 12, 0), end_utc - timedelta(minutes=1)):
        assert local_today(now, BERLIN) == day
        end = end_of_local_day(now, BERLIN)
        assert end == end_utc, now
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)
    assert local_today(end_utc, BERLIN) == day + timedelta(days=1)
    assert end_of_local_day(end_utc, BERLIN) > end_utc


def _berliner_with_follow_ups(db, due: dict[str, datetime]) -> tuple[User, dict[str, Relationship]]:
    me = make_user(db, team_id="T1", timezone="Europe/Berlin")
    rels = {
        name: make_relationship(
            db, user=me, influencer=make_influencer(db, team_id="T1", handle=name), follow_up_date=when
        )
        for name, when in due.items()
    }
    return me, rels


@pytest.mark.parametrize(
    ("now", "due_today", "due_tomorrow"),
    [
        # 23-hour day: its last minute is 23:59 CEST = 21:59 UTC; 00:30 on the 30th is 22:30 UTC
        (berlin(SPRING, 10), berlin(SPRING, 23, 30), berlin(SPRING + timedelta(days=1), 0, 30)),
        # 25-hour day: 23:30 CET is 22:30 UTC, later than 24 h after its start (25 Oct 22:00 UTC)
        (berlin(AUTUMN, 10), berlin(AUTUMN, 23, 30), berlin(AUTUMN + timedelta(days=1), 0, 30)),
    ],
    ids=["23-hour day", "25-hour day"],
)
def test_due_today_on_a_changeover_day(db, now, due_today, due_tomorrow):
    me, rels = _berliner_with_follow_ups(db, {"today": due_today, "tomorrow": due_tomorrow})
    assert [r.id for r in due_follow_ups(db, actor=me, now=now)] == [rels["today"].id]
    # and still so in the day's last minutes
    last_minute = end_of_local_day(now, BERLIN) - timedelta(minutes=1)
    assert [r.id for r in due_follow_ups(db, actor=me, now=last_minute)] == [rels["today"].id]


@pytest.mark.parametrize("day", [SPRING, AUTUMN], ids=["23-hour day", "25-hour day"])
def test_a_call_on_a_changeover_day_completes_that_days_follow_ups_only(db, day):
    today, tomorrow = berlin(day, 23, 30), berlin(day + timedelta(days=1), 0, 30)
    me, rels = _berliner_with_follow_ups(db, {"today": today, "tomorrow": tomorrow})
    call_at = berlin(day, 10)
    for rel in rels.values():
        log_interaction(
            db,
            actor=me,
            influencer_id=rel.influencer_id,
            data=NewInteraction(type="call", interaction_date=call_at),
            now=call_at,
        )
    db.expire_all()
    assert db.get(Relationship, rels["today"].id).follow_up_date is None
    assert db.get(Relationship, rels["tomorrow"].id).follow_up_date == tomorrow


def test_the_week_ahead_ends_at_a_local_midnight_across_a_changeover():
    # From Thursday 26 March (CET), 7 days later is Thursday 2 April (CEST): its end is 22:00 UTC,
    # not the 23:00 UTC that 8 × 24 h from the start of the 26th would give.
    assert end_of_local_day(berlin(date(2026, 3, 26), 10), BERLIN, days=7) == datetime(
        2026, 4, 2, 22, 0, tzinfo=UTC
    )
    assert end_of_local_day(berlin(date(2026, 3, 26), 10), BERLIN) == datetime(2026, 3, 26, 23, 0, tzinfo=UTC)
