"""crm.interactions: logging updates the relationship; idempotency, validation and ownership."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.errors import Conflict, InvalidInput, NotFound
from crm.followups import set_follow_up
from crm.interactions import (
    LOG_AT_ONCE_MAX,
    LogPoint,
    NewInteraction,
    before_log,
    count_interactions,
    delete_interaction,
    edit_interaction,
    get_interaction,
    list_interactions,
    log_interaction,
    log_several,
    undo_log,
)
from crm.models import CONTACT_TYPES, INTERACTION_TYPES, Campaign
from crm.relationships import set_status, update_tags
from crm.scoped import get_relationship
from crm.strength import score
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
DAY = timedelta(days=1)


@pytest.fixture
def me(db):
    return make_user(db, team_id="T1", timezone="Europe/Berlin")


@pytest.fixture
def maya(db):
    return make_influencer(db, team_id="T1", handle="maya")


def log(db, actor, influencer, now=NOW, **kw):
    return log_interaction(db, actor=actor, influencer_id=influencer.id, data=NewInteraction(**kw), now=now)


def test_first_email_adds_to_list_and_marks_contacted_in_two_statements(db, me, maya, statements):
    with statements() as seen:
        interaction = log(db, me, maya, type="email", subject="  Collab   idea ", content="Hi Maya")
    assert len(seen) == 2
    assert (interaction.type, interaction.subject, interaction.interaction_date) == (
        "email",
        "Collab idea",
        NOW,
    )
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert (rel.status, rel.last_contacted_at) == ("contacted", NOW)
    assert rel.relationship_strength == score([("email", NOW)], now=NOW) > 0


def test_a_next_follow_up_given_with_the_log_is_set_by_hand(db, me, maya):
    data = NewInteraction(type="call")
    log_interaction(db, actor=me, influencer_id=maya.id, data=data, now=NOW, next_follow_up=NOW + 3 * DAY)
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert (rel.follow_up_date, rel.follow_up_from_cadence) == (NOW + 3 * DAY, False)


def test_a_note_adds_to_list_but_is_not_contact(db, me, maya):
    log(db, me, maya, type="note", content="Saw her reel")
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert (rel.status, rel.last_contacted_at) == ("saved", None)
    assert rel.relationship_strength == score([("note", NOW)], now=NOW)


def test_contact_moves_only_saved_to_contacted(db, me, maya):
    make_relationship(db, user=me, influencer=maya, status="warm")
    log(db, me, maya, type="call")
    assert get_relationship(db, actor=me, influencer_id=maya.id).status == "warm"


def test_last_contacted_never_moves_backwards(db, me, maya):
    log(db, me, maya, type="call")
    log(db, me, maya, type="email", interaction_date=NOW - 10 * DAY)
    assert get_relationship(db, actor=me, influencer_id=maya.id).last_contacted_at == NOW


@pytest.mark.parametrize(
    ("kind", "due", "completed"),
    [
        ("email", NOW - 3 * DAY, True),  # overdue
        ("call", datetime(2026, 11, 26, 22, 0, tzinfo=UTC), True),  # later today in Berlin
        ("meeting", datetime(2026, 11, 26, 23, 30, tzinfo=UTC), False),  # already tomorrow in Berlin
        ("email", NOW + 2 * DAY, False),
        ("note", NOW - DAY, False),  # a note is not contact
        ("file_upload", NOW - DAY, False),
    ],
)
def test_contact_completes_a_follow_up_due_by_the_end_of_that_day(db, me, maya, kind, due, completed):
    make_relationship(db, user=me, influencer=maya, follow_up_date=due)
    log(db, me, maya, type=kind, file_url="https://files.example/a.pdf" if kind == "file_upload" else None)
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert rel.follow_up_date == (None if completed else due)


def test_a_back_dated_contact_completes_only_follow_ups_due_by_its_own_day(db, me, maya):
    make_relationship(db, user=me, influencer=maya, follow_up_date=NOW - DAY)
    log(db, me, maya, type="email", interaction_date=NOW - 3 * DAY)
    assert get_relationship(db, actor=me, influencer_id=maya.id).follow_up_date == NOW - DAY


def test_every_log_recomputes_strength_at_now(db, me, maya):
    make_relationship(db, user=me, influencer=maya, relationship_strength=99)
    log(db, me, maya, type="meeting", interaction_date=NOW - 60 * DAY)
    later = NOW + 5 * DAY
    log(db, me, maya, type="note", now=later)
    expected = score([("meeting", NOW - 60 * DAY), ("note", later)], now=later)
    assert get_relationship(db, actor=me, influencer_id=maya.id).relationship_strength == expected


def test_file_alias_and_a_few_minutes_ahead_is_allowed(db, me, maya):
    soon = NOW + timedelta(minutes=4)
    interaction = log(
        db, me, maya, type="File", file_url="https://files.example/deck.pdf", interaction_date=soon
    )
    assert interaction.type == "file_upload"
    # Counts as now: no growth from being dated in the future.
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert rel.relationship_strength == score([("file_upload", NOW)], now=NOW)


def test_same_idempotency_key_returns_the_first_and_writes_nothing(db, me, maya, snapshot, statements):
    first = log(db, me, maya, type="call", subject="Intro", idempotency_key="view-123")
    before = snapshot()
    with statements() as seen:
        again = log(db, me, maya, type="meeting", subject="Changed", idempotency_key="view-123")
    assert again.id == first.id and again.subject == "Intro"
    assert snapshot() == before
    assert not any(s.lstrip().upper().startswith(("UPDATE", "DELETE")) for s in seen)


def test_idempotency_key_of_another_user_conflicts(db, me, maya, snapshot):
    colleague = make_user(db, team_id="T1")
    log(db, colleague, maya, type="call", idempotency_key="view-9")
    before = snapshot()
    with pytest.raises(Conflict):
        log(db, me, maya, type="call", idempotency_key="view-9")
    assert snapshot() == before


def test_campaign_must_be_in_the_same_team(db, me, maya, snapshot):
    ours = Campaign(team_id="T1", name="Spring", landing_url="https://shop.example")
    theirs = Campaign(team_id="T2", name="Spring", landing_url="https://shop.example")
    db.add_all([ours, theirs])
    db.flush()
    assert log(db, me, maya, type="email", campaign_id=ours.id).campaign_id == ours.id
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        log(db, me, maya, type="email", campaign_id=theirs.id)
    assert err.value.field == "campaign"
    with pytest.raises(InvalidInput):
        log(db, me, maya, type="email", campaign_id=uuid.uuid4())
    assert snapshot() == before


def test_influencer_of_another_team_is_not_found_and_nothing_written(db, me, snapshot):
    theirs = make_influencer(db, team_id="T2")
    before = snapshot()
    with pytest.raises(NotFound):
        log(db, me, theirs, type="email")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"type": "sms"}, "type"),
        ({"type": ""}, "type"),
        ({"type": "email", "subject": "s" * 256}, "subject"),
        ({"type": "email", "content": "c" * 20_001}, "content"),
        ({"type": "email", "file_url": "ftp://files.example/a"}, "file_url"),
        ({"type": "email", "file_url": "not a url"}, "file_url"),
        ({"type": "file_upload"}, "file_url"),
        ({"type": "call", "interaction_date": datetime(2026, 11, 26, 12, 0)}, "interaction_date"),
        ({"type": "call", "interaction_date": NOW + timedelta(minutes=6)}, "interaction_date"),
        ({"type": "call", "interaction_date": datetime(1950, 1, 1, tzinfo=UTC)}, "interaction_date"),
        ({"type": "call", "idempotency_key": "k" * 201}, "idempotency_key"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db, me, maya, snapshot, kw, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        log(db, me, maya, **kw)
    assert err.value.field == field
    assert err.value.message
    assert snapshot() == before


def test_list_interactions_newest_first_and_only_mine(db, me, maya):
    colleague = make_user(db, team_id="T1")
    for days in (5, 1, 3):
        log(db, me, maya, type="email", subject=f"{days}d", interaction_date=NOW - days * DAY)
    log(db, colleague, maya, type="call", subject="theirs")
    assert [i.subject for i in list_interactions(db, actor=me, influencer_id=maya.id)] == ["1d", "3d", "5d"]
    assert len(list_interactions(db, actor=me, influencer_id=maya.id, limit=2)) == 2
    with pytest.raises(InvalidInput):
        list_interactions(db, actor=me, influencer_id=maya.id, limit=0)


def test_another_users_interaction_finds_nothing_and_changes_nothing(db, me, maya, snapshot):
    colleague = make_user(db, team_id="T1")
    theirs = log(db, colleague, maya, type="meeting")
    before = snapshot()
    with pytest.raises(NotFound) as got:
        get_interaction(db, actor=me, interaction_id=theirs.id)
    with pytest.raises(NotFound) as deleted:
        delete_interaction(db, actor=me, interaction_id=theirs.id, now=NOW)
    with pytest.raises(NotFound) as missing:
        get_interaction(db, actor=me, interaction_id=uuid.uuid4())
    assert got.value.message == deleted.value.message == missing.value.message
    assert snapshot() == before
    assert get_interaction(db, actor=colleague, interaction_id=theirs.id).id == theirs.id


def test_delete_recomputes_strength_and_last_contact(db, me, maya):
    log(db, me, maya, type="email", interaction_date=NOW - 10 * DAY)
    call = log(db, me, maya, type="call")
    rel = delete_interaction(db, actor=me, interaction_id=call.id, now=NOW)
    assert rel.last_contacted_at == NOW - 10 * DAY
    assert rel.relationship_strength == score([("email", NOW - 10 * DAY)], now=NOW)
    assert [i.type for i in list_interactions(db, actor=me, influencer_id=maya.id)] == ["email"]


logs = st.lists(
    st.tuples(st.sampled_from(INTERACTION_TYPES), st.integers(min_value=0, max_value=400 * 86400)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(logs)
def test_relationship_matches_its_interactions_after_any_sequence(db, isolated, me, maya, items):
    with isolated():
        for kind, seconds_ago in items:
            log(
                db,
                me,
                maya,
                type=kind,
                interaction_date=NOW - timedelta(seconds=seconds_ago),
                file_url="https://files.example/f" if kind == "file_upload" else None,
            )
        rel = get_relationship(db, actor=me, influencer_id=maya.id)
        dated = [(kind, NOW - timedelta(seconds=s)) for kind, s in items]
        contacts = [when for kind, when in dated if kind in CONTACT_TYPES]
        assert rel.relationship_strength == score(dated, now=NOW)
        assert rel.last_contacted_at == (max(contacts) if contacts else None)
        assert rel.status == ("contacted" if contacts else "saved")


def logged_with_undo_point(db, actor, influencer, **kw):
    """A log as the form makes it: the relationship's point before, the interaction, the point after."""
    before = before_log(db, actor=actor, influencer_id=influencer.id)
    interaction = log(db, actor, influencer, **kw)
    after = LogPoint.of(get_relationship(db, actor=actor, influencer_id=influencer.id, archived_ok=True))
    return before, interaction, after


