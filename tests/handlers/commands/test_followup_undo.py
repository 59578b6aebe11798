"""`/crm followup @maya <when|clear>` for one creator, end to end: the answer names the follow-up it
replaced, and its Undo puts that one back (the instant and whether the cadence set it), unless the
follow-up was changed since. Nothing changed, nothing to undo."""

from __future__ import annotations

from datetime import UTC, datetime

from crm.models import Relationship
from handlers.ids import Action
from tests.handlers.conftest import undo_button

OWN = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)  # the test user's timezone is UTC


def follow_up_of_maya(crm) -> tuple[datetime | None, bool]:
    return (
        crm.of_mine(Relationship.follow_up_date)["maya"],
        crm.of_mine(Relationship.follow_up_from_cadence)["maya"],
    )


def test_a_new_date_says_what_it_replaced_and_undo_puts_it_back(run, crm):
    crm.relationship("maya", name="Maya Lopez", follow_up_date=OWN)
    sent = run.command("followup @maya 2030-01-15 10:00")
    said = sent.reply.blocks[0]["text"]["text"]
    assert said == "⏰ Follow up with *Maya Lopez* on *Tue 15 Jan 2030 10:00* (was Sun 20 Dec 2026 08:00)."
    assert sent.reply.blocks[1]["elements"][0]["text"]["text"] == "Log interaction"  # the card's buttons
    assert sent.to("views.publish")
    assert follow_up_of_maya(crm) == (datetime(2030, 1, 15, 10, 0, tzinfo=UTC), False)
    undo = undo_button(sent, Action.FOLLOW_UPS_UNDO)
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ Follow-up back as it was: *Maya Lopez* (Sun 20 Dec 2026 08:00)." in clicked.text
    assert clicked.to("views.publish")
    assert follow_up_of_maya(crm) == (OWN, False)


def test_one_the_cadence_set_comes_back_as_the_cadences(run, crm):
    crm.relationship("maya", name="Maya Lopez", follow_up_date=OWN, follow_up_from_cadence=True)
    sent = run.command("followup @maya 2030-01-15")
    assert "(was Sun 20 Dec 2026 08:00, set by the cadence)" in sent.text
    undo = undo_button(sent, Action.FOLLOW_UPS_UNDO)
    run.click(undo["action_id"], undo["value"])
    assert follow_up_of_maya(crm) == (OWN, True)
    same = run.command("followup @maya 2026-12-20 08:00")  # the same instant, now set by hand
    assert "(as the cadence had set it; now by hand)" in same.text
    assert follow_up_of_maya(crm) == (OWN, False)
    undo = undo_button(same, Action.FOLLOW_UPS_UNDO)
    run.click(undo["action_id"], undo["value"])
    assert follow_up_of_maya(crm) == (OWN, True)


def test_clearing_has_undo_and_clearing_nothing_or_the_same_date_has_none(run, crm):
    crm.relationship("maya", name="Maya Lopez", follow_up_date=OWN)
    cleared = run.command("followup @maya clear")
    assert "No follow-up with *Maya Lopez* any more (was Sun 20 Dec 2026 08:00)." in cleared.text
    assert follow_up_of_maya(crm) == (None, False)
    again = run.command("followup @maya clear")
    assert "*Maya Lopez* has no follow-up to clear." in again.text
    assert "accessory" not in again.reply.blocks[0]
    assert not again.to("views.publish")
    undo = undo_button(cleared, Action.FOLLOW_UPS_UNDO)  # the first answer's Undo still works
    run.click(undo["action_id"], undo["value"])
    assert follow_up_of_maya(crm) == (OWN, False)
    same = run.command("followup @maya 2026-12-20 08:00")
    assert "*Maya Lopez*'s follow-up is already *Sun 20 Dec 2026 08:00*." in same.text
    assert "accessory" not in same.reply.blocks[0]
    assert not same.to("views.publish")


def test_undo_after_another_change_leaves_the_newer_date(run, crm):
    crm.relationship("maya", name="Maya Lopez", follow_up_date=OWN)
    sent = run.command("followup @maya 2030-01-15")
    run.command("followup @maya 2030-02-01")
    undo = undo_button(sent, Action.FOLLOW_UPS_UNDO)
    clicked = run.click(undo["action_id"], undo["value"])
    assert "Changed since, so it stays: *Maya Lopez* (Fri 1 Feb 2030 09:00)." in clicked.text
    assert follow_up_of_maya(crm) == (datetime(2030, 2, 1, 9, 0, tzinfo=UTC), False)
