"""Buttons end to end: candidate picks replay the command, card / list / Home buttons, select options."""

from __future__ import annotations

import json
import uuid

import pytest

from crm.models import Influencer, Relationship
from handlers.actions.candidates import parse_pick
from handlers.ids import Action, Field
from handlers.ids import View as ViewId
from tests.handlers.conftest import TEAM_ID, USER_ID

BOB = "UBOB000001"


def two_mayas(crm):
    lopez = crm.relationship("mayalopez", name="Maya Lopez", status="saved")
    chen = crm.relationship("mayachen", name="Maya Chen", status="saved")
    return lopez, chen


def candidate_buttons(sent) -> list[dict]:
    actions = next(b for b in sent.reply.blocks if b["type"] == "actions")
    return actions["elements"]


def test_an_ambiguous_name_answers_with_candidates_and_writes_nothing(run, crm):
    two_mayas(crm)
    sent = run.command("status maya warm")
    buttons = candidate_buttons(sent)
    assert sorted(b["text"]["text"] for b in buttons) == [
        "Maya Chen (@mayachen · Instagram)",
        "Maya Lopez (@mayalopez · Instagram)",
    ]
    assert {r.status for r in crm.all(Relationship)} == {"saved"}


def test_a_candidate_click_replays_the_command_for_that_influencer(run, crm):
    lopez, chen = two_mayas(crm)
    buttons = candidate_buttons(run.command("status maya warm"))
    pick = next(b for b in buttons if b["value"].find(str(chen.influencer_id)) >= 0)
    sent = run.click(pick["action_id"], pick["value"])
    assert "Maya Chen* is now *warm*" in sent.text
    assert crm.one(Relationship, Relationship.id == chen.id).status == "warm"
    assert crm.one(Relationship, Relationship.id == lopez.id).status == "saved"
    assert sent.to("views.publish")


def test_a_candidate_click_for_a_modal_command_opens_it(run, crm):
    _, chen = two_mayas(crm)
    buttons = candidate_buttons(run.command("log maya call"))
    pick = next(b for b in buttons if str(chen.influencer_id) in b["value"])
    view = run.click(pick["action_id"], pick["value"]).opened
    assert view["callback_id"] == ViewId.LOG_INTERACTION
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[Field.INTERACTION_INFLUENCER]["element"]["initial_option"]["value"] == str(
        chen.influencer_id
    )
    assert blocks[Field.INTERACTION_TYPE]["element"]["initial_option"]["value"] == "call"


def test_a_note_carried_by_a_candidate_keeps_its_text(run, crm):
    _, chen = two_mayas(crm)
    buttons = candidate_buttons(run.command('note maya Loves "clean" beauty'))
    pick = next(b for b in buttons if str(chen.influencer_id) in b["value"])
    run.click(pick["action_id"], pick["value"])
    assert crm.one(Relationship, Relationship.id == chen.id).notes.endswith('Loves "clean" beauty')


def test_a_pick_of_someone_elses_or_another_teams_influencer_changes_nothing(run, crm):
    theirs = crm.relationship("zed", user=BOB, status="cold")
    value = json.dumps({"i": str(theirs.influencer_id), "c": "status", "a": ["zed", "warm"]})
    sent = run.click(f"{Action.PICK_INFLUENCER}-0", value)
    assert "isn't on your list" in sent.reply.params["text"]
    elsewhere = crm.influencer("far", team_id="T0THER0001")
    value = json.dumps({"i": str(elsewhere.id), "c": "add", "a": ["far"]})
    assert "not in this workspace" in run.click(f"{Action.PICK_INFLUENCER}-1", value).reply.params["text"]
    assert crm.one(Relationship).status == "cold" and crm.count(Relationship) == 1


@pytest.mark.parametrize(
    "value",
    [
        "",
        "{",
        "[]",
        json.dumps({"i": "x", "c": "show", "a": []}),
        json.dumps({"i": str(uuid.uuid4()), "c": "rm", "a": []}),
        json.dumps({"i": str(uuid.uuid4()), "c": "show", "a": [1]}),
    ],
)
def test_malformed_pick_values_are_refused(value):
    from crm.errors import InvalidInput

    with pytest.raises(InvalidInput):
        parse_pick(value)


def test_show_and_add_buttons_from_lists_and_search(run, crm):
    mine = crm.relationship("maya", name="Maya Lopez")
    other = crm.influencer("zoe", name="Zoe Quinn")
    card = run.click(Action.SHOW, str(mine.influencer_id))
    assert "Maya Lopez" in card.text and Action.CARD_EDIT in card.text
    added = run.click(Action.ADD_TO_LIST, str(other.id))
    assert "Added *Zoe Quinn*" in added.text
    assert crm.count(Relationship, Relationship.influencer_id == other.id) == 1
    assert added.to("views.publish")


