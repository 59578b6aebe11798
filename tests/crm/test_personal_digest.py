"""crm.personal_digest: only the actor's own relationships on their list, this week's moves, the opt-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from crm.models import Interaction
from crm.personal_digest import personal_digest, set_weekly_digest
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 30, 14, tzinfo=UTC)


def test_only_my_relationships_on_my_list_and_my_interactions_count(db):
    me, teammate = make_user(db), make_user(db)
    mine = make_relationship(
        db, user=me, influencer=make_influencer(db), status="warm", created_at=NOW - timedelta(days=60)
    )
    make_relationship(
        db, user=me, influencer=make_influencer(db), status="cold", archived_at=NOW, follow_up_date=NOW
    )  # archived: off my list
    theirs = make_relationship(
        db,
        user=teammate,
        influencer=make_influencer(db),
        status="partnered",
        follow_up_date=NOW - timedelta(days=1),
    )
    for user, rel in ((me, mine), (teammate, theirs), (teammate, theirs)):
        db.add(
            Interaction(
                user_id=user.id,
                influencer_id=rel.influencer_id,
                type="call",
                interaction_date=NOW - timedelta(days=1),
            )
        )
    mine.status = "partnered"
    db.flush()
    db.execute(
        text("UPDATE user_influencers SET status_changed_at = :at WHERE id = :id"),
        {"at": NOW - timedelta(days=2), "id": mine.id},
    )
    db.refresh(mine)
    d = personal_digest(db, actor=me, now=NOW)
    assert d.pipeline == {"saved": 0, "contacted": 0, "warm": 0, "cold": 0, "partnered": 1}
    assert d.moved["partnered"] == 1 and sum(d.moved.values()) == 1
    assert (d.interactions, d.due_total, d.overdue, d.due) == (1, 0, 0, [])
    assert not d.is_empty


def test_the_opt_in_is_a_state_kept_from_when_it_was_first_turned_on(db):
    me = make_user(db)
    set_weekly_digest(db, actor=me, on=True, now=NOW)
    set_weekly_digest(db, actor=me, on=True, now=NOW + timedelta(days=1))
    assert me.weekly_digest_since == NOW
    set_weekly_digest(db, actor=me, on=False)
    assert me.weekly_digest_since is None
