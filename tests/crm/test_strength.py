"""crm.strength: the documented formula, its properties, and the SQL twin agreeing with Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm.errors import NotFound
from crm.models import INTERACTION_TYPES, Interaction, Relationship
from crm.strength import StrengthExplanation, explain, recompute, recompute_all, score
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)

types = st.sampled_from(INTERACTION_TYPES)
# Ages from 10 years back to 10 days in the future, microsecond resolution.
offsets = st.integers(min_value=-10 * 365 * 86400 * 10**6, max_value=10 * 86400 * 10**6).map(
    lambda us: timedelta(microseconds=us)
)
interactions = st.lists(st.tuples(types, offsets.map(lambda off: NOW + off)), max_size=30)


def test_documented_examples():
    assert score([], now=NOW) == 0
    assert score([("meeting", NOW)], now=NOW) == 39
    assert score([("email", NOW)], now=NOW) == 14
    assert score([("meeting", NOW - 30 * DAY)], now=NOW) == 22
    week = [("meeting", NOW - 1 * DAY), ("meeting", NOW - 3 * DAY), ("call", NOW - 2 * DAY), ("call", NOW)]
    assert score(week, now=NOW) == 79


def test_type_weights_are_ordered():
    at = NOW - 5 * DAY
    values = [score([(kind, at)], now=NOW) for kind in ("meeting", "call", "email", "note")]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == 4
    assert score([("file_upload", at)], now=NOW) == score([("note", at)], now=NOW)


def test_a_very_old_interaction_counts_nothing_and_never_errors():
    assert score([("meeting", datetime(1900, 1, 1, tzinfo=UTC))], now=NOW) == 0


@given(interactions)
def test_bounded(items):
    assert 0 <= score(items, now=NOW) <= 100


@given(interactions, types, offsets, offsets)
def test_older_never_counts_more_than_newer_of_the_same_type(items, kind, a, b):
    older, newer = NOW + min(a, b), NOW + max(a, b)
    assert score([*items, (kind, older)], now=NOW) <= score([*items, (kind, newer)], now=NOW)


@given(interactions, interactions)
def test_adding_interactions_never_lowers_the_score(items, more):
    assert score(items + more, now=NOW) >= score(items, now=NOW)


@given(interactions, st.integers(min_value=0, max_value=400 * 86400))
def test_time_passing_never_raises_the_score(items, seconds):
    assert score(items, now=NOW + timedelta(seconds=seconds)) <= score(items, now=NOW)


@given(types, st.integers(min_value=1, max_value=10**9))
def test_future_dates_count_as_now(kind, seconds):
    assert score([(kind, NOW + timedelta(seconds=seconds))], now=NOW) == score([(kind, NOW)], now=NOW)


def _add(db, user, influencer, items):
    for kind, when in items:
        db.add(Interaction(user_id=user.id, influencer_id=influencer.id, type=kind, interaction_date=when))
    db.flush()


def test_recompute_stores_the_score_and_only_counts_this_users_interactions(db):
    me, other = make_user(db), make_user(db)
    maya = make_influencer(db)
    rel = make_relationship(db, user=me, influencer=maya)
    mine = [("meeting", NOW - 2 * DAY), ("email", NOW - 40 * DAY)]
    _add(db, me, maya, mine)
    _add(db, other, maya, [("meeting", NOW)] * 5)
    assert recompute(db, user_id=me.id, influencer_id=maya.id, now=NOW) == score(mine, now=NOW)
    assert rel.relationship_strength == score(mine, now=NOW)


def test_recompute_without_a_relationship_is_not_found(db):
    me, maya = make_user(db), make_influencer(db)
    with pytest.raises(NotFound):
        recompute(db, user_id=me.id, influencer_id=maya.id, now=NOW)


def test_recompute_all_decays_and_zeroes_relationships_without_interactions(db):
    me = make_user(db)
    a, b = make_influencer(db), make_influencer(db)
    with_items = make_relationship(db, user=me, influencer=a, relationship_strength=0)
    empty = make_relationship(db, user=me, influencer=b, relationship_strength=55)
    _add(db, me, a, [("call", NOW - DAY)])
    changed = recompute_all(db, now=NOW)
    assert changed >= 2
    assert (with_items.relationship_strength, empty.relationship_strength) == (
        score([("call", NOW - DAY)], now=NOW),
        0,
    )
    # Nothing left to change at the same instant; a year later the call has decayed away.
    assert recompute_all(db, now=NOW) == 0
    recompute_all(db, now=NOW + 365 * DAY)
    assert with_items.relationship_strength == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(interactions, min_size=1, max_size=4))
def test_recompute_all_agrees_with_score_on_random_data(db, isolated, per_relationship):
    with isolated():
        me = make_user(db)
        expected = {}
        for items in per_relationship:
            influencer = make_influencer(db)
            make_relationship(db, user=me, influencer=influencer, relationship_strength=0)
            _add(db, me, influencer, items)
            expected[influencer.id] = score(items, now=NOW)
        recompute_all(db, now=NOW)
        stored = dict(
            db.execute(
                select(Relationship.influencer_id, Relationship.relationship_strength).where(
                    Relationship.user_id == me.id
                )
            ).all()
        )
        assert stored == expected


def test_explain_counts_the_last_90_days_by_type_and_projects_30_days():
    items = [
        ("meeting", NOW - 10 * DAY),
        ("meeting", NOW - 89 * DAY),
        ("call", NOW - 91 * DAY),  # outside the window, still in the score
        ("email", NOW),
    ]
    explained = explain(items, last_contacted_at=NOW - 10 * DAY, now=NOW)
    assert explained.recent_by_type == {"meeting": 2, "email": 1}
    assert list(explained.recent_by_type) == ["meeting", "email"]  # weightiest first
    assert explained.score == score(items, now=NOW)
    assert explained.projected == score(items, now=NOW + 30 * DAY) < explained.score
    assert explained.days_since_contact == 10
    assert explain([], last_contacted_at=None, now=NOW) == StrengthExplanation(0, 0, {}, None)


@given(interactions)
def test_the_projection_is_the_score_30_days_on_and_never_higher(items):
    explained = explain(items, last_contacted_at=None, now=NOW)
    assert explained.projected == score(items, now=NOW + 30 * DAY) <= explained.score
    assert sum(explained.recent_by_type.values()) == sum(
        1 for _, when in items if timedelta(0) <= NOW - when <= 90 * DAY or when > NOW
    )
