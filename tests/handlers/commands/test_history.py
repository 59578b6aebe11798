"""`/crm history`: every interaction the user logged with a creator, a page at a time, each with
Delete; end to end through the real app, with forged, replayed and double clicks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm.interactions import NewInteraction, log_interaction
from crm.models import Interaction, Relationship, User
from handlers.blocks.history import HISTORY_PAGE
from handlers.ids import Action
from tests.handlers.conftest import USER_ID

BOB = "UBOB000001"
START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def seed(crm, handle="maya", *, user=USER_ID, count=1, kind="call", **kw):
    """`count` interactions of `user` with @handle, a day apart from START (the newest last)."""
    rel = crm.relationship(handle, user=user, **kw)
    with crm.session() as db:
        actor = db.get(User, rel.user_id)
        for day in range(count):
            data = NewInteraction(
                type=kind, subject=f"Talk {day + 1}", interaction_date=START + timedelta(days=day)
            )
            log_interaction(db, actor=actor, influencer_id=rel.influencer_id, data=data)
    return rel


def rows(sent) -> list[dict]:
    return [b for b in sent.reply.blocks if b["type"] == "section" and b.get("accessory")]


def button(sent, action_id: str) -> dict:
    (found,) = [
        e
        for b in sent.reply.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    ]
    return found


def test_history_lists_every_interaction_newest_first_a_page_at_a_time(run, crm):
    seed(crm, name="Maya Lopez", count=HISTORY_PAGE + 2)
    first = run.command("history @maya")
    assert "History with Maya Lopez" in first.text and "yours, newest first · 1–10 of 12" in first.text
    shown = rows(first)
    assert len(shown) == HISTORY_PAGE
    assert "*Talk 12*" in shown[0]["text"]["text"] and "*Talk 3*" in shown[-1]["text"]["text"]
    assert all(r["accessory"]["action_id"] == Action.INTERACTION_DELETE for r in shown)
    assert shown[0]["accessory"]["confirm"]["confirm"]["text"] == "Delete"  # asks first
    nxt = button(first, Action.HISTORY_NEXT)
    second = run.click(nxt["action_id"], nxt["value"])
    assert second.reply.params["replace_original"] is True and "11–12 of 12" in second.text
    assert [r["text"]["text"].split("\n")[1] for r in rows(second)] == ["*Talk 2*", "*Talk 1*"]
    back = button(second, Action.HISTORY_PREVIOUS)
    assert "1–10 of 12" in run.click(back["action_id"], back["value"]).text


def test_delete_takes_one_out_recomputes_the_contact_and_redraws_the_page(run, crm):
    rel = seed(crm, count=2)
    sent = run.command("history @maya")
    newest = rows(sent)[0]["accessory"]
    clicked = run.click(newest["action_id"], newest["value"])
    assert "🗑️ Deleted the call of Tue 2 Jun 2026 10:00." in clicked.text
    assert clicked.reply.params["replace_original"] is True and "1 of 1" in clicked.text
    assert clicked.to("views.publish")  # App Home shows strength
    assert [i.subject for i in crm.all(Interaction)] == ["Talk 1"]
    assert crm.one(Relationship, Relationship.id == rel.id).last_contacted_at == START
    again = run.click(newest["action_id"], newest["value"])  # a second click (another request)
    assert "That interaction was deleted already." in again.text and crm.count(Interaction) == 1
    assert not again.to("views.publish")


def test_deleting_the_last_one_on_a_page_shows_the_page_before(run, crm):
    seed(crm, count=HISTORY_PAGE + 1)
    first = run.command("history @maya")
    nxt = button(first, Action.HISTORY_NEXT)
    (oldest,) = rows(run.click(nxt["action_id"], nxt["value"]))
    clicked = run.click(oldest["accessory"]["action_id"], oldest["accessory"]["value"])
    assert "Deleted the call of Mon 1 Jun 2026" in clicked.text and "1–10 of 10" in clicked.text
    assert crm.count(Interaction) == HISTORY_PAGE
    last = rows(clicked)[0]["accessory"]
    for _ in range(HISTORY_PAGE):  # every one deleted: the page says there is nothing
        last = rows(clicked)[0]["accessory"]
        clicked = run.click(last["action_id"], last["value"])
    assert "You have logged nothing with *maya*." in clicked.text and crm.count(Interaction) == 0


def test_only_my_own_interactions_are_listed_or_deleted(run, crm):
    seed(crm, count=1)
    theirs = seed(crm, user=BOB, count=2, kind="email")
    sent = run.command("history @maya")
    assert len(rows(sent)) == 1 and "1 of 1" in sent.text  # Bob's two emails are his
    bob_email = crm.all(Interaction, Interaction.user_id == theirs.user_id)[0]
    forged = run.click(Action.INTERACTION_DELETE, f"{bob_email.id}:{theirs.influencer_id}:0")
    assert "That interaction was deleted already." in forged.text
    assert crm.count(Interaction, Interaction.user_id == theirs.user_id) == 2
    other_team = crm.influencer("zed", team_id="T0THEIRS1")
    assert (
        "not in this workspace" in run.click(Action.HISTORY_NEXT, f"{other_team.id}:0").reply.params["text"]
    )
    for value in ("nonsense", f"{theirs.influencer_id}:-1", f"{theirs.influencer_id}:1e3", ""):
        said = run.click(Action.HISTORY_NEXT, value).reply.params["text"]
        assert "That button no longer works" in said, value
    for value in (f"{bob_email.id}:{theirs.influencer_id}", f"x:{theirs.influencer_id}:0", ""):
        said = run.click(Action.INTERACTION_DELETE, value).reply.params["text"]
        assert "That button no longer works" in said, value
    assert crm.count(Interaction) == 3


def test_a_replayed_delete_deletes_nothing_more(run, crm):
    seed(crm, count=2)
    newest = rows(run.command("history @maya"))[0]["accessory"]
    request = run.payloads.block_actions([run.payloads.button(newest["action_id"], newest["value"])])
    assert "Deleted the call" in run.send(request).text
    replayed = run.send(request)  # Slack's retry of the same click
    assert "deleted already" in replayed.text and crm.count(Interaction) == 1
    assert not replayed.to("views.publish")


def test_history_needs_a_creator_and_says_when_nothing_was_logged(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    usage = "Usage: `/crm history &lt;influencer&gt;` — e.g. `/crm history @maya`"
    assert usage in run.command("history").text
    assert "You have logged nothing with *Maya Lopez*." in run.command("history @maya").text
    assert "No influencer matches “@nobody”." in run.command("history @nobody").text


def test_the_card_points_to_the_whole_history(run, crm):
    seed(crm, count=6)
    text = run.command("show @maya").text
    assert "…and more: `/crm history @maya` lists every one, with Delete." in text
