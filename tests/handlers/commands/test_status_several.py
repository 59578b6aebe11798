"""`/crm status @a @b #tag warm`: several relationships moved at once, end to end; who moved, who was
there already; what Undo puts back (not a status set since); forged and replayed Undo clicks."""

from __future__ import annotations

from crm.models import Relationship
from handlers.ids import Action
from tests.handlers.conftest import undo_button

BOB = "UBOB000001"


def statuses(crm) -> dict:
    """handle → status of my relationships."""
    return crm.of_mine(Relationship.status)


def undo_of(sent) -> dict:
    return undo_button(sent, Action.STATUSES_UNDO)


def test_several_move_at_once_and_undo_puts_back_those_still_so(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    crm.relationship("zoe", name="Zoe Quinn", status="contacted", tags=["spring"])
    crm.relationship("amy", name="Amy Li", status="warm", tags=["spring"])
    sent = run.command("status @maya #spring warm")
    assert "🚦 Now *warm*: *Maya Lopez* (was saved), *Zoe Quinn* (was contacted)." in sent.text
    assert "Already warm: *Amy Li*." in sent.text and sent.to("views.publish")
    assert statuses(crm) == {"maya": "warm", "zoe": "warm", "amy": "warm"}
    undo = undo_of(sent)
    run.command("status @zoe partnered")  # changed since: it stays
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ Back as they were: *Maya Lopez* (saved)." in clicked.text
    assert "Changed since, so it stays: *Zoe Quinn* (partnered)." in clicked.text
    assert clicked.reply.params["replace_original"] is True
    assert statuses(crm) == {"maya": "saved", "zoe": "partnered", "amy": "warm"}


def test_all_there_already_has_no_undo_and_bad_words_change_nothing(run, crm):
    crm.relationship("maya", status="warm")
    crm.relationship("zoe", status="warm")
    same = run.command("status @maya @zoe warm")
    assert "Each of them is *warm* already" in same.text and "accessory" not in same.reply.blocks[0]
    assert "“lopez” is not a creator" in run.command("status @maya lopez @zoe cold").text
    assert "No one on your list is tagged #nobody." in run.command("status @maya #nobody cold").text
    crm.relationship("zed", user=BOB)
    assert "isn't on your list" in run.command("status @maya @zed cold").text
    assert statuses(crm) == {"maya": "warm", "zoe": "warm"}  # all or nothing


def test_a_forged_or_replayed_statuses_undo_changes_nothing_it_should_not(run, crm):
    theirs = crm.relationship("zed", user=BOB, status="partnered")
    mine = crm.relationship("maya")
    forged = run.click(Action.STATUSES_UNDO, f"partnered|{theirs.influencer_id.hex}:0")
    assert "isn't on your list" in forged.reply.params["text"]
    assert crm.of_mine(Relationship.status, user=BOB) == {"zed": "partnered"}
    hexed = mine.influencer_id.hex
    for value in ("nonsense", f"hot|{hexed}:0", f"warm|{hexed}:9", f"warm|{hexed}", "warm|", ""):
        assert "could not be found" in run.click(Action.STATUSES_UNDO, value).reply.params["text"], value
    crm.relationship("zoe")
    undo = undo_of(run.command("status @maya @zoe warm"))
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert statuses(crm) == {"maya": "saved", "zoe": "saved"}
    run.command("status @maya @zoe warm")  # again, on purpose this time
    replayed = run.send(request)  # Slack's retry of the earlier click
    assert statuses(crm) == {"maya": "warm", "zoe": "warm"} and not replayed.to("views.publish")
