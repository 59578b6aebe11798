"""crm.merge: every combining rule, with two users, and what the preview may show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.errors import Conflict, InvalidInput, NotFound
from crm.merge import STATUS_ORDER, merge_influencers, preview_merge
from crm.models import (
    Assignment,
    Campaign,
    Delivery,
    Influencer,
    InfluencerProfile,
    Interaction,
    Relationship,
)
from crm.reminders.follow_ups import follow_up_key
from crm.strength import score
from tests.factories import make_influencer, make_relationship, make_user

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(db):
    ann = make_user(db, team_id="T0001", timezone="Europe/Berlin")
    bob = make_user(db, team_id="T0001")
    priya = make_influencer(db, handle="priya", name="Priya Raman", platform="youtube")
    other = make_influencer(db, handle="priya.r", name="Priya R", platform="tiktok", email="p@example.com")
    return ann, bob, priya, other


def rel(db, user, influencer):
    return db.scalars(
        select(Relationship).where(
            Relationship.user_id == user.id, Relationship.influencer_id == influencer.id
        )
    ).one_or_none()


def log(db, user, influencer, kind, when):
    db.add(Interaction(user_id=user.id, influencer_id=influencer.id, type=kind, interaction_date=when))
    db.flush()


def test_status_order_puts_cold_after_contacted_and_before_warm():
    assert STATUS_ORDER == ("saved", "contacted", "cold", "warm", "partnered")


@pytest.mark.parametrize(
    ("kept", "moved", "result"),
    [
        ("saved", "contacted", "contacted"),
        ("cold", "contacted", "cold"),
        ("cold", "warm", "warm"),
        ("partnered", "warm", "partnered"),
        ("saved", "cold", "cold"),
    ],
)
def test_the_furthest_status_wins(db, world, kept, moved, result):
    ann, _, priya, other = world
    make_relationship(db, user=ann, influencer=priya, status=kept)
    make_relationship(db, user=ann, influencer=other, status=moved)
    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    assert rel(db, ann, priya).status == result


def test_each_users_relationships_combine_by_the_rules(db, world):
    ann, bob, priya, other = world
    early, late = T0 + timedelta(days=2), T0 + timedelta(days=9)
    make_relationship(
        db, user=ann, influencer=priya, priority=2, tags=["beauty", "vegan"], notes="Kept text",
        follow_up_date=late, last_contacted_at=T0 - timedelta(days=10),
    )  # fmt: skip
    make_relationship(
        db, user=ann, influencer=other, priority=4, tags=["vegan", "berlin"], notes="Moved text",
        follow_up_date=early, last_contacted_at=T0 - timedelta(days=1),
    )  # fmt: skip
    make_relationship(db, user=bob, influencer=priya, priority=5, notes=None, follow_up_date=None)
    make_relationship(db, user=bob, influencer=other, priority=1, notes="Bob's secret", follow_up_date=late)
    log(db, ann, priya, "meeting", T0 - timedelta(days=1))
    log(db, ann, other, "call", T0 - timedelta(days=2))

    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)

    mine = rel(db, ann, priya)
    assert mine.priority == 4
    assert mine.tags == ["beauty", "vegan", "berlin"]
    assert mine.follow_up_date == early
    assert mine.last_contacted_at == T0 - timedelta(days=1)
    assert mine.notes.startswith("— Priya Raman, as of ") and "\nKept text\n\n— Priya R, as of " in mine.notes
    assert mine.notes.endswith("\nMoved text")
    both = [("meeting", T0 - timedelta(days=1)), ("call", T0 - timedelta(days=2))]
    assert mine.relationship_strength == score(both, now=T0) > score(both[:1], now=T0)
    # Bob's relationships combined by the same rules; only the absorbed side had notes: headed.
    bobs = rel(db, bob, priya)
    assert (bobs.priority, bobs.follow_up_date) == (5, late)
    assert bobs.notes.startswith("— Priya R, as of ") and bobs.notes.endswith("\nBob's secret")
    assert "Bob's secret" not in mine.notes
    assert db.get(Influencer, other.id) is None
    assert db.scalars(select(Relationship).where(Relationship.influencer_id == other.id)).all() == []


def test_tags_union_stops_at_the_limit_and_the_preview_names_what_is_left_out(db, world):
    ann, _, priya, other = world
    make_relationship(db, user=ann, influencer=priya, tags=[f"a{i}" for i in range(15)])
    make_relationship(db, user=ann, influencer=other, tags=[f"b{i}" for i in range(8)])
    plan = preview_merge(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id)
    assert plan.combined.dropped_tags == ["b5", "b6", "b7"]
    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    assert len(rel(db, ann, priya).tags) == 20


def test_only_one_side_tracked_moves_as_it_is_and_profiles_follow(db, world):
    ann, bob, priya, other = world
    make_relationship(db, user=bob, influencer=other, status="warm", notes="Bob only")
    log(db, bob, other, "email", T0)
    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    moved = rel(db, bob, priya)
    assert (moved.status, moved.notes) == ("warm", "Bob only")
    assert moved.relationship_strength == score([("email", T0)], now=T0)
    profiles = db.scalars(select(InfluencerProfile).where(InfluencerProfile.influencer_id == priya.id)).all()
    assert {(p.handle, p.is_primary) for p in profiles} == {("priya", True), ("priya.r", False)}
    survivor = db.get(Influencer, priya.id)
    assert (survivor.name, survivor.email) == ("Priya Raman", "p@example.com")


def test_the_preview_shows_only_the_actors_data_and_writes_nothing(db, world, snapshot):
    ann, bob, priya, other = world
    make_relationship(db, user=ann, influencer=other, notes="Ann's own")
    make_relationship(db, user=bob, influencer=other, notes="Bob's secret")
    make_relationship(db, user=bob, influencer=priya, notes="Bob's other secret")
    log(db, ann, other, "call", T0)
    log(db, bob, other, "call", T0)
    log(db, bob, other, "email", T0)
    before = snapshot()
    plan = preview_merge(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id)
    assert snapshot() == before
    assert (plan.relationship, plan.interactions, plan.combined) == ("moves", 1, None)
    assert "secret" not in repr(plan)


def test_same_campaign_same_user_keeps_the_one_further_along(db, world):
    ann, _, priya, other = world
    campaign = Campaign(team_id="T0001", user_id=ann.id, name="Spring", landing_url="https://x.example.com")
    db.add(campaign)
    db.flush()
    planned = Assignment(campaign_id=campaign.id, influencer_id=priya.id, user_id=ann.id, notes="A")
    active = Assignment(
        campaign_id=campaign.id, influencer_id=other.id, user_id=ann.id, status="active", notes="B"
    )
    db.add_all([planned, active])
    db.flush()
    plan = preview_merge(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id)
    assert (plan.assignments, plan.assignments_merged) == (0, 1)
    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    (kept,) = db.scalars(select(Assignment)).all()
    assert (kept.id, kept.influencer_id, kept.status, kept.notes) == (active.id, priya.id, "active", "B\n\nA")


def test_same_campaign_different_users_is_refused_and_changes_nothing(db, world, snapshot):
    ann, bob, priya, other = world
    campaign = Campaign(team_id="T0001", user_id=ann.id, name="Spring", landing_url="https://x.example.com")
    db.add(campaign)
    db.flush()
    db.add_all(
        [
            Assignment(campaign_id=campaign.id, influencer_id=priya.id, user_id=ann.id),
            Assignment(campaign_id=campaign.id, influencer_id=other.id, user_id=bob.id),
        ]
    )
    before = snapshot()
    with pytest.raises(Conflict, match="“Spring”"):
        merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    assert snapshot() == before


def test_a_reminder_for_the_kept_follow_up_moves_with_it(db, world):
    ann, _, priya, other = world
    due = T0 - timedelta(hours=1)
    make_relationship(db, user=ann, influencer=priya, follow_up_date=T0 + timedelta(days=3))
    moving = make_relationship(db, user=ann, influencer=other, follow_up_date=due)
    db.add(
        Delivery(
            kind="follow_up_reminder", dedupe_key=follow_up_key(moving.id, due), team_id="T0001",
            user_id=ann.id, relationship_id=moving.id, due_at=due, status="sent",
        )
    )  # fmt: skip
    db.flush()
    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    kept = rel(db, ann, priya)
    (delivery,) = db.scalars(select(Delivery)).all()
    assert (delivery.relationship_id, delivery.dedupe_key) == (kept.id, follow_up_key(kept.id, due))


def test_bad_pairs_are_refused(db, world):
    ann, _, priya, other = world
    with pytest.raises(InvalidInput, match="same creator"):
        preview_merge(db, actor=ann, survivor_id=priya.id, absorbed_id=priya.id)
    elsewhere = make_influencer(db, team_id="T0THER", handle="far")
    with pytest.raises(NotFound, match="nothing was changed"):
        merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=elsewhere.id, now=T0)
    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    with pytest.raises(NotFound, match="no longer exists"):
        merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    assert db.get(Influencer, elsewhere.id) is not None


@pytest.mark.parametrize(
    ("kept_archived", "moved_archived", "archived_after"),
    [(True, False, False), (False, True, False), (True, True, True), (False, False, False)],
)
def test_a_combined_relationship_is_active_if_either_was(
    db, world, kept_archived, moved_archived, archived_after
):
    """Removing one of two duplicates, then merging them, keeps the creator on the list."""
    ann, _, priya, other = world
    kept = make_relationship(db, user=ann, influencer=priya)
    moved = make_relationship(db, user=ann, influencer=other)
    kept.archived_at = T0 if kept_archived else None
    moved.archived_at = T0 if moved_archived else None
    db.flush()
    merge_influencers(db, actor=ann, survivor_id=priya.id, absorbed_id=other.id, now=T0)
    assert (rel(db, ann, priya).archived_at is not None) is archived_after


@pytest.mark.parametrize(
    ("survivor", "absorbed", "name"),
    [
        (("lena_fit", "lena_fit"), ("lenaf", "Lena Fischer"), "Lena Fischer"),  # only its handle: takes it
        (("lena_fit", "@Lena_Fit"), ("lenaf", "Lena Fischer"), "Lena Fischer"),
        (("lena_fit", "Lena F"), ("lenaf", "Lena Fischer"), "Lena F"),  # a name of its own: kept
        (("lena_fit", "lena_fit"), ("lenaf", "lenaf"), "lena_fit"),  # neither has one: kept
    ],
)
def test_the_survivor_keeps_its_name_unless_it_is_only_its_handle(db, survivor, absorbed, name):
    me = make_user(db, team_id="T1")
    kept = make_influencer(db, team_id="T1", handle=survivor[0], name=survivor[1], platform="tiktok")
    gone = make_influencer(db, team_id="T1", handle=absorbed[0], name=absorbed[1])
    assert preview_merge(db, actor=me, survivor_id=kept.id, absorbed_id=gone.id).name == name
    merge_influencers(db, actor=me, survivor_id=kept.id, absorbed_id=gone.id)
    assert db.get(Influencer, kept.id).name == name
