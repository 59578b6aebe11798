"""Correcting an import's columns in Slack: the preview's Fix columns button, the modal filled in
once the file's headers are read, a new preview with the corrections, and an import that uses them."""

from __future__ import annotations

import json

from crm.models import Influencer, InfluencerProfile
from handlers.actions.imports import BROKEN
from handlers.blocks.import_columns import column_block_id
from handlers.ids import Action
from handlers.views.imports import DAMAGED
from tests.handlers.conftest import USER_ID
from tests.handlers.imports.test_slack_import import button, click, open_and_submit

# "Who" holds TikTok handles but no header says so; "Mail" is an e-mail column the aliases miss.
UNMAPPED = b"Creator,Who,Mail,Stage\nMaya Lopez,maya.makes,maya@example.com,warm\nSam Lee,samlee,,contacted\n"


def _columns_modal(run, fake, value: str) -> dict:
    click(run, Action.IMPORT_FIX_COLUMNS, value)
    assert "Reading the file" in json.dumps(fake.last("views.open").view)
    return fake.last("views.update").view


def _choices(view: dict) -> dict[str, str]:
    """What each column of the modal is preset to."""
    return {
        b["block_id"]: b["element"]["initial_option"]["value"] for b in view["blocks"] if b["type"] == "input"
    }


def test_a_file_without_a_recognised_handle_column_is_fixed_in_slack_and_imported(run, crm, fake_slack):
    fake_slack.add_file("FUNMAPPED1", name="roster.csv", content=UNMAPPED, user=USER_ID)
    problem = open_and_submit(run, fake_slack, "FUNMAPPED1")
    assert "No column holds a handle or a profile link" in problem.params["text"]
    assert crm.count(Influencer) == 0

    view = _columns_modal(run, fake_slack, button(problem, Action.IMPORT_FIX_COLUMNS)["value"])
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Creator", "Who", "Mail", "Stage"]
    assert "First row: maya.makes" in json.dumps(view)
    choices = _choices(view)
    assert choices == {
        column_block_id(0): "name",
        column_block_id(1): "-",
        column_block_id(2): "-",
        column_block_id(3): "status",
    }

    choices[column_block_id(1)] = "handle:tiktok"
    choices[column_block_id(2)] = "email"
    submitted = run.submit(view, choices)
    assert submitted.ack["response_action"] == "update"
    run.slack.drain()
    preview = fake_slack.last("chat.postMessage")
    text = json.dumps(preview.blocks)
    assert "*2* new" in text
    assert "*Who* \\u2192 TikTok handle" in text and "*Mail* \\u2192 Email" in text
    value = button(preview, Action.IMPORT_CONFIRM)["value"]
    assert json.loads(value)["m"] == {"1": "handle:tiktok", "2": "email"}
    assert button(preview, Action.IMPORT_FIX_COLUMNS)["value"] == value
    assert crm.count(Influencer) == 0  # still only a preview

    click(run, Action.IMPORT_CONFIRM, value, ts="1700000000.000200")
    assert "Import done." in fake_slack.last("chat.update").params["text"]
    maya = crm.one(InfluencerProfile, InfluencerProfile.identity_key == "tiktok:maya.makes").influencer_id
    assert crm.one(Influencer, Influencer.id == maya).email == "maya@example.com"
    assert crm.count(Influencer) == 2


def test_the_modal_refuses_choices_that_cannot_work_together(run, crm, fake_slack):
    fake_slack.add_file("FUNMAPPED2", name="roster.csv", content=UNMAPPED, user=USER_ID)
    problem = open_and_submit(run, fake_slack, "FUNMAPPED2")
    view = _columns_modal(run, fake_slack, button(problem, Action.IMPORT_FIX_COLUMNS)["value"])
    posts = len(fake_slack.calls_to("chat.postMessage"))

    choices = _choices(view)  # still no handle column
    errors = run.submit(view, choices).ack["errors"]
    assert "handle or a profile link" in errors[column_block_id(0)]

    choices[column_block_id(1)] = "handle:tiktok"
    choices[column_block_id(2)] = "name"  # a second name column
    errors = run.submit(view, choices).ack["errors"]
    assert errors == {column_block_id(2): "Column 1 is already read as this; choose one column for it."}
    run.slack.drain()
    assert len(fake_slack.calls_to("chat.postMessage")) == posts  # no new preview
    assert crm.count(Influencer) == 0


def test_forged_corrections_are_refused(run, crm, fake_slack):
    fake_slack.add_file("FUNMAPPED3", name="roster.csv", content=UNMAPPED, user=USER_ID)
    problem = open_and_submit(run, fake_slack, "FUNMAPPED3")
    value = json.loads(button(problem, Action.IMPORT_FIX_COLUMNS)["value"])

    for forged in (
        {"1": "handle:myspace"},
        {"1": "drop table"},
        {"x": "email"},
        ["email"],
        {"9999": "email"},
    ):
        sent = click(run, Action.IMPORT_CONFIRM, json.dumps({**value, "m": forged}))
        assert BROKEN in sent.text, forged
    # A well-formed position the file does not have: the engine says so; nothing is imported.
    click(run, Action.IMPORT_CONFIRM, json.dumps({**value, "m": {"7": "email"}}), ts="1700000000.000300")
    assert "no column 8" in fake_slack.last("chat.update").params["text"]

    view = _columns_modal(run, fake_slack, json.dumps(value))
    choices = {**_choices(view), column_block_id(1): "handle:tiktok"}
    damaged = {**view, "private_metadata": json.dumps({"f": "FUNMAPPED3", "d": "not-a-digest"})}
    errors = run.submit(damaged, choices).ack["errors"]
    assert DAMAGED in errors.values()
    assert crm.count(Influencer) == 0


def test_a_file_changed_before_the_corrected_preview_is_refused(run, crm, fake_slack):
    fake_slack.add_file("FUNMAPPED4", name="roster.csv", content=UNMAPPED, user=USER_ID)
    problem = open_and_submit(run, fake_slack, "FUNMAPPED4")
    view = _columns_modal(run, fake_slack, button(problem, Action.IMPORT_FIX_COLUMNS)["value"])
    fake_slack.file_contents["FUNMAPPED4"] = UNMAPPED + b"Kim,kim.k,,warm\n"
    run.submit(view, {**_choices(view), column_block_id(1): "handle:tiktok"})
    run.slack.drain()
    assert "The file changed since the preview" in fake_slack.last("chat.postMessage").params["text"]
    assert crm.count(Influencer) == 0


def test_a_file_that_cannot_be_read_any_more_says_so_in_the_modal(run, crm, fake_slack):
    fake_slack.add_file("FUNMAPPED5", name="roster.csv", content=UNMAPPED, user=USER_ID)
    problem = open_and_submit(run, fake_slack, "FUNMAPPED5")
    fake_slack.fail("files.info", error="file_not_found")
    view = _columns_modal(run, fake_slack, button(problem, Action.IMPORT_FIX_COLUMNS)["value"])
    assert "could not download that file" in json.dumps(view)
    assert not [b for b in view["blocks"] if b["type"] == "input"]
