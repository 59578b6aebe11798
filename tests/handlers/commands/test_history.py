"""`/crm history`: every interaction the user logged with a creator, a page at a time, each with
Edit and Delete; end to end through the real app, with forged, replayed and double clicks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from crm.interactions import NewInteraction, log_interaction
from crm.models import Interaction, Relationship, User
from handlers.blocks.history import HISTORY_PAGE
from handlers.ids import Action, Field
from tests.handlers.conftest import USER_ID

F = Field

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
    """Each interaction on the page: its text, and its Edit and Delete buttons (the block under it)."""
    blocks = sent.reply.blocks
    found = []
    for section, under in pairwise(blocks):
        buttons = {e["action_id"]: e for e in under.get("elements", [])} if under["type"] == "actions" else {}
        if section["type"] == "section" and Action.INTERACTION_DELETE in buttons:
            edit, delete = buttons[Action.INTERACTION_EDIT], buttons[Action.INTERACTION_DELETE]
            found.append({"text": section["text"]["text"], "edit": edit, "delete": delete})
    return found


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
    assert "*Talk 12*" in shown[0]["text"] and "*Talk 3*" in shown[-1]["text"]
    assert shown[0]["delete"]["confirm"]["confirm"]["text"] == "Delete"  # asks first
    assert "confirm" not in shown[0]["edit"]
    nxt = button(first, Action.HISTORY_NEXT)
    second = run.click(nxt["action_id"], nxt["value"])
    assert second.reply.params["replace_original"] is True and "11–12 of 12" in second.text
    assert [r["text"].split("\n")[1] for r in rows(second)] == ["*Talk 2*", "*Talk 1*"]
    bottom = second.reply.blocks[-1]  # not the card's Edit, which would read as a row's
    assert [e["action_id"] for e in bottom["elements"]] == [Action.CARD_LOG, Action.SHOW]
    back = button(second, Action.HISTORY_PREVIOUS)
    assert "1–10 of 12" in run.click(back["action_id"], back["value"]).text


def test_delete_takes_one_out_recomputes_the_contact_and_redraws_the_page(run, crm):
    rel = seed(crm, count=2)
    sent = run.command("history @maya")
    newest = rows(sent)[0]["delete"]
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
    clicked = run.click(oldest["delete"]["action_id"], oldest["delete"]["value"])
    assert "Deleted the call of Mon 1 Jun 2026" in clicked.text and "1–10 of 10" in clicked.text
    assert crm.count(Interaction) == HISTORY_PAGE
    last = rows(clicked)[0]["delete"]
    for _ in range(HISTORY_PAGE):  # every one deleted: the page says there is nothing
        last = rows(clicked)[0]["delete"]
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
    newest = rows(run.command("history @maya"))[0]["delete"]
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


def test_the_cards_history_button_posts_the_first_page(run, crm):
    seed(crm, name="Maya Lopez", count=6)
    card = run.command("show @maya")
    assert "…and more: *History* lists every one." in card.text  # the card shows five
    history = button(card, Action.CARD_HISTORY)
    sent = run.click(history["action_id"], history["value"])
    assert "History with Maya Lopez" in sent.text and "1–6 of 6" in sent.text
    assert not sent.reply.params.get("replace_original")  # a new message: the card stays
    elsewhere = crm.influencer("far", team_id="T0THER0001")
    refused = run.click(Action.CARD_HISTORY, str(elsewhere.id))
    assert "not in this workspace" in refused.reply.params["text"]
    assert "could not be found" in run.click(Action.CARD_HISTORY, "../x").reply.params["text"]


def _edit_form(run, crm, **seeded):
    rel = seed(crm, **seeded)
    history = run.command("history @maya")
    edit = rows(history)[0]["edit"]
    return rel, run.click(edit["action_id"], edit["value"]).opened


def _form_values(view, **changes):
    """What the form holds as opened (type, subject, date), with `changes`."""
    talk = when = None
    for block in view["blocks"]:
        element = block.get("element", {})
        if block.get("block_id") == F.INTERACTION_SUBJECT:
            talk = element.get("initial_value")
        if block.get("block_id") == F.INTERACTION_DATE:
            when = element["initial_date_time"]
    values = {F.INTERACTION_TYPE: "call", F.INTERACTION_SUBJECT: talk, F.INTERACTION_DATE: when}
    return values | changes


def test_edit_opens_the_form_filled_in_and_saving_redraws_the_page(run, crm):
    rel, view = _edit_form(run, crm, count=2)
    assert view["callback_id"] == "interaction-edit-submit"
    (kind,) = [b for b in view["blocks"] if b.get("block_id") == F.INTERACTION_TYPE]
    assert kind["element"]["initial_option"]["value"] == "call"
    values = _form_values(view, **{F.INTERACTION_TYPE: "note", F.INTERACTION_SUBJECT: "Was a note"})
    assert values[F.INTERACTION_DATE] == int((START + timedelta(days=1)).timestamp())
    sent = run.submit(view, values)
    assert sent.ack == {}  # closes the form
    (page,) = sent.to("response_url")  # the history message it was opened from, redrawn
    assert page.params["replace_original"] is True
    assert "✏️ Saved the note of Tue 2 Jun 2026 10:00." in repr(page.params["blocks"])
    assert "*Was a note*" in repr(page.params["blocks"]) and sent.to("views.publish")
    edited = crm.one(Interaction, Interaction.subject == "Was a note")
    assert edited.type == "note" and edited.interaction_date == START + timedelta(days=1)
    # It was the last contact: now the call before it is.
    assert crm.one(Relationship, Relationship.id == rel.id).last_contacted_at == START
    again = run.submit(view, values)  # submitted twice: saved once, answered once
    assert again.ack == {} and not again.to("response_url")


def test_a_bad_edit_is_refused_on_its_field_and_nothing_changes(run, crm):
    _, view = _edit_form(run, crm)
    future = int((datetime.now(UTC) + timedelta(days=2)).timestamp())
    refused = run.submit(view, _form_values(view, **{F.INTERACTION_DATE: future}))
    assert refused.ack["response_action"] == "errors"
    assert "can't be in the future" in refused.ack["errors"][F.INTERACTION_DATE]
    no_file = run.submit(view, _form_values(view, **{F.INTERACTION_TYPE: "file_upload"}))
    assert "needs the file's link" in no_file.ack["errors"][F.INTERACTION_TYPE]
    only = crm.one(Interaction)
    assert (only.type, only.subject, only.interaction_date) == ("call", "Talk 1", START)
    assert not refused.to("response_url") and not no_file.to("response_url")


def test_someone_elses_or_a_deleted_interaction_cannot_be_edited(run, crm):
    _, view = _edit_form(run, crm)
    theirs = seed(crm, user=BOB, kind="email")
    bob_email = crm.one(Interaction, Interaction.user_id == theirs.user_id)
    forged = run.click(Action.INTERACTION_EDIT, f"{bob_email.id}:{theirs.influencer_id}:0")
    assert "doesn't exist or isn't yours" in forged.reply.params["text"] and not forged.to("views.open")
    metadata = json.loads(view["private_metadata"]) | {"i": str(bob_email.id)}
    sent = run.submit(dict(view, private_metadata=json.dumps(metadata)), _form_values(view))
    assert "doesn't exist or isn't yours" in sent.ack["errors"][F.INTERACTION_TYPE]
    assert crm.one(Interaction, Interaction.id == bob_email.id).type == "email"
    mine = crm.one(Interaction, Interaction.user_id != theirs.user_id)
    run.click(Action.INTERACTION_DELETE, f"{mine.id}:{mine.influencer_id}:0")
    gone = run.submit(view, _form_values(view, **{F.INTERACTION_SUBJECT: "Too late"}))
    assert "doesn't exist or isn't yours" in gone.ack["errors"][F.INTERACTION_TYPE]
    assert crm.count(Interaction, Interaction.subject == "Too late") == 0