def test_undo_of_a_first_log_leaves_everything_as_before(db, me, maya, snapshot):
    before_all = snapshot()
    before, call, after = logged_with_undo_point(db, me, maya, type="call")
    assert before is None and after.status == "contacted"
    undone = undo_log(db, actor=me, interaction_id=call.id, before=before, after=after, now=NOW)
    assert undone.relationship is None and undone.influencer.id == maya.id and undone.type == "call"
    assert snapshot() == before_all  # not on the list, no interaction, no status history
    # Taken back already (a second click): nothing to do, and nothing changes.
    assert undo_log(db, actor=me, interaction_id=call.id, before=before, after=after, now=NOW) is None
    assert snapshot() == before_all


def test_undo_puts_back_the_status_and_the_follow_up_the_log_changed(db, me, maya):
    by_hand = NOW + DAY
    make_relationship(db, user=me, influencer=maya, follow_up_date=by_hand, cadence_days=3)
    log(db, me, maya, type="note", interaction_date=NOW - 5 * DAY)
    before, call, after = logged_with_undo_point(db, me, maya, type="call")
    assert before == LogPoint("saved", by_hand, False)
    assert after.status == "contacted" and after.follow_up_from_cadence and after.follow_up_date > by_hand
    undone = undo_log(db, actor=me, interaction_id=call.id, before=before, after=after, now=NOW)
    assert (undone.status_back, undone.follow_up_back, undone.kept) == (True, True, False)
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert LogPoint.of(rel) == before and undone.relationship is rel
    assert rel.last_contacted_at is None  # the note left is not a contact
    assert rel.relationship_strength == score([("note", NOW - 5 * DAY)], now=NOW)
    assert [i.type for i in list_interactions(db, actor=me, influencer_id=maya.id)] == ["note"]


