"""crm.cadence: what people type, the per-status defaults, and the follow-ups a cadence schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.cadence import (
    MAX_DAYS,
    as_words,
    describe,
    parse_cadence,
    respelled,
    set_cadence,
    set_status_default,
    status_defaults,
)
from crm.errors import InvalidInput
from crm.followups import complete_follow_up, set_follow_up, snooze_follow_up
from crm.interactions import NewInteraction, log_interaction
from crm.models import CadenceDefault
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
BERLIN = ZoneInfo("Europe/Berlin")


def nine_local(day_offset: int, now: datetime = NOW) -> datetime:
    """09:00 Berlin time, `day_offset` days after `now`'s Berlin date."""
    local = now.astimezone(BERLIN).date() + timedelta(days=day_offset)
    return datetime(local.year, local.month, local.day, 9, 0, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("2w", 14),
        ("10d", 10),
        ("3 weeks", 21),
        ("1 month", 30),
        ("monthly", 30),
        ("quarterly", 90),
        ("every other week", 14),
        ("every week", 7),
        ("a week", 7),
        ("1y", 365),
        ("12m", 360),
        ("1d", 1),
        ("OFF", None),
        ("two weeks", 14),  # counts as words, as follow-up phrases take them (crm.text.NUMBER_WORDS)
        ("every three days", 3),
        ("Every Twelve Weeks", 84),
        ("each week", 7),
        ("every quarter", 90),
        ("2 quarters", 180),
    ],
)
def test_what_people_type(typed, days):
    assert parse_cadence(typed) == days


@pytest.mark.parametrize(
    ("typed", "named"),
    [("2x", "2x"), ("soon", "soon"), ("0d", "0d"), ("2y", "2y"), ("week", "week"), ("eight", "eight")],
)
def test_refusals_name_the_words_and_give_an_example(typed, named):
    with pytest.raises(InvalidInput) as err:
        parse_cadence(typed)
    assert f"“{named}”" in err.value.message
    assert "2w" in err.value.message


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("every 2 wekks", "every 2 weeks"), ("montly", "monthly"), ("every thre weeks", "every three weeks"),
     ("evry other week", "every other week"), ("2 dys", "2 days")],
)  # fmt: skip
def test_a_mistyped_cadence_is_respelled_into_one(typed, meant):
    with pytest.raises(InvalidInput):
        parse_cadence(typed)
    assert respelled(typed) == meant
    assert parse_cadence(meant) is not None


@pytest.mark.parametrize("typed", ["soonish", "every blue moon", "2 weeks", "monthly", "2x"])
def test_no_respelling_when_no_word_needs_it_or_it_makes_no_cadence(typed):
    assert respelled(typed) is None


@given(st.integers(1, 2000), st.sampled_from(["d", "days", "w", "weeks", "m", "months", "y"]))
def test_parsed_or_refused_never_outside_a_day_to_a_year(n, unit):
    size = {"d": 1, "w": 7, "m": 30, "y": 365}[unit[0]]
    try:
        days = parse_cadence(f"{n}{unit}")
    except InvalidInput:
        assert not 1 <= n * size <= MAX_DAYS
    else:
        assert days == n * size
        assert parse_cadence(as_words(days)) == parse_cadence(describe(days)) == days


def test_status_defaults_set_replace_and_remove(db):
    set_status_default(db, team_id="T1", status="warm", days=21)
    set_status_default(db, team_id="T1", status="Warm", days=14)
    set_status_default(db, team_id="T2", status="partnered", days=7)
    assert status_defaults(db, team_id="T1") == {"warm": 14}
    set_status_default(db, team_id="T1", status="warm", days=None)
    assert status_defaults(db, team_id="T1") == {}
    with pytest.raises(InvalidInput):
        set_status_default(db, team_id="T1", status="lukewarm", days=7)


def _setup(db, **rel):
    me = make_user(db, timezone="Europe/Berlin")
    inf = make_influencer(db)
    return me, inf, make_relationship(db, user=me, influencer=inf, status="warm", **rel)


def _log(db, me, inf, kind="call", when=NOW):
    log_interaction(
        db, actor=me, influencer_id=inf.id, data=NewInteraction(type=kind, interaction_date=when), now=NOW
    )


def test_a_contact_sets_the_follow_up_to_contact_plus_cadence(db):
    me, inf, rel = _setup(db, cadence_days=14)
    _log(db, me, inf)
    assert (rel.follow_up_date, rel.follow_up_from_cadence) == (nine_local(14), True)
    _log(db, me, inf, kind="note")  # not a contact: nothing moves
    assert rel.follow_up_date == nine_local(14)


def test_a_back_dated_contact_counts_from_the_latest_contact(db):
    me, inf, rel = _setup(db, cadence_days=7, last_contacted_at=NOW - DAY)
    _log(db, me, inf, when=NOW - 10 * DAY)
    assert rel.follow_up_date == nine_local(6)


