"""crm.references: which creator a typed reference names."""

from __future__ import annotations

import pytest

from crm.errors import Ambiguous, NotFound
from crm.references import find_influencers, resolve_influencer
from tests.factories import make_influencer


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


def test_resolve_a_name_typed_without_its_accents(db):
    zoe = make_influencer(db, team_id="T1", handle="zm", name="Zoë Müller")
    assert resolve_influencer(db, team_id="T1", ref="zoe muller").id == zoe.id  # the exact name
    assert resolve_influencer(db, team_id="T1", ref="Zoe").id == zoe.id  # a first-word prefix
    assert resolve_influencer(db, team_id="T1", ref="müll").id == zoe.id  # a later word's prefix


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


def test_resolve_an_e_mail_address_finds_the_creator_saved_with_it(db):
    maya = make_influencer(db, team_id="T9", handle="maya", name="Maya Lopez", email="Maya@Eats.example")
    make_influencer(db, team_id="T8", handle="maya", email="maya@eats.example")  # another workspace
    make_influencer(db, team_id="T9", handle="eats", name="maya@eats.example fan")  # a name: ranks below
    assert resolve_influencer(db, team_id="T9", ref="maya@eats.example").id == maya.id
    with pytest.raises(NotFound):
        resolve_influencer(db, team_id="T9", ref="nobody@eats.example")


def test_resolve_nothing_or_other_team_is_not_found(db):
    make_influencer(db, team_id="T2", handle="maya")
    with pytest.raises(NotFound):
        resolve_influencer(db, team_id="T1", ref="@maya")