def test_a_status_or_follow_up_changed_after_the_log_stays(db, me, maya):
    make_relationship(db, user=me, influencer=maya)
    before, call, after = logged_with_undo_point(db, me, maya, type="call")
    set_status(db, actor=me, influencer_id=maya.id, status="partnered")
    set_follow_up(db, actor=me, influencer_id=maya.id, due=NOW + 9 * DAY, now=NOW)
    undone = undo_log(db, actor=me, interaction_id=call.id, before=before, after=after, now=NOW)
    assert (undone.status_back, undone.follow_up_back) == (False, False)
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert (rel.status, rel.follow_up_date) == ("partnered", NOW + 9 * DAY)
    assert list_interactions(db, actor=me, influencer_id=maya.id) == []  # the call itself is gone


def test_a_creator_the_log_added_stays_on_the_list_with_what_was_added_since(db, me, maya):
    before, email, after = logged_with_undo_point(db, me, maya, type="email")
    update_tags(db, actor=me, influencer_id=maya.id, add=["skincare"])
    undone = undo_log(db, actor=me, interaction_id=email.id, before=before, after=after, now=NOW)
    assert undone.kept and undone.relationship is not None
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert rel.tags == ["skincare"] and rel.last_contacted_at is None
    assert list_interactions(db, actor=me, influencer_id=maya.id) == []


