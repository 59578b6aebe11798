"""user_influencers.status_changed_at: moved only by a real status change, so "partnered in the period"
is exact — edits, interactions that leave the status alone and the nightly recompute do not count."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from bot.db import make_engine
from bot.migrate import downgrade, upgrade
from crm.analytics import admin_summary
from crm.interactions import NewInteraction, log_interaction
from crm.models import Interaction, Relationship
from crm.relationships import set_notes, set_priority, set_status
from crm.strength import recompute_all
from tests.factories import make_influencer, make_relationship, make_user

LONG_AGO = timedelta(days=60)


def _db_now(db):
    """The transaction's now(): what the trigger writes (constant for the whole test transaction)."""
    return db.scalar(select(func.now()))


def _changed_at(db, rel: Relationship):
    return db.scalar(select(Relationship.status_changed_at).where(Relationship.id == rel.id))


def _old_relationship(db, *, status: str, strength: int = 0):
    """A relationship whose status was set long ago (explicit values, as an import would write them)."""
    now = _db_now(db)
    user = make_user(db, team_id="T1")
    rel = make_relationship(
        db,
        user=user,
        influencer=make_influencer(db, team_id="T1"),
        status=status,
        relationship_strength=strength,
        created_at=now - LONG_AGO,
        updated_at=now - LONG_AGO,
        status_changed_at=now - LONG_AGO,
    )
    return user, rel, now


def _partnered_now(db, now) -> int:
    """admin_summary's partnered_in_period for a period around the transaction's now()."""
    return admin_summary(
        db, team_id="T1", start=now - timedelta(days=1), end=now + timedelta(days=1), now=now
    ).partnered_in_period


def test_a_new_relationship_starts_with_its_creation_time(db):
    rel = make_relationship(db, user=make_user(db), influencer=make_influencer(db))
    assert _changed_at(db, rel) == _db_now(db)


def test_only_a_real_status_change_moves_it(db):
    user, rel, now = _old_relationship(db, status="warm")
    set_status(db, actor=user, influencer_id=rel.influencer_id, status="warm")  # same status
    set_notes(db, actor=user, influencer_id=rel.influencer_id, text="Met at the expo.", append=False)
    set_priority(db, actor=user, influencer_id=rel.influencer_id, priority=4)
    db.execute(text("UPDATE user_influencers SET tags = '{vip}' WHERE id = :id"), {"id": rel.id})
    assert _changed_at(db, rel) == now - LONG_AGO
    assert db.scalar(select(Relationship.updated_at).where(Relationship.id == rel.id)) == now

    set_status(db, actor=user, influencer_id=rel.influencer_id, status="partnered")
    assert _changed_at(db, rel) == now
    assert rel.status_changed_at == now  # the ORM rereads the trigger's value (server_onupdate)


def test_logging_a_contact_moves_it_only_when_it_moves_saved_to_contacted(db):
    user, saved, now = _old_relationship(db, status="saved")
    log_interaction(db, actor=user, influencer_id=saved.influencer_id, data=NewInteraction(type="email"))
    assert _changed_at(db, saved) == now  # the upsert's UPDATE branch fires the trigger too

    user, warm, now = _old_relationship(db, status="warm")
    log_interaction(db, actor=user, influencer_id=warm.influencer_id, data=NewInteraction(type="call"))
    assert _changed_at(db, warm) == now - LONG_AGO


def test_a_nightly_recompute_does_not_make_a_relationship_newly_partnered(db):
    user, rel, now = _old_relationship(db, status="partnered", strength=0)
    db.add(
        Interaction(user_id=user.id, influencer_id=rel.influencer_id, type="meeting", interaction_date=now)
    )
    db.flush()
    assert _partnered_now(db, now) == 0

    assert recompute_all(db, now=now) >= 1  # the row is written: strength 0 -> 39
    db.refresh(rel)
    assert (rel.relationship_strength, rel.updated_at) == (39, now)
    assert rel.status_changed_at == now - LONG_AGO
    assert _partnered_now(db, now) == 0
    # What the previous approximation (partnered and updated in the period) would have counted:
    approximation = db.scalar(
        select(func.count()).where(Relationship.status == "partnered", Relationship.updated_at >= now)
    )
    assert approximation == 1


def test_partnered_in_the_period_counts_the_move_to_partnered(db):
    user, rel, now = _old_relationship(db, status="warm")
    _old_relationship(db, status="partnered")  # partnered long ago: not in the period
    set_status(db, actor=user, influencer_id=rel.influencer_id, status="partnered")
    assert _partnered_now(db, now) == 1
    # Partnered in the period and then moved on: not partnered any more, so not counted.
    set_status(db, actor=user, influencer_id=rel.influencer_id, status="cold")
    assert _partnered_now(db, now) == 0


def test_migration_backfills_from_updated_at_without_touching_it(fresh_database_url):
    upgrade(fresh_database_url, "0002")
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    """
                    INSERT INTO users (id, team_id, slack_user_id) VALUES (gen_random_uuid(), 'T1', 'U1');
                    INSERT INTO influencers (id, team_id, name, handle, platform)
                        VALUES (gen_random_uuid(), 'T1', 'Maya', 'maya', 'instagram');
                    INSERT INTO user_influencers (user_id, influencer_id, status, updated_at)
                        SELECT u.id, i.id, 'partnered', '2026-01-02 03:04:05+00' FROM users u, influencers i;
                    """
                )
            )
        upgrade(fresh_database_url, "0003")
        with engine.connect() as conn:
            row = conn.execute(text("SELECT status_changed_at, updated_at FROM user_influencers")).one()
            assert row.status_changed_at == row.updated_at
            assert row.updated_at.isoformat() == "2026-01-02T03:04:05+00:00"
        downgrade(fresh_database_url, "0002", allow_data_loss=True)  # it holds a row
        with engine.connect() as conn:
            columns = conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'user_influencers'"
                )
            ).scalars()
            assert "status_changed_at" not in set(columns)
            leftovers = conn.execute(
                text(
                    "SELECT count(*) FROM pg_proc WHERE proname = 'set_status_changed_at'"
                    " UNION ALL SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%status_changed_at'"
                )
            ).scalars()
            assert list(leftovers) == [0, 0]
    finally:
        engine.dispose()
