"""crm.search: ranked search over the team directory and the actor's own tags and notes."""

from __future__ import annotations

import pytest

from crm.errors import InvalidInput
from crm.search import search, spelled_like
from tests.factories import make_influencer, make_relationship, make_user


@pytest.fixture
def world(db):
    me = make_user(db, team_id="T1")
    colleague = make_user(db, team_id="T1")
    maya = make_influencer(db, team_id="T1", handle="maya_fit", name="Maya Lopez")
    jon = make_influencer(db, team_id="T1", handle="jonruns", name="Jon Berliner")
    kim = make_influencer(db, team_id="T1", handle="kimcooks", name="Kim Park")
    zoe = make_influencer(db, team_id="T1", handle="zoe", name="Zoe")
    outsider = make_influencer(db, team_id="T2", handle="maya", name="Maya Lopez")
    make_relationship(db, user=me, influencer=kim, tags=["vegan", "berlin"], notes="Met at the food fair")
    make_relationship(db, user=colleague, influencer=zoe, tags=["secret"], notes="confidential berlin deal")
    return {"me": me, "maya": maya, "jon": jon, "kim": kim, "zoe": zoe, "outsider": outsider}


def ids(hits):
    return [hit.influencer.id for hit in hits]


def test_finds_by_name_word_prefix_and_handle_substring(db, world):
    assert ids(search(db, actor=world["me"], text="lopez")) == [world["maya"].id]
    assert ids(search(db, actor=world["me"], text="aya_f")) == [world["maya"].id]
    assert ids(search(db, actor=world["me"], text="@maya_fit")) == [world["maya"].id]


def test_finds_by_e_mail_address_or_its_domain_in_the_team_only(db, world):
    jon, outsider = world["jon"], world["outsider"]
    jon.email, outsider.email = "Jon@Runs.example", "jon@runs.example"
    db.flush()
    assert ids(search(db, actor=world["me"], text="jon@runs.example")) == [jon.id]
    assert ids(search(db, actor=world["me"], text="runs.example")) == [jon.id]


def test_names_notes_and_tags_match_with_or_without_their_accents(db, world):
    me = world["me"]
    zoe = make_influencer(db, team_id="T1", handle="zm", name="Zoë Müller")
    sofia = make_influencer(db, team_id="T1", handle="sofi", name="Sofia Martinez")
    make_relationship(db, user=me, influencer=sofia, notes="Rencontrée au café", tags=["été"])
    assert ids(search(db, actor=me, text="zoe muller")) == [zoe.id]  # typed without the accents
    assert ids(search(db, actor=me, text="MÜLL")) == [zoe.id]  # a prefix, with them
    assert ids(search(db, actor=me, text="martínez")) == [sofia.id]  # accents the name lacks
    assert ids(search(db, actor=me, text="rencontree")) == [sofia.id]  # my notes
    assert ids(search(db, actor=me, text="ete")) == [sofia.id]  # my tags
    assert ids(search(db, actor=me, text="ller")) == [zoe.id]  # a substring (the LIKE path)


def test_finds_by_my_tag_and_my_notes_and_returns_my_relationship(db, world):
    hits = search(db, actor=world["me"], text="#vegan")
    assert ids(hits) == [world["kim"].id]
    assert hits[0].relationship is not None and hits[0].relationship.user_id == world["me"].id
    assert ids(search(db, actor=world["me"], text="food fair")) == [world["kim"].id]


def test_never_matches_a_colleagues_tags_or_notes(db, world):
    assert search(db, actor=world["me"], text="secret") == []
    assert search(db, actor=world["me"], text="confidential") == []


def test_ranks_exact_tag_above_name_prefix(db, world):
    # "berlin" is my tag on Kim and a prefix of Jon's surname; both match, the tag ranks first.
    hits = search(db, actor=world["me"], text="berlin")
    assert ids(hits) == [world["kim"].id, world["jon"].id]
    assert hits[0].rank > hits[1].rank
    assert hits[1].relationship is None


