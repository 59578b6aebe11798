"""crm.influencers: saving creators with their profiles and names, linking, finding, resolving.

What a reference means and when two profiles are the same: tests/crm/test_profiles.py.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.errors import Ambiguous, Conflict, InvalidInput, NotFound
from crm.influencers import (
    get_influencer,
    link_profile,
    rename_influencer,
    save_influencer,
)
from crm.models import InfluencerProfile
from crm.references import resolve_influencer
from tests.factories import make_influencer

handles = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}", fullmatch=True)


def test_save_creates_then_gets_case_insensitively(db):
    first = save_influencer(db, team_id="T1", ref="@Maya")
    assert (first.handle, first.platform, first.name) == ("Maya", "instagram", "Maya")
    again = save_influencer(db, team_id="T1", ref="maya")
    assert again.id == first.id


def test_save_from_url_uses_its_platform_and_link(db):
    influencer = save_influencer(db, team_id="T1", ref="https://www.tiktok.com/@maya", name="Maya Lopez")
    assert (influencer.platform, influencer.handle, influencer.name) == ("tiktok", "maya", "Maya Lopez")
    assert influencer.profile_url == "https://www.tiktok.com/@maya"


def test_bare_handle_reuses_the_only_existing_platform(db):
    tiktok = save_influencer(db, team_id="T1", ref="tiktok.com/@maya")
    assert save_influencer(db, team_id="T1", ref="@maya").id == tiktok.id


def test_bare_handle_on_several_platforms_is_ambiguous_unless_one_is_instagram(db, snapshot):
    save_influencer(db, team_id="T1", ref="tiktok.com/@maya")
    save_influencer(db, team_id="T1", ref="x.com/maya")
    before = snapshot()
    with pytest.raises(Ambiguous) as err:
        save_influencer(db, team_id="T1", ref="@maya")
    assert {i.platform for i in err.value.candidates} == {"tiktok", "x"}
    assert snapshot() == before
    insta = save_influencer(db, team_id="T1", ref="@maya", platform="instagram")
    assert save_influencer(db, team_id="T1", ref="@maya").id == insta.id


def test_same_handle_in_another_team_is_another_influencer(db):
    a = save_influencer(db, team_id="T1", ref="@maya")
    b = save_influencer(db, team_id="T2", ref="@maya")
    assert a.id != b.id


def test_saving_again_fills_blanks_but_keeps_colleagues_data(db):
    first = save_influencer(db, team_id="T1", ref="@maya", email="maya@x.io")
    again = save_influencer(
        db,
        team_id="T1",
        ref="@maya",
        name="Maya Lopez",
        email="other@x.io",
        profile_url="https://instagram.com/maya",
        follower_count=1200,
    )
    assert again.id == first.id
    assert again.name == "Maya Lopez"  # was the default (the handle)
    assert again.email == "maya@x.io"  # not overwritten
    assert again.profile_url == "https://www.instagram.com/maya/"  # the canonical link of @maya
    assert again.follower_count == 1200
    renamed = save_influencer(db, team_id="T1", ref="@maya", name="Someone Else")
    assert renamed.name == "Maya Lopez"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ref": "not a handle"}, "influencer"),
        ({"ref": "@maya", "platform": "myspace"}, "platform"),
        ({"ref": "tiktok.com/@maya", "platform": "youtube"}, "platform"),
        ({"ref": "@maya", "profile_url": "ftp://example.com/maya"}, "profile_url"),
        ({"ref": "@maya", "profile_url": "javascript:alert(1)"}, "profile_url"),
        ({"ref": "@maya", "email": "maya-at-example"}, "email"),
        ({"ref": "@maya", "follower_count": -1}, "follower_count"),
        ({"ref": "@maya", "name": "n" * 256}, "name"),
    ],
)
def test_save_bad_input_names_the_field_and_writes_nothing(db, snapshot, kwargs, field):
    save_influencer(db, team_id="T1", ref="@other")
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        save_influencer(db, team_id="T1", **kwargs)
    assert err.value.field == field
    assert snapshot() == before


def test_get_influencer_is_scoped_to_the_team(db):
    maya = make_influencer(db, team_id="T1", handle="maya")
    assert get_influencer(db, team_id="T1", influencer_id=maya.id).id == maya.id
    with pytest.raises(NotFound):
        get_influencer(db, team_id="T2", influencer_id=maya.id)
    with pytest.raises(NotFound):
        get_influencer(db, team_id="T1", influencer_id=uuid.uuid4())


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(handle=handles, upper=st.booleans())
def test_save_then_resolve_round_trips(db, isolated, handle, upper):
    with isolated():
        saved = save_influencer(db, team_id="TPROP", ref="@" + handle, platform="youtube")
        typed = handle.upper() if upper else handle.lower()
        assert resolve_influencer(db, team_id="TPROP", ref=f"youtube.com/@{typed}").id == saved.id


def test_names_are_saved_without_bidi_controls_or_zero_width_characters(db):
    saved = save_influencer(db, team_id="T1", ref="@maya", name="\u202eMaya\u200b Lopez\ufeff")
    assert saved.name == "Maya Lopez"
    assert resolve_influencer(db, team_id="T1", ref="Maya\u200b Lopez").id == saved.id
    dev = save_influencer(db, team_id="T1", ref="@dev", name="Dev 👩\u200d💻")
    assert dev.name == "Dev 👩\u200d💻"


def _profiles(db, influencer) -> list[tuple[str, str, bool]]:
    db.expire(influencer, ["profiles"])
    return [(p.platform, p.identity_key, p.is_primary) for p in influencer.profiles]


def test_two_medium_writers_are_two_creators(db):
    anna = save_influencer(db, team_id="T1", ref="https://medium.com/@anna.writes")
    other = save_influencer(db, team_id="T1", ref="https://medium.com/@someone.else")
    assert anna.id != other.id
    assert (anna.handle, anna.platform, anna.profile_url) == (
        "anna.writes",
        "blog",
        "https://medium.com/@anna.writes",
    )
    bob = save_influencer(db, team_id="T1", ref="example.com/blog/bob")
    alice = save_influencer(db, team_id="T1", ref="https://example.com/blog/alice/")
    assert bob.id != alice.id
    # The same profile written differently is the same creator.
    again = save_influencer(db, team_id="T1", ref="HTTPS://www.Medium.com/@Anna.Writes/?utm_source=x")
    assert again.id == anna.id


def test_a_new_creator_has_its_primary_profile_in_step(db):
    priya = save_influencer(db, team_id="T1", ref="@priya", platform="youtube", name="Priya Raman")
    assert (priya.name, priya.platform, priya.handle, priya.profile_url) == (
        "Priya Raman",
        "youtube",
        "priya",
        "https://www.youtube.com/@priya",
    )
    assert _profiles(db, priya) == [("youtube", "youtube:priya", True)]


def test_link_adds_a_platform_and_resolving_finds_the_creator_by_any_profile(db):
    priya = save_influencer(db, team_id="T1", ref="https://youtube.com/@priya", name="Priya Raman")
    profile, created = link_profile(
        db, team_id="T1", influencer_id=priya.id, ref="@priya.r", platform="tiktok"
    )
    assert created and (profile.platform, profile.handle, profile.is_primary) == ("tiktok", "priya.r", False)
    link_profile(db, team_id="T1", influencer_id=priya.id, ref="https://priya.substack.com/p/hello")
    assert [p[1] for p in _profiles(db, priya)] == [
        "youtube:priya",
        "tiktok:priya.r",
        "url:priya.substack.com",
    ]
    assert priya.handle == "priya"  # the primary profile stays primary
    for ref in (
        "@priya.r",
        "tiktok.com/@Priya.R",
        "priya.substack.com",
        "@priya",
        "Priya Raman",
        "@priya.r tiktok",
    ):
        assert resolve_influencer(db, team_id="T1", ref=ref).id == priya.id, ref
    # Saving any of its profiles again finds the same creator.
    assert save_influencer(db, team_id="T1", ref="https://www.tiktok.com/@priya.r").id == priya.id
    assert save_influencer(db, team_id="T1", ref="@priya.r").id == priya.id
    # Linking what is already hers changes nothing.
    _, created = link_profile(db, team_id="T1", influencer_id=priya.id, ref="youtube.com/@PRIYA")
    assert not created and len(_profiles(db, priya)) == 3


def test_link_refuses_another_creators_profile_naming_it(db, snapshot):
    maya = save_influencer(db, team_id="T1", ref="@maya", name="Maya Lopez")
    priya = save_influencer(db, team_id="T1", ref="@priya", platform="youtube", name="Priya Raman")
    before = snapshot()
    with pytest.raises(Conflict) as err:
        link_profile(db, team_id="T1", influencer_id=priya.id, ref="https://instagram.com/maya")
    assert "Instagram @maya already belongs to" in err.value.message and "Maya Lopez" in err.value.message
    assert snapshot() == before
    assert [p[1] for p in _profiles(db, maya)] == ["instagram:maya"]


@pytest.mark.parametrize(
    ("ref", "platform", "field"),
    [
        ("@priya", None, "platform"),  # which platform?
        ("@priya", "myspace", "platform"),
        ("tiktok.com/@priya", "youtube", "platform"),
        ("https://www.instagram.com/p/Cx123/", None, "influencer"),
        ("not a handle", "tiktok", "influencer"),
    ],
)
def test_link_bad_input_names_the_field_and_writes_nothing(db, snapshot, ref, platform, field):
    priya = save_influencer(db, team_id="T1", ref="@priya", platform="youtube")
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        link_profile(db, team_id="T1", influencer_id=priya.id, ref=ref, platform=platform)
    assert err.value.field == field
    assert snapshot() == before


def test_link_to_another_teams_creator_is_not_found(db):
    other = save_influencer(db, team_id="T2", ref="@maya")
    with pytest.raises(NotFound):
        link_profile(db, team_id="T1", influencer_id=other.id, ref="@maya", platform="tiktok")
    with pytest.raises(NotFound):
        rename_influencer(db, team_id="T1", influencer_id=other.id, name="Mine now")
    assert other.name == "maya"


def test_a_creator_has_at_most_so_many_profiles(db, monkeypatch):
    monkeypatch.setattr("crm.influencers.PROFILES_MAX", 2)
    maya = save_influencer(db, team_id="T1", ref="@maya")
    link_profile(db, team_id="T1", influencer_id=maya.id, ref="@maya", platform="tiktok")
    with pytest.raises(InvalidInput) as err:
        link_profile(db, team_id="T1", influencer_id=maya.id, ref="@maya", platform="x")
    assert err.value.field == "profile" and "at most 2" in err.value.message


def test_rename(db):
    maya = save_influencer(db, team_id="T1", ref="@maya")
    renamed = rename_influencer(db, team_id="T1", influencer_id=maya.id, name="  Maya\u200b  Lopez ")
    assert renamed.name == "Maya Lopez"
    assert resolve_influencer(db, team_id="T1", ref="maya lopez").id == maya.id
    for bad in ("", "   ", "n" * 256):
        with pytest.raises(InvalidInput) as err:
            rename_influencer(db, team_id="T1", influencer_id=maya.id, name=bad)
        assert err.value.field == "name"
    assert maya.name == "Maya Lopez"


def test_save_with_a_second_link_links_it_to_the_same_creator(db):
    priya = save_influencer(
        db, team_id="T1", ref="@priya", platform="youtube", profile_url="https://priya.substack.com"
    )
    assert [p[1] for p in _profiles(db, priya)] == ["youtube:priya", "url:priya.substack.com"]


def test_bare_handle_on_two_profiles_of_one_creator_is_that_creator(db):
    maya = save_influencer(db, team_id="T1", ref="tiktok.com/@maya")
    link_profile(db, team_id="T1", influencer_id=maya.id, ref="x.com/maya")
    assert save_influencer(db, team_id="T1", ref="@maya").id == maya.id
    assert resolve_influencer(db, team_id="T1", ref="@maya").id == maya.id
    assert db.query(InfluencerProfile).filter_by(team_id="T1").count() == 2
