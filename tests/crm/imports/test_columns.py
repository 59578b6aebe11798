"""map_columns: aliases from common exports, duplicates, ignored columns, corrections."""

from __future__ import annotations

import pytest

from crm.errors import InvalidInput
from crm.imports.columns import CODES, code_problems, column_code, corrected, map_columns, with_codes


def test_aliases_used_by_common_exports():
    mapping = map_columns(
        ["Full Name", "Username", "Network", "Instagram URL", "TikTok URL", "E-mail", "Stage", "Labels",
         "Priority", "Comments", "Next Follow-up", "Last Contacted", "Followers"]
    )  # fmt: skip
    fields = {c.header: (c.field, c.platform) for c in mapping.columns}
    assert fields["Full Name"] == ("name", None)
    assert fields["Username"] == ("handle", None)
    assert fields["Network"] == ("platform", None)
    assert fields["Instagram URL"] == ("profile_url", "instagram")
    assert fields["TikTok URL"] == ("profile_url", "tiktok")
    assert fields["E-mail"] == ("email", None)
    assert fields["Next Follow-up"] == ("follow_up", None)
    assert fields["Last Contacted"] == ("last_contacted", None)
    assert fields["Followers"] == ("followers", None)
    assert mapping.ignored == [] and mapping.duplicates == {}


def test_follower_columns_may_be_several_one_per_platform():
    headers = ["handle", "Instagram followers", "TikTok Followers", "YouTube subscribers", "Audience"]
    mapping = map_columns(headers)
    assert [c.field for c in mapping.columns[1:]] == ["followers"] * 4
    assert mapping.duplicates == {} and code_problems({0: "handle", 1: "followers", 2: "followers"}) == {}


@pytest.mark.parametrize(
    ("header", "mapped"),
    [
        ("IG handle", ("handle", "instagram")),
        ("YT channel", ("profile_url", "youtube")),
        ("Twitter", ("handle", "x")),
        ("LI URL", ("profile_url", "linkedin")),
        ("Twitch username", ("handle", "twitch")),
        ("Blog URL", (None, None)),  # a blog is known by its link, which says whose blog it is
        ("Medium URL", (None, None)),
    ],
)
def test_a_platform_column_is_read_by_the_platform_s_name_or_short_form(header, mapped):
    (column,) = map_columns([header]).columns
    assert (column.field, column.platform) == mapped


def test_the_export_header_maps_to_itself():
    headers = ["name", "platform", "handle", "profile_url", "email", "followers", "status", "priority",
               "tags", "notes", "follow_up", "last_contacted", "cadence"]  # fmt: skip
    assert [c.field for c in map_columns(headers).columns] == headers


def test_duplicate_headers_are_reported_and_can_be_corrected():
    mapping = map_columns(["Name", "Email", "Email", "Creator", "handle"])
    assert mapping.duplicates == {"name": ["Name", "Creator"], "email": ["Email", "Email"]}
    fixed = mapping.with_column(2, None).with_column("Creator", None)
    assert fixed.duplicates == {} and fixed.ignored == ["Email", "Creator"]


def test_with_column_reads_a_column_the_aliases_missed():
    mapping = map_columns(["Insta", "who"]).with_column("Insta", "profile_url", platform="instagram")
    assert [(c.field, c.platform) for c in mapping.of("profile_url")] == [("profile_url", "instagram")]
    with pytest.raises(InvalidInput, match="no column"):
        mapping.with_column("Nope", "name")
    with pytest.raises(InvalidInput, match="not a field"):
        mapping.with_column("who", "shoe_size")


def test_codes_round_trip_and_correct_a_mapping():
    mapping = map_columns(["Creator", "Who", "Instagram URL", "Mail"])
    assert [column_code(c) for c in mapping.columns] == ["name", "-", "profile_url:instagram", "-"]
    fixed = with_codes(mapping, {1: "handle:tiktok", 3: "email", 2: "-"})
    assert [column_code(c) for c in fixed.columns] == ["name", "handle:tiktok", "-", "email"]
    assert fixed.ignored == ["Instagram URL"]
    assert {column_code(c) for c in map_columns(["x"] * 3).columns} <= set(CODES)


@pytest.mark.parametrize(
    ("codes", "message"),
    [({0: "handle:myspace"}, "not something a column can hold"), ({9: "email"}, "no column 10")],
)
def test_bad_codes_are_refused(codes, message):
    with pytest.raises(InvalidInput, match=message):
        with_codes(map_columns(["a", "b"]), codes)


def test_code_problems_name_the_column_to_change():
    assert code_problems({0: "name", 1: "handle", 2: "handle:tiktok", 3: "-"}) == {}
    assert code_problems({0: "email", 1: "handle", 2: "email"}) == {
        2: "Column 1 is already read as this; choose one column for it."
    }
    assert "handle or a profile link" in code_problems({0: "name", 1: "-"})[0]


def test_corrected_keeps_only_the_choices_that_differ_from_the_headers():
    mapping, changed = corrected(["Creator", "Who", "Email"], {0: "name", 1: "handle:tiktok", 2: "email"})
    assert [column_code(c) for c in mapping.columns] == ["name", "handle:tiktok", "email"]
    assert changed == {1: "handle:tiktok"}  # Creator and Email were read so already


def test_tag_columns_may_be_several():
    mapping = map_columns(["handle", "Tags", "Niche", "Categories", "Vertical"])
    assert [c.field for c in mapping.columns[1:]] == ["tags"] * 4 and mapping.duplicates == {}
    assert code_problems({0: "handle", 1: "tags", 2: "tags"}) == {}
