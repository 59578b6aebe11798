"""`/crm priority @a @b #tag 5`: one priority for several creators at once, end to end; whose changed,
whose was that already; what Undo puts back (not a priority set since); forged and replayed Undo."""

from __future__ import annotations

from crm.models import Relationship
from handlers.ids import Action
from tests.handlers.conftest import undo_button

BOB = "UBOB000001"


def priorities(crm) -> dict:
    """handle → priority of my relationships."""
    return crm.of_mine(Relationship.priority)


def undo_of(sent) -> dict:
    return undo_button(sent, Action.PRIORITIES_UNDO)


def test_several_at_once_and_undo_puts_back_those_still_so(run, crm):
    crm.relationship("maya", name="Maya Lopez", priority=2)
    crm.relationship("zoe", name="Zoe Quinn", tags=["shortlist"])
    crm.relationship("amy", name="Amy Li", priority=5, tags=["shortlist"])
    sent = run.command("priority @maya #shortlist 5")
    assert "Now priority *5*: *Maya Lopez* (was 2), *Zoe Quinn* (was 0)." in sent.text
    assert "Already 5: *Amy Li*." in sent.text and sent.to("views.publish")
    assert priorities(crm) == {"maya": 5, "zoe": 5, "amy": 5}
    undo = undo_of(sent)
    run.command("priority @zoe 1")  # changed since: it stays
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ Back as they were: *Maya Lopez* (2)." in clicked.text
    assert "Changed since, so it stays: *Zoe Quinn* (1)." in clicked.text
    assert clicked.reply.params["replace_original"] is True
    assert priorities(crm) == {"maya": 2, "zoe": 1, "amy": 5}


def test_all_there_already_has_no_undo_and_bad_words_change_nothing(run, crm):
    crm.relationship("maya", priority=4)
    crm.relationship("zoe", priority=4)
    same = run.command("priority @maya @zoe 4")
    assert "Each of them has priority *4* already" in same.text and "accessory" not in same.reply.blocks[0]
    assert not same.to("views.publish")
    assert "“lopez” is not a creator" in run.command("priority @maya lopez @zoe 1").text
    assert "No one on your list is tagged #nobody." in run.command("priority @maya #nobody 1").text
    assert "“9” is not a priority" in run.command("priority @maya @zoe 9").text
    crm.relationship("zed", user=BOB)
    assert "isn't on your list" in run.command("priority @maya @zed 1").text
    assert priorities(crm) == {"maya": 4, "zoe": 4}  # all or nothing


def test_a_forged_or_replayed_priorities_undo_changes_nothing_it_should_not(run, crm):
    theirs = crm.relationship("zed", user=BOB, priority=5)
    mine = crm.relationship("maya")
    forged = run.click(Action.PRIORITIES_UNDO, f"5|{theirs.influencer_id.hex}:0")
    assert "isn't on your list" in forged.reply.params["text"]
    assert crm.of_mine(Relationship.priority, user=BOB) == {"zed": 5}
    hexed = mine.influencer_id.hex
    for value in ("nonsense", f"9|{hexed}:0", f"5|{hexed}:9", f"5|{hexed}", "5|", ""):
        assert "could not be found" in run.click(Action.PRIORITIES_UNDO, value).reply.params["text"], value
    crm.relationship("zoe")
    undo = undo_of(run.command("priority @maya @zoe 3"))
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert priorities(crm) == {"maya": 0, "zoe": 0}
    run.command("priority @maya @zoe 3")  # again, on purpose this time
    replayed = run.send(request)  # Slack's retry of the earlier click
    assert priorities(crm) == {"maya": 3, "zoe": 3} and not replayed.to("views.publish")
