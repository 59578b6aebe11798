"""crm.influencers: parsing references, saving, finding and resolving influencers."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.errors import Ambiguous, InvalidInput, NotFound
from crm.influencer_refs import parse_influencer_ref
from crm.influencers import find_influencers, get_influencer, resolve_influencer, save_influencer
from tests.factories import make_influencer


@pytest.mark.parametrize(
    ("text", "handle", "platform"),
    [
        ("@maya", "maya", None),
        ("maya", "maya", None),
        ("  @Maya.Lopez_1 ", "Maya.Lopez_1", None),
        ("https://instagram.com/maya", "maya", "instagram"),
        ("https://www.instagram.com/maya/?igsh=abc#top", "maya", "instagram"),
        ("instagram.com/maya", "maya", "instagram"),
        ("http://m.instagram.com/maya", "maya", "instagram"),
        ("https://www.tiktok.com/@maya.cooks", "maya.cooks", "tiktok"),
        ("https://youtube.com/@MayaCooks/videos", "MayaCooks", "youtube"),
        ("https://www.youtube.com/c/mayacooks", "mayacooks", "youtube"),
        ("https://x.com/maya", "maya", "x"),
        ("https://twitter.com/maya/", "maya", "x"),
        ("https://mobile.twitter.com/maya", "maya", "x"),
        ("https://www.twitch.tv/maya_live", "maya_live", "twitch"),
        ("https://www.linkedin.com/in/maya-lopez/", "maya-lopez", "linkedin"),
        ("https://mayacooks.com/about", "mayacooks.com", "blog"),
    ],
)
def test_parse_reference(text, handle, platform):
    ref = parse_influencer_ref(text)
    assert (ref.handle, ref.platform) == (handle, platform)
    assert (ref.profile_url is None) == (platform is None)


def test_parse_gives_a_canonical_profile_url():
    assert parse_influencer_ref("twitter.com/maya?s=20").profile_url == "https://x.com/maya"
    assert parse_influencer_ref("m.tiktok.com/@maya/").profile_url == "https://www.tiktok.com/@maya"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "@",
        "maya lopez",
        "@@maya",
        "maya!",
        "https://",
        "https://instagram.com/",
        "https://www.instagram.com/p/Cx123abc/",
        "https://www.tiktok.com/maya",
        "https://youtube.com/watch?v=abc",
        "https://x.com/i/status/1",
        "https://linkedin.com/company/acme",
        "x" * 101,
    ],
)
def test_parse_rejects_junk_naming_the_field(text):
    with pytest.raises(InvalidInput) as err:
        parse_influencer_ref(text)
    assert err.value.field == "influencer"
    assert err.value.message


handles = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,29}", fullmatch=True)


@given(handle=handles)
def test_any_valid_handle_parses_back_from_at_and_profile_urls(handle):
    assert parse_influencer_ref("@" + handle).handle == handle
    assert parse_influencer_ref(f"https://www.tiktok.com/@{handle}").handle == handle
    try:
        ref = parse_influencer_ref(f"https://x.com/{handle}")
    except InvalidInput:
        # Only x.com's own pages (x.com/home, x.com/i/…) are refused.
        assert handle.lower() in {"home", "i", "intent", "search", "share", "hashtag", "explore", "settings"}
        return
    assert (ref.platform, ref.handle) == ("x", handle)
    # The canonical URL parses back to the same reference.
    assert parse_influencer_ref(ref.profile_url) == ref


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
    assert again.profile_url == "https://instagram.com/maya"
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


def test_find_puts_exact_handles_before_names(db):
    by_handle = make_influencer(db, team_id="T1", handle="maya", name="Someone")
    by_name = make_influencer(db, team_id="T1", handle="mlopez", name="Maya")
    by_prefix = make_influencer(db, team_id="T1", handle="mayafit", name="Maya Fitness")
    make_influencer(db, team_id="T1", handle="zed", name="Zed")
    make_influencer(db, team_id="T2", handle="maya", name="Maya")  # another team
    found = find_influencers(db, team_id="T1", ref="maya")
    assert [i.id for i in found] == [by_handle.id, by_name.id, by_prefix.id]


def test_find_matches_a_later_word_of_the_name_and_escapes_like(db):
    lopez = make_influencer(db, team_id="T1", handle="m1", name="Maya Lopez")
    make_influencer(db, team_id="T1", handle="m2", name="Maya Smith")
    assert [i.id for i in find_influencers(db, team_id="T1", ref="lopez")] == [lopez.id]
    assert find_influencers(db, team_id="T1", ref="%") == []


def test_resolve_exact_handle_wins_over_names(db):
    maya = make_influencer(db, team_id="T1", handle="maya", name="M")
    make_influencer(db, team_id="T1", handle="other", name="maya")
    assert resolve_influencer(db, team_id="T1", ref="@maya").id == maya.id


def test_resolve_by_link_is_platform_specific(db):
    make_influencer(db, team_id="T1", handle="maya", platform="instagram")
    tiktok = make_influencer(db, team_id="T1", handle="maya", platform="tiktok")
    assert resolve_influencer(db, team_id="T1", ref="https://tiktok.com/@maya").id == tiktok.id
    with pytest.raises(Ambiguous) as err:
        resolve_influencer(db, team_id="T1", ref="@maya")
    assert len(err.value.candidates) == 2


def test_resolve_by_full_name(db):
    lopez = make_influencer(db, team_id="T1", handle="m1", name="Maya Lopez")
    make_influencer(db, team_id="T1", handle="m2", name="Maya Smith")
    assert resolve_influencer(db, team_id="T1", ref="maya lopez").id == lopez.id
    with pytest.raises(Ambiguous):
        resolve_influencer(db, team_id="T1", ref="Maya")


def test_resolve_nothing_or_other_team_is_not_found(db):
    make_influencer(db, team_id="T2", handle="maya")
    with pytest.raises(NotFound):
        resolve_influencer(db, team_id="T1", ref="@maya")


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
