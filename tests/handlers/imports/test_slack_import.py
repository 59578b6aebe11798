"""`/crm import` end to end: modal → file fetched from the fake → preview DM → Import / Cancel."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from crm.models import Influencer, Relationship
from handlers.actions.imports import BROKEN
from handlers.ids import Action, Field
from handlers.import_jobs import CANNOT_READ, NOT_YOURS
from tests.handlers.conftest import USER_ID

DM = "D" + USER_ID[1:]
MESSY = (
    "\ufeffname;handle;platform;status;tags;Favourite colour\n"
    "Maya Lopez;@maya;instagram;warm;skincare|vegan;blue\n"
    "Maya L;https://www.instagram.com/maya/;;;;\n"
    "Sam;@sam;tiktok;contacted;;red\n"
    "Kim;@kim;instagram;bogus;;\n"
    "Only a name;;;;;\n"
    "Priya;@priya;youtube;warm;;\n"
).encode()


def open_and_submit(run, fake, file_id: str):
    opened = run.command("import")
    view = opened.opened
    submitted = run.submit(view, {Field.IMPORT_FILE: [{"id": file_id, "name": "roster.csv"}]})
    assert submitted.ack["response_action"] == "update"
    assert "Reading your file" in json.dumps(submitted.ack["view"])
    run.slack.drain()
    return fake.last("chat.postMessage")


def button(preview, action_id: str) -> dict:
    actions = next(b for b in preview.blocks if b["type"] == "actions")
    return next(e for e in actions["elements"] if e["action_id"] == action_id)


def click(run, action_id: str, value: str, *, ts: str = "1700000000.000100"):
    """A click on the preview DM `ts` (each click has its own trigger id, as a double click does)."""
    request = run.payloads.block_actions([run.payloads.button(action_id, value)], channel_id=DM)
    payload = json.loads(parse_qs(request.body)["payload"][0])
    payload["container"]["message_ts"] = payload["message"]["ts"] = ts
    sent = run.send(run.payloads.interactive(payload))
    run.slack.drain()
    return sent


def test_preview_then_import_writes_everything_once(run, crm, fake_slack):
    crm.relationship("priya", name="Priya", platform="youtube", status="contacted")
    fake_slack.add_file("FROSTER01", name="roster.csv", content=MESSY, user=USER_ID)
    preview = open_and_submit(run, fake_slack, "FROSTER01")
    assert preview.params["channel"] == USER_ID
    text = json.dumps(preview.blocks)
    assert "*3* new" in text
    assert "*1* already on your list (1 with changes)" in text
    assert "*1* named more than once in the file (merged)" in text
    assert "*1* invalid rows" in text and "row 6: No handle or profile link" in text
    # Kim's unknown status is left out, not Kim: the preview says so before anything is imported.
    assert "*1* imported without some values (below)" in text
    assert "*Values left out (the rest of each row is imported)*" in text
    assert "row 5 (@kim): status left out: \\u201cbogus\\u201d is not a status." in text
    assert "status: contacted \\u2192 warm" in text
    assert "Favourite colour" in text
    assert crm.count(Influencer) == 1  # the preview writes nothing

    value = button(preview, Action.IMPORT_CONFIRM)["value"]
    assert json.loads(value)["f"] == "FROSTER01"
    click(run, Action.IMPORT_CONFIRM, value)
    updates = fake_slack.calls_to("chat.update")
    assert {(u.params["channel"], u.params["ts"]) for u in updates} and len(
        {u.params["ts"] for u in updates}
    ) == 1
    assert "Import done." in updates[-1].params["text"]
    assert "3 new creators" in updates[-1].params["text"]
    assert "1 rows imported without some values" in updates[-1].params["text"]
    assert crm.count(Influencer) == 4
    kim = crm.one(Influencer, Influencer.handle == "kim")
    assert crm.one(Relationship, Relationship.influencer_id == kim.id).status == "saved"
    maya = crm.one(Influencer, Influencer.handle == "maya")
    rel = crm.one(Relationship, Relationship.influencer_id == maya.id)
    assert (rel.status, sorted(rel.tags)) == ("warm", ["skincare", "vegan"])
    priya = crm.one(Influencer, Influencer.handle == "priya")
    assert crm.one(Relationship, Relationship.influencer_id == priya.id).status == "warm"
    downloads = fake_slack.calls_to("file_download")
    assert all(d.headers["authorization"].startswith("Bearer xoxb-") for d in downloads)

    # A second click on the same preview starts nothing.
    before = len(fake_slack.calls_to("file_download"))
    again = click(run, Action.IMPORT_CONFIRM, value)
    assert "already started" in again.reply.params["text"]
    assert len(fake_slack.calls_to("file_download")) == before
    assert crm.count(Influencer) == 4


def test_cancel_changes_nothing(run, crm, fake_slack):
    fake_slack.add_file("FROSTER02", name="roster.csv", content=MESSY, user=USER_ID)
    preview = open_and_submit(run, fake_slack, "FROSTER02")
    sent = click(run, Action.IMPORT_CANCEL, button(preview, Action.IMPORT_CANCEL)["value"])
    (reply,) = sent.to("response_url")
    assert reply.params["replace_original"] is True
    assert reply.params["text"] == "Import cancelled; nothing was changed."
    assert crm.count(Influencer) == 0


def test_a_file_the_bot_cannot_download(run, crm, fake_slack):
    fake_slack.add_file("FROSTER03", name="roster.csv", content=MESSY, user=USER_ID)
    fake_slack.fail("file_download", status=403)
    preview = open_and_submit(run, fake_slack, "FROSTER03")
    assert "could not download" in preview.params["text"]
    assert "Nothing was changed" in preview.params["text"]
    assert not [b for b in preview.blocks if b["type"] == "actions"]
    # files.info answering an error: the same message.
    preview = open_and_submit(run, fake_slack, "FNOSUCHFILE")
    assert CANNOT_READ[:40] in preview.params["text"]
    assert crm.count(Influencer) == 0


def test_too_big_is_refused_before_downloading(run, crm, fake_slack):
    fake_slack.add_file("FROSTER04", name="big.csv", content=MESSY, user=USER_ID, size=25 * 1024 * 1024)
    preview = open_and_submit(run, fake_slack, "FROSTER04")
    assert "larger than 20 MB" in preview.params["text"]
    assert not fake_slack.calls_to("file_download")


def test_binary_and_empty_files_get_the_engines_messages(run, crm, fake_slack):
    fake_slack.add_file("FROSTER05", name="x.csv", content=b"\x00\x01PK\x03\x04", user=USER_ID)
    assert "looks binary" in open_and_submit(run, fake_slack, "FROSTER05").params["text"]
    fake_slack.add_file("FROSTER06", name="x.csv", content=b"", user=USER_ID)
    assert "The file is empty." in open_and_submit(run, fake_slack, "FROSTER06").params["text"]
    assert crm.count(Influencer) == 0


def test_no_file_chosen_is_answered_on_the_field(run, crm, fake_slack):
    view = run.command("import").opened
    sent = run.submit(view, {Field.IMPORT_FILE: []})
    assert sent.ack["errors"] == {Field.IMPORT_FILE: "Choose a CSV or TSV file to import."}


def test_forged_button_values_are_refused(run, crm, fake_slack):
    sent = click(run, Action.IMPORT_CONFIRM, '{"f":"F1","d":"nope"}')
    assert BROKEN in sent.text
    # Someone else's file, with a well-formed value: refused, nothing imported.
    fake_slack.add_file("FBOBS0001", name="bob.csv", content=MESSY, user="UBOB000001")
    value = json.dumps({"f": "FBOBS0001", "d": "0" * 32})
    click(run, Action.IMPORT_CONFIRM, value)
    assert NOT_YOURS[:30] in fake_slack.last("chat.update").params["text"]
    assert not fake_slack.calls_to("file_download")
    assert crm.count(Influencer) == 0


def test_a_file_changed_since_the_preview_is_refused(run, crm, fake_slack):
    fake_slack.add_file("FROSTER07", name="roster.csv", content=MESSY, user=USER_ID)
    preview = open_and_submit(run, fake_slack, "FROSTER07")
    fake_slack.file_contents["FROSTER07"] = MESSY + b"Lee;@lee;instagram;;;\n"
    click(run, Action.IMPORT_CONFIRM, button(preview, Action.IMPORT_CONFIRM)["value"])
    assert "changed since the preview" in fake_slack.last("chat.update").params["text"]
    assert crm.count(Influencer) == 0


def test_progress_updates_the_one_message(run, crm, fake_slack, monkeypatch):
    monkeypatch.setattr("handlers.import_jobs.PROGRESS_PAUSE", 0.005)
    rows = "".join(f"Creator {i},@creator{i},instagram\n" for i in range(600))
    fake_slack.add_file(
        "FROSTER08", name="big.csv", content=f"name,handle,platform\n{rows}".encode(), user=USER_ID
    )
    preview = open_and_submit(run, fake_slack, "FROSTER08")
    click(run, Action.IMPORT_CONFIRM, button(preview, Action.IMPORT_CONFIRM)["value"])
    texts = [u.params["text"] for u in fake_slack.calls_to("chat.update")]
    assert any(" of 600 creators" in t for t in texts), texts
    assert "Import done." in texts[-1]
    assert crm.count(Influencer) == 600
