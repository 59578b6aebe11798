"""crm.followups: setting follow-ups at 09:00 local, completing, snoozing, due lists; the limits.

What people type is read by crm.follow_up_phrases: tests/crm/test_followups_phrases.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.errors import InvalidInput, NotFound
from crm.followups import (
    FOLLOW_UP_AT_ONCE_MAX,
    add_months,
    complete_follow_up,
    due_follow_ups,
    latest_follow_up_day,
    set_follow_up,
    set_follow_ups,
    snooze_follow_up,
    undo_follow_ups,
)
from tests.factories import make_influencer, make_relationship, make_user

BERLIN = ZoneInfo("Europe/Berlin")
THURSDAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def setup(db):
    me = make_user(db, team_id="T1", timezone="Europe/Berlin")
    maya = make_influencer(db, team_id="T1")
    rel = make_relationship(db, user=me, influencer=maya)
    return me, maya, rel


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        ("Europe/Berlin", date(2026, 12, 1), datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("Europe/Berlin", date(2027, 7, 1), datetime(2027, 7, 1, 7, 0, tzinfo=UTC)),  # summer time
        ("America/New_York", date(2026, 12, 1), datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        ("Asia/Kolkata", date(2026, 12, 1), datetime(2026, 12, 1, 3, 30, tzinfo=UTC)),
    ],
)
def test_a_date_means_nine_in_the_morning_local(db, setup, tz, day, expected_utc):
    me, maya, _ = setup
    me.timezone = tz
    rel = set_follow_up(db, actor=me, influencer_id=maya.id, due=day, now=NOW)
    assert rel.follow_up_date == expected_utc


def test_set_exact_time_and_clear(db, setup, statements):
    me, maya, _ = setup
    at = datetime(2026, 12, 2, 16, 30, tzinfo=BERLIN)
    with statements() as seen:
        rel = set_follow_up(db, actor=me, influencer_id=maya.id, due=at, now=NOW)
    assert rel.follow_up_date == at
    assert len(seen) == 2  # load + update
    assert set_follow_up(db, actor=me, influencer_id=maya.id, due=None, now=NOW).follow_up_date is None


def test_earlier_today_is_allowed_but_the_past_is_not(db, setup, snapshot):
    me, maya, _ = setup
    assert set_follow_up(db, actor=me, influencer_id=maya.id, due=THURSDAY, now=NOW).follow_up_date < NOW
    before = snapshot()
    for bad in [
        date(2026, 11, 24),
        datetime(2026, 11, 20, tzinfo=UTC),
        datetime(2026, 12, 1, 9, 0),  # naive
        date(2032, 1, 1),  # more than five years ahead
        "tomorrow",  # a string, not a date
    ]:
        with pytest.raises(InvalidInput) as err:
            set_follow_up(db, actor=me, influencer_id=maya.id, due=bad, now=NOW)
        assert err.value.field == "follow_up"
    assert snapshot() == before


def test_the_limit_is_five_years_of_the_users_local_days(db, setup, snapshot):
    me, maya, _ = setup
    latest = latest_follow_up_day(THURSDAY)
    assert latest == date(2031, 11, 26)
    # the last day is allowed as a date (09:00) and at any time of that day, even 23:59 local
    assert set_follow_up(db, actor=me, influencer_id=maya.id, due=latest, now=NOW).follow_up_date
    late = datetime(2031, 11, 26, 23, 59, tzinfo=BERLIN)
    assert set_follow_up(db, actor=me, influencer_id=maya.id, due=late, now=NOW).follow_up_date == late
    before = snapshot()
    for beyond in (latest + timedelta(days=1), datetime(2031, 11, 27, 0, 0, tzinfo=BERLIN)):
        with pytest.raises(InvalidInput) as err:
            set_follow_up(db, actor=me, influencer_id=maya.id, due=beyond, now=NOW)
        assert err.value.message == "A follow-up can be at most 5 years ahead: on or before 26 Nov 2031."
    assert snapshot() == before


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 26), 2, date(2027, 1, 26)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 15), 0, date(2026, 3, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_complete_clears_and_is_idempotent(db, setup):
    me, maya, rel = setup
    set_follow_up(db, actor=me, influencer_id=maya.id, due=date(2026, 12, 1), now=NOW)
    assert complete_follow_up(db, actor=me, relationship_id=rel.id).follow_up_date is None
    assert complete_follow_up(db, actor=me, relationship_id=rel.id).follow_up_date is None


def test_snooze_counts_days_from_the_users_local_today(db, setup):
    me, _, rel = setup
    late = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # already 27 Nov in Berlin
    snoozed = snooze_follow_up(db, actor=me, relationship_id=rel.id, days=1, now=late)
    assert snoozed.follow_up_date == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("days", [0, -1, 366, True, 1.5])
def test_snooze_bad_days(db, setup, snapshot, days):
    me, _, rel = setup
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        snooze_follow_up(db, actor=me, relationship_id=rel.id, days=days, now=NOW)
    assert err.value.field == "days"
    assert snapshot() == before


def test_other_users_follow_ups_are_out_of_reach(db, setup, snapshot):
    me, _, _ = setup
    colleague = make_user(db, team_id="T1")
    theirs = make_relationship(db, user=colleague, influencer=make_influencer(db, team_id="T1"))
    theirs.follow_up_date = NOW
    db.flush()
    before = snapshot()
    with pytest.raises(NotFound):
        complete_follow_up(db, actor=me, relationship_id=theirs.id)
    with pytest.raises(NotFound):
        snooze_follow_up(db, actor=me, relationship_id=theirs.id, days=2, now=NOW)
    with pytest.raises(NotFound):
        set_follow_up(db, actor=me, influencer_id=theirs.influencer_id, due=None, now=NOW)
    assert snapshot() == before
    assert due_follow_ups(db, actor=me, now=NOW) == []


def test_due_means_by_the_end_of_the_users_local_day(db, statements):
    me = make_user(db, team_id="T1", timezone="America/Los_Angeles")
    now = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # 22:00 on 26 Nov in Los Angeles
    due_at = {
        "overdue": datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        "this_morning": datetime(2026, 11, 26, 17, 0, tzinfo=UTC),
        "before_midnight": datetime(2026, 11, 27, 7, 59, tzinfo=UTC),
        "tomorrow": datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
        "none": None,
    }
    rels = {}
    for name, when in due_at.items():
        rels[name] = make_relationship(db, user=me, influencer=make_influencer(db, team_id="T1"))
        rels[name].follow_up_date = when
    db.flush()
    with statements() as seen:
        due = due_follow_ups(db, actor=me, now=now)
        handles = [r.influencer.handle for r in due]
    assert [r.id for r in due] == [rels[n].id for n in ("overdue", "this_morning", "before_midnight")]
    assert len(handles) == 3 and len(seen) == 1


def test_set_follow_ups_sets_each_once_and_undo_puts_back_only_those_still_so(db, setup, snapshot):
    me, maya, rel = setup
    rel.follow_up_date, rel.follow_up_from_cadence = NOW + timedelta(days=3), True
    zoe = make_influencer(db, team_id="T1", handle="zoe")
    make_relationship(db, user=me, influencer=zoe)
    at = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    results = set_follow_ups(db, actor=me, influencer_ids=[maya.id, zoe.id, maya.id], due=at, now=NOW)
    had = [(r.influencer_id, previous, cadence) for r, previous, cadence in results]
    assert had == [(maya.id, NOW + timedelta(days=3), True), (zoe.id, None, False)]
    assert all(r.follow_up_date == at and not r.follow_up_from_cadence for r, _, _ in results)
    set_follow_up(db, actor=me, influencer_id=zoe.id, due=at + timedelta(days=1), now=NOW)  # changed since
    back = undo_follow_ups(db, actor=me, set_to=at, back_to=had)
    assert [(r.follow_up_date, r.follow_up_from_cadence, is_back) for r, is_back in back] == [
        (NOW + timedelta(days=3), True, True),
        (at + timedelta(days=1), False, False),
    ]
    many = [make_influencer(db, team_id="T1", handle=f"c{n}").id for n in range(FOLLOW_UP_AT_ONCE_MAX + 1)]
    taken = snapshot()
    with pytest.raises(InvalidInput) as refused:
        set_follow_ups(db, actor=me, influencer_ids=many, due=at, now=NOW)
    assert f"At most {FOLLOW_UP_AT_ONCE_MAX} creators" in refused.value.message
    assert snapshot() == taken


def test_set_follow_ups_reads_each_relationship_once(db, setup, statements):
    me, maya, _ = setup
    zoe = make_influencer(db, team_id="T1", handle="zoe")
    make_relationship(db, user=me, influencer=zoe)
    with statements() as seen:
        set_follow_ups(db, actor=me, influencer_ids=[maya.id, zoe.id], due=date(2026, 12, 4), now=NOW)
    assert sum(s.lstrip().upper().startswith("SELECT") for s in seen) == 2
