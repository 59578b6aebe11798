"""Message shortcut "Log to CRM": the message becomes the content (as plain text), its permalink the
file_url, and the creator it names (profile link, @handle, e-mail) is preselected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

from crm.models import Influencer, Interaction
from handlers.blocks.modals import log_interaction_modal
from handlers.ids import Field, Shortcut
from tests.handlers.blocks import samples as s
from tests.handlers.slack_checks import check_view

F = Field


def test_shortcut_opens_the_log_modal_with_the_message_and_records_its_link(run, crm):
    rel = crm.relationship("maya")
    sent = run.send(
        run.payloads.message_action(Shortcut.LOG_TO_CRM, text="Maya: happy to do a reel &amp; a story")
    )
    (permalink_call,) = sent.to("chat.getPermalink")
    permalink = permalink_call.response["permalink"]
    view = sent.opened
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[F.INTERACTION_CONTENT]["element"]["initial_value"] == "Maya: happy to do a reel & a story"
    assert blocks[F.INTERACTION_TYPE]["element"]["initial_option"]["value"] == "note"
    assert permalink in view["private_metadata"]
    submitted = run.submit(
        view,
        {
            F.INTERACTION_INFLUENCER: str(rel.influencer_id),
            F.INTERACTION_TYPE: "note",
            F.INTERACTION_CONTENT: "Maya: happy to do a reel & a story",
            F.INTERACTION_DATE: int(datetime.now(UTC).timestamp()) - 60,
        },
    )
    interaction = crm.one(Interaction)
    assert (interaction.file_url, interaction.type) == (permalink, "note")
    assert interaction.content == "Maya: happy to do a reel & a story"
    # The answer goes where the shortcut was used: the message's own response_url.
    (answer,) = submitted.to("response_url")
    assert "📝 Logged *Note* with" in json.dumps(answer.params, ensure_ascii=False)


def test_with_a_file_too_the_message_link_goes_into_the_content(run, crm):
    rel = crm.relationship("maya")
    sent = run.send(run.payloads.message_action(Shortcut.LOG_TO_CRM))
    permalink = sent.to("chat.getPermalink")[0].response["permalink"]
    file = {"id": "F1", "name": "rates.pdf", "permalink": "https://acme.slack.com/files/U1/F1/rates.pdf"}
    run.submit(
        sent.opened,
        {
            F.INTERACTION_INFLUENCER: str(rel.influencer_id),
            F.INTERACTION_TYPE: "file_upload",
            F.INTERACTION_FILE: [file],
            F.INTERACTION_DATE: int(datetime.now(UTC).timestamp()) - 60,
        },
    )
    interaction = crm.one(Interaction)
    assert interaction.file_url == file["permalink"]
    assert interaction.content == f"From Slack: {permalink}"


def test_a_very_long_message_is_cut_to_the_field_size_and_says_so(run):
    sent = run.send(run.payloads.message_action(Shortcut.LOG_TO_CRM, text="w" * 5000))
    blocks = {b.get("block_id"): b for b in sent.opened["blocks"]}
    assert len(blocks[F.INTERACTION_CONTENT]["element"]["initial_value"]) == 3000
    assert "cut to 3,000" in repr(sent.opened["blocks"])


def test_without_a_permalink_the_modal_still_opens(run, fake_slack):
    fake_slack.fail("chat.getPermalink", error="channel_not_found")
    sent = run.send(run.payloads.message_action(Shortcut.LOG_TO_CRM, text="in a DM"))
    view = sent.opened
    assert "src" not in json.loads(view["private_metadata"])  # no link to the message; the rest opens
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[F.INTERACTION_CONTENT]["element"]["initial_value"] == "in a DM"


# ---- plain text and the linked creator ------------------------------------------------------------

AUTHOR = "UBOB000001"


def shortcut_on(run, text: str, **message_fields):
    """The shortcut used on a message saying `text` (Slack markup), with more message fields
    (user_profile, blocks) as Slack sends them."""
    signed = run.payloads.message_action(Shortcut.LOG_TO_CRM, text=text, author_id=AUTHOR)
    payload = json.loads(parse_qs(signed.body)["payload"][0])
    payload["message"].update(message_fields)
    return run.payloads.interactive(payload)


def rich_text(*elements: dict) -> list[dict]:
    return [
        {
            "type": "rich_text",
            "block_id": "rt1",
            "elements": [{"type": "rich_text_section", "elements": list(elements)}],
        }
    ]


def creator(crm, handle: str) -> Influencer:
    """The creator saved (with /crm add, as a user saves one) under `handle`."""
    (found,) = crm.all(Influencer, Influencer.handle == handle)
    return found


def influencer_field(view: dict) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == F.INTERACTION_INFLUENCER)


def test_the_message_is_stored_as_plain_text(run, crm):
    rel = crm.relationship("maya")
    text = (
        "<@UBOB000001> for <#C0CAMPAIGN|campaigns>: rates at <https://rates.example.com/maya|the sheet>, "
        "cc <@UCAROL0001> <!here> — Tom &amp; Jerry &lt;3"
    )
    sent = run.send(shortcut_on(run, text, user_profile={"real_name": "Bob Ross", "display_name": "bob"}))
    view = sent.opened
    content = next(b for b in view["blocks"] if b.get("block_id") == F.INTERACTION_CONTENT)
    plain = (
        "@bob for #campaigns: rates at the sheet (https://rates.example.com/maya), "
        "cc @UCAROL0001 @here — Tom & Jerry <3"
    )
    assert content["element"]["initial_value"] == plain
    run.submit(
        view,
        {
            F.INTERACTION_INFLUENCER: str(rel.influencer_id),
            F.INTERACTION_TYPE: "note",
            F.INTERACTION_CONTENT: content["element"]["initial_value"],
            F.INTERACTION_DATE: int(datetime.now(UTC).timestamp()) - 60,
        },
    )
    assert crm.one(Interaction).content == plain


def test_the_creator_whose_profile_the_message_links_is_preselected(run, crm):
    run.command("add https://instagram.com/sophie.glow")
    run.command("add https://tiktok.com/@maya")
    sophie = creator(crm, "sophie.glow")
    sent = run.send(
        shortcut_on(run, "Rates from <https://www.instagram.com/sophie.glow/?igsh=abc|@sophie.glow> attached")
    )
    field = influencer_field(sent.opened)
    assert field["element"]["initial_option"]["value"] == str(sophie.id)
    assert "Chosen because the message names them" in field["hint"]["text"]


def test_a_link_in_the_rich_text_blocks_only_is_found_too(run, crm):
    run.command("add https://tiktok.com/@maya")
    maya = creator(crm, "maya")
    link = {"type": "link", "url": "https://tiktok.com/@maya", "text": "her TikTok"}
    sent = run.send(shortcut_on(run, "her TikTok is great", blocks=rich_text(link)))
    assert influencer_field(sent.opened)["element"]["initial_option"]["value"] == str(maya.id)


def test_the_same_creator_linked_twice_is_still_one(run, crm):
    run.command("add https://instagram.com/sophie.glow")
    sophie = creator(crm, "sophie.glow")
    link = {"type": "link", "url": "https://instagram.com/sophie.glow"}
    sent = run.send(
        shortcut_on(
            run,
            "<https://instagram.com/sophie.glow> and <http://instagram.com/Sophie.Glow|instagram.com/Sophie.Glow>",
            blocks=rich_text(link),
        )
    )
    assert influencer_field(sent.opened)["element"]["initial_option"]["value"] == str(sophie.id)


def test_several_linked_creators_preselect_none_and_the_hint_says_so(run, crm):
    run.command("add https://instagram.com/sophie.glow")
    run.command("add https://tiktok.com/@maya")
    sent = run.send(
        shortcut_on(
            run,
            "<https://instagram.com/sophie.glow|Sophie> and <https://www.tiktok.com/@maya|Maya> said yes",
        )
    )
    field = influencer_field(sent.opened)
    assert "initial_option" not in field["element"]
    assert "names 2 creators" in field["hint"]["text"]
    assert "sophie.glow" in field["hint"]["text"] and "maya" in field["hint"]["text"]


def test_links_to_no_known_creator_leave_the_field_as_before(run, crm):
    run.command("add https://instagram.com/sophie.glow")
    text = (
        "<https://instagram.com/someone.else> <https://instagram.com/p/C0ffee/|a post> "
        "<https://docs.google.com/document/d/1|brief> <mailto:sophie@glow.com|sophie@glow.com>"
    )
    field = influencer_field(run.send(shortcut_on(run, text)).opened)
    assert "initial_option" not in field["element"]
    assert "hint" not in field


def test_a_creator_of_another_workspace_is_not_preselected(run, crm):
    crm.influencer("sophie.glow", team_id="T0OTHER01", profile_url="https://www.instagram.com/sophie.glow/")
    run.command("add https://instagram.com/maya")
    field = influencer_field(run.send(shortcut_on(run, "<https://instagram.com/sophie.glow>")).opened)
    assert "initial_option" not in field["element"]


def test_the_creator_whose_handle_or_e_mail_the_message_writes_is_preselected(run, crm):
    run.command("add https://instagram.com/sophie.glow sophie@glow.example")
    run.command("add https://tiktok.com/@maya")
    sophie, maya = creator(crm, "sophie.glow"), creator(crm, "maya")
    sent = run.send(shortcut_on(run, "Just had a call with @maya. She is in for two reels"))
    field = influencer_field(sent.opened)
    assert field["element"]["initial_option"]["value"] == str(maya.id)
    assert "Chosen because the message names them" in field["hint"]["text"]
    forwarded = run.send(shortcut_on(run, "From <mailto:sophie@glow.example|sophie@glow.example>: rates"))
    assert influencer_field(forwarded.opened)["element"]["initial_option"]["value"] == str(sophie.id)
    # A Slack user mentioned is not a creator, even one displayed as a creator's handle.
    mention = run.send(shortcut_on(run, "ask <@UMAYA00001>", user_profile={"display_name": "maya"}))
    assert "initial_option" not in influencer_field(mention.opened)["element"]


def test_a_handle_two_creators_share_preselects_neither(run, crm):
    run.command("add https://tiktok.com/@maya")
    run.command('add "Maya Two" https://instagram.com/maya')
    field = influencer_field(run.send(shortcut_on(run, "@maya said yes")).opened)
    assert "initial_option" not in field["element"]
    assert "names 2 creators" in field["hint"]["text"]


def test_the_hint_names_a_few_of_many_linked_creators_and_fits_slack():
    linked = [s.influencer(name=f"{s.NASTY} {'x' * 300}") for _ in range(5)]
    body = log_interaction_modal(
        influencer=None, named=linked, campaigns=[], now=s.NOW, metadata="{}"
    ).to_dict()
    check_view(body)
    hint = influencer_field(body)["hint"]["text"]
    assert hint.startswith("The message names 5 creators (") and hint.endswith(
        " and 2 more); pick the one this is about."
    )
    assert hint.count("<!channel>") == 3  # plain_text: shown as typed, never a mention
