"""A CSV shared in the bot's DM (message.im, subtype file_share) gets the same preview as `/crm import`."""

from __future__ import annotations

import json

from crm.models import Influencer
from handlers.ids import Action
from tests.handlers.conftest import USER_ID
from tests.handlers.imports.test_slack_import import MESSY, button, click
from tests.slack.fake_slack import BOT_ID, BOT_USER_ID

DM = "D" + USER_ID[1:]


def shared(run, *files: dict, event_id: str | None = None, retry_num: int | None = None, **fields):
    """The message event Slack sends when the user drops `files` into their DM with the bot."""
    event = {
        "type": "message",
        "subtype": "file_share",
        "text": "",
        "user": USER_ID,
        "channel": DM,
        "channel_type": "im",
        "ts": "1700000500.000100",
        "event_ts": "1700000500.000100",
        "upload": False,
        "display_as_bot": False,
        "files": list(files),
    } | fields
    kw = {"retry_num": retry_num} if retry_num is not None else {}
    return run.send(run.payloads.event(event, event_id=event_id, **kw))


def file_of(info: dict) -> dict:
    """A file as the event lists it (Slack's file object, as files.info has it)."""
    keys = ("id", "name", "title", "mimetype", "filetype", "user", "size")
    return {k: info[k] for k in keys if k in info}


def previews(sent) -> list:
    return [c for c in sent.to("chat.postMessage") if any(b["type"] == "actions" for b in c.blocks)]


def test_a_csv_shared_in_the_dm_is_previewed_like_the_modal_path(run, crm, fake_slack):
    info = fake_slack.add_file("FDMSHARE01", name="roster.csv", content=MESSY, user=USER_ID)
    sent = shared(run, file_of(info))
    (preview,) = sent.to("chat.postMessage")
    assert preview.params["channel"] == USER_ID
    text = json.dumps(preview.blocks)
    assert "*4* new" in text and "*1* invalid rows" in text and "Favourite colour" in text
    assert [c.params["file"] for c in sent.to("files.info")] == ["FDMSHARE01"]
    assert crm.count(Influencer) == 0  # a preview writes nothing

    # Its Import button is the modal path's: it imports.
    click(run, Action.IMPORT_CONFIRM, button(preview, Action.IMPORT_CONFIRM)["value"])
    assert "Import done." in fake_slack.calls_to("chat.update")[-1].params["text"]
    assert crm.count(Influencer) == 4


def test_a_tsv_or_txt_is_read_too(run, fake_slack):
    tsv = b"name\thandle\tplatform\nSam\t@sam\ttiktok\n"
    info = fake_slack.add_file("FDMSHARE02", name="export.txt", content=tsv, user=USER_ID)
    (preview,) = previews(shared(run, file_of(info) | {"filetype": "text"}))
    assert "*1* new" in json.dumps(preview.blocks)


def test_another_file_gets_one_helpful_line_and_is_never_downloaded(run, fake_slack):
    info = fake_slack.add_file("FDMSHARE03", name="brief <final>.pdf")
    sent = shared(run, file_of(info))
    (answer,) = sent.to("chat.postMessage")
    assert answer.params["channel"] == USER_ID
    assert "“brief &lt;final&gt;.pdf” is not a CSV or TSV file" in answer.params["text"]
    assert "/crm import" in answer.params["text"]
    assert not sent.to("files.info") and not fake_slack.calls_to("file_download")
    photo = file_of(fake_slack.add_file("FDMSHARE07", name="maya.png")) | {"filetype": "png"}
    (answer,) = shared(run, file_of(info), photo, event_id="Ev0DMSHARE7").to("chat.postMessage")
    assert "“maya.png” are not CSV or TSV files" in answer.params["text"]


def test_own_messages_edits_deletions_text_and_other_channels_are_ignored(run, fake_slack):
    info = file_of(fake_slack.add_file("FDMSHARE04", name="roster.csv", content=MESSY, user=USER_ID))
    ignored = [
        shared(run, info, user=BOT_USER_ID, bot_id=BOT_ID),  # the bot's own post
        shared(run, info, bot_id="BOTHERBOT1"),  # another app's
        shared(run, subtype="message_changed", message={"type": "message", "files": [info]}),
        shared(run, subtype="message_deleted", previous_message={"files": [info]}),
        shared(run, subtype=None, text="thanks!"),  # plain text: the DM also carries reminders
        shared(run, info, channel="C0CAMPAIGN", channel_type="channel"),
    ]
    for sent in ignored:
        assert not [c for c in sent.calls if c.method != "users.info" and c.method != "auth.test"], sent.calls
    assert not fake_slack.calls_to("files.info")


def test_a_redelivered_event_is_previewed_once(run, fake_slack):
    info = file_of(fake_slack.add_file("FDMSHARE05", name="roster.csv", content=MESSY, user=USER_ID))
    assert len(previews(shared(run, info, event_id="Ev0DMSHARE5"))) == 1
    assert not shared(run, info, event_id="Ev0DMSHARE5", retry_num=1).to("chat.postMessage")
    # The same event id again without a retry header (a second connection, a replica): still once.
    assert not shared(run, info, event_id="Ev0DMSHARE5").to("chat.postMessage")
    assert len(fake_slack.calls_to("files.info")) == 1
    # A new share of the same file is a new request: previewed again.
    assert len(previews(shared(run, info, event_id="Ev0DMSHARE6"))) == 1
