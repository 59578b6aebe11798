"""`/crm remove` with Undo, `/crm list archived` with Restore, `/crm restore`, `/crm add` of a removed
creator, and the bad input around them, end to end through the real app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm.models import Relationship
from handlers.ids import Action

BOB = "UBOB000001"
DUE = datetime.now(UTC) + timedelta(days=3)


def _maya(crm):
    return crm.relationship(
        "maya",
        name="Maya Lopez",
        status="warm",
        priority=4,
        tags=["vegan"],
        notes="Met at VidCon",
        follow_up_date=DUE,
    )


def _fields(rel: Relationship) -> tuple:
    return (rel.status, rel.priority, rel.tags, rel.notes, rel.follow_up_date)


def _button(sent, action_id: str) -> dict:
    for block in sent.reply.blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button in {sent.reply.blocks}")


def _rel(crm, rel) -> Relationship:
    return crm.one(Relationship, Relationship.id == rel.id)


def test_remove_archives_and_undo_restores_it_exactly(run, crm):
    rel = _maya(crm)
    before = _fields(_rel(crm, rel))
    sent = run.command("remove @maya")
    assert "Removed *Maya Lopez* (@maya · Instagram) from your list." in sent.text
    assert sent.to("views.publish")  # App Home no longer shows it
    assert _rel(crm, rel).archived_at is not None
    assert "Maya Lopez" not in run.command("list").text
    assert "Maya Lopez" not in run.command("due").text

    undo = _button(sent, Action.REMOVE_UNDO)
    clicked = run.click(undo["action_id"], undo["value"])
    assert "*Maya Lopez* (@maya · Instagram) is back on your list, as it was." in clicked.text
    assert clicked.reply.params.get("replace_original") is True  # the Undo button goes away
    assert clicked.to("views.publish")
    after = _rel(crm, rel)
    assert after.archived_at is None and _fields(after) == before

    # A second click on the same Undo changes nothing and says so.
    again = run.click(undo["action_id"], undo["value"])
    assert "is already on your list" in again.text
    assert not again.to("views.publish")


def test_list_archived_shows_them_with_restore(run, crm):
    rel = _maya(crm)
    crm.relationship("zed", name="Zed Park")
    run.command("remove maya")
    sent = run.command("list archived")
    assert "Removed from your list (1)" in sent.text and "Zed Park" not in sent.text
    restore = _button(sent, Action.RESTORE)
    assert restore["value"] == str(rel.influencer_id)
    clicked = run.click(restore["action_id"], restore["value"])
    assert "is back on your list" in clicked.text
    assert _rel(crm, rel).archived_at is None
    assert "You have not removed anyone" in run.command("list archived").text


def test_crm_restore_and_crm_add_bring_it_back_and_say_so(run, crm):
    rel = _maya(crm)
    before = _fields(_rel(crm, rel))
    run.command("remove @maya")
    assert "is back on your list" in run.command("restore @maya").text
    assert "is already on your list" in run.command("restore @maya").text
    run.command("remove @maya")
    sent = run.command("add @maya")
    assert "is back on your list, as it was when you removed them" in sent.text
    assert _fields(_rel(crm, rel)) == before and _rel(crm, rel).archived_at is None
    # The Add button on a search result says so too.
    run.command("remove @maya")
    clicked = run.click(Action.ADD_TO_LIST, str(rel.influencer_id))
    assert "is back on your list, as it was when you removed them" in clicked.text
    assert _rel(crm, rel).archived_at is None


def test_removing_one_not_on_my_list_names_it_and_changes_nothing(run, crm):
    crm.relationship("zed", name="Zed Park", user=BOB)  # Bob's, not mine
    sent = run.command("remove @zed")
    assert "“Zed Park” (@zed · Instagram) isn't on your list; nothing was changed" in sent.text
    assert crm.one(Relationship).archived_at is None
    assert "nosuchcreator" in run.command("remove @nosuchcreator").text


def test_a_forged_undo_or_restore_of_another_users_relationship_is_refused(run, crm):
    theirs = crm.relationship("zed", name="Zed Park", user=BOB, status="cold")
    with crm.session() as db:
        db.get(Relationship, theirs.id).archived_at = datetime.now(UTC)
    for action in (Action.REMOVE_UNDO, Action.RESTORE):
        sent = run.click(action, str(theirs.influencer_id))
        assert "isn't on your list" in sent.reply.params["text"]
    assert _rel(crm, theirs).archived_at is not None
    assert "could not be found" in run.click(Action.RESTORE, "not-a-uuid").reply.params["text"]


def test_editing_an_archived_relationship_is_refused_with_how_to_restore(run, crm):
    rel = _maya(crm)
    before = _fields(_rel(crm, rel))
    run.command("remove @maya")
    refused = "“Maya Lopez” (@maya · Instagram) is archived — /crm restore @maya first."
    for command in ("status @maya partnered", "tag @maya +new", "note @maya hello", "followup @maya clear"):
        assert refused in run.command(command).text, command
    for action in (Action.CARD_EDIT, Action.CARD_FOLLOW_UP):
        sent = run.click(action, str(rel.influencer_id))
        assert refused in sent.reply.params["text"]
        assert not sent.to("views.open")
    assert _fields(_rel(crm, rel)) == before and _rel(crm, rel).archived_at is not None


def test_removing_twice_applies_once(run, crm):
    rel = _maya(crm)
    run.command("remove @maya")
    first = _rel(crm, rel).archived_at
    sent = run.command("remove @maya")
    assert "was already off your list" in sent.text
    assert _rel(crm, rel).archived_at == first
    assert not sent.to("views.publish")


def test_a_replayed_undo_does_not_undo_a_later_remove(run, crm):
    rel = _maya(crm)
    undo = _button(run.command("remove @maya"), Action.REMOVE_UNDO)
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert _rel(crm, rel).archived_at is None
    run.command("remove @maya")
    replayed = run.send(request)  # Slack's retry of the same click: same trigger id
    assert _rel(crm, rel).archived_at is not None
    assert not replayed.to("views.publish")


def test_a_creator_nobody_matches_is_not_offered_for_saving_when_removing_or_restoring(run, crm):
    removed = run.command("remove @nobody").reply.params["text"]
    assert removed == "No influencer matches “@nobody”. To look for them: `/crm find nobody`."
    restored = run.command("restore @nobody").reply.params["text"]
    assert restored == "No influencer matches “@nobody”. `/crm list archived` shows everyone you removed."
    assert "To save them: `/crm add @nobody`." in run.command("show @nobody").reply.params["text"]
    assert crm.count(Relationship) == 0
