"""crm.going_cold: the two rules (cadence overdue, strength fading) against a pinned clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.going_cold import (
    DEFAULT_CADENCE_DAYS,
    DROP_WINDOW,
    STRENGTH_DROP_POINTS,
    count_by_owner,
    going_cold_for,
    unnagged_going_cold,
)
from crm.models import CadenceDefault, GoingColdNag, Interaction
from crm.strength import score
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _rel(db, user, *, status="warm", contacted_days_ago=None, added_days_ago=400, **kw):
    rel = make_relationship(
        db,
        user=user,
        influencer=make_influencer(db),
        status=status,
        created_at=NOW - added_days_ago * DAY,
        last_contacted_at=None if contacted_days_ago is None else NOW - contacted_days_ago * DAY,
        **kw,
    )
    return rel


def _log(db, rel, kind, when):
    db.add(
        Interaction(user_id=rel.user_id, influencer_id=rel.influencer_id, type=kind, interaction_date=when)
    )
    db.flush()


def _cold_ids(db, user, now=NOW):
    items, total = going_cold_for(db, actor=user, now=now, limit=500)
    assert total == len(items)
    return {i.relationship_id for i in items}


def test_warm_past_the_global_default_is_going_cold_and_fresh_is_not(db):
    user = make_user(db)
    stale = _rel(db, user, contacted_days_ago=DEFAULT_CADENCE_DAYS + 1)
    fresh = _rel(db, user, contacted_days_ago=DEFAULT_CADENCE_DAYS - 1)
    _rel(db, user, status="contacted", contacted_days_ago=200)  # not warm or partnered
    _rel(db, user, status="cold", contacted_days_ago=200)
    _rel(db, user, status="partnered", contacted_days_ago=200, archived_at=NOW)  # removed
    partnered = _rel(db, user, status="partnered", contacted_days_ago=None, added_days_ago=45)
    assert _cold_ids(db, user) == {stale.id, partnered.id}
    assert fresh.id not in _cold_ids(db, user)


def test_own_cadence_beats_the_status_default_which_beats_the_global_one(db):
    user = make_user(db)
    db.add(CadenceDefault(team_id=user.team_id, status="warm", cadence_days=7))
    db.flush()
    by_default = _rel(db, user, contacted_days_ago=8)
    own_longer = _rel(db, user, contacted_days_ago=8, cadence_days=14)
    own_shorter = _rel(db, user, status="partnered", contacted_days_ago=3, cadence_days=2)
    partnered_global = _rel(db, user, status="partnered", contacted_days_ago=8)
    assert _cold_ids(db, user) == {by_default.id, own_shorter.id}
    assert own_longer.id not in _cold_ids(db, user, NOW + 6 * DAY)
    assert own_longer.id in _cold_ids(db, user, NOW + 7 * DAY)
    assert partnered_global.id not in _cold_ids(db, user)


def test_snoozed_is_not_going_cold_until_the_snooze_ends(db):
    user = make_user(db)
    rel = _rel(db, user, contacted_days_ago=90, cold_snoozed_until=NOW + 7 * DAY)
    assert rel.id not in _cold_ids(db, user)
    assert rel.id in _cold_ids(db, user, NOW + 7 * DAY)


def test_a_strength_fall_of_more_than_the_threshold_is_going_cold(db):
    """A relationship inside its cadence is still flagged when a week of silence cost it points."""
    user = make_user(db)
    fading = _rel(db, user, contacted_days_ago=8, cadence_days=60)
    for days in (8, 9, 10):
        _log(db, fading, "call", NOW - days * DAY)
    before = score([("call", NOW - d * DAY) for d in (8, 9, 10)], now=NOW - DROP_WINDOW)
    after = score([("call", NOW - d * DAY) for d in (8, 9, 10)], now=NOW)
    assert before - after > STRENGTH_DROP_POINTS
    (item,), _ = going_cold_for(db, actor=user, now=NOW)
    assert (item.relationship_id, item.strength_before, item.strength_now) == (fading.id, before, after)
    assert not item.is_overdue(NOW)
    # A call today lifts it: the score now is higher than a week ago.
    _log(db, fading, "call", NOW)
    assert _cold_ids(db, user) == set()


def test_count_by_owner_counts_per_user_of_the_team_only(db):
    alice, bob = make_user(db), make_user(db)
    other_team = make_user(db, team_id="T0002")
    for _ in range(3):
        _rel(db, alice, contacted_days_ago=100)
    _rel(db, bob, contacted_days_ago=100)
    _rel(db, bob, contacted_days_ago=1)
    _rel(db, other_team, contacted_days_ago=100)
    assert count_by_owner(db, team_id="T0001", now=NOW) == {alice.id: 3, bob.id: 1}


def test_unnagged_leaves_out_those_mentioned_today_only(db):
    user = make_user(db)
    a = _rel(db, user, contacted_days_ago=100)
    b = _rel(db, user, contacted_days_ago=90)
    db.add(GoingColdNag(relationship_id=a.id, nagged_on=date(2026, 11, 30)))
    db.flush()
    found = unnagged_going_cold(db, user_ids=[user.id], today={user.id: date(2026, 11, 30)}, now=NOW, limit=5)
    assert [i.relationship_id for i in found[user.id][0]] == [b.id]
    tomorrow = unnagged_going_cold(
        db, user_ids=[user.id], today={user.id: date(2026, 12, 1)}, now=NOW, limit=1
    )
    assert [i.relationship_id for i in tomorrow[user.id][0]] == [a.id]
    assert tomorrow[user.id][1] == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.sampled_from(["saved", "contacted", "warm", "cold", "partnered"]),
    cadence=st.one_of(st.none(), st.integers(1, 365)),
    default=st.one_of(st.none(), st.integers(1, 365)),
    silent_hours=st.integers(0, 400 * 24),
    later_hours=st.integers(0, 60 * 24),
)
def test_cadence_rule_against_the_clock(db, isolated, status, cadence, default, silent_hours, later_hours):
    """Without interactions (so no strength rule), going cold is exactly: warm/partnered and the
    silence longer than the first of own cadence, status default, global default; and once going
    cold, a later clock never un-colds it."""
    with isolated():
        user = make_user(db)
        if default is not None:
            db.add(CadenceDefault(team_id=user.team_id, status=status, cadence_days=default))
        rel = make_relationship(
            db,
            user=user,
            influencer=make_influencer(db),
            status=status,
            cadence_days=cadence,
            created_at=NOW - 500 * DAY,
            last_contacted_at=NOW - timedelta(hours=silent_hours),
        )
        days = cadence or default or DEFAULT_CADENCE_DAYS
        expected = status in ("warm", "partnered") and timedelta(hours=silent_hours) > timedelta(days=days)
        assert (rel.id in _cold_ids(db, user)) == expected
        if expected:
            assert rel.id in _cold_ids(db, user, NOW + timedelta(hours=later_hours))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["email", "call", "meeting", "note", "file_upload"]),
            st.integers(0, 200 * 24 * 60).map(lambda m: NOW - timedelta(minutes=m)),
        ),
        max_size=12,
    )
)
def test_strength_rule_matches_the_python_score_a_week_ago_and_now(db, isolated, items):
    """The SQL's two scores are crm.strength.score over the interactions up to a week ago (at then)
    and over all of them (now); the rule fires exactly when the first exceeds the second by more
    than STRENGTH_DROP_POINTS (the cadence cannot fire: contacted today, a year's cadence)."""
    with isolated():
        user = make_user(db)
        rel = _rel(db, user, contacted_days_ago=0, cadence_days=365)
        for kind, when in items:
            _log(db, rel, kind, when)
        then = NOW - DROP_WINDOW
        before = score([(k, w) for k, w in items if w <= then], now=then)
        now_score = score(items, now=NOW)
        found, _ = going_cold_for(db, actor=user, now=NOW)
        assert bool(found) == (before - now_score > STRENGTH_DROP_POINTS)
        if found:
            assert (found[0].strength_before, found[0].strength_now) == (before, now_score)
