"""UTM link building: Google Campaign URL Builder rules, checked by example and by property."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_plus, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.errors import InvalidInput
from crm.utm import MAX_URL_LENGTH, UTMError, build_utm_url, normalize_utm_value

BASE = "https://shop.example.com/spring"


def test_google_builder_example_with_other_parameters_and_fragment():
    url = build_utm_url(
        "https://shop.example.com/spring?ref=nav&page=2#reviews",
        source="Instagram",
        medium="Influencer",
        campaign="Spring Sale 2026",
        content="@Maya.Creates",
    )
    assert url == (
        "https://shop.example.com/spring?ref=nav&page=2&utm_source=instagram&utm_medium=influencer"
        "&utm_campaign=spring-sale-2026&utm_content=%40maya.creates#reviews"
    )


def test_existing_utm_parameters_are_replaced_wherever_they_are():
    url = build_utm_url(
        "http://example.com/?utm_source=old&a=1&UTM_Medium=x&utm_id=7&b=2",
        source="tiktok",
        medium="influencer",
        campaign="launch",
    )
    assert url == "http://example.com/?a=1&b=2&utm_source=tiktok&utm_medium=influencer&utm_campaign=launch"


def test_empty_optional_values_are_omitted():
    url = build_utm_url(BASE, source="x", medium="y", campaign="z", content="   ", term="")
    assert url == f"{BASE}?utm_source=x&utm_medium=y&utm_campaign=z"


def test_values_are_form_encoded_with_plus_for_space_when_verbatim():
    url = build_utm_url(
        BASE, source="News Letter", medium="e-mail", campaign="50% off & more", normalize=False
    )
    assert url == f"{BASE}?utm_source=News+Letter&utm_medium=e-mail&utm_campaign=50%25+off+%26+more"


def test_normalization_trims_lowercases_and_joins_whitespace_runs():
    assert normalize_utm_value("  Summer \t Drop\n2026  ") == "summer-drop-2026"
    assert normalize_utm_value("ÉTÉ\u00a0Collab") == "été-collab"  # non-breaking space counts as whitespace


@pytest.mark.parametrize("field", ["source", "medium", "campaign"])
def test_required_values_must_not_be_blank(field):
    values = {"source": "a", "medium": "b", "campaign": "c", field: " \n "}
    with pytest.raises(InvalidInput) as exc:
        build_utm_url(BASE, **values)
    assert exc.value.field == f"utm_{field}"
    assert field in exc.value.message


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "example.com/page",
        "/relative/path",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "https://",
        "http:///only-a-path",
        "https://exa mple.com/",
        "https://example.com/\npath",
        "https://example.com:99999/",
        "https://example.com:port/",
    ],
)
def test_rejects_anything_but_an_absolute_http_url_with_a_host(bad):
    with pytest.raises(UTMError) as exc:
        build_utm_url(bad, source="a", medium="b", campaign="c")
    assert exc.value.field == "url"
    assert exc.value.message


def test_scheme_is_case_insensitive_and_surrounding_whitespace_is_ignored():
    assert build_utm_url("  HTTPS://Example.com  ", source="a", medium="b", campaign="c") == (
        "HTTPS://Example.com?utm_source=a&utm_medium=b&utm_campaign=c"
    )


def test_results_over_2000_characters_are_rejected_and_2000_is_accepted():
    tail = "?utm_source=a&utm_medium=b&utm_campaign=c"
    prefix = "https://example.com/"
    exact = prefix + "p" * (MAX_URL_LENGTH - len(prefix) - len(tail))
    assert len(build_utm_url(exact, source="a", medium="b", campaign="c")) == MAX_URL_LENGTH
    with pytest.raises(UTMError) as exc:
        build_utm_url(exact + "p", source="a", medium="b", campaign="c")
    assert exc.value.field == "url"
    assert "2,000" in exc.value.message


def test_lone_surrogates_are_rejected_not_crashed_on():
    with pytest.raises(UTMError) as exc:
        build_utm_url(BASE, source="a", medium="b", campaign="bad\ud800")
    assert exc.value.field == "utm_campaign"


# --- property: parsing the link gives back the values, the other parameters and the fragment -----

_param_keys = st.text(min_size=1, max_size=12).filter(lambda k: not k.lower().startswith("utm_"))
_params = st.lists(st.tuples(_param_keys, st.text(max_size=12)), max_size=4)
_stale_utm = st.lists(st.tuples(st.sampled_from(["utm_source", "utm_term", "UTM_ID"]), st.text(max_size=8)))
# A raw fragment as it may appear in a link: no whitespace or control characters (those are rejected).
_fragment = st.none() | st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=15
).filter(lambda f: not any(c.isspace() for c in f))
_value = st.text(max_size=20)


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https"]),
    params=_params,
    stale=_stale_utm,
    fragment=_fragment,
    source=_value,
    medium=_value,
    campaign=_value,
    content=st.none() | _value,
    term=st.none() | _value,
    normalize=st.booleans(),
    data=st.data(),
)
def test_parsing_the_link_returns_the_values_parameters_and_fragment(
    scheme, params, stale, fragment, source, medium, campaign, content, term, normalize, data
):
    segments = [f"{quote_plus(k)}={quote_plus(v)}" for k, v in params]
    for pair in stale:  # stale utm_* parameters anywhere among the others
        segments.insert(data.draw(st.integers(0, len(segments))), f"{pair[0]}={quote_plus(pair[1])}")
    base = f"{scheme}://example.com/landing"
    if segments:
        base += "?" + "&".join(segments)
    if fragment is not None:
        base += "#" + fragment
    given_values = {
        "source": source,
        "medium": medium,
        "campaign": campaign,
        "content": content,
        "term": term,
    }

    def expected(value):
        if value is None or not value.strip():
            return None
        return normalize_utm_value(value) if normalize else value

    wanted = {name: expected(value) for name, value in given_values.items()}
    missing = [name for name in ("source", "medium", "campaign") if wanted[name] is None]
    if missing:
        with pytest.raises(UTMError) as exc:
            build_utm_url(base, **given_values, normalize=normalize)
        assert exc.value.field == f"utm_{missing[0]}"
        return

    url = build_utm_url(base, **given_values, normalize=normalize)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (scheme, "example.com", "/landing")
    assert parts.fragment == (fragment or "")
    assert url.endswith(f"#{fragment}" if fragment is not None else parts.query)
    utm_pairs = [(f"utm_{name}", value) for name, value in wanted.items() if value is not None]
    assert parse_qsl(parts.query, keep_blank_values=True) == params + utm_pairs
