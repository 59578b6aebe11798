"""Undo under `/crm status`'s and `/crm note`'s answers and the log form's, end to end through the
real app: back to the status, notes or relationship before, once; a change since stays; forged and
replayed clicks change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm.models import Interaction, Relationship
from handlers.ids import Action, Field

F = Field

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


def _logged(run, crm, handle="maya", *, influencer_id=None, **values):
    """Log with the form as a user does (opened from `/crm log`); the answer's Undo button."""
    view = run.command(f"log @{handle} call").opened
    rel_or_id = influencer_id or crm.one(Relationship).influencer_id
    when = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    fields = {F.INTERACTION_INFLUENCER: str(rel_or_id), F.INTERACTION_TYPE: "call", F.INTERACTION_DATE: when}
    sent = run.submit(view, fields | values)
    (answer,) = sent.to("response_url")
    (section,) = [b for b in answer.params["blocks"] if b["type"] == "section"]
    assert section["accessory"]["action_id"] == Action.LOG_UNDO
    return section["accessory"]


def test_undo_takes_back_a_log_with_the_status_and_follow_up_it_changed(run, crm):
    rel = crm.relationship("maya", name="Maya Lopez", cadence_days=3)  # a call sets a follow-up
    undo = _logged(run, crm)
    logged = crm.one(Relationship, Relationship.id == rel.id)
    assert (logged.status, logged.follow_up_from_cadence) == ("contacted", True)
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ Took back the call with *Maya Lopez*." in clicked.text
    assert "Status: *Saved* · Strength: 0 / 100 · Follow-up: none" in clicked.text
    assert clicked.reply.params.get("replace_original") is True  # the Undo button goes away
    assert clicked.to("views.publish")  # App Home shows the follow-up and strength
    back = crm.one(Relationship, Relationship.id == rel.id)
    assert (back.status, back.follow_up_date, back.last_contacted_at) == ("saved", None, None)
    assert crm.count(Interaction) == 0
    again = run.click(undo["action_id"], undo["value"])  # a second click (another request)
    assert "That log was taken back already." in again.text and not again.to("views.publish")


def test_undo_of_a_first_log_takes_the_creator_off_the_list_again(run, crm):
    crm.relationship("maya")
    zed = crm.influencer("zed", name="Zed Park")  # not on my list: the form lists the whole workspace
    undo = _logged(run, crm, influencer_id=zed.id)
    assert crm.count(Relationship, Relationship.influencer_id == zed.id) == 1
    clicked = run.click(undo["action_id"], undo["value"])
    assert "Took back the call with *Zed Park*. They are off your list again" in clicked.text
    assert crm.count(Relationship, Relationship.influencer_id == zed.id) == 0
    assert crm.count(Interaction) == 0


def test_a_status_set_after_the_log_stays_and_the_answer_says_so(run, crm):
    rel = crm.relationship("maya", name="Maya Lopez")
    undo = _logged(run, crm)
    run.command("status @maya partnered")
    clicked = run.click(undo["action_id"], undo["value"])
    assert "Status: *Partnered* (set since the log) ·" in clicked.text
    assert crm.one(Relationship, Relationship.id == rel.id).status == "partnered"
    assert crm.count(Interaction) == 0  # the log itself is taken back


def test_a_forged_or_broken_log_undo_changes_nothing(run, crm):
    crm.relationship("maya")
    undo = _logged(run, crm)
    interaction_id, _, points = undo["value"].partition(":")
    # Bob clicks my button (a forwarded message, a forged payload): my log is not his to take back.
    bobs = run.click(undo["action_id"], undo["value"], user_id=BOB)
    assert "That log was taken back already." in bobs.text and crm.count(Interaction) == 1
    forged = (f"{interaction_id}:hot.0..:saved.0..", f"{interaction_id}:-", f"x:{points}")
    for value in ("nonsense", *forged, ""):
        sent = run.click(Action.LOG_UNDO, value)
        assert "That log was taken back already." in sent.reply.params["text"], value
    assert points.startswith("saved.0..:contacted.0..")  # the format the values above are forged in
    too_far = f"{interaction_id}:saved.0.99999999999999999.:contacted.0.."
    assert "taken back already" in run.click(Action.LOG_UNDO, too_far).reply.params["text"]
    assert crm.count(Interaction) == 1 and crm.one(Relationship).status == "contacted"


def test_a_replayed_log_undo_takes_nothing_back(run, crm):
    crm.relationship("maya")
    undo = _logged(run, crm)
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert crm.count(Interaction) == 0
    _logged(run, crm)  # logged again, on purpose this time
    replayed = run.send(request)  # Slack's retry of the earlier click
    assert crm.count(Interaction) == 1 and crm.one(Relationship).status == "contacted"
    assert "taken back already" in replayed.text and not replayed.to("views.publish")