def test_undo_of_another_users_log_finds_nothing_and_changes_nothing(db, me, maya, snapshot):
    colleague = make_user(db, team_id="T1")
    before, theirs, after = logged_with_undo_point(db, colleague, maya, type="meeting")
    taken = snapshot()
    assert undo_log(db, actor=me, interaction_id=theirs.id, before=before, after=after, now=NOW) is None
    assert snapshot() == taken


def test_interactions_page_by_offset_and_are_counted_for_their_user_only(db, me, maya):
    for day in range(5):
        log(db, me, maya, type="note", subject=f"n{day}", interaction_date=NOW - day * DAY)
    log(db, make_user(db, team_id="T1"), maya, type="call")  # a colleague's: not mine
    assert count_interactions(db, actor=me, influencer_id=maya.id) == 5
    page = list_interactions(db, actor=me, influencer_id=maya.id, limit=2, offset=2)
    assert [i.subject for i in page] == ["n2", "n3"]
    assert list_interactions(db, actor=me, influencer_id=maya.id, limit=2, offset=5) == []
    for offset in (-1, True, 10**9):
        with pytest.raises(InvalidInput):
            list_interactions(db, actor=me, influencer_id=maya.id, offset=offset)


def test_deleting_keeps_a_last_contact_that_the_deleted_one_did_not_set(db, me, maya):
    imported = NOW - 2 * DAY  # from a CSV import: later than anything logged
    make_relationship(db, user=me, influencer=maya, last_contacted_at=imported)
    email = log(db, me, maya, type="email", interaction_date=NOW - 10 * DAY)
    note = log(db, me, maya, type="note")
    assert delete_interaction(db, actor=me, interaction_id=email.id, now=NOW).last_contacted_at == imported
    assert delete_interaction(db, actor=me, interaction_id=note.id, now=NOW).last_contacted_at == imported


