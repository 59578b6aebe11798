"""Undo under `/crm status`'s and `/crm note`'s answers, end to end through the real app: back to
the status or notes before, once; a change since stays; forged and replayed clicks change nothing."""

from __future__ import annotations

from crm.models import Relationship
from handlers.ids import Action

BOB = "UBOB000001"


def _undo(sent) -> dict:
    (section,) = [b for b in sent.reply.blocks if b["type"] == "section"]
    assert section["accessory"]["action_id"] in (Action.STATUS_UNDO, Action.NOTE_UNDO)
    return section["accessory"]


def _status(crm, rel) -> str:
    return crm.one(Relationship, Relationship.id == rel.id).status


def test_undo_puts_the_status_back_and_replaces_the_answer(run, crm):
    rel = crm.relationship("maya", name="Maya Lopez", status="contacted")
    sent = run.command("status @maya partnered")
    assert "*Maya Lopez* is now *partnered* (was contacted)." in sent.text
    undo = _undo(sent)
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ *Maya Lopez* is *contacted* again." in clicked.text
    assert clicked.reply.params.get("replace_original") is True  # the Undo button goes away
    assert clicked.to("views.publish")  # App Home shows statuses
    assert _status(crm, rel) == "contacted"
    # A second click (another request) finds it back already, and says so.
    again = run.click(undo["action_id"], undo["value"])
    assert "is *contacted* again" in again.text and _status(crm, rel) == "contacted"


def test_a_status_set_since_stays(run, crm):
    rel = crm.relationship("maya", name="Maya Lopez", status="contacted")
    undo = _undo(run.command("status @maya partnered"))
    run.command("status @maya cold")
    clicked = run.click(undo["action_id"], undo["value"])
    assert "*Maya Lopez* is *cold* now (changed since), so it stays." in clicked.text
    assert _status(crm, rel) == "cold"


def test_the_same_status_again_is_already_so_without_undo(run, crm):
    crm.relationship("maya", name="Maya Lopez", status="warm")
    sent = run.command("status @maya warm")
    assert "*Maya Lopez* is already *warm*." in sent.text
    assert not any(b.get("accessory") for b in sent.reply.blocks)
    assert not sent.to("views.publish")


def test_a_forged_or_broken_undo_changes_nothing(run, crm):
    theirs = crm.relationship("zed", name="Zed Park", user=BOB, status="partnered")
    forged = run.click(Action.STATUS_UNDO, f"{theirs.influencer_id}:partnered:saved")
    assert "isn't on your list" in forged.reply.params["text"]
    assert _status(crm, theirs) == "partnered"
    for value in ("nonsense", f"{theirs.influencer_id}:partnered:hot", "x:warm:cold", ""):
        assert "could not be found" in run.click(Action.STATUS_UNDO, value).reply.params["text"], value


def test_a_replayed_undo_does_not_undo_a_later_change(run, crm):
    rel = crm.relationship("maya", status="contacted")
    undo = _undo(run.command("status @maya partnered"))
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert _status(crm, rel) == "contacted"
    run.command("status @maya partnered")
    replayed = run.send(request)  # Slack's retry of the same click
    assert _status(crm, rel) == "partnered"
    assert not replayed.to("views.publish")


def _notes(crm, rel) -> str | None:
    return crm.one(Relationship, Relationship.id == rel.id).notes


def test_undo_takes_an_appended_note_out_again(run, crm):
    rel = crm.relationship("maya", name="Maya Lopez", notes="Met at VidCon  \n")
    sent = run.command("note @maya Wrong creator, oops")
    assert "Note added to *Maya Lopez*." in sent.text
    assert _notes(crm, rel).endswith(": Wrong creator, oops")
    undo = _undo(sent)
    assert undo["action_id"] == Action.NOTE_UNDO and "oops" not in undo["value"]  # no text travels
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ The note is out of *Maya Lopez*'s notes again." in clicked.text
    assert clicked.reply.params.get("replace_original") is True
    assert _notes(crm, rel) == "Met at VidCon"  # as it was, but for trailing blanks
    assert "notes again" in run.click(undo["action_id"], undo["value"]).text  # a second click: the same


def test_undo_of_the_first_note_leaves_none_and_an_edit_since_stays(run, crm):
    rel = crm.relationship("maya", name="Maya Lopez")
    first = _undo(run.command("note @maya First"))
    run.click(first["action_id"], first["value"])
    assert _notes(crm, rel) is None
    later = _undo(run.command("note @maya Second"))
    run.command("note @maya Third")  # the notes changed since the Second
    clicked = run.click(later["action_id"], later["value"])
    assert "notes were changed since, so they stay as they are" in clicked.text
    assert _notes(crm, rel).endswith(": Third") and ": Second" in _notes(crm, rel)


def test_a_forged_or_broken_note_undo_changes_nothing(run, crm):
    theirs = crm.relationship("zed", name="Zed Park", user=BOB, notes="Private")
    mark = "7.0123456789abcdef"
    forged = run.click(Action.NOTE_UNDO, f"{theirs.influencer_id}:0.e3b0c44298fc1c14:{mark}")
    assert "isn't on your list" in forged.reply.params["text"]
    assert _notes(crm, theirs) == "Private"
    for value in ("nonsense", f"{theirs.influencer_id}:7:{mark}", f"x:{mark}:{mark}", ""):
        assert "could not be found" in run.click(Action.NOTE_UNDO, value).reply.params["text"], value


def test_a_replayed_note_undo_does_not_take_out_a_later_note(run, crm):
    rel = crm.relationship("maya", notes="Kept")
    undo = _undo(run.command("note @maya Oops"))
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert _notes(crm, rel) == "Kept"
    run.command("note @maya Oops")  # the same note again, on purpose this time
    run.send(request)  # Slack's retry of the earlier click
    assert _notes(crm, rel).endswith(": Oops")
