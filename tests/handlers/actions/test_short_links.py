"""Short links in Slack: `/crm utm`, the assign form's answer and `/crm campaign list` with
CRM_PUBLIC_URL set (short link, full link, clicks, QR code button), and the QR code button itself:
a PNG in the user's DM that a QR reader decodes back to the short link."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import zxingcpp
from PIL import Image
from sqlalchemy.orm import Session

from crm import clock
from crm.clicks import Click, record_clicks
from crm.links import resolve
from crm.models import Assignment, Campaign
from handlers.actions.links import SHORT_LINKS_OFF
from handlers.ids import Action, Block, Field
from handlers.ids import View as ViewId
from tests.handlers.conftest import PUBLIC_URL, USER_ID, Run
from tests.handlers.views.test_campaign_modals import edit_view, prefilled

UPLOADS = ["conversations.open", "files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"]


def add_clicks(crm, assignment: Assignment, *ages_in_days: float) -> None:
    now = clock.now()
    with Session(crm.slack.engine) as db, db.begin():
        record_clicks(db, [Click(assignment.id, now - timedelta(days=d), "mobile") for d in ages_in_days])


def qr_button(blocks: list[dict]) -> dict:
    (actions,) = [b for b in blocks if b.get("block_id") == Block.LINK_ACTIONS]
    (button,) = actions["elements"]
    return button


def submit_assign_form(run: Run):
    """Open the assign form for @maya in "Spring Sale" and submit its UTM fields: (the view, what
    the submission sent)."""
    view = run.command('campaign add "Spring Sale" @maya').opened
    values = {
        Field.ASSIGNMENT_UTM_SOURCE: "instagram",
        Field.ASSIGNMENT_UTM_MEDIUM: "influencer",
        Field.ASSIGNMENT_UTM_CAMPAIGN: "spring-sale",
    }
    return view, run.submit(view, values)


def decoded(png: bytes) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_utm_shows_the_short_link_the_full_link_the_clicks_and_a_qr_button(links_run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    links_run.command('utm "Spring Sale" @maya')
    assignment = crm.one(Assignment)
    add_clicks(crm, assignment, 0.1, 2, 10)

    reply = links_run.command('utm "Spring Sale" @maya').reply
    short = f"{PUBLIC_URL}/l/{assignment.short_code}"
    shown = repr(reply.blocks)
    assert f"*Short link*\\n```{short}```" in shown
    assert "*Full link*" in shown and assignment.utm_url.replace("&", "&amp;") in shown
    assert "Clicks: 3 clicks · 2 in the last 7 days" in shown
    assert qr_button(reply.blocks)["value"] == str(assignment.id)
    assert qr_button(reply.blocks)["action_id"] == Action.LINK_QR
    assert short in reply.params["text"]  # the fallback leads with the short link


def test_the_card_links_each_campaign_through_its_tracked_short_link(links_run, crm):
    """The card's campaign lines lead through /l/<code>, so a click from the card is counted; the
    Show button's card and /crm show's are the same."""
    rel = crm.relationship("maya")
    crm.campaign("Spring Sale")
    links_run.command('utm "Spring Sale" @maya')
    assignment = crm.one(Assignment)
    short = f"{PUBLIC_URL}/l/{assignment.short_code}"

    shown = repr(links_run.command("show @maya").reply.blocks)
    clicked = repr(links_run.click(Action.SHOW, str(rel.influencer_id)).reply.blocks)

    for card in (shown, clicked):
        assert f"<{short}|tracked link>" in card
        assert assignment.utm_url.replace("&", "&amp;") not in card  # the untracked link is not offered
        assert resolve_to(crm, assignment.short_code) == assignment.id


def resolve_to(crm, code: str):
    with Session(crm.slack.engine) as db:
        found = resolve(db, code=code)
        return found.assignment_id if found is not None else None


def test_without_a_public_url_the_card_shows_the_utm_link(run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    run.command('utm "Spring Sale" @maya')
    assignment = crm.one(Assignment)
    card = repr(run.command("show @maya").reply.blocks)
    assert "/l/" not in card and "|tracking link>" in card
    assert assignment.utm_url.replace("&", "&amp;") in card


def test_without_a_public_url_utm_is_as_before(run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    reply = run.command('utm "Spring Sale" @maya').reply
    assert "/l/" not in repr(reply.blocks) and "/l/" not in reply.params["text"]
    assert not [b for b in reply.blocks if b.get("block_id") == Block.LINK_ACTIONS]
    assert "Clicks" not in repr(reply.blocks)
    assert "clicks" not in run.command("campaign list").text


def test_the_qr_button_uploads_a_png_that_decodes_to_the_short_link(links_run, crm):
    crm.relationship("maya", name="Maya Lopez")
    crm.campaign("Spring Sale")
    blocks = links_run.command('utm "Spring Sale" @maya').reply.blocks
    assignment = crm.one(Assignment)

    sent = links_run.click(Action.LINK_QR, qr_button(blocks)["value"])

    assert [c.method for c in sent.calls if c.method in UPLOADS] == UPLOADS
    (upload,) = links_run.fake.calls_to("file_upload")
    png = links_run.fake.uploads[upload.params["file_id"]]
    assert png.startswith(b"\x89PNG")
    assert decoded(png) == [f"{PUBLIC_URL}/l/{assignment.short_code}"]
    complete = links_run.fake.last("files.completeUploadExternal")
    assert complete.params["channel_id"] == "D" + USER_ID[1:]
    assert "Maya Lopez" in complete.params["initial_comment"]
    assert sent.reply.params["text"].endswith("is in your DM with the bot.")


def test_a_teammates_or_a_forged_assignment_id_gets_no_qr_code(links_run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    links_run.command('utm "Spring Sale" @maya', user_id="UBOB000001")  # Bob's assignment
    bobs = crm.one(Assignment)

    for value in (str(bobs.id), str(uuid.uuid4()), "not-an-id", ""):
        sent = links_run.click(Action.LINK_QR, value)
        assert "could not be found" in sent.reply.params["text"] or "not found" in sent.reply.params["text"]
    assert not links_run.fake.calls_to("file_upload")


def test_a_cancelled_assignment_gets_no_qr_code_and_says_why(links_run, crm):
    crm.relationship("maya", name="Maya")
    crm.campaign("Spring Sale")
    links_run.command('utm "Spring Sale" @maya')
    links_run.command('campaign status "Spring Sale" @maya cancelled')
    sent = links_run.click(Action.LINK_QR, str(crm.one(Assignment).id))
    assert "cancelled" in sent.reply.params["text"] and "/crm campaign status" in sent.reply.params["text"]
    assert not links_run.fake.calls_to("file_upload")


def test_the_qr_button_after_short_links_were_turned_off_explains(run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    run.command('utm "Spring Sale" @maya')
    sent = run.click(Action.LINK_QR, str(crm.one(Assignment).id))
    assert sent.reply.params["text"] == SHORT_LINKS_OFF
    assert not run.fake.calls_to("file_upload")


def test_the_assign_forms_answer_shows_the_short_link_and_the_qr_button(links_run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    _, sent = submit_assign_form(links_run)
    assignment = crm.one(Assignment)
    done = sent.ack["view"]
    assert done["callback_id"] == ViewId.ASSIGNMENT_DONE
    assert f"{PUBLIC_URL}/l/{assignment.short_code}" in repr(done["blocks"])
    assert qr_button(done["blocks"])["value"] == str(assignment.id)
    assert "Clicks: 0 clicks · 0 in the last 7 days" in repr(done["blocks"])


def test_campaign_list_counts_each_campaigns_clicks(links_run, crm):
    crm.relationship("maya")
    crm.relationship("ben")
    crm.campaign("Spring Sale")
    crm.campaign("Fall Drop")
    links_run.command('utm "Spring Sale" @maya')
    links_run.command('utm "Spring Sale" @ben')
    for assignment in crm.all(Assignment):
        add_clicks(crm, assignment, 1, 20)

    rows = [
        b["text"]["text"] for b in links_run.command("campaign list").reply.blocks if b["type"] == "section"
    ]
    spring = next(r for r in rows if "Spring Sale" in r)
    fall = next(r for r in rows if "Fall Drop" in r)
    assert "4 clicks · 2 in the last 7 days" in spring
    assert "0 clicks · 0 in the last 7 days" in fall
    assert crm.count(Campaign) == 2


def test_admin_summary_counts_the_periods_clicks_and_top_creators(links_run, crm):
    crm.relationship("maya", name="Maya Lopez")
    crm.relationship("ben", name="Ben <!channel>")
    crm.campaign("Spring Sale")
    links_run.command('utm "Spring Sale" @maya')
    links_run.command('utm "Spring Sale" @ben')
    maya, ben = sorted(crm.all(Assignment), key=lambda a: a.utm_content, reverse=True)
    add_clicks(crm, maya, 1, 2, 40)  # 40 days ago: outside `/crm admin 30`
    add_clicks(crm, ben, 3)

    body = links_run.command("admin", user_id="UADMIN0001").text
    assert "*Short-link clicks*" in body
    assert "3 clicks in the period" in body
    assert "• *Maya Lopez* (@maya · Instagram): 2 clicks" in body
    assert "• *Ben &lt;!channel&gt;* (@ben · Instagram): 1 click" in body


def test_admin_summary_without_short_links_has_no_clicks_section(run, crm):
    crm.campaign("Spring Sale")
    assert "Short-link clicks" not in run.command("admin", user_id="UADMIN0001").text


def test_the_qr_button_in_the_assign_forms_answer_sends_the_png_to_the_dm(links_run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    view, sent = submit_assign_form(links_run)
    # response_action=update keeps the modal's id: the click comes from the same view
    done = {**sent.ack["view"], "id": view["id"], "hash": view["hash"]}
    links_run.click(Action.LINK_QR, qr_button(done["blocks"])["value"], view=done)
    (upload,) = links_run.fake.calls_to("file_upload")
    assert decoded(links_run.fake.uploads[upload.params["file_id"]]) == [
        f"{PUBLIC_URL}/l/{crm.one(Assignment).short_code}"
    ]


def test_campaign_export_has_the_short_link_and_clicks_columns(links_run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    links_run.command('utm "Spring Sale" @maya')
    assignment = crm.one(Assignment)
    add_clicks(crm, assignment, 1, 2)
    links_run.command('campaign export "Spring Sale"')
    (upload,) = links_run.fake.calls_to("file_upload")
    data = links_run.fake.uploads[upload.params["file_id"]].decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(data))
    assert row["short_link"] == f"{PUBLIC_URL}/l/{assignment.short_code}"
    assert (row["clicks"], row["clicks_last_7_days"]) == ("2", "2")


def test_a_new_landing_page_says_the_short_links_follow_and_they_do(links_run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    links_run.command('utm "Spring Sale" @maya')
    view = edit_view(links_run, crm)
    new = "https://shop.example.com/summer"
    sent = links_run.submit(view, {**prefilled(view), Field.CAMPAIGN_LANDING_URL: new})
    shown = repr(sent.ack["view"]["blocks"])
    assert "1 tracking link now leads to the new landing page" in shown
    assert "nothing to re-share" in shown and "share the new" not in shown
    with crm.session() as db:
        assert resolve(db, code=crm.one(Assignment).short_code).url.startswith(new + "?utm_source=")
