"""crm.tags.user_tags: the actor's tags for the typeahead."""

from __future__ import annotations

import pytest

from crm.errors import InvalidInput
from crm.tags import tags_spelt_like, user_tags
from tests.factories import make_influencer, make_relationship, make_user


@pytest.fixture
def me(db):
    """Four relationships: vegan ×3, vegas ×1, berlin ×2, food.blog ×1; a colleague uses "veggie"."""
    me = make_user(db, team_id="T1")
    colleague = make_user(db, team_id="T1")
    for tags in (["vegan", "berlin"], ["vegan", "vegas"], ["vegan", "berlin", "food.blog"], []):
        make_relationship(db, user=me, influencer=make_influencer(db, team_id="T1"), tags=tags)
    make_relationship(
        db, user=colleague, influencer=make_influencer(db, team_id="T1"), tags=["veggie", "vegan"]
    )
    return me


def test_most_used_first_then_alphabetical(db, me):
    assert user_tags(db, actor=me) == ["vegan", "berlin", "food.blog", "vegas"]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("ve", ["vegan", "vegas"]),
        ("#VEG", ["vegan", "vegas"]),
        ("  vegan ", ["vegan"]),
        ("food.", ["food.blog"]),
        ("veggie", []),  # a colleague's tag is never suggested
        ("x", []),
        ("a,b", []),  # typed a list: nothing, no error
        ("bad%", []),  # '%' can never be in a tag, and is no LIKE wildcard here
        ("v" * 40, []),
        ("", ["vegan", "berlin", "food.blog", "vegas"]),
    ],
)
def test_prefix(db, me, prefix, expected):
    assert user_tags(db, actor=me, prefix=prefix) == expected


def test_limit(db, me):
    assert user_tags(db, actor=me, limit=2) == ["vegan", "berlin"]
    for bad in (0, 101, True, "5"):
        with pytest.raises(InvalidInput) as err:
            user_tags(db, actor=me, limit=bad)
        assert err.value.field == "limit"


def test_underscore_is_literal(db):
    """'_' is allowed in tags and is a LIKE wildcard: the prefix match must not treat it as one."""
    me = make_user(db, team_id="T1")
    make_relationship(db, user=me, influencer=make_influencer(db, team_id="T1"), tags=["a_b", "axb"])
    assert user_tags(db, actor=me, prefix="a_") == ["a_b"]


def test_one_statement(db, me, statements):
    with statements() as seen:
        user_tags(db, actor=me, prefix="v")
    assert len(seen) == 1


def test_a_user_without_relationships_has_no_tags(db):
    assert user_tags(db, actor=make_user(db, team_id="T1"), prefix="v") == []


def test_tags_of_archived_relationships_are_not_offered(db, me):
    from datetime import UTC, datetime

    make_relationship(
        db,
        user=me,
        influencer=make_influencer(db, team_id="T1"),
        tags=["gone", "vegan"],
        archived_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert user_tags(db, actor=me) == ["vegan", "berlin", "food.blog", "vegas"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("vegn", ["vegan", "vegas"]),  # closest first
        ("#Berln", ["berlin"]),
        ("foodblog", ["food.blog"]),
        ("veggi", ["vegas", "vegan"]),  # a colleague's "veggie" is never offered
        ("skincare", []),
        ("", []),
    ],
)
def test_tags_spelt_like_what_was_typed(db, me, typed, meant):
    assert tags_spelt_like(db, actor=me, text=typed) == meant
