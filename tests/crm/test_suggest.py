"""crm.suggest: "did you mean" from spelling (difflib) and from the words people use instead."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.models import INTERACTION_TYPES, PLATFORMS, RELATIONSHIP_STATUSES
from crm.suggest import (
    INTERACTION_SYNONYMS,
    PLATFORM_SYNONYMS,
    STATUS_SYNONYMS,
    close_matches,
    did_you_mean,
    one_of,
)

TYPES = ["email", "call", "meeting", "note", "file"]  # what /crm log takes


@pytest.mark.parametrize(
    ("word", "choices", "synonyms", "expected"),
    [
        ("hot", RELATIONSHIP_STATUSES, STATUS_SYNONYMS, ["warm"]),  # not close in spelling: a synonym
        ("WRAM", RELATIONSHIP_STATUSES, STATUS_SYNONYMS, ["warm"]),
        ("contacte", RELATIONSHIP_STATUSES, STATUS_SYNONYMS, ["contacted"]),
        ("emial", TYPES, INTERACTION_SYNONYMS, ["email"]),
        ("phone", TYPES, INTERACTION_SYNONYMS, ["call"]),
        ("coffee", TYPES, INTERACTION_SYNONYMS, ["meeting"]),
        ("Lunch", TYPES, INTERACTION_SYNONYMS, ["meeting"]),
        ("dm", TYPES, INTERACTION_SYNONYMS, []),  # nothing like it: no guess
        ("insta", PLATFORMS, PLATFORM_SYNONYMS, ["instagram"]),
        ("tiktk", PLATFORMS, PLATFORM_SYNONYMS, ["tiktok"]),
        ("twitter", PLATFORMS, PLATFORM_SYNONYMS, ["x"]),
        ("shwo", ["add", "show", "status"], None, ["show"]),
        ("", RELATIONSHIP_STATUSES, STATUS_SYNONYMS, []),
    ],
)
def test_close_matches(word, choices, synonyms, expected):
    assert close_matches(word, choices, n=1, synonyms=synonyms) == expected


def test_a_synonym_counts_only_when_its_word_exists():
    synonyms = {"delete": "remove", "remove": "remove"}
    before = ["add", "rename", "show"]  # no remove yet
    after = [*before, "remove"]
    assert close_matches("delete", before, synonyms=synonyms) == []
    assert close_matches("remove", before, synonyms=synonyms) == []  # not "rename"
    assert close_matches("delete", after, synonyms=synonyms) == ["remove"]


def test_choices_come_back_as_spelled():
    assert close_matches("spring sael", ["Spring Sale", "Fall Drop"]) == ["Spring Sale"]


def test_did_you_mean_and_one_of():
    assert did_you_mean("hot", RELATIONSHIP_STATUSES, synonyms=STATUS_SYNONYMS) == "Did you mean “warm”?"
    assert did_you_mean("mettin", TYPES, fmt=lambda c: f"`{c}`") == "Did you mean `meeting`?"
    assert did_you_mean("xyzzy", TYPES) == ""
    assert did_you_mean("cal", ["call", "calls", "mail"], n=2) == "Did you mean “call” or “calls”?"
    assert one_of(TYPES) == "email, call, meeting, note or file"
    assert one_of(["x"]) == "x" and one_of([]) == ""


def test_every_synonym_points_at_a_real_word():
    assert set(STATUS_SYNONYMS.values()) <= set(RELATIONSHIP_STATUSES)
    assert set(PLATFORM_SYNONYMS.values()) <= set(PLATFORMS)
    assert set(INTERACTION_SYNONYMS.values()) <= {*INTERACTION_TYPES, "file"}


@given(st.text(max_size=30), st.lists(st.text(max_size=12), max_size=8))
def test_a_suggestion_is_always_one_of_the_choices(word, choices):
    assert set(close_matches(word, choices)) <= set(choices)
