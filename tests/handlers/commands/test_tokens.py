"""The /crm tokenizer: Slack's encoding undone, quotes group words, and no text makes it fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.commands.dispatch import lookup
from handlers.commands.tokens import as_command, rest_after, tokenize, unescape


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('show "Maya Lopez"', ["show", "Maya Lopez"]),
        ("show “Maya Lopez” now", ["show", "Maya Lopez", "now"]),  # Slack's smart quotes
        ("note 'Maya L' hi", ["note", "Maya L", "hi"]),
        ("note O'Brien it's fine", ["note", "O'Brien", "it's", "fine"]),  # apostrophes are not quotes
        ('status "unclosed quote runs on', ["status", "unclosed quote runs on"]),
        ('tag "" +x', ["tag", "+x"]),
        ("  spaced \t out\n", ["spaced", "out"]),
        ("add <https://instagram.com/maya|instagram.com/maya>", ["add", "https://instagram.com/maya"]),
        ("show <@U123ABC|maya>", ["show", "@maya"]),
        ("find &lt;b&gt; &amp; co", ["find", "<b>", "&", "co"]),
        ("note x a\x00b", ["note", "x", "ab"]),
        ("", []),
    ],
)
def test_tokenize(text, words):
    assert tokenize(text) == words


def test_rest_after_keeps_the_text_as_typed():
    assert rest_after('note "Maya Lopez"  She said "hi" &amp; left', 2) == 'She said "hi" & left'
    assert rest_after("note @maya", 2) == ""
    assert rest_after("note", 2) == ""


def test_unescape_only_undoes_slack_markup():
    assert unescape("<mailto:a@b.co|a@b.co> <!here> <#C1|general>") == "a@b.co here #general"


@pytest.mark.parametrize(
    ("words", "name", "args"),
    [
        (["STATUS", "x", "warm"], "status", ["x", "warm"]),
        (["campaign", "Add", "c", "i"], "campaign add", ["c", "i"]),
        (["campaigns"], "campaign list", []),
        (["follow-up", "x", "today"], "followup", ["x", "today"]),
        (["campaign"], None, ["campaign"]),
        (["nope"], None, []),
    ],
)
def test_lookup(words, name, args):
    sub, rest = lookup(words)
    assert (sub.name if sub else None, rest) == (name, args)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_tokenize_never_fails_and_never_yields_empty_words(text):
    words = tokenize(text)
    assert all(w and w == w.strip() for w in words)
    assert all("\x00" not in w for w in words)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(
                blacklist_characters="\"“”„«»'‘’&<>", blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")
            ),
            min_size=1,
        ),
        max_size=6,
    )
)
def test_quoting_a_phrase_gives_it_back_as_one_word(phrases):
    phrases = [p for p in phrases if p.split() == [p]] or ["x"]
    phrase = " ".join(phrases)
    assert tokenize(f'show "{phrase}" tail') == ["show", phrase, "tail"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(
                alphabet=st.characters(
                    blacklist_characters="\"“”„«»'‘’", blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")
                ),
                min_size=1,
            ),
            min_size=1,
            max_size=3,
        ).map(" ".join),
        min_size=1,
        max_size=6,
    )
)
def test_a_command_rebuilt_from_its_words_reads_back_as_them(words):
    """The Run button's text (handlers.commands.context.meant_button): words with spaces, &, < and >
    (a name such as "Tom & Jerry <TV>") come back from tokenize exactly."""
    text = as_command(words)
    assert text is not None and "<" not in text and ">" not in text
    assert tokenize(text) == words


def test_a_word_no_command_text_can_give_back_has_no_command():
    assert as_command(["status", 'Maya "M" Lopez', "warm"]) is None  # a quote inside a quoted name
    assert as_command(["show", "a\x00b"]) is None  # control characters are dropped by tokenize
