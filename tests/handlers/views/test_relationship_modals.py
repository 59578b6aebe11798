"""Edit, notes, follow-up and add-influencer modals: opened from buttons, submitted end to end."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from crm.clock import follow_up_instant
from crm.models import Influencer, Relationship
from handlers.ids import Action, Field
from handlers.ids import View as ViewId
from tests.handlers.conftest import USER_ID

F = Field
BOB = "UBOB000001"


def edit_values(**kw):
    base = {
        F.RELATIONSHIP_STATUS: "warm",
        F.RELATIONSHIP_PRIORITY: "4",
        F.RELATIONSHIP_TAGS: ["skincare", "vegan"],
        F.RELATIONSHIP_FOLLOW_UP: None,
        F.RELATIONSHIP_NOTES: "Rewritten notes",
    }
    base.update(kw)
    return base


def test_edit_button_opens_the_prefilled_modal_and_submit_saves_every_field(run, crm):
    rel = crm.relationship("maya", status="saved", priority=1, tags=["old"], notes="Old notes")
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    assert view["callback_id"] == ViewId.EDIT_RELATIONSHIP
    due = date.today() + timedelta(days=7)
    sent = run.submit(view, edit_values(**{F.RELATIONSHIP_FOLLOW_UP: due.isoformat()}))
    assert sent.ack == {}
    saved = crm.one(Relationship)
    assert (saved.status, saved.priority, saved.tags, saved.notes) == (
        "warm",
        4,
        ["skincare", "vegan"],
        "Rewritten notes",
    )
    assert saved.follow_up_date == follow_up_instant(due, UTC)
    assert sent.to("views.publish")


def test_edit_errors_are_inline_and_nothing_changes(run, crm):
    rel = crm.relationship("maya", status="saved", priority=1, tags=["old"], notes="Old notes")
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    long_ago = (date.today() - timedelta(days=30)).isoformat()
    sent = run.submit(view, edit_values(**{F.RELATIONSHIP_FOLLOW_UP: long_ago}))
    assert list(sent.ack["errors"]) == [F.RELATIONSHIP_FOLLOW_UP]
    sent = run.submit(view, edit_values(**{F.RELATIONSHIP_TAGS: ["x" * 40]}))
    assert list(sent.ack["errors"]) == [F.RELATIONSHIP_TAGS]
    saved = crm.one(Relationship)
    assert (saved.status, saved.priority, saved.tags, saved.notes) == ("saved", 1, ["old"], "Old notes")


def test_edit_with_notes_too_long_for_slack_keeps_them(run, crm):
    notes = "n" * 5000
    rel = crm.relationship("maya", notes=notes)
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    assert not any(b.get("block_id") == F.RELATIONSHIP_NOTES for b in view["blocks"])
    values = edit_values()
    del values[F.RELATIONSHIP_NOTES]
    assert run.submit(view, values).ack == {}
    assert crm.one(Relationship).notes == notes


def test_another_users_relationship_cannot_be_opened_or_edited(run, crm):
    theirs = crm.relationship("maya", user=BOB, status="cold")
    refused = run.click(Action.CARD_EDIT, str(theirs.influencer_id))
    assert not refused.to("views.open") and "isn't on your list" in refused.reply.params["text"]
    mine = crm.relationship("zoe")
    view = run.click(Action.CARD_EDIT, str(mine.influencer_id)).opened
    forged = dict(view, private_metadata=json.dumps({"r": str(theirs.id), "n": "1"}))
    sent = run.submit(forged, edit_values())
    assert sent.ack["response_action"] == "errors"
    assert crm.one(Relationship, Relationship.id == theirs.id).status == "cold"


def test_follow_up_button_sets_and_clears_the_date(run, crm):
    rel = crm.relationship("maya")
    view = run.click(Action.CARD_FOLLOW_UP, str(rel.influencer_id)).opened
    due = date.today() + timedelta(days=3)
    assert run.submit(view, {F.RELATIONSHIP_FOLLOW_UP: due.isoformat()}).ack == {}
    assert crm.one(Relationship).follow_up_date == follow_up_instant(due, UTC)
    view = run.click(Action.CARD_FOLLOW_UP, str(rel.influencer_id)).opened
    assert (
        next(b for b in view["blocks"] if b.get("block_id") == F.RELATIONSHIP_FOLLOW_UP)["element"][
            "initial_date"
        ]
        == due.isoformat()
    )
    run.submit(view, {F.RELATIONSHIP_FOLLOW_UP: None})
    assert crm.one(Relationship).follow_up_date is None


def test_notes_modal_appends_and_refuses_a_forged_influencer(run, crm):
    crm.relationship("maya", notes="First")
    theirs = crm.relationship("zed", user=BOB, notes="Private")
    view = run.command("note @maya").opened
    assert run.submit(view, {F.RELATIONSHIP_NOTE_APPEND: "Second"}).ack == {}
    notes = crm.one(Relationship, Relationship.user_id == crm.user(USER_ID).id).notes
    assert notes.startswith("First") and notes.endswith("Second")
    # The same submission again (a double click, a replay): answered as done, appended once.
    assert run.submit(view, {F.RELATIONSHIP_NOTE_APPEND: "Second"}).ack == {}
    assert crm.one(Relationship, Relationship.user_id == crm.user(USER_ID).id).notes == notes
    # A forged id in a new view state (its own hash) is refused next to the field.
    forged = dict(view, hash="forged-1", private_metadata=json.dumps({"i": str(theirs.influencer_id)}))
    sent = run.submit(forged, {F.RELATIONSHIP_NOTE_APPEND: "sneaky"})
    assert list(sent.ack["errors"]) == [F.RELATIONSHIP_NOTE_APPEND]
    assert crm.one(Relationship, Relationship.id == theirs.id).notes == "Private"


def test_add_influencer_from_app_home(run, crm):
    home = run.send(run.payloads.app_home_opened()).to("views.publish")[0].response["view"]
    view = run.click(Action.HOME_ADD_INFLUENCER, view=home).opened
    assert view["callback_id"] == ViewId.ADD_INFLUENCER
    bad = run.submit(view, {F.INFLUENCER_REF: "not a handle!"})
    assert list(bad.ack["errors"]) == [F.INFLUENCER_REF]
    sent = run.submit(
        view, {F.INFLUENCER_REF: "@zoe", F.INFLUENCER_PLATFORM: "tiktok", F.INFLUENCER_NAME: "Zoe Q"}
    )
    assert sent.ack == {}
    zoe = crm.one(Influencer)
    assert (zoe.handle, zoe.platform, zoe.name) == ("zoe", "tiktok", "Zoe Q")
    assert crm.count(Relationship, Relationship.influencer_id == zoe.id) == 1
    assert sent.to("views.publish")


def test_adding_a_second_entry_from_app_home_shows_the_merge_line(run, crm):
    crm.influencer("lena_fit", name="Lena Fischer", platform="instagram")
    view = run.click(Action.HOME_ADD_INFLUENCER).opened
    sent = run.submit(view, {F.INFLUENCER_REF: "@lena_fit", F.INFLUENCER_PLATFORM: "tiktok"})
    assert sent.ack["response_action"] == "update"
    shown = sent.ack["view"]
    assert shown["callback_id"] == ViewId.INFLUENCER_ADDED and "submit" not in shown
    text = shown["blocks"][0]["text"]["text"]
    assert text.startswith("Added *lena_fit* (@lena_fit · TikTok) to your list.")
    assert "Same person as *Lena Fischer* (@lena_fit · Instagram)? Make them one: " in text
    assert "`/crm merge @lena_fit instagram @lena_fit tiktok`" in text
    assert crm.count(Relationship) == 1 and sent.to("views.publish")


def test_adding_someone_already_saved_says_so_and_what_name_stays(run, crm):
    crm.relationship("priya", name="Priya R.", platform="youtube")
    view = run.click(Action.HOME_ADD_INFLUENCER).opened
    sent = run.submit(
        view, {F.INFLUENCER_REF: "@priya", F.INFLUENCER_PLATFORM: "youtube", F.INFLUENCER_NAME: "Priya Raman"}
    )
    assert sent.ack["response_action"] == "update"
    text = sent.ack["view"]["blocks"][0]["text"]["text"]
    assert text == (
        "*Priya R.* (@priya · YouTube) is already on your list.\n"
        "The name stays *Priya R.* (`/crm rename` changes it for everyone)."
    )
    assert crm.count(Relationship) == 1 and crm.one(Influencer).name == "Priya R."


def test_the_add_form_takes_an_e_mail_address_checked_on_its_field(run, crm):
    view = run.click(Action.HOME_ADD_INFLUENCER).opened
    field = next(b for b in view["blocks"] if b.get("block_id") == F.INFLUENCER_EMAIL)
    assert field["element"]["type"] == "email_text_input" and field["optional"] is True
    bad = run.submit(view, {F.INFLUENCER_REF: "@zoe", F.INFLUENCER_EMAIL: "zoe@"})
    assert list(bad.ack["errors"]) == [F.INFLUENCER_EMAIL]
    assert "is not an e-mail address" in bad.ack["errors"][F.INFLUENCER_EMAIL]
    assert crm.count(Influencer) == 0  # nothing half-written
    assert run.submit(view, {F.INFLUENCER_REF: "@zoe", F.INFLUENCER_EMAIL: " Zoe@Mail.example "}).ack == {}
    assert crm.one(Influencer).email == "Zoe@Mail.example"
    # Saved again with another address: the one saved stays, and the form says so.
    again = run.submit(
        run.click(Action.HOME_ADD_INFLUENCER).opened,
        {F.INFLUENCER_REF: "@zoe", F.INFLUENCER_EMAIL: "other@mail.example"},
    )
    assert "Zoe@Mail.example" in again.ack["view"]["blocks"][0]["text"]["text"]
    assert crm.one(Influencer).email == "Zoe@Mail.example"


def test_add_influencer_ambiguous_handle_asks_for_the_platform(run, crm):
    crm.influencer("sam", platform="tiktok")
    crm.influencer("sam", platform="youtube")
    view = run.click(Action.HOME_ADD_INFLUENCER).opened
    sent = run.submit(view, {F.INFLUENCER_REF: "sam"})
    assert list(sent.ack["errors"]) == [F.INFLUENCER_PLATFORM]
    assert crm.count(Relationship) == 0
    run.submit(view, {F.INFLUENCER_REF: "sam", F.INFLUENCER_PLATFORM: "youtube"})
    assert crm.count(Relationship) == 1


def test_an_untouched_overdue_follow_up_does_not_block_saving_the_rest(run, crm):
    overdue = datetime.now(UTC).replace(microsecond=0) - timedelta(days=5)
    rel = crm.relationship("maya", status="saved", follow_up_date=overdue)
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    shown = next(b for b in view["blocks"] if b.get("block_id") == F.RELATIONSHIP_FOLLOW_UP)["element"]
    sent = run.submit(view, edit_values(**{F.RELATIONSHIP_FOLLOW_UP: shown["initial_date"]}))
    assert sent.ack == {}
    saved = crm.one(Relationship)
    assert (saved.status, saved.follow_up_date) == ("warm", overdue)
    reopened = dict(view, hash="reopened-1")  # the modal opened again: a new view state
    run.submit(reopened, edit_values(**{F.RELATIONSHIP_FOLLOW_UP: None}))  # clearing it is a change
    assert crm.one(Relationship).follow_up_date is None


def _card_texts(call) -> str:
    return json.dumps(call.params["blocks"])


def test_the_card_the_edit_form_came_from_is_redrawn_with_what_was_saved(run, crm, fake_slack):
    # Seen: after Edit → Save the card still said "Status: Saved", as if nothing had happened.
    rel = crm.relationship("maya", status="saved", priority=1)
    card_url = fake_slack.response_url()  # the card's message, whose Edit button is clicked
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id), response_url=card_url).opened
    sent = run.submit(view, edit_values())
    assert sent.ack == {}
    (redrawn,) = sent.to("response_url")
    assert redrawn.path and card_url.endswith(redrawn.path)
    assert redrawn.params["replace_original"] is True
    assert "*Status:* Warm" in _card_texts(redrawn) or "Warm" in _card_texts(redrawn)
    assert "#skincare" in _card_texts(redrawn) and "4 / 5" in _card_texts(redrawn)
    again = run.submit(view, edit_values())  # a double submit: saved once, redrawn once
    assert again.ack == {} and not again.to("response_url")


def test_the_card_is_redrawn_after_set_follow_up_too(run, crm, fake_slack):
    rel = crm.relationship("maya")
    card_url = fake_slack.response_url()
    view = run.click(Action.CARD_FOLLOW_UP, str(rel.influencer_id), response_url=card_url).opened
    due = date.today() + timedelta(days=3)
    sent = run.submit(view, {F.RELATIONSHIP_FOLLOW_UP: due.isoformat()})
    (redrawn,) = sent.to("response_url")
    assert redrawn.params["replace_original"] is True
    assert f"{due:%a} {due.day} {due:%b %Y} 09:00" in _card_texts(redrawn)


def test_an_edit_from_app_home_redraws_nothing_the_page_refreshes(run, crm):
    rel = crm.relationship("maya", status="saved")
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id), view={"type": "home", "id": "VHOME"}).opened
    sent = run.submit(view, edit_values())
    assert sent.ack == {} and crm.one(Relationship).status == "warm"
    assert not sent.to("response_url") and not sent.to("chat.postEphemeral")
    assert sent.to("views.publish")