def test_card_buttons_with_someone_elses_or_forged_ids_are_refused(run, crm):
    theirs = crm.relationship("zed", user=BOB, notes="Their secret")
    for action in (Action.SHOW, Action.CARD_FOLLOW_UP, Action.CARD_EDIT):
        sent = run.click(action, str(theirs.influencer_id))
        assert "isn't on your list" in sent.reply.params["text"]
        assert "Their secret" not in repr(sent.calls)
        assert not sent.to("views.open")
    assert "could not be found" in run.click(Action.SHOW, "../../etc").reply.params["text"]
    elsewhere = crm.influencer("far", team_id="T0THER0001")
    assert not run.click(Action.CARD_LOG, str(elsewhere.id)).to("views.open")
    assert not run.click(Action.ADD_TO_LIST, str(elsewhere.id)).to("views.open")
    assert crm.count(Relationship) == 1


def test_log_button_on_a_card_opens_the_modal_for_that_influencer(run, crm):
    rel = crm.relationship("maya")
    view = run.click(Action.CARD_LOG, str(rel.influencer_id)).opened
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[Field.INTERACTION_INFLUENCER]["element"]["initial_option"]["value"] == str(
        rel.influencer_id
    )


def suggestion(run, action_id: str, value: str, *, user_id: str = USER_ID):
    payload = {
        "type": "block_suggestion",
        "user": {"id": user_id, "team_id": TEAM_ID},
        "team": {"id": TEAM_ID, "domain": "acme"},
        "api_app_id": "ACRM000001",
        "action_id": action_id,
        "block_id": action_id,
        "value": value,
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": ViewId.LOG_INTERACTION,
            "private_metadata": "{}",
        },
    }
    return run.send(run.payloads.interactive(payload))


def test_influencer_options_search_the_directory_or_list_my_strongest(run, crm):
    crm.relationship("maya", name="Maya Lopez", relationship_strength=80)
    crm.relationship("bob", name="Bob", relationship_strength=10)
    crm.influencer("mayday", name="Mayday")
    crm.relationship("mine_only_for_bob", user=BOB)
    typed = suggestion(run, Field.INTERACTION_INFLUENCER, "may").ack["options"]
    assert sorted(o["text"]["text"] for o in typed) == [
        "@mayday · Instagram",
        "Maya Lopez (@maya · Instagram)",
    ]
    empty = suggestion(run, Field.INTERACTION_INFLUENCER, "").ack["options"]
    handles = [crm.one(Influencer, Influencer.id == uuid.UUID(o["value"])).handle for o in empty]
    assert handles == ["maya", "bob"]  # my list only, strongest first


def test_tag_options_offer_the_typed_tag_normalised(run):
    options = suggestion(run, Field.RELATIONSHIP_TAGS, "#Vegan").ack["options"]
    assert [o["value"] for o in options] == ["vegan"]
    assert suggestion(run, Field.RELATIONSHIP_TAGS, "x" * 80).ack["options"] == []  # too long to be a tag
    spaced = suggestion(run, Field.RELATIONSHIP_TAGS, "Skin Care").ack["options"]
    assert [o["value"] for o in spaced] == ["skin-care"]  # crm.normalize_tags decides the tag's form


def test_tag_options_offer_the_typed_tag_then_my_tags_that_start_with_it(run, crm):
    crm.relationship("maya", tags=["vegan", "beauty"])
    crm.relationship("lee", tags=["vegan", "vegetarian"])
    crm.relationship("sam", tags=["veggie-secret"], user=BOB)  # Bob's tags are his own
    values = [o["value"] for o in suggestion(run, Field.RELATIONSHIP_TAGS, "#Veg").ack["options"]]
    assert values == ["veg", "vegan", "vegetarian"]  # typed first, then mine by use, then A-Z
    exact = [o["value"] for o in suggestion(run, Field.RELATIONSHIP_TAGS, "VEGAN").ack["options"]]
    assert exact == ["vegan"]  # offered once
    assert [o["value"] for o in suggestion(run, Field.RELATIONSHIP_TAGS, "b").ack["options"]] == [
        "b",
        "beauty",
    ]
    bobs = [o["value"] for o in suggestion(run, Field.RELATIONSHIP_TAGS, "veg", user_id=BOB).ack["options"]]
    assert bobs == ["veg", "veggie-secret"]
