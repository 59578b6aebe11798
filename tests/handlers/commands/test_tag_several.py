"""`/crm tag @a @b +x -y`: the tags of several creators changed at once, end to end; what the user sees
when some had them already, a word names no one or is not on the list; what Undo takes back; forged
and replayed Undo clicks."""

from __future__ import annotations

from crm.models import Influencer, Relationship
from crm.relationships import TAG_AT_ONCE_MAX
from handlers.ids import Action
from tests.handlers.conftest import undo_button

BOB = "UBOB000001"


def tags(crm) -> dict:
    """handle → tags of my relationships."""
    return crm.of_mine(Relationship.tags)


def undo_of(sent) -> dict:
    return undo_button(sent, Action.TAG_UNDO)


def test_several_creators_are_tagged_at_once_and_undo_puts_their_tags_back(run, crm):
    crm.relationship("maya", name="Maya Lopez", tags=["old"])
    crm.relationship("zoe", name="Zoe Quinn", tags=["old", "winter"])
    crm.relationship("amy", name="Amy Li", tags=["winter"])  # as asked already
    sent = run.command("tag @maya @zoe @amy +Winter -old")
    text = sent.text
    assert "🏷️ Added #winter and removed #old for 2 creators: *Maya Lopez*, *Zoe Quinn*." in text
    assert "Already so: *Amy Li*." in text
    assert tags(crm) == {"maya": ["winter"], "zoe": ["winter"], "amy": ["winter"]}
    undo = undo_of(sent)
    amy = crm.one(Influencer, Influencer.handle == "amy")
    assert amy.id.hex not in undo["value"]  # nothing of hers to take back
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ Tags back as they were for 2 creators: *Maya Lopez*, *Zoe Quinn*." in clicked.text
    assert clicked.reply.params["replace_original"] is True
    # Zoe gets #old back, at the end of her tags.
    assert tags(crm) == {"maya": ["old"], "zoe": ["winter", "old"], "amy": ["winter"]}


def test_nothing_to_change_says_so_without_undo(run, crm):
    crm.relationship("maya", tags=["winter"])
    crm.relationship("zoe", tags=["winter"])
    sent = run.command("tag @maya @zoe +winter")
    assert "No tags changed: each of them was so already (asked: added #winter)." in sent.text
    (section,) = sent.reply.blocks
    assert "accessory" not in section


def test_a_word_that_is_no_creator_or_not_on_my_list_is_refused_and_nothing_changes(run, crm):
    crm.relationship("maya")
    crm.relationship("zed", user=BOB)  # Bob's, not mine
    stray = run.command("tag @maya lopez @zed +x")
    assert "“lopez” is not a creator" in stray.text
    not_mine = run.command("tag @maya @zed +x")
    assert "isn't on your list" in not_mine.text
    assert tags(crm) == {"maya": []}  # Maya's tag was rolled back with the rest
    for n in range(TAG_AT_ONCE_MAX):
        crm.relationship(f"c{n}")
    many = " ".join(f"@c{n}" for n in range(TAG_AT_ONCE_MAX))
    refused = run.command(f"tag @maya {many} +x")
    said = f"At most {TAG_AT_ONCE_MAX} creators are tagged at once; these are {TAG_AT_ONCE_MAX + 1}."
    assert said in refused.text
    assert not any(t for t in tags(crm).values())


def test_a_forged_or_replayed_tag_undo_changes_nothing_it_should_not(run, crm):
    theirs = crm.relationship("zed", user=BOB, tags=["secret"])
    mine = crm.relationship("maya", tags=["keep"])
    forged = run.click(Action.TAG_UNDO, f"-secret|{theirs.influencer_id.hex}:1")
    assert "isn't on your list" in forged.reply.params["text"]
    with crm.session() as db:
        assert db.get(Relationship, theirs.id).tags == ["secret"]
    hexed = mine.influencer_id.hex
    for value in ("nonsense", f"+x|{hexed}:2", f"+x y|{hexed}:1", "+x|", f"x|{hexed}:1", ""):
        assert "could not be found" in run.click(Action.TAG_UNDO, value).reply.params["text"], value
    crm.relationship("zoe")
    undo = undo_of(run.command("tag @maya @zoe +spring"))
    request = run.payloads.block_actions([run.payloads.button(undo["action_id"], undo["value"])])
    run.send(request)
    assert tags(crm) == {"maya": ["keep"], "zoe": []}
    run.command("tag @maya @zoe +spring")  # tagged again, on purpose this time
    run.send(request)  # Slack's retry of the earlier click
    assert tags(crm) == {"maya": ["keep", "spring"], "zoe": ["spring"]}
