"""crm.unfurls: links matched to creators by identity, public facts only, one workspace only."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from crm.models import Assignment, Campaign
from crm.unfurls import UNFURL_CAMPAIGNS_MAX, UNFURL_LINKS_MAX, creators_linked, identity_of
from tests.factories import make_influencer, make_relationship, make_user


def campaign(db, owner, name: str, *, status: str = "active", team_id: str = "T0001") -> Campaign:
    found = Campaign(
        team_id=team_id, user_id=owner.id, name=name, landing_url="https://a.example/", status=status
    )
    db.add(found)
    db.flush()
    return found


def test_forms_of_one_profile_have_one_identity_and_non_profiles_none():
    forms = [
        "https://www.instagram.com/Maya/?igsh=xyz",
        "instagram.com/maya",
        "http://m.instagram.com/maya#x",
    ]
    assert {identity_of(f) for f in forms} == {"instagram:maya"}
    for not_a_profile in ("https://www.instagram.com/p/Cx1/", "https://youtu.be/abc", "not a link", ""):
        assert identity_of(not_a_profile) is None


def test_facts_count_trackers_on_the_list_and_name_live_campaigns(db):
    alice, bob, carol = (make_user(db) for _ in range(3))
    maya = make_influencer(db, handle="maya", name="Maya")
    make_relationship(db, user=alice, influencer=maya, notes="secret", tags=["vip"], status="warm")
    make_relationship(db, user=bob, influencer=maya)
    make_relationship(db, user=carol, influencer=maya, archived_at=datetime(2026, 1, 1, tzinfo=UTC))
    for name in ("b-launch", "A-launch"):
        db.add(Assignment(campaign_id=campaign(db, alice, name).id, influencer_id=maya.id, user_id=alice.id))
    old = campaign(db, bob, "old", status="archived")
    db.add(Assignment(campaign_id=old.id, influencer_id=maya.id, user_id=bob.id))
    db.flush()

    (facts,) = creators_linked(db, team_id="T0001", urls=["https://instagram.com/MAYA/"]).values()
    assert (facts.influencer_id, facts.name, facts.trackers) == (maya.id, "Maya", 2)
    assert facts.campaigns == ("A-launch", "b-launch") and facts.more_campaigns == 0
    assert [p.identity_key for p in facts.profiles] == ["instagram:maya"]
    # The facts hold no field a user writes privately.
    assert {f.name for f in dataclasses.fields(facts)} == {
        "influencer_id", "name", "profiles", "trackers", "campaigns", "more_campaigns"
    }  # fmt: skip


def test_campaigns_are_capped(db):
    alice = make_user(db)
    maya = make_influencer(db, handle="maya")
    for i in range(UNFURL_CAMPAIGNS_MAX + 2):
        db.add(
            Assignment(
                campaign_id=campaign(db, alice, f"c{i:02d}").id, influencer_id=maya.id, user_id=alice.id
            )
        )
    db.flush()
    (facts,) = creators_linked(db, team_id="T0001", urls=["https://instagram.com/maya"]).values()
    assert len(facts.campaigns) == UNFURL_CAMPAIGNS_MAX and facts.more_campaigns == 2


def test_only_the_teams_creators_and_only_the_first_links(db):
    make_influencer(db, handle="maya", team_id="T0OTHER1")
    assert creators_linked(db, team_id="T0001", urls=["https://instagram.com/maya"]) == {}
    for i in range(UNFURL_LINKS_MAX + 1):
        make_influencer(db, handle=f"c{i}")
    urls = [f"https://instagram.com/c{i}" for i in range(UNFURL_LINKS_MAX + 1)]
    found = creators_linked(db, team_id="T0001", urls=[urls[0], *urls])  # a repeated link counts once
    assert list(found) == urls[:UNFURL_LINKS_MAX]
