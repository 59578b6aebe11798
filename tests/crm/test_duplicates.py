"""crm.duplicates: creators who may be one person under two entries."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.duplicates import SEPARATORS, likely_same_person, squashed
from crm.influencers import link_profile, save_influencer


def test_likely_same_person_is_a_handle_on_another_platform_or_the_same_name(db):
    lena = save_influencer(db, team_id="T1", ref="@Lena_Fit", name="Lena Fischer")
    on_tiktok = save_influencer(db, team_id="T1", ref="@lena_fit", platform="tiktok")
    assert likely_same_person(db, influencer=on_tiktok) == [lena]
    assert likely_same_person(db, influencer=lena) == [on_tiktok]
    # The same name, accents and case aside, under another handle.
    namesake = save_influencer(db, team_id="T1", ref="@lenaf", platform="youtube", name="LENA FÏSCHER")
    assert likely_same_person(db, influencer=namesake) == [lena]
    # Not: another handle and name, the same handle in another team, a creator already merged.
    other = save_influencer(db, team_id="T1", ref="@maya", platform="tiktok", name="Maya")
    save_influencer(db, team_id="T2", ref="@maya", name="Maya")
    assert likely_same_person(db, influencer=other) == []
    link_profile(db, team_id="T1", influencer_id=other.id, ref="@maya.yt", platform="youtube")
    assert likely_same_person(db, influencer=other) == []


def test_likely_same_person_spelt_alike_but_for_dots_dashes_underscores_and_spaces(db):
    on_tiktok = save_influencer(db, team_id="T1", ref="@zoe.makes", platform="tiktok")  # named "zoe.makes"
    named = save_influencer(db, team_id="T1", ref="@zoemakes", name="Zoë Makes")
    assert likely_same_person(db, influencer=named) == [on_tiktok]
    assert likely_same_person(db, influencer=on_tiktok) == [named]
    # A third spelling, on YouTube, with a name of its own: both earlier entries (saved in the same
    # transaction here, so at the same instant: their order is not the point).
    on_youtube = save_influencer(db, team_id="T1", ref="@Zoe_Makes", platform="youtube", name="ZM Studio")
    assert set(likely_same_person(db, influencer=on_youtube)) == {on_tiktok, named}
    # Not: another team's, or one spelt alike only in a few letters ("a.b.c" and "abc" agree by chance).
    save_influencer(db, team_id="T2", ref="@zoe-makes", platform="tiktok")
    assert set(likely_same_person(db, influencer=named)) == {on_tiktok, on_youtube}
    short = save_influencer(db, team_id="T1", ref="@a.b.c", platform="tiktok", name="Ann")
    save_influencer(db, team_id="T1", ref="@abc", platform="youtube", name="Abe")
    assert likely_same_person(db, influencer=short) == []


@pytest.mark.parametrize("text", ["Zoë Makes", "zoe.makes", "ZOË_MAKES-X", "Łukasz Ćwik", "a b", "株式 会社"])
def test_squashed_in_sql_is_squashed_in_python(db, text):
    in_sql = db.scalar(select(func.translate(func.crm_fold(text), SEPARATORS, "")))
    assert in_sql == squashed(text)
