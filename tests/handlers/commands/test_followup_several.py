"""`/crm followup @a @b #tag <when>`: one follow-up set for several creators at once, end to end; what
Undo puts back (each one's own, not one set since); clearing several; forged and replayed Undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm.models import Relationship
from handlers.ids import Action
from tests.handlers.conftest import undo_button

BOB = "UBOB000001"


def follow_ups(crm) -> dict:
    """handle → follow-up of my relationships."""
    return crm.of_mine(Relationship.follow_up_date)


def undo_of(sent) -> dict:
    return undo_button(sent, Action.FOLLOW_UPS_UNDO)


def test_one_follow_up_for_several_and_undo_puts_back_each_ones_own(run, crm):
    own = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
    crm.relationship("maya", name="Maya Lopez", follow_up_date=own)
    crm.relationship("zoe", name="Zoe Quinn", tags=["spring"])
    crm.relationship("amy", name="Amy Li", tags=["spring"])
    sent = run.command("followup @maya #spring 2030-01-15 10:00")
    said = sent.reply.blocks[0]["text"]["text"]  # those with the tag strongest first, here alike
    assert said.startswith("⏰ Follow up on *Tue 15 Jan 2030 10:00* with 3 creators: *Maya Lopez*, *")
    assert "*Zoe Quinn*" in said and "*Amy Li*" in said
    assert sent.to("views.publish")
    at = datetime(2030, 1, 15, 10, 0, tzinfo=UTC)  # the test user's timezone is UTC
    assert follow_ups(crm) == {"maya": at, "zoe": at, "amy": at}
    undo = undo_of(sent)
    run.command("followup @amy 2030-02-01")  # changed since: it stays
    clicked = run.click(undo["action_id"], undo["value"])
    back = "↩️ Follow-ups back as they were: *Maya Lopez* (Sun 20 Dec 2026 08:00), *Zoe Quinn* (none)."
    assert back in clicked.text
    assert "Changed since, so it stays: *Amy Li* (Fri 1 Feb 2030 09:00)." in clicked.text
    assert follow_ups(crm) == {"maya": own, "zoe": None, "amy": datetime(2030, 2, 1, 9, 0, tzinfo=UTC)}


def test_clearing_several_and_bad_words_change_nothing_they_should_not(run, crm):
    soon = datetime.now(UTC) + timedelta(days=2)
    crm.relationship("maya", follow_up_date=soon)
    crm.relationship("zoe", follow_up_date=soon)
    cleared = run.command("followup @maya @zoe clear")
    assert "No follow-up any more for 2 creators" in cleared.text
    assert follow_ups(crm) == {"maya": None, "zoe": None}
    undo = undo_of(cleared)
    run.click(undo["action_id"], undo["value"])
    assert follow_ups(crm) == {"maya": soon, "zoe": soon}
    assert "“lopez” is not a creator" in run.command("followup @maya lopez @zoe tomorrow").text
    crm.relationship("zed", user=BOB)
    assert "isn't on your list" in run.command("followup @maya @zed tomorrow").text
    assert follow_ups(crm) == {"maya": soon, "zoe": soon}  # all or nothing


def test_a_forged_or_replayed_follow_ups_undo_changes_nothing_it_should_not(run, crm):
    theirs = crm.relationship("zed", user=BOB, follow_up_date=datetime(2030, 1, 1, tzinfo=UTC))
    mine = crm.relationship("maya")
    forged = run.click(Action.FOLLOW_UPS_UNDO, f"1893456000000000|{theirs.influencer_id.hex}:.0")
    assert "isn't on your list" in forged.reply.params["text"]
    assert crm.of_mine(Relationship.follow_up_date, user=BOB) == {"zed": datetime(2030, 1, 1, tzinfo=UTC)}
    hexed = mine.influencer_id.hex
    for value in ("nonsense", f"x|{hexed}:.0", f"|{hexed}:.2", f"|{hexed}", "|", ""):
        assert "could not be found" in run.click(Action.FOLLOW_UPS_UNDO, value).reply.params["text"], value
    crm.relationship("zoe")
    undo = undo_of(run.command("followup @maya @zoe 2030-03-01"))
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert follow_ups(crm) == {"maya": None, "zoe": None}
    run.command("followup @maya @zoe 2030-03-01")  # again, on purpose this time
    replayed = run.send(request)  # Slack's retry of the earlier click
    assert set(follow_ups(crm).values()) == {datetime(2030, 3, 1, 9, 0, tzinfo=UTC)}
    assert not replayed.to("views.publish")
