"""`/crm campaign status <campaign> @a @b #tag <status>`: several assignments moved at once, end to
end; what the user sees for those at that status already or not assigned by them, and what Undo
puts back (only those still at the status set). One creator's answer has the same Undo."""

from __future__ import annotations

from sqlalchemy import select

from crm.models import Assignment, Influencer
from handlers.blocks.assignment_changes import status_undo_value
from handlers.ids import Action
from tests.handlers.commands.test_campaign_add_several import BOB, buttons, said


def statuses(crm) -> dict[str, str]:
    """handle → status of every assignment."""
    with crm.session() as db:
        rows = db.execute(select(Influencer.handle, Assignment.status).join(Assignment.influencer)).all()
    return dict(rows)


def test_several_move_at_once_and_undo_puts_back_what_is_still_so(run, crm):
    crm.campaign("Winter Glow")
    for handle in ("maya", "zoe", "amy"):
        crm.relationship(handle, tags=["live"])
    crm.relationship("bea")
    run.command("campaign add winter @maya @zoe @amy")
    run.command("campaign status winter @amy completed")
    crm.user(BOB)
    run.send(run.payloads.command("utm winter @bea", user_id=BOB))  # Bob's: not mine to move
    sent = run.command("campaign status winter #live @bea active")
    text = said(sent)
    assert "✅ Moved 3 assignments on *Winter Glow* to *active*:" in text
    assert "*Not assigned by you to it*, so not moved:\n• *bea*" in text
    assert statuses(crm) == {"maya": "active", "zoe": "active", "amy": "active", "bea": "planned"}
    assert set(buttons(sent)) == {"Show campaign", "Undo"} and sent.to("views.publish")
    run.command("campaign status winter @zoe completed")  # moved on since: Undo leaves it
    undone = run.click(Action.ASSIGN_STATUS_UNDO, buttons(sent)["Undo"]["value"])
    text = said(undone)
    assert "↩️ Put back 2 assignments on *Winter Glow* to the status each had." in text
    assert "Kept, as their status changed since:\n• *zoe*" in text
    assert statuses(crm) == {"maya": "planned", "zoe": "completed", "amy": "completed", "bea": "planned"}
    again = run.click(Action.ASSIGN_STATUS_UNDO, buttons(sent)["Undo"]["value"])
    assert "Nothing was put back on *Winter Glow*." in said(again)
    assert statuses(crm)["maya"] == "planned"


def test_those_at_the_status_already_are_said_and_nothing_to_undo(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya")
    crm.relationship("zoe")
    run.command("campaign add winter @maya @zoe")
    sent = run.command("campaign status winter @maya @zoe planned")
    text = said(sent)
    assert "No assignment on *Winter Glow* was moved." in text
    assert "*Planned already*:\n• *maya*" in text and "*zoe*" in text
    assert set(buttons(sent)) == {"Show campaign"}


def test_bad_words_move_nothing_and_a_forged_undo_changes_nothing(run, crm):
    campaign = crm.campaign("Winter Glow")
    crm.relationship("maya")
    crm.relationship("zoe")
    run.command("campaign add winter @maya @zoe")
    text = run.command("campaign status winter @maya @nobody active").reply.params["text"]
    assert "No influencer matches “@nobody”. Nothing was changed." in text
    assert "Usage: `/crm campaign status &lt;campaign&gt; &lt;influencer&gt; [more … | #tag]" in text
    assert set(statuses(crm).values()) == {"planned"}
    # Someone else's assignments in a value of ours: not theirs to put back.
    crm.user(BOB)
    maya = next(a for a in crm.all(Assignment) if a.utm_content == "maya")
    run.command("campaign status winter @maya active")
    forged = status_undo_value(campaign.id, "active", [(maya.id, "cancelled")])
    assert "Nothing was put back" in said(run.click(Action.ASSIGN_STATUS_UNDO, forged, user_id=BOB))
    for junk in ("", "x:y:z", f"{campaign.id.hex}:9:{maya.id.hex}0", f"{campaign.id.hex}:1:{maya.id.hex}-1"):
        assert "Those assignments could not be found." in run.click(Action.ASSIGN_STATUS_UNDO, junk).text
    assert statuses(crm)["maya"] == "active"


def test_a_replayed_undo_does_not_undo_a_later_move(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya")
    crm.relationship("zoe")
    run.command("campaign add winter @maya @zoe")
    undo = buttons(run.command("campaign status winter @maya @zoe active"))["Undo"]
    click = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    assert "Put back 2 assignments" in said(run.send(click))
    run.command("campaign status winter @maya @zoe active")  # moved again since
    replayed = run.send(click)  # Slack's retry of the same click
    assert set(statuses(crm).values()) == {"active"}
    assert not replayed.to("views.publish")
    assert "Kept, as their status changed since" in said(replayed)


def test_a_replayed_take_back_says_what_is_left_and_deletes_nothing(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya")
    crm.relationship("zoe")
    undo = buttons(run.command("campaign add winter @maya @zoe"))["Undo"]
    click = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    assert "Took back 2 assignments" in said(run.send(click))
    replayed = run.send(click)
    assert "Took back 2 assignments" in said(replayed) and not replayed.to("views.publish")
    assert statuses(crm) == {}


def test_one_moved_says_the_status_it_had_and_undo_puts_it_back(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya", name="Maya Lopez")
    run.command("utm winter @maya")  # assigns her, planned
    sent = run.command("campaign status winter @maya active")
    assert said(sent) == "*Maya Lopez* in *Winter Glow* is now *active* (was planned)."
    assert set(buttons(sent)) == {"Show campaign", "Undo"} and sent.to("views.publish")
    undone = run.click(Action.ASSIGN_STATUS_UNDO, buttons(sent)["Undo"]["value"])
    assert "↩️ Put back 1 assignment on *Winter Glow* to the status it had." in said(undone)
    assert statuses(crm) == {"maya": "planned"}
    again = run.command("campaign status winter @maya planned")
    assert said(again) == "*Maya Lopez* in *Winter Glow* is already *planned*."
    assert set(buttons(again)) == {"Show campaign"} and not again.to("views.publish")
