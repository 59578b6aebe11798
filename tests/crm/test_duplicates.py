"""crm.duplicates: creators who may be one person under two entries."""

from __future__ import annotations

from crm.duplicates import likely_same_person
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
