"""crm.campaign_roster against real PostgreSQL: who sees which assignments, the order, the counts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from crm.assignments import assign_influencer, set_assignment_status
from crm.campaign_roster import campaign_roster, open_campaigns
from crm.campaigns import create_campaign
from crm.errors import NotFound
from tests.factories import make_influencer, make_user


def _assign(db: Session, actor, campaign, handle: str, name: str, status: str = "planned") -> None:
    influencer = make_influencer(db, handle=handle, name=name)
    ids = {"campaign_id": campaign.id, "influencer_id": influencer.id}
    assign_influencer(db, actor=actor, **ids)
    set_assignment_status(db, actor=actor, status=status, **ids)


@pytest.fixture
def spring(db: Session):
    """Ana's “Spring Sale” with four assignments by Ana and one by Bob."""
    ana = make_user(db, slack_user_id="UANA000001", display_name="Ana")
    bob = make_user(db, slack_user_id="UBOB000001", display_name=None)
    campaign = create_campaign(db, actor=ana, name="Spring Sale", landing_url="https://shop.example.com/")
    _assign(db, ana, campaign, "zed", "zed", "planned")
    _assign(db, ana, campaign, "amy", "Amy", "planned")
    _assign(db, ana, campaign, "old", "Old Friend", "cancelled")
    _assign(db, ana, campaign, "run", "Runner", "active")
    _assign(db, bob, campaign, "bea", "Bea", "completed")
    return ana, bob, campaign


def test_mine_in_running_order_then_by_name_with_the_teams_counts(db, spring):
    ana, _, campaign = spring
    roster = campaign_roster(db, actor=ana, campaign=campaign)
    assert [(r.name, r.status) for r in roster.rows] == [
        ("Runner", "active"),
        ("Amy", "planned"),
        ("zed", "planned"),  # by name, whatever its case
        ("Old Friend", "cancelled"),
    ]
    assert all(r.mine and r.assigned_by == "Ana" for r in roster.rows)
    assert (roster.visible, roster.by_teammates, roster.total) == (4, 1, 5)
    assert roster.counts == {"planned": 2, "active": 1, "completed": 1, "cancelled": 1}


def test_everyone_with_who_assigned_them_and_a_limit(db, spring):
    _, bob, campaign = spring
    roster = campaign_roster(db, actor=bob, campaign=campaign, everyone=True, limit=3)
    assert [r.name for r in roster.rows] == ["Runner", "Amy", "zed"]
    assert (roster.visible, roster.by_teammates) == (5, 0)
    everyone = campaign_roster(db, actor=bob, campaign=campaign, everyone=True)
    (bea,) = [r for r in everyone.rows if r.mine]
    assert (bea.name, bea.assigned_by) == ("Bea", "UBOB000001")  # no display name: the Slack id
    mine = campaign_roster(db, actor=bob, campaign=campaign)
    assert [r.name for r in mine.rows] == ["Bea"] and mine.by_teammates == 4


def test_another_workspaces_campaign_is_not_found(db, spring):
    _, _, campaign = spring
    stranger = make_user(db, team_id="T0THER0001", slack_user_id="USTRANGER1")
    with pytest.raises(NotFound):
        campaign_roster(db, actor=stranger, campaign=campaign, everyone=True)


def test_open_campaigns_are_mine_with_planned_or_active_work_by_name(db, spring):
    ana, bob, campaign = spring
    autumn = create_campaign(db, actor=bob, name="autumn drop", landing_url="https://shop.example.com/a")
    _assign(db, ana, autumn, "kim", "Kim", "active")
    old = create_campaign(db, actor=ana, name="Old", landing_url="https://shop.example.com/o")
    _assign(db, ana, old, "ola", "Ola", "active")
    old.status = "archived"  # takes no more work: left out
    done = create_campaign(db, actor=ana, name="Done", landing_url="https://shop.example.com/d")
    _assign(db, ana, done, "dee", "Dee", "completed")  # nothing open: left out
    db.flush()
    found, total = open_campaigns(db, actor=ana)
    assert [(c.name, c.assignments) for c in found] == [
        ("autumn drop", {"active": 1, "planned": 0}),
        ("Spring Sale", {"active": 1, "planned": 2}),  # zed, Amy; Runner (Old Friend is cancelled)
    ]
    assert total == 2 and found[1].campaign_id == campaign.id
    first, total = open_campaigns(db, actor=ana, limit=1)
    assert [c.name for c in first] == ["autumn drop"] and total == 2
    assert open_campaigns(db, actor=bob) == ([], 0)  # Bob's one assignment is completed
