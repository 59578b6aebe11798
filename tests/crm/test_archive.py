"""crm.archive: remove (archive) and restore, and every query that must skip archived relationships."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm import archive
from crm.analytics import admin_summary
from crm.dashboard import home_dashboard, pipeline_counts, relationship_card
from crm.errors import Conflict, NotFound
from crm.followups import due_follow_ups, set_follow_up, snooze_follow_up
from crm.interactions import NewInteraction, log_interaction
from crm.models import Delivery, Relationship
from crm.relationship_list import RelationshipFilter, list_relationships
from crm.relationships import (
    RelationshipEdit,
    add_to_list,
    edit_relationship,
    set_notes,
    set_status,
    update_tags,
)
from crm.reminders.follow_ups import claim_due_users, enqueue_due_follow_ups, load_digests
from crm.search import search
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DUE = NOW - timedelta(hours=1)


@pytest.fixture
def me(db):
    return make_user(db, team_id="T1", timezone="UTC")


@pytest.fixture
def maya(db, me):
    influencer = make_influencer(db, team_id="T1", handle="maya", name="Maya Lopez")
    make_relationship(
        db,
        user=me,
        influencer=influencer,
        status="warm",
        priority=4,
        tags=["vegan", "skincare"],
        notes="Met at VidCon",
        follow_up_date=DUE,
        relationship_strength=60,
    )
    return influencer


def _rel(db, me, influencer) -> Relationship:
    return db.scalars(
        select(Relationship).where(Relationship.user_id == me.id, Relationship.influencer_id == influencer.id)
    ).one()


def _fields(rel: Relationship) -> tuple:
    return (rel.status, rel.priority, rel.tags, rel.notes, rel.follow_up_date, rel.relationship_strength)


def test_archive_then_restore_gives_back_the_relationship_exactly(db, me, maya):
    before = _fields(_rel(db, me, maya))
    rel, removed = archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    assert removed is True and rel.archived_at == NOW
    assert archive.is_archived(db, actor=me, influencer_id=maya.id)
    rel, restored = archive.restore_relationship(db, actor=me, influencer_id=maya.id)
    assert restored is True and rel.archived_at is None
    assert _fields(_rel(db, me, maya)) == before


def test_archive_and_restore_are_idempotent(db, me, maya):
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    rel, removed = archive.archive_relationship(
        db, actor=me, influencer_id=maya.id, now=NOW + timedelta(hours=1)
    )
    assert removed is False and rel.archived_at == NOW  # the first removal's time is kept
    archive.restore_relationship(db, actor=me, influencer_id=maya.id)
    assert archive.restore_relationship(db, actor=me, influencer_id=maya.id)[1] is False


def test_removing_one_not_on_my_list_names_it_and_changes_nothing(db, me):
    zed = make_influencer(db, team_id="T1", handle="zed", name="Zed Park")
    named = r"“Zed Park” \(@zed · Instagram\) isn't on your list; nothing was changed"
    with pytest.raises(NotFound, match=named):
        archive.archive_relationship(db, actor=me, influencer_id=zed.id, now=NOW)
    assert db.scalar(select(func.count()).select_from(Relationship)) == 0


def test_another_users_relationship_is_neither_archived_nor_restored(db, me, maya):
    bob = make_user(db, team_id="T1")
    theirs = make_influencer(db, team_id="T1", handle="theirs")
    make_relationship(db, user=bob, influencer=theirs, archived_at=NOW)
    with pytest.raises(NotFound):
        archive.restore_relationship(db, actor=me, influencer_id=theirs.id)
    with pytest.raises(NotFound):
        archive.archive_relationship(db, actor=me, influencer_id=theirs.id, now=NOW)
    assert _rel(db, bob, theirs).archived_at == NOW
    other_team = make_influencer(db, team_id="T2", handle="far", name="Far Away")
    with pytest.raises(NotFound, match="That influencer isn't on your list"):  # never names it
        archive.archive_relationship(db, actor=me, influencer_id=other_team.id, now=NOW)


def test_editing_an_archived_relationship_is_refused_and_changes_nothing(db, me, maya):
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    before = _fields(_rel(db, me, maya))
    refused = "“Maya Lopez” (@maya · Instagram) is archived — /crm restore @maya first."
    rel_id = _rel(db, me, maya).id
    attempts = [
        lambda: set_status(db, actor=me, influencer_id=maya.id, status="partnered"),
        lambda: update_tags(db, actor=me, influencer_id=maya.id, add=["new"]),
        lambda: set_notes(db, actor=me, influencer_id=maya.id, text="more", append=True, now=NOW),
        lambda: set_follow_up(db, actor=me, influencer_id=maya.id, due=None, now=NOW),
        lambda: snooze_follow_up(db, actor=me, relationship_id=rel_id, days=3, now=NOW),
        lambda: edit_relationship(
            db, actor=me, relationship_id=rel_id, edit=RelationshipEdit(status="cold"), now=NOW
        ),
        lambda: relationship_card(db, actor=me, influencer_id=maya.id),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as refusal:
            attempt()
        assert refusal.value.message == refused
    assert _fields(_rel(db, me, maya)) == before


def test_add_to_list_restores_an_archived_relationship_as_it_was(db, me, maya):
    before = _fields(_rel(db, me, maya))
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    rel, created = add_to_list(db, actor=me, influencer_id=maya.id)
    assert created is True and rel.archived_at is None
    assert _fields(rel) == before


def test_archived_relationships_leave_lists_due_dashboard_and_search(db, me, maya):
    kept = make_influencer(db, team_id="T1", handle="kept", name="Kept One")
    make_relationship(
        db,
        user=me,
        influencer=kept,
        status="warm",
        tags=["vegan"],
        follow_up_date=DUE,
        relationship_strength=10,
    )
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)

    page = list_relationships(db, actor=me)
    assert [r.influencer.handle for r in page.items] == ["kept"] and page.total == 1
    by_tag = list_relationships(db, actor=me, filters=RelationshipFilter(tag="skincare"))
    assert by_tag.total == 0
    archived = archive.archived_relationships(db, actor=me)
    assert [r.influencer.handle for r in archived.items] == ["maya"] and archived.total == 1

    assert [r.influencer.handle for r in due_follow_ups(db, actor=me, now=NOW)] == ["kept"]
    assert pipeline_counts(db, actor=me)["warm"] == 1
    home = home_dashboard(db, actor=me, now=NOW)
    assert (home.due_count, home.overdue_count) == (1, 1)
    assert [r.influencer.handle for r in home.due] == ["kept"]
    assert [r.influencer.handle for r in home.strongest] == ["kept"]

    # Search: the archived one's notes and tags no longer match; by name it is "not on my list".
    assert search(db, actor=me, text="VidCon") == []
    assert search(db, actor=me, text="skincare") == []
    (hit,) = search(db, actor=me, text="Maya Lopez")
    assert hit.influencer.id == maya.id and hit.relationship is None


def test_admin_analytics_still_count_an_archived_relationships_interactions(db, me, maya):
    log_interaction(
        db, actor=me, influencer_id=maya.id, data=NewInteraction(type="call", interaction_date=DUE), now=NOW
    )
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    summary = admin_summary(
        db, team_id="T1", start=NOW - timedelta(days=7), end=NOW + timedelta(days=1), now=NOW
    )
    assert summary.interactions_by_type["call"] == 1


def test_no_reminder_is_enqueued_or_claimed_for_an_archived_relationship(db, me, maya):
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    assert enqueue_due_follow_ups(db, now=NOW) == 0
    assert claim_due_users(db, worker_id="w1", now=NOW, lease=timedelta(minutes=5)) == {}
    # Restored, its follow-up (still due) is reminded after all.
    archive.restore_relationship(db, actor=me, influencer_id=maya.id)
    assert enqueue_due_follow_ups(db, now=NOW) == 1


def test_archiving_cancels_a_pending_reminder_and_a_claimed_one_is_skipped(db, me, maya):
    assert enqueue_due_follow_ups(db, now=NOW) == 1
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    (delivery,) = db.scalars(select(Delivery))
    assert delivery.status == "cancelled"

    # Already claimed by a worker when it was archived: the worker's digest skips it.
    archive.restore_relationship(db, actor=me, influencer_id=maya.id)
    assert enqueue_due_follow_ups(db, now=NOW) == 1  # the cancelled row is pending again
    claimed = claim_due_users(db, worker_id="w1", now=NOW, lease=timedelta(minutes=5))
    assert list(claimed) == [me.id]
    archive.archive_relationship(db, actor=me, influencer_id=maya.id, now=NOW)
    db.refresh(delivery)
    assert delivery.status == "pending"  # a live lease: the worker decides
    assert load_digests(db, worker_id="w1", user_ids=[me.id], now=NOW) == []
    db.refresh(delivery)
    assert delivery.status == "cancelled"
