"""The Edit form's contact cadence: prefilled as words, saved, cleared, refused inline naming the words."""

from __future__ import annotations

from datetime import date, timedelta

from crm import clock
from crm.cadence import next_by_cadence
from crm.models import Relationship
from handlers.ids import Action, Field
from tests.handlers.views.test_relationship_modals import edit_values

F = Field


def _field(view: dict) -> dict:
    (block,) = [b for b in view["blocks"] if b.get("block_id") == F.RELATIONSHIP_CADENCE]
    return block["element"]


def test_the_form_shows_the_cadence_and_saves_a_new_one(run, crm):
    rel = crm.relationship("maya", status="warm", cadence_days=14)
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    assert _field(view)["initial_value"] == "2 weeks"
    assert run.submit(view, edit_values(**{F.RELATIONSHIP_CADENCE: "2 weeks"})).ack == {}
    assert crm.one(Relationship).cadence_days == 14  # shown as words, read back the same
    for typed, days in (("monthly", 30), (None, None)):  # a fresh form each time: a resubmit applies once
        view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
        assert run.submit(view, edit_values(**{F.RELATIONSHIP_CADENCE: typed})).ack == {}
        assert crm.one(Relationship).cadence_days == days


def test_a_wrong_cadence_is_an_inline_error_and_nothing_changes(run, crm):
    rel = crm.relationship("maya", status="saved", priority=1, cadence_days=7)
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    for typed in ("sometimes", "2y"):
        sent = run.submit(view, edit_values(**{F.RELATIONSHIP_CADENCE: typed}))
        assert list(sent.ack["errors"]) == [F.RELATIONSHIP_CADENCE]
        assert f"“{typed}”" in sent.ack["errors"][F.RELATIONSHIP_CADENCE]
    saved = crm.one(Relationship)
    assert (saved.cadence_days, saved.status, saved.priority) == (7, "saved", 1)


def test_a_new_cadence_schedules_the_follow_up_at_once_as_the_command_does(run, crm):
    # Seen: a cadence set in the form left "Follow-up: none" until the next contact, while
    # `/crm cadence maya 1w` scheduled it from the last contact.
    contacted = clock.now() - timedelta(days=2)
    rel = crm.relationship("maya", status="warm", last_contacted_at=contacted)
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    assert run.submit(view, edit_values(**{F.RELATIONSHIP_CADENCE: "weekly"})).ack == {}
    saved = crm.one(Relationship)
    expected = next_by_cadence(contacted, 7, actor=crm.user())
    assert (saved.cadence_days, saved.follow_up_date, saved.follow_up_from_cadence) == (7, expected, True)
    card = run.command("show @maya").text
    assert "Follow-up: none" not in card


def test_a_follow_up_typed_with_the_cadence_wins(run, crm):
    rel = crm.relationship("maya", status="warm", last_contacted_at=clock.now() - timedelta(days=2))
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    typed = (date.today() + timedelta(days=30)).isoformat()
    values = edit_values(**{F.RELATIONSHIP_CADENCE: "weekly", F.RELATIONSHIP_FOLLOW_UP: typed})
    assert run.submit(view, values).ack == {}
    saved = crm.one(Relationship)
    assert saved.cadence_days == 7 and saved.follow_up_from_cadence is False
    assert saved.follow_up_date.date() > (date.today() + timedelta(days=20))