def test_exact_handle_ranks_first(db, world):
    make_influencer(db, team_id="T1", handle="zoe_fan", name="Zoe Fan Club")
    hits = search(db, actor=world["me"], text="zoe")
    assert hits[0].influencer.id == world["zoe"].id
    assert len(hits) == 2


def test_other_teams_are_invisible_and_limit_applies(db, world):
    assert world["outsider"].id not in ids(search(db, actor=world["me"], text="maya"))
    assert len(search(db, actor=world["me"], text="o", limit=2)) == 2


def test_query_syntax_cannot_break_the_query(db, world):
    for text in ["maya & | ! :*", "'; drop table users; --", "100%", "a_b", "((("]:
        search(db, actor=world["me"], text=text)  # no SQL error
    assert search(db, actor=world["me"], text="100%") == []


@pytest.mark.parametrize(("text", "limit"), [("", 20), ("   ", 20), ("x" * 201, 20), ("maya", 0)])
def test_bad_search_input(db, world, text, limit):
    with pytest.raises(InvalidInput):
        search(db, actor=world["me"], text=text, limit=limit)


def test_finds_a_creator_by_any_of_its_profiles(db, world):
    from crm.influencers import link_profile, save_influencer

    priya = save_influencer(db, team_id="T1", ref="https://youtube.com/@priya", name="Priya Raman")
    link_profile(db, team_id="T1", influencer_id=priya.id, ref="@glowbypriya", platform="tiktok")
    link_profile(db, team_id="T1", influencer_id=priya.id, ref="https://medium.com/@priya.writes")
    me = world["me"]
    assert ids(search(db, actor=me, text="glowbypriya")) == [priya.id]  # a linked profile's handle
    assert ids(search(db, actor=me, text="glowby")) == [priya.id]  # ... and its beginning
    assert ids(search(db, actor=me, text="https://www.tiktok.com/@GlowByPriya?lang=en")) == [priya.id]
    assert ids(search(db, actor=me, text="medium.com/@priya.writes/")) == [priya.id]
    # Another team's creator with the same profile stays out of sight.
    save_influencer(db, team_id="T2", ref="https://medium.com/@priya.writes")
    assert ids(search(db, actor=me, text="https://medium.com/@priya.writes")) == [priya.id]


def test_spelled_like_offers_names_and_handles_of_my_list_spelt_close(db, world):
    me = world["me"]
    luca = make_influencer(db, team_id="T1", handle="luca.travels", name="Luca Haddad", platform="tiktok")
    ivy = make_influencer(db, team_id="T1", handle="ivyh", name="Ivy Haddad")
    make_relationship(db, user=me, influencer=luca)
    make_relationship(db, user=me, influencer=ivy)
    assert ids_of(spelled_like(db, actor=me, ref="luka haddad")) == [luca.id]  # the whole name
    assert ids_of(spelled_like(db, actor=me, ref="LUKA  HADDÁD")) == [luca.id]  # case, spaces, accents
    assert ids_of(spelled_like(db, actor=me, ref="hadad")) == [ivy.id, luca.id]  # a word of the name
    assert ids_of(spelled_like(db, actor=me, ref="@luka.travels")) == [luca.id]  # the handle
    assert ids_of(spelled_like(db, actor=me, ref="@luca.travels instagram")) == [luca.id]  # wrong platform
    from crm.influencers import link_profile

    link_profile(db, team_id="T1", influencer_id=ivy.id, ref="@ivy.eats", platform="tiktok")
    assert ids_of(spelled_like(db, actor=me, ref="@ivy.eat")) == [ivy.id]  # a linked profile's handle
    assert spelled_like(db, actor=me, ref="hadad", limit=1) == [ivy]
    # Not: far from every name, a creator not on my list (Maya Lopez, in two teams), a colleague's.
    assert spelled_like(db, actor=me, ref="xyzzy") == []
    assert spelled_like(db, actor=me, ref="maya lopes") == []
    assert spelled_like(db, actor=me, ref="zoey") == []  # Zoe is on a colleague's list, not mine


def ids_of(influencers):
    return [i.id for i in influencers]
