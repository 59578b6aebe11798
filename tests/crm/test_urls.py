"""crm.urls: the one "is this a link?" test, and the http(s) link check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.errors import InvalidInput
from crm.urls import looks_like_url, validate_http_url


@pytest.mark.parametrize(
    ("token", "url"),
    [
        ("https://x.com/a", True),
        ("HTTP://shop.example", True),
        ("instagram.com/maya", True),
        ("www.tiktok.com/@maya", True),
        ("  mayacooks.com/  ", True),
        ("mayacooks.com", False),  # a bare host could be a handle with a dot
        ("@maya", False),
        ("@maya.fit/x", False),
        ("maya", False),
        ("Maya Lopez", False),
        ("a/b", False),
        ("v1.2", False),
        ("1.5/2", False),
    ],
)
def test_looks_like_url(token, url):
    assert looks_like_url(token) is url


@given(st.from_regex(r"[A-Za-z0-9_.\-]{1,30}", fullmatch=True))
def test_a_handle_never_looks_like_a_link(handle):
    assert not looks_like_url(handle) and not looks_like_url("@" + handle)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://shop.example/spring?x=1#top", "https://shop.example/spring?x=1#top"),
        ("  http://a.b  ", "http://a.b"),
    ],
)
def test_validate_http_url_accepts_absolute_links(value, expected):
    assert validate_http_url(value, field="profile_url") == expected


@pytest.mark.parametrize(
    "value",
    [
        "ftp://example.com/a",
        "javascript:alert(1)",
        "shop.example/spring",
        "https://localhost/x",
        "https://a b.com",
        "https://x.com/" + "a" * 2000,
        "",
    ],
)
def test_validate_http_url_refuses_anything_else(value):
    with pytest.raises(InvalidInput) as err:
        validate_http_url(value, field="file_url")
    assert err.value.field == "file_url"
