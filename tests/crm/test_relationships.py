"""crm.relationships: the actor's list — add, status, notes, tags, priority, edit — and ownership."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.errors import InvalidInput, NotFound
from crm.relationship_fields import normalize_tags
from crm.relationships import (
    KEEP,
    PRIORITY_AT_ONCE_MAX,
    STATUS_AT_ONCE_MAX,
    TAG_AT_ONCE_MAX,
    RelationshipEdit,
    add_to_list,
    edit_relationship,
    set_notes,
    set_priorities,
    set_priority,
    set_status,
    set_statuses,
    tag_several,
    undo_priorities,
    undo_statuses,
    untag_several,
    update_tags,
)
from crm.scoped import get_relationship, get_relationship_by_id
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.fixture
def me(db):
    return make_user(db, team_id="T1", timezone="Europe/Berlin")


@pytest.fixture
def maya(db):
    return make_influencer(db, team_id="T1", handle="maya", name="Maya")


@pytest.fixture
def mine(db, me, maya):
    return make_relationship(db, user=me, influencer=maya)


def test_add_to_list_is_idempotent_and_loads_the_influencer(db, me, maya, statements):
    rel, created = add_to_list(db, actor=me, influencer_id=maya.id)
    assert created is True
    assert (rel.user_id, rel.status, rel.priority, rel.tags) == (me.id, "saved", 0, [])
    # Forget both rows so nothing can come from the identity map: the influencer must be loaded
    # by the same statement as the relationship, not lazily.
    db.expunge(rel)
    db.expunge(maya)
    with statements() as seen:
        again, created_again = add_to_list(db, actor=me, influencer_id=maya.id)
        assert again.influencer.handle == "maya"  # loaded in the same statement
    assert (again.id, created_again) == (rel.id, False)
    assert len(seen) == 1


def test_add_to_list_refuses_another_teams_influencer(db, me, snapshot):
    theirs = make_influencer(db, team_id="T2")
    before = snapshot()
    with pytest.raises(NotFound):
        add_to_list(db, actor=me, influencer_id=theirs.id)
    with pytest.raises(NotFound):
        add_to_list(db, actor=me, influencer_id=uuid.uuid4())
    assert snapshot() == before


def test_a_creator_not_on_my_list_is_named_with_how_to_add_them_but_never_another_teams(db, me, maya):
    with pytest.raises(NotFound) as err:
        get_relationship(db, actor=me, influencer_id=maya.id)  # maya is in my workspace, not my list
    how = "Add them with /crm add @maya instagram."
    assert err.value.message == f"“Maya” (@maya · Instagram) isn't on your list. {how}"
    theirs = make_influencer(db, team_id="T2", handle="far", name="Far Away")
    for forged in (theirs.id, uuid.uuid4()):  # a forged id names no one
        with pytest.raises(NotFound) as err:
            get_relationship(db, actor=me, influencer_id=forged)
        assert err.value.message == "That influencer isn't on your list."


def test_set_status_and_priority(db, me, maya, mine):
    assert set_status(db, actor=me, influencer_id=maya.id, status=" Warm ")[0].status == "warm"
    rel, had = set_priority(db, actor=me, influencer_id=maya.id, priority=5)
    assert (rel.priority, had) == (5, 0)
    assert set_priority(db, actor=me, influencer_id=maya.id, priority=2)[1] == 5


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda db, me, i: set_status(db, actor=me, influencer_id=i, status="engaged"), "status"),
        (lambda db, me, i: set_priority(db, actor=me, influencer_id=i, priority=6), "priority"),
        (lambda db, me, i: set_priority(db, actor=me, influencer_id=i, priority=-1), "priority"),
        (lambda db, me, i: set_priority(db, actor=me, influencer_id=i, priority=True), "priority"),
        (
            lambda db, me, i: set_notes(db, actor=me, influencer_id=i, text="x" * 10_001, append=False),
            "notes",
        ),
        (lambda db, me, i: set_notes(db, actor=me, influencer_id=i, text="  ", append=True), "notes"),
        (lambda db, me, i: update_tags(db, actor=me, influencer_id=i, add=["a" * 31]), "tags"),
        (lambda db, me, i: update_tags(db, actor=me, influencer_id=i, add=["no!pe"]), "tags"),
        (
            lambda db, me, i: update_tags(db, actor=me, influencer_id=i, add=[f"t{n}" for n in range(21)]),
            "tags",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db, me, maya, mine, snapshot, call, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        call(db, me, maya.id)
    assert err.value.field == field
    assert err.value.message
    assert snapshot() == before


def test_notes_replace_append_and_clear(db, me, maya, mine):
    set_notes(db, actor=me, influencer_id=maya.id, text="  Loves hiking. ", append=False)
    # 23:30 UTC on 26 Nov is already 27 Nov in Berlin: the paragraph is dated in the user's timezone.
    late = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    rel = set_notes(db, actor=me, influencer_id=maya.id, text="Replied to pitch", append=True, now=late)
    assert rel.notes == "Loves hiking.\n\n2026-11-27: Replied to pitch"
    assert set_notes(db, actor=me, influencer_id=maya.id, text="", append=False).notes is None
    rel = set_notes(db, actor=me, influencer_id=maya.id, text="First", append=True, now=NOW)
    assert rel.notes == "2026-11-26: First"


def test_appending_past_the_limit_is_refused(db, me, maya, mine, snapshot):
    set_notes(db, actor=me, influencer_id=maya.id, text="x" * 9_990, append=False)
    before = snapshot()
    with pytest.raises(InvalidInput):
        set_notes(db, actor=me, influencer_id=maya.id, text="one more line", append=True, now=NOW)
    assert snapshot() == before


def test_tags_add_remove_normalize(db, me, maya, mine):
    rel, _ = update_tags(
        db, actor=me, influencer_id=maya.id, add=["#Vegan", " food  blog ", "vegan", "Berlin"]
    )
    assert rel.tags == ["vegan", "food-blog", "berlin"]
    rel, not_there = update_tags(
        db, actor=me, influencer_id=maya.id, add=["travel"], remove=["#BERLIN", "Absent"]
    )
    assert rel.tags == ["vegan", "food-blog", "travel"]
    assert not_there == ["absent"]  # asked to be removed, never there: the caller tells the user
    db.expire_all()
    assert get_relationship(db, actor=me, influencer_id=maya.id).tags == ["vegan", "food-blog", "travel"]


def test_tag_count_limit_counts_existing_tags(db, me, maya, mine, snapshot):
    update_tags(db, actor=me, influencer_id=maya.id, add=[f"t{n}" for n in range(20)])
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        update_tags(db, actor=me, influencer_id=maya.id, add=["one-too-many"])
    assert "20" in err.value.message
    assert snapshot() == before
    # Swapping one for another stays within the limit.
    rel, _ = update_tags(db, actor=me, influencer_id=maya.id, add=["new"], remove=["t0"])
    assert len(rel.tags) == 20 and "new" in rel.tags


@given(st.lists(st.text(alphabet="abcXYZ#-_ ,é", max_size=12), max_size=8))
def test_normalize_tags_properties(raw):
    try:
        tags = normalize_tags(raw)
    except InvalidInput:
        return
    assert len(tags) == len(set(tags)) <= 20
    for tag in tags:
        assert tag == tag.lower().strip() and tag and not tag.startswith("#")
        assert " " not in tag and "," not in tag and len(tag) <= 30
    assert normalize_tags(tags) == tags  # idempotent


def test_edit_validates_everything_before_writing(db, me, maya, mine, snapshot):
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        edit_relationship(
            db,
            actor=me,
            relationship_id=mine.id,
            edit=RelationshipEdit(status="warm", priority=3, follow_up=date(2020, 1, 1)),
            now=NOW,
        )
    assert err.value.field == "follow_up"
    assert snapshot() == before


def test_edit_applies_given_fields_and_keeps_the_rest(db, me, maya, mine):
    set_notes(db, actor=me, influencer_id=maya.id, text="keep me", append=False)
    rel = edit_relationship(
        db,
        actor=me,
        relationship_id=mine.id,
        edit=RelationshipEdit(status="partnered", tags=["A", "b"], follow_up=date(2026, 12, 1)),
        now=NOW,
    )
    assert (rel.status, rel.tags, rel.notes, rel.priority) == ("partnered", ["a", "b"], "keep me", 0)
    assert rel.follow_up_date == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    rel = edit_relationship(
        db, actor=me, relationship_id=mine.id, edit=RelationshipEdit(follow_up=None, notes=""), now=NOW
    )
    assert (rel.follow_up_date, rel.notes, rel.status) == (None, None, "partnered")
    assert RelationshipEdit().status is KEEP


def test_another_users_relationship_finds_nothing_and_changes_nothing(db, me, maya, snapshot):
    colleague = make_user(db, team_id="T1")
    theirs = make_relationship(db, user=colleague, influencer=maya, notes="private", tags=["x"])
    before = snapshot()
    calls = [
        lambda: get_relationship(db, actor=me, influencer_id=maya.id),
        lambda: get_relationship_by_id(db, actor=me, relationship_id=theirs.id),
        lambda: set_status(db, actor=me, influencer_id=maya.id, status="cold"),
        lambda: set_priority(db, actor=me, influencer_id=maya.id, priority=1),
        lambda: set_notes(db, actor=me, influencer_id=maya.id, text="mine now", append=False),
        lambda: update_tags(db, actor=me, influencer_id=maya.id, remove=["x"]),
        lambda: edit_relationship(
            db, actor=me, relationship_id=theirs.id, edit=RelationshipEdit(status="cold"), now=NOW
        ),
    ]
    messages = set()
    for call in calls:
        with pytest.raises(NotFound) as err:
            call()
        messages.add(err.value.message)
    assert snapshot() == before
    # A foreign id gets the same answer as a missing one.
    with pytest.raises(NotFound) as missing:
        get_relationship_by_id(db, actor=me, relationship_id=uuid.uuid4())
    assert missing.value.message in messages


def test_tag_several_says_what_changed_for_each_and_untag_several_takes_it_back(db, me, maya, mine):
    zoe = make_influencer(db, team_id="T1", handle="zoe")
    make_relationship(db, user=me, influencer=zoe, tags=["old", "keep"])
    ids = [maya.id, zoe.id, maya.id]
    changes = tag_several(db, actor=me, influencer_ids=ids, add=["New "], remove=["old"])
    assert [(c.relationship.influencer_id, c.added, c.removed) for c in changes] == [
        (maya.id, ["new"], []),
        (zoe.id, ["new"], ["old"]),
    ]
    assert get_relationship(db, actor=me, influencer_id=zoe.id).tags == ["keep", "new"]
    untag_several(db, actor=me, changes=[(c.relationship.influencer_id, c.added, c.removed) for c in changes])
    assert get_relationship(db, actor=me, influencer_id=zoe.id).tags == ["keep", "old"]  # back, at the end
    assert get_relationship(db, actor=me, influencer_id=maya.id).tags == []


def test_tag_several_refuses_too_many_or_one_not_on_the_list(db, me, maya, mine, snapshot):
    stranger = make_influencer(db, team_id="T1", handle="stranger")  # not on my list
    with pytest.raises(NotFound):  # the command's transaction is then rolled back, Maya's tag too
        tag_several(db, actor=me, influencer_ids=[stranger.id], add=["x"])
    taken = snapshot()
    many = [uuid.uuid4() for _ in range(TAG_AT_ONCE_MAX + 1)]
    with pytest.raises(InvalidInput) as refused:
        tag_several(db, actor=me, influencer_ids=many, add=["x"])
    assert f"At most {TAG_AT_ONCE_MAX} creators" in refused.value.message
    assert snapshot() == taken


def test_set_statuses_moves_each_once_and_undo_statuses_only_those_still_so(db, me, maya, mine, snapshot):
    zoe = make_influencer(db, team_id="T1", handle="zoe")
    make_relationship(db, user=me, influencer=zoe, status="warm")
    results = set_statuses(db, actor=me, influencer_ids=[maya.id, zoe.id, maya.id], status="warm")
    assert [(r.influencer_id, previous) for r, previous in results] == [(maya.id, "saved"), (zoe.id, "warm")]
    set_status(db, actor=me, influencer_id=zoe.id, status="cold")  # changed since
    back = undo_statuses(db, actor=me, changed_to="warm", back_to=[(maya.id, "saved"), (zoe.id, "saved")])
    assert [(r.status, is_back) for r, is_back in back] == [("saved", True), ("cold", False)]
    taken = snapshot()
    with pytest.raises(InvalidInput):
        set_statuses(db, actor=me, influencer_ids=[maya.id], status="hot")
    many = [uuid.uuid4() for _ in range(STATUS_AT_ONCE_MAX + 1)]
    with pytest.raises(InvalidInput) as refused:
        set_statuses(db, actor=me, influencer_ids=many, status="warm")
    assert f"At most {STATUS_AT_ONCE_MAX} creators" in refused.value.message
    assert snapshot() == taken


def test_set_priorities_sets_each_once_and_undo_priorities_only_those_still_so(db, me, maya, mine, snapshot):
    zoe = make_influencer(db, team_id="T1", handle="zoe")
    make_relationship(db, user=me, influencer=zoe, priority=5)
    results = set_priorities(db, actor=me, influencer_ids=[maya.id, zoe.id, maya.id], priority=5)
    assert [(r.influencer_id, previous) for r, previous in results] == [(maya.id, 0), (zoe.id, 5)]
    set_priority(db, actor=me, influencer_id=zoe.id, priority=1)  # changed since
    back = undo_priorities(db, actor=me, changed_to=5, back_to=[(maya.id, 0), (zoe.id, 0)])
    assert [(r.priority, is_back) for r, is_back in back] == [(0, True), (1, False)]
    taken = snapshot()
    for bad in (dict(priority=6), dict(priority=-1)):
        with pytest.raises(InvalidInput):
            set_priorities(db, actor=me, influencer_ids=[maya.id], **bad)
    with pytest.raises(InvalidInput):  # a value that is not ours comes back from Slack
        undo_priorities(db, actor=me, changed_to=0, back_to=[(maya.id, 9)])
    many = [uuid.uuid4() for _ in range(PRIORITY_AT_ONCE_MAX + 1)]
    with pytest.raises(InvalidInput) as refused:
        set_priorities(db, actor=me, influencer_ids=many, priority=3)
    assert f"At most {PRIORITY_AT_ONCE_MAX} creators" in refused.value.message
    assert snapshot() == taken


def test_tag_several_reads_each_relationship_once(db, me, maya, mine, statements):
    zoe = make_influencer(db, team_id="T1", handle="zoe")
    make_relationship(db, user=me, influencer=zoe)
    with statements() as seen:
        tag_several(db, actor=me, influencer_ids=[maya.id, zoe.id], add=["x"])
    assert sum(s.lstrip().upper().startswith("SELECT") for s in seen) == 2
