"""Short links: codes (shape, randomness, uniqueness), where a code leads, and who may see a link."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from crm import assignments, campaigns, links
from crm.errors import NotFound
from crm.models import Assignment
from crm.short_codes import ALPHABET, CODE_LENGTH, looks_like_code, new_code
from tests.factories import make_influencer, make_user


@pytest.fixture
def world(db):
    me = make_user(db, team_id="T1")
    mate = make_user(db, team_id="T1")
    maya = make_influencer(db, team_id="T1", handle="maya", name="Maya")
    campaign = campaigns.create_campaign(
        db, actor=me, name="Spring Sale", landing_url="https://shop.example.com/spring?ref=x"
    )
    assignment, _ = assignments.assign_influencer(
        db, actor=me, campaign_id=campaign.id, influencer_id=maya.id
    )
    return me, mate, campaign, assignment


def test_codes_are_base62_of_the_issued_length_and_differ():
    codes = {new_code() for _ in range(2_000)}
    assert len(codes) == 2_000
    assert all(len(c) == CODE_LENGTH >= 7 and set(c) <= set(ALPHABET) for c in codes)
    # every character of the alphabet turns up: drawn from all 62, not a subset
    assert set("".join(codes)) == set(ALPHABET)


@given(st.text(max_size=40))
def test_anything_but_7_to_16_letters_and_digits_is_not_a_code(value):
    expected = 7 <= len(value) <= 16 and all(ch in ALPHABET for ch in value)
    assert looks_like_code(value) == expected


@pytest.mark.parametrize(
    "value", ["Ab3dE7k", "Ab3dE7kQ", "x" * 16, "Ab3dE7k%41", "Ab3dE7k/", "Ab3dE7\u0664Q", "", "x" * 17]
)
def test_code_shapes(value):
    ok = value in ("Ab3dE7k", "Ab3dE7kQ", "x" * 16)
    assert looks_like_code(value) is ok


def test_every_assignment_gets_its_own_code_on_insert(db, world):
    me, _, campaign, assignment = world
    other = make_influencer(db, team_id="T1", handle="ben")
    second, _ = assignments.assign_influencer(db, actor=me, campaign_id=campaign.id, influencer_id=other.id)
    assert looks_like_code(assignment.short_code) and looks_like_code(second.short_code)
    assert assignment.short_code != second.short_code


def test_short_link_is_the_public_url_and_the_code():
    assert links.short_link("https://crm.example.com", "Ab3dE7kQ") == "https://crm.example.com/l/Ab3dE7kQ"
    assert links.short_link("https://crm.example.com/", "Ab3dE7kQ") == "https://crm.example.com/l/Ab3dE7kQ"


def test_resolve_leads_to_the_utm_link_built_from_the_current_landing_url(db, world):
    _, _, campaign, assignment = world
    found = links.resolve(db, code=assignment.short_code)
    assert found == links.Destination(assignment.id, assignment.utm_url)
    assert found.url.startswith("https://shop.example.com/spring?ref=x&utm_source=instagram")

    # the landing page changes behind the stored link: the short link follows it
    db.execute(
        text("UPDATE campaigns SET landing_url = 'https://shop.example.com/summer' WHERE id = :id"),
        {"id": campaign.id},
    )
    moved = links.resolve(db, code=assignment.short_code)
    assert moved.url == (
        "https://shop.example.com/summer?utm_source=instagram&utm_medium=influencer"
        "&utm_campaign=spring-sale&utm_content=maya"
    )


def test_unknown_cancelled_and_malformed_codes_lead_nowhere(db, world, statements):
    me, _, campaign, assignment = world
    assert links.resolve(db, code="Zz9Zz9Zz") is None
    assert links.resolve(db, code=assignment.short_code.lower() + "x") is None
    with statements() as seen:
        for bad in ("", "short", "a" * 17, "Ab3dE7k%51", "../../etc", "Ab3d E7k"):
            assert links.resolve(db, code=bad) is None
    assert seen == []  # refused by shape, no query
    assignments.set_assignment_status(
        db, actor=me, campaign_id=campaign.id, influencer_id=assignment.influencer_id, status="cancelled"
    )
    assert links.resolve(db, code=assignment.short_code) is None


def test_resolve_is_one_statement(db, world, statements):
    _, _, _, assignment = world
    with statements() as seen:
        links.resolve(db, code=assignment.short_code)
    assert len(seen) == 1


def test_the_qr_look_up_finds_only_the_actors_own_assignment(db, world):
    me, mate, campaign, assignment = world
    mine = links.actors_link(db, actor=me, assignment_id=assignment.id)
    assert (mine.assignment.id, mine.campaign.id, mine.influencer.handle) == (
        assignment.id,
        campaign.id,
        "maya",
    )
    with pytest.raises(NotFound):
        links.actors_link(db, actor=mate, assignment_id=assignment.id)
    with pytest.raises(NotFound):
        links.actors_link(db, actor=me, assignment_id=uuid.uuid4())


def test_the_code_is_unique_in_the_database(db, world):
    me, _, campaign, assignment = world
    other = make_influencer(db, team_id="T1", handle="cat")
    clash = Assignment(
        campaign_id=campaign.id, influencer_id=other.id, user_id=me.id, short_code=assignment.short_code
    )
    db.add(clash)
    with pytest.raises(Exception, match="uq_campaign_influencers_short_code"):
        db.flush()
    db.rollback()
    assert db.scalar(select(Assignment.id).where(Assignment.short_code == "nothere1")) is None