def test_undo_puts_back_a_last_contact_that_was_not_logged(db, me, maya):
    imported = NOW - 30 * DAY
    make_relationship(db, user=me, influencer=maya, status="warm", last_contacted_at=imported)
    before, call, after = logged_with_undo_point(db, me, maya, type="call")
    assert (before.last_contacted_at, after.last_contacted_at) == (imported, NOW)
    undo_log(db, actor=me, interaction_id=call.id, before=before, after=after, now=NOW)
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert LogPoint.of(rel) == before and rel.relationship_strength == 0


def test_editing_an_interaction_validates_it_and_recounts_the_last_contact(db, me, maya, snapshot):
    make_relationship(db, user=me, influencer=maya, status="warm")
    email = log(db, me, maya, type="email", interaction_date=NOW - 10 * DAY)
    call = log(db, me, maya, type="call", subject="Rates", interaction_date=NOW - DAY)
    # The call was really a note: the last contact falls back to the email.
    edited = edit_interaction(
        db, actor=me, interaction_id=call.id, data=NewInteraction(type="note", subject="Rates "), now=NOW
    )
    assert (edited.type, edited.subject, edited.interaction_date) == ("note", "Rates", NOW)
    rel = get_relationship(db, actor=me, influencer_id=maya.id)
    assert rel.last_contacted_at == NOW - 10 * DAY and rel.status == "warm"
    assert rel.relationship_strength == score([("email", NOW - 10 * DAY), ("note", NOW)], now=NOW)
    # The email moved later: it is the last contact again.
    later = NewInteraction(type="email", interaction_date=NOW - 2 * DAY)
    edit_interaction(db, actor=me, interaction_id=email.id, data=later, now=NOW)
    assert get_relationship(db, actor=me, influencer_id=maya.id).last_contacted_at == NOW - 2 * DAY
    taken = snapshot()
    for bad, field in (
        (NewInteraction(type="dm"), "type"),
        (NewInteraction(type="call", interaction_date=NOW + 2 * DAY), "interaction_date"),
        (NewInteraction(type="file"), "file_url"),
        (NewInteraction(type="call", campaign_id=uuid.uuid4()), "campaign"),
    ):
        with pytest.raises(InvalidInput) as refused:
            edit_interaction(db, actor=me, interaction_id=email.id, data=bad, now=NOW)
        assert refused.value.field == field
    assert snapshot() == taken  # nothing half-written
    theirs = log(db, make_user(db, team_id="T1"), maya, type="meeting")
    taken = snapshot()
    with pytest.raises(NotFound):
        edit_interaction(db, actor=me, interaction_id=theirs.id, data=NewInteraction(type="note"), now=NOW)
    assert snapshot() == taken


def test_log_several_logs_each_once_with_its_points_and_refuses_too_many(db, me, maya, snapshot):
    zoe = make_influencer(db, team_id="T1", handle="zoe")
    make_relationship(db, user=me, influencer=zoe, status="warm")
    data = NewInteraction(type="email", content="Brief", idempotency_key="cmd:T123")
    logged = log_several(db, actor=me, influencer_ids=[maya.id, zoe.id, maya.id], data=data, now=NOW)
    assert [item.interaction.influencer_id for item in logged] == [maya.id, zoe.id]  # maya once
    assert [item.before for item in logged] == [None, LogPoint("warm", None, False)]
    assert [item.after.status for item in logged] == ["contacted", "warm"]
    assert logged[0].interaction.idempotency_key == f"cmd:T123:{maya.id.hex}"
    again = log_several(db, actor=me, influencer_ids=[maya.id, zoe.id], data=data, now=NOW)  # a replay
    assert [item.interaction.id for item in again] == [item.interaction.id for item in logged]
    assert count_interactions(db, actor=me, influencer_id=maya.id) == 1
    many = [make_influencer(db, team_id="T1", handle=f"c{n}").id for n in range(LOG_AT_ONCE_MAX + 1)]
    taken = snapshot()
    with pytest.raises(InvalidInput) as refused:
        log_several(db, actor=me, influencer_ids=many, data=NewInteraction(type="call"), now=NOW)
    assert f"At most {LOG_AT_ONCE_MAX} creators" in refused.value.message
    assert snapshot() == taken
