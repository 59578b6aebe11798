"""Message shortcut "Log to CRM": the message becomes the content, its permalink the file_url."""

from __future__ import annotations

from datetime import UTC, datetime

from crm.models import Interaction
from handlers.ids import Field, Shortcut

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
    assert (
        blocks[F.INTERACTION_CONTENT]["element"]["initial_value"] == "Maya: happy to do a reel &amp; a story"
    )
    assert blocks[F.INTERACTION_TYPE]["element"]["initial_option"]["value"] == "note"
    assert permalink in view["private_metadata"]
    run.submit(
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
    assert view["private_metadata"] == "{}"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[F.INTERACTION_CONTENT]["element"]["initial_value"] == "in a DM"
