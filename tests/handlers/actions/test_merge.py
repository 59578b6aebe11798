"""`/crm merge` end to end: preview → Merge click → result; forged and stale buttons; double click."""

from __future__ import annotations

import json
import uuid

import pytest

from crm.models import Influencer, InfluencerProfile, Interaction, Relationship
from handlers.actions.merge import parse_merge_value
from handlers.ids import Action
from tests.handlers.conftest import USER_ID

BOB = "UBOB000001"


def merge_button(sent) -> dict:
    actions = next(b for b in sent.reply.blocks if b["type"] == "actions")
    return next(e for e in actions["elements"] if e["action_id"] == Action.MERGE_CONFIRM)


def seed(crm):
    mine = crm.relationship("priya", name="Priya Raman", platform="youtube", status="contacted", priority=2)
    other = crm.relationship("priya.r", name="Priya R", platform="tiktok", status="warm", notes="Mine")
    crm.relationship("priya.r", user=BOB, notes="Bob's secret note")
    with crm.session() as db:
        db.add(Interaction(user_id=crm.user().id, influencer_id=other.influencer_id, type="call"))
    return mine, other


def test_preview_then_merge_moves_everything_and_refreshes_home(run, crm):
    mine, _ = seed(crm)
    preview = run.command("merge @priya @priya.r tiktok")
    text = preview.text
    assert "*Priya Raman* stays (the first creator named" in text
    assert "Status *Warm* (the furthest along)" in text
    assert "Your interactions moving: *1*" in text
    assert "Bob" not in text and "secret" not in text
    assert crm.count(Influencer) == 2  # the preview writes nothing

    done = run.click(Action.MERGE_CONFIRM, merge_button(preview)["value"])
    (reply,) = done.to("response_url")
    assert reply.params["replace_original"] is True
    assert "Merged *Priya R* (@priya.r · TikTok) into *Priya Raman* (@priya · YouTube)" in repr(reply.blocks)
    assert "1 interaction and 0 assignments of yours moved. Your two relationships are now one." in repr(
        reply.blocks
    )
    assert done.to("views.publish")
    assert crm.count(Influencer) == 1
    assert crm.count(InfluencerProfile, InfluencerProfile.influencer_id == mine.influencer_id) == 2
    combined = crm.one(Relationship, Relationship.id == mine.id)
    assert (combined.status, combined.priority) == ("warm", 2)
    assert crm.count(Relationship) == 2  # mine (combined) and Bob's (moved)
    assert crm.count(Interaction, Interaction.influencer_id == mine.influencer_id) == 1


def test_a_survivor_named_only_by_its_handle_takes_the_other_creators_name(run, crm):
    kept = crm.relationship("lena_fit", platform="tiktok")  # saved without a name: called "lena_fit"
    crm.relationship("lenafischer", name="Lena Fischer")
    preview = run.command("merge @lena_fit @lenafischer")
    assert "*lena_fit* stays (the first creator named keeps its primary profile) and takes the name" in (
        preview.text
    )
    assert "*Lena Fischer*, as its own is only its handle" in preview.text
    done = run.click(Action.MERGE_CONFIRM, merge_button(preview)["value"])
    (reply,) = done.to("response_url")
    assert "into *Lena Fischer* (@lena_fit · TikTok)" in repr(reply.blocks)
    assert crm.one(Influencer, Influencer.id == kept.influencer_id).name == "Lena Fischer"


def test_a_second_click_or_a_replay_changes_nothing(run, crm):
    seed(crm)
    value = merge_button(run.command("merge @priya @priya.r"))["value"]
    request = run.payloads.block_actions([run.payloads.button(Action.MERGE_CONFIRM, value)])
    first = run.send(request)
    assert "Merged" in repr(first.calls)
    replay = run.send(request)  # the same delivery again (same trigger id)
    assert "already carried out" in repr(replay.calls)
    again = run.click(Action.MERGE_CONFIRM, value)  # a second real click
    assert "no longer exists" in again.reply.params["text"]
    assert crm.count(Influencer) == 1 and crm.count(Relationship) == 2


def test_forged_and_stale_buttons_change_nothing(run, crm):
    mine, _ = seed(crm)
    far = crm.influencer("far", team_id="T0THER0001")
    for value in (
        json.dumps({"s": str(mine.influencer_id), "a": str(far.id)}),
        json.dumps({"s": str(mine.influencer_id), "a": str(uuid.uuid4())}),
    ):
        assert "no longer exists" in run.click(Action.MERGE_CONFIRM, value).reply.params["text"]
        # "Merge into …" (its preview) re-reads them in the clicker's workspace too.
        preview = run.click(f"{Action.MERGE_PREVIEW}-0", value).reply.params["text"]
        assert "no longer exists" in preview
    same = json.dumps({"s": str(mine.influencer_id), "a": str(mine.influencer_id)})
    assert "same creator" in run.click(Action.MERGE_CONFIRM, same).reply.params["text"]
    assert "no longer works" in run.click(Action.MERGE_CONFIRM, "{").reply.params["text"]
    assert crm.count(Influencer) == 3 and crm.count(Relationship) == 3


def test_cancel_replaces_the_preview(run, crm):
    seed(crm)
    sent = run.click(Action.MERGE_CANCEL, "cancel")
    (reply,) = sent.to("response_url")
    assert reply.params["replace_original"] is True and "cancelled" in reply.params["text"]
    assert crm.count(Influencer) == 2


def test_bad_arguments_name_the_problem(run, crm):
    seed(crm)
    assert "same creator" in run.command("merge @priya @priya").text
    assert "No influencer matches “@nobody”" in run.command("merge @priya @nobody").text
    assert "Name two creators" in run.command("merge @priya").text
    assert "not 3" in run.command("merge @priya @priya.r @x").text


def test_a_platform_s_short_form_belongs_to_the_handle_before_it(run, crm):
    seed(crm)
    text = run.command("merge @priya yt @priya.r tt").text
    assert "Merge *Priya R* (@priya.r · TikTok) into *Priya Raman* (@priya · YouTube)?" in text


@pytest.mark.parametrize(
    "value",
    ["", "{", "[]", "null", json.dumps({"s": "x", "a": str(uuid.uuid4())}), json.dumps({"s": 1, "a": 2})],
)
def test_malformed_values_are_refused(value):
    from crm.errors import InvalidInput

    with pytest.raises(InvalidInput):
        parse_merge_value(value)


def test_the_clicker_is_who_merges(run, crm):
    """Bob clicking Ann's button sees only his own result; Ann's data still moves silently."""
    mine, _ = seed(crm)
    value = merge_button(run.command("merge @priya @priya.r"))["value"]
    sent = run.click(Action.MERGE_CONFIRM, value, user_id=BOB)
    assert "Mine" not in repr(sent.calls)
    assert crm.one(Relationship, Relationship.id == mine.id).notes.endswith("\nMine")
    assert crm.one(Relationship, Relationship.user_id == crm.user(BOB).id).notes.endswith("secret note")
    assert crm.user(USER_ID)
