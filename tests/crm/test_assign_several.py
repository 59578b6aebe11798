"""crm.assignments.assign_several and take_back against real PostgreSQL: who is assigned, what is
reported, the limit, and what an Undo may delete."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.assignments import (
    ASSIGN_AT_ONCE_MAX,
    assign_influencer,
    assign_several,
    put_back_statuses,
    set_assignment_status,
    set_several_statuses,
    take_back,
)
from crm.campaigns import create_campaign
from crm.errors import InvalidInput
from crm.models import Assignment, LinkClickDay
from tests.factories import make_influencer, make_user


@pytest.fixture
def team(db: Session):
    ana = make_user(db, slack_user_id="UANA000001")
    bob = make_user(db, slack_user_id="UBOB000001")
    campaign = create_campaign(db, actor=ana, name="Winter Glow", landing_url="https://shop.example.com/")
    creators = [make_influencer(db, handle=h) for h in ("amy", "bea", "cat", "dan")]
    return ana, bob, campaign, creators


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Assignment))


def test_each_once_in_order_mine_left_and_a_teammates_passed_over(db, team):
    ana, bob, campaign, (amy, bea, cat, dan) = team
    mine, _ = assign_influencer(db, actor=ana, campaign_id=campaign.id, influencer_id=bea.id)
    assign_influencer(db, actor=bob, campaign_id=campaign.id, influencer_id=cat.id)
    done = assign_several(
        db, actor=ana, campaign_id=campaign.id, influencer_ids=[dan.id, amy.id, bea.id, cat.id, dan.id]
    )
    assert [a.influencer_id for a in done.created] == [dan.id, amy.id]
    assert all(a.user_id == ana.id and a.status == "planned" and a.utm_url for a in done.created)
    assert done.already == [mine] and done.teammates == [cat.id]
    assert _count(db) == 4


def test_none_or_too_many_is_refused_before_anything_is_written(db, team):
    ana, _, campaign, _ = team
    with pytest.raises(InvalidInput, match=r"Name at least one influencer\."):
        assign_several(db, actor=ana, campaign_id=campaign.id, influencer_ids=[])
    many = [make_influencer(db, handle=f"c{i}").id for i in range(ASSIGN_AT_ONCE_MAX + 1)]
    with pytest.raises(InvalidInput, match=f"At most {ASSIGN_AT_ONCE_MAX} influencers .* these are 51"):
        assign_several(db, actor=ana, campaign_id=campaign.id, influencer_ids=many)
    assert _count(db) == 0


def test_take_back_deletes_only_the_actors_untouched_ones_on_that_campaign(db, team):
    ana, bob, campaign, (amy, bea, cat, dan) = team
    other = create_campaign(db, actor=ana, name="Spring", landing_url="https://shop.example.com/")
    done = assign_several(db, actor=ana, campaign_id=campaign.id, influencer_ids=[amy.id, bea.id, cat.id])
    amys, beas, cats = done.created
    set_assignment_status(db, actor=ana, campaign_id=campaign.id, influencer_id=bea.id, status="active")
    db.add(LinkClickDay(assignment_id=cats.id, day=datetime.now(UTC).date(), clicks=2))  # clicked, rolled up
    bobs, _ = assign_influencer(db, actor=bob, campaign_id=campaign.id, influencer_id=dan.id)
    elsewhere, _ = assign_influencer(db, actor=ana, campaign_id=other.id, influencer_id=dan.id)
    db.flush()
    ids = [amys.id, beas.id, cats.id, bobs.id, elsewhere.id]
    removed, kept = take_back(db, actor=ana, campaign_id=campaign.id, assignment_ids=ids)
    assert removed == 1 and {a.id for a in kept} == {beas.id, cats.id}
    left = set(db.scalars(select(Assignment.id)))
    assert left == {beas.id, cats.id, bobs.id, elsewhere.id}
    assert take_back(db, actor=ana, campaign_id=campaign.id, assignment_ids=ids)[0] == 0


def test_several_statuses_move_mine_say_the_rest_and_put_back_only_what_is_still_so(db, team):
    ana, bob, campaign, (amy, bea, cat, dan) = team
    assign_several(db, actor=ana, campaign_id=campaign.id, influencer_ids=[amy.id, bea.id, cat.id])
    set_assignment_status(db, actor=ana, campaign_id=campaign.id, influencer_id=cat.id, status="active")
    assign_influencer(db, actor=bob, campaign_id=campaign.id, influencer_id=dan.id)
    ids = [amy.id, bea.id, cat.id, dan.id]
    done = set_several_statuses(db, actor=ana, campaign_id=campaign.id, influencer_ids=ids, status="Active")
    assert [(a.influencer_id, before) for a, before in done.moved] == [
        (amy.id, "planned"),
        (bea.id, "planned"),
    ]
    assert [a.influencer_id for a in done.already] == [cat.id] and done.not_assigned == [dan.id]
    with pytest.raises(InvalidInput, match="Assignment status must be one of"):
        set_several_statuses(db, actor=ana, campaign_id=campaign.id, influencer_ids=ids, status="live")
    amys, beas = (a for a, _ in done.moved)
    set_assignment_status(db, actor=ana, campaign_id=campaign.id, influencer_id=bea.id, status="completed")
    bobs = db.scalar(select(Assignment).where(Assignment.influencer_id == dan.id))
    before = {amys.id: "planned", beas.id: "planned", bobs.id: "planned"}
    back, kept = put_back_statuses(db, actor=ana, campaign_id=campaign.id, moved_to="active", before=before)
    assert back == 1 and kept == [beas]
    by_creator = dict(db.execute(select(Assignment.influencer_id, Assignment.status)).all())
    assert by_creator == {amy.id: "planned", bea.id: "completed", cat.id: "active", dan.id: "planned"}


def test_moving_several_reads_the_actors_assignments_once_however_many_are_not_there(db, team, statements):
    ana, _, campaign, creators = team
    many = [*(c.id for c in creators), *(make_influencer(db, handle=f"x{i}").id for i in range(10))]
    with statements() as seen:
        done = set_several_statuses(
            db, actor=ana, campaign_id=campaign.id, influencer_ids=many, status="active"
        )
    assert done.not_assigned == many and not done.moved
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1