def test_a_later_follow_up_set_by_hand_wins_an_earlier_one_does_not(db):
    me, inf, rel = _setup(db, cadence_days=7)
    set_follow_up(db, actor=me, influencer_id=inf.id, due=(NOW + 30 * DAY).date(), now=NOW)
    _log(db, me, inf)
    assert rel.follow_up_from_cadence is False
    assert rel.follow_up_date > nine_local(7)
    set_follow_up(db, actor=me, influencer_id=inf.id, due=(NOW + 3 * DAY).date(), now=NOW)
    _log(db, me, inf)
    assert (rel.follow_up_date, rel.follow_up_from_cadence) == (nine_local(7), True)


def test_the_status_default_applies_without_an_own_cadence(db):
    me, inf, rel = _setup(db)
    db.add(CadenceDefault(team_id=me.team_id, status="warm", cadence_days=21))
    db.flush()
    _log(db, me, inf, kind="email")
    assert rel.follow_up_date == nine_local(21)
    set_cadence(db, actor=me, influencer_id=inf.id, days=3)
    _log(db, me, inf, kind="meeting")
    assert rel.follow_up_date == nine_local(3)


def test_setting_a_cadence_schedules_from_the_last_contact_when_that_is_ahead(db):
    me, inf, rel = _setup(db, last_contacted_at=NOW - 2 * DAY)
    set_cadence(db, actor=me, influencer_id=inf.id, days=14, now=NOW)
    assert (rel.follow_up_date, rel.follow_up_from_cadence) == (nine_local(12), True)
    set_cadence(db, actor=me, influencer_id=inf.id, days=7, now=NOW)  # a follow-up it set moves with it
    assert rel.follow_up_date == nine_local(5)
    set_cadence(db, actor=me, influencer_id=inf.id, days=None, now=NOW)  # cleared: the follow-up stays
    assert rel.follow_up_date == nine_local(5)


def test_setting_a_cadence_keeps_a_hand_set_follow_up_and_leaves_a_stale_contact_to_going_cold(db):
    me, inf, rel = _setup(db, last_contacted_at=NOW - 2 * DAY)
    set_follow_up(db, actor=me, influencer_id=inf.id, due=(NOW + 30 * DAY).date(), now=NOW)
    hand_set = rel.follow_up_date
    set_cadence(db, actor=me, influencer_id=inf.id, days=7, now=NOW)
    assert (rel.follow_up_date, rel.follow_up_from_cadence) == (hand_set, False)
    me, inf, stale = _setup(db, last_contacted_at=NOW - 40 * DAY)
    set_cadence(db, actor=me, influencer_id=inf.id, days=14, now=NOW)  # due 26 days ago: not a reminder
    assert stale.follow_up_date is None
    me, inf, never = _setup(db)
    set_cadence(db, actor=me, influencer_id=inf.id, days=14, now=NOW)
    assert never.follow_up_date is None


def test_without_a_cadence_a_contact_answers_today_and_sets_nothing(db):
    me, inf, rel = _setup(db, follow_up_date=NOW - DAY)
    _log(db, me, inf)
    assert rel.follow_up_date is None


def test_done_schedules_the_next_by_cadence_once(db):
    me, inf, rel = _setup(db, cadence_days=10, follow_up_date=NOW - DAY)
    complete_follow_up(db, actor=me, relationship_id=rel.id, now=NOW)
    assert (rel.follow_up_date, rel.follow_up_from_cadence) == (nine_local(10), True)
    complete_follow_up(db, actor=me, relationship_id=rel.id, now=NOW)  # a double click
    assert rel.follow_up_date == nine_local(10)
    set_cadence(db, actor=me, influencer_id=inf.id, days=None)
    snooze_follow_up(db, actor=me, relationship_id=rel.id, days=1, now=NOW)
    assert rel.follow_up_from_cadence is False
    complete_follow_up(db, actor=me, relationship_id=rel.id, now=NOW)
    assert rel.follow_up_date is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cadence=st.integers(1, 365),
    contact_minutes_ago=st.integers(0, 60 * 24 * 90),
    hand_days=st.one_of(st.none(), st.integers(1, 400)),
)
def test_after_a_contact_the_follow_up_is_never_before_the_cadence_date_unless_hand_set_later(
    db, isolated, cadence, contact_minutes_ago, hand_days
):
    with isolated():
        me, inf, rel = _setup(db, cadence_days=cadence)
        if hand_days is not None:
            set_follow_up(db, actor=me, influencer_id=inf.id, due=(NOW + hand_days * DAY).date(), now=NOW)
        hand = rel.follow_up_date
        when = NOW - timedelta(minutes=contact_minutes_ago)
        _log(db, me, inf, when=when)
        expected = nine_local(cadence, when)
        if hand is not None and hand > expected:
            assert (rel.follow_up_date, rel.follow_up_from_cadence) == (hand, False)
        else:
            assert (rel.follow_up_date, rel.follow_up_from_cadence) == (expected, True)
        assert rel.follow_up_date > rel.last_contacted_at


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("quarterly", "every 3 months"), ("monthly", "every month"), ("fortnightly", "every 2 weeks")],
)
def test_an_adverb_is_shown_in_its_own_unit(typed, shown):
    assert describe(parse_cadence(typed)) == shown
