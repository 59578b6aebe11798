"""Slack message markup as plain text (handlers/slack_markup.py): examples, then properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.slack_markup import (
    message_links,
    message_plain_text,
    message_references,
    plain_text,
    user_names,
)


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        (
            "rates: <https://instagram.com/sophie.glow|@sophie.glow>",
            "rates: @sophie.glow (https://instagram.com/sophie.glow)",
        ),
        ("<https://example.com/a|https://example.com/a>", "https://example.com/a"),
        ("see <https://example.com/a?x=1&amp;y=2>", "see https://example.com/a?x=1&y=2"),
        ("<http://instagram.com/sophie|instagram.com/sophie>", "instagram.com/sophie"),
        ("mail <mailto:sophie@glow.com|sophie@glow.com>", "mail sophie@glow.com"),
        ("<https://x.com/a|Tom &amp; Jerry &lt;3>", "Tom & Jerry <3 (https://x.com/a)"),
        ("hi <@UBOB000001>", "hi @UBOB000001"),
        ("hi <@UBOB000001|bob>", "hi @bob"),
        ("in <#C0123|general> and <#C0456|>", "in #general and #C0456"),
        ("<!here> <!channel> <!everyone> <!here|here>", "@here @channel @everyone @here"),
        ("<!subteam^S0123|@design> <!subteam^S0456>", "@design @S0456"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<!date^1392734382^Posted {date_num} {time}|Posted 2014-02-18 6:39>", "Posted 2014-02-18 6:39"),
        ("a &lt;b&gt; &amp;amp; c", "a <b> &amp; c"),
        ("&lt;https://x.com|not a link&gt;", "<https://x.com|not a link>"),
        ("unclosed < and > stay", "unclosed < and > stay"),
        ("", ""),
    ],
)
def test_examples(slack, plain):
    assert plain_text(slack) == plain


def test_mentions_take_the_names_given():
    assert plain_text("<@U1> and <@U2>", names={"U1": "Sophie Glow"}) == "@Sophie Glow and @U2"


def test_the_authors_name_comes_from_their_user_profile():
    message = {
        "user": "UBOB000001",
        "text": "<@UBOB000001> here, cc <@UCAROL0001>",
        "user_profile": {"real_name": "Bob Ross", "display_name": "", "name": "bob"},
    }
    assert user_names(message) == {"UBOB000001": "Bob Ross"}
    assert message_plain_text(message) == "@Bob Ross here, cc @UCAROL0001"
    assert message_plain_text({"text": ""}) is None
    assert user_names({"user": "U1", "user_profile": "junk"}) == {}


def test_links_come_from_the_markup_and_the_rich_text_blocks_once_each():
    message = {
        "text": "<https://instagram.com/a|@a> <mailto:x@y.z|x@y.z> <@U1> <#C1|c> <https://tiktok.com/@b>",
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "link", "url": "https://instagram.com/a", "text": "@a"},
                            {"type": "text", "text": " and "},
                        ],
                    },
                    {
                        "type": "rich_text_list",
                        "elements": [
                            {
                                "type": "rich_text_section",
                                "elements": [{"type": "link", "url": "https://youtube.com/@c"}],
                            }
                        ],
                    },
                ],
            }
        ],
    }
    assert message_links(message) == [
        "https://instagram.com/a",
        "https://tiktok.com/@b",
        "https://youtube.com/@c",
    ]
    assert message_links(message, limit=1) == ["https://instagram.com/a"]
    assert message_links({"text": None, "blocks": "junk"}) == []


def test_forged_deep_blocks_do_not_recurse_without_end():
    node: dict = {"type": "link", "url": "https://deep.example.com/x"}
    for _ in range(5_000):
        node = {"type": "rich_text_section", "elements": [node]}
    assert message_links({"blocks": [node]}) == []


# ---- properties ------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """What Slack does to `<`, `>` and `&` a person typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"
_ids = st.builds(lambda k, rest: k + rest, st.sampled_from("UWC"), st.text(_UPPER, min_size=2, max_size=10))
_words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_urls = st.builds(
    lambda host, path: f"https://{host}.com/{path}",
    st.text(_LOWER, min_size=1, max_size=12),
    st.text(_LOWER + "ABCXYZ@._~/-", max_size=20),
)


@st.composite
def _pieces(draw) -> tuple[str, str]:
    """One piece of a message: (as Slack sends it, as plain text)."""
    kind = draw(st.sampled_from(["text", "link", "labelled", "user", "channel", "special"]))
    if kind == "text":
        words = draw(_words)
        return slack_escape(words), words
    if kind == "link":
        url = draw(_urls)
        return f"<{url}>", url
    if kind == "labelled":
        url, label = draw(_urls), draw(_words.filter(lambda s: s.strip() != ""))
        if label == url:
            expected = url
        elif "https://" + label.lower() == url.lower():  # the URL as typed, which Slack linked
            expected = label
        else:
            expected = f"{label} ({url})"
        return f"<{url}|{slack_escape(label)}>", expected
    if kind == "user":
        user_id = draw(_ids)
        return f"<@{user_id}>", f"@{user_id}"
    if kind == "channel":
        channel_id, name = draw(_ids), draw(st.text(_LOWER + "_-", min_size=1, max_size=20))
        return f"<#{channel_id}|{name}>", f"#{name}"
    special = draw(st.sampled_from(["here", "channel", "everyone"]))
    return f"<!{special}>", f"@{special}"


_MARKUP = re.compile(r"<[^<>]*>")


@given(st.lists(_pieces(), max_size=12))
def test_a_message_becomes_the_plain_text_of_its_pieces(pieces):
    slack = "".join(s for s, _ in pieces)
    assert plain_text(slack) == "".join(p for _, p in pieces)


@given(st.lists(_pieces(), max_size=12))
def test_no_markup_survives(pieces):
    """Links, mentions and channels all go: a `<` is left only where a person typed one."""
    slack = "".join(s for s, _ in pieces)
    out = plain_text(slack)
    if not any("<" in p for _, p in pieces):
        assert "<" not in out and not _MARKUP.search(out)


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="<>&")))
def test_plain_text_without_markup_passes_through_unchanged(text):
    assert plain_text(text) == text


@given(_words)
def test_anything_a_person_typed_comes_back_as_typed(text):
    assert plain_text(slack_escape(text)) == text


@given(st.text(max_size=200))
def test_any_text_is_read_without_error(text):
    assert isinstance(plain_text(text), str)
    assert all(isinstance(url, str) for url in message_links({"text": text}))


def test_the_references_a_message_carries_links_then_addresses_then_handles():
    message = {
        "text": (
            "@zoe.k said yes, cc <@UBOB000001> and <mailto:maya@eats.example|maya@eats.example>;"
            " <https://instagram.com/a|@not.this> <!subteam^S1|@design> — @zoe.k again"
        )
    }
    # Handles only outside Slack's markup: a mention's or a link's label is not one.
    assert message_references(message) == ["https://instagram.com/a", "maya@eats.example", "@zoe.k"]
    assert message_references(message, limit=2) == ["https://instagram.com/a", "maya@eats.example"]
    assert message_references({"text": 42}) == []
