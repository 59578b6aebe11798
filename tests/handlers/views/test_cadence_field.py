"""The Edit form's contact cadence: prefilled as words, saved, cleared, refused inline naming the words."""

from __future__ import annotations

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
