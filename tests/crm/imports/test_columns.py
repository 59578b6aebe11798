"""map_columns: aliases from common exports, duplicates, ignored columns, corrections."""

from __future__ import annotations

import pytest

from crm.errors import InvalidInput
from crm.imports.columns import map_columns


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
    assert mapping.ignored == ["Followers"] and mapping.duplicates == {}


def test_the_export_header_maps_to_itself():
    headers = ["name", "platform", "handle", "profile_url", "email", "status", "priority", "tags", "notes",
               "follow_up", "last_contacted"]  # fmt: skip
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
