"""Forged field values in modal submissions: shown next to their field, never "Something went wrong".

Slack only ever sends values its elements can produce (a real date, an option's string value, file
objects). A request signed with a leaked secret, or a bug on Slack's side, can send anything. Each
case submits a real modal (opened through the app) whose state holds one value no element could
produce, and shows what the user sees: `response_action: errors` on that field, nothing written,
and the forged value in no log record (tracebacks included).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest

from crm.models import Campaign, Interaction, Relationship
from handlers.ids import Action, Field

F = Field


def forge(run, view: dict, values: dict, block: str, entry: dict[str, Any]):
    """Submit `view` with `values`, the element of `block` replaced by `entry` (its type kept)."""
    req = run.payloads.view_submission(view, values)
    payload = json.loads(parse_qs(req.body)["payload"][0])
    state = payload["view"]["state"]["values"][block]
    (action_id,) = state
    state[action_id] = {"type": state[action_id]["type"], **entry}
    return run.send(run.payloads.interactive(payload))


def assert_shown_inline(sent, block: str, forged: str, caplog) -> None:
    assert sent.response.status == 200
    assert sent.ack.get("response_action") == "errors", sent.ack
    assert list(sent.ack["errors"]) == [block]
    message = sent.ack["errors"][block]
    assert "went wrong" not in message and forged not in message
    assert not sent.to("response_url") and not sent.to("chat.postEphemeral")
    for record in caplog.records:
        assert record.levelno < logging.ERROR, record.getMessage()
        assert forged not in record.getMessage()
        assert record.exc_info is None


# ---- log interaction ------------------------------------------------------------------------------


def log_values(rel) -> dict:
    return {
        F.INTERACTION_INFLUENCER: str(rel.influencer_id),
        F.INTERACTION_TYPE: "email",
        F.INTERACTION_SUBJECT: "Rates",
        F.INTERACTION_DATE: int((datetime.now(UTC) - timedelta(hours=1)).timestamp()),
    }


LOG_CASES = {
    "datetimepicker 'abc'": (F.INTERACTION_DATE, {"selected_date_time": "abc"}, "abc"),
    "datetimepicker past year 9999": (F.INTERACTION_DATE, {"selected_date_time": 10**15}, str(10**15)),
    "datetimepicker a float": (F.INTERACTION_DATE, {"selected_date_time": 1.7e9}, "1700000000.0"),
    "datetimepicker a list": (F.INTERACTION_DATE, {"selected_date_time": ["x-forged-1"]}, "x-forged-1"),
    "file_input files are strings": (F.INTERACTION_FILE, {"files": ["F-FORGED-1"]}, "F-FORGED-1"),
    "file_input files is an object": (F.INTERACTION_FILE, {"files": {"id": "F-FORGED-2"}}, "F-FORGED-2"),
    "file permalink is an object": (
        F.INTERACTION_FILE,
        {"files": [{"id": "F1", "permalink": {"url": "https://forged.example"}}]},
        "forged.example",
    ),
    "external_select option is a string": (
        F.INTERACTION_INFLUENCER,
        {"selected_option": "opt-forged-3"},
        "opt-forged-3",
    ),
    "external_select option value is a number": (
        F.INTERACTION_INFLUENCER,
        {"selected_option": {"value": 77310}},
        "77310",
    ),
    "static_select option is a list": (
        F.INTERACTION_TYPE,
        {"selected_option": ["email-forged"]},
        "email-forged",
    ),
    "static_select campaign option without value": (
        F.INTERACTION_CAMPAIGN,
        {"selected_option": {"text": "camp-forged-4"}},
        "camp-forged-4",
    ),
    "plain_text_input value is an object": (
        F.INTERACTION_SUBJECT,
        {"value": {"x": "subj-forged-5"}},
        "subj-forged-5",
    ),
    "plain_text_input value is a number": (F.INTERACTION_CONTENT, {"value": 7731}, "7731"),
}


@pytest.mark.parametrize("case", list(LOG_CASES))
def test_forged_values_in_the_log_modal_are_shown_on_their_field(run, crm, caplog, case):
    block, entry, forged = LOG_CASES[case]
    rel = crm.relationship("maya")
    crm.campaign("Spring Sale")  # so the modal has its campaign select
    view = run.command("log @maya email").opened
    caplog.set_level(logging.DEBUG)
    sent = forge(run, view, log_values(rel), block, entry)
    assert_shown_inline(sent, block, forged, caplog)
    assert crm.count(Interaction) == 0 and not sent.to("views.publish")


def test_control_the_same_log_submission_unforged_is_recorded(run, crm):
    rel = crm.relationship("maya")
    view = run.command("log @maya email").opened
    assert run.submit(view, log_values(rel)).ack == {}
    assert crm.count(Interaction) == 1


# ---- edit relationship, follow-up -----------------------------------------------------------------


EDIT = {
    F.RELATIONSHIP_STATUS: "warm",
    F.RELATIONSHIP_PRIORITY: "4",
    F.RELATIONSHIP_TAGS: ["vegan"],
    F.RELATIONSHIP_FOLLOW_UP: None,
}
EDIT_CASES = {
    "priority '²' (a digit to str.isdigit, not to int)": (
        F.RELATIONSHIP_PRIORITY,
        {"selected_option": {"value": "²"}},
        "²",
    ),
    "priority '٣' (an Arabic-Indic digit)": (
        F.RELATIONSHIP_PRIORITY,
        {"selected_option": {"value": "٣"}},
        "٣",
    ),
    "priority 'x-forged'": (F.RELATIONSHIP_PRIORITY, {"selected_option": {"value": "x-forged"}}, "x-forged"),
    "datepicker 2026-02-30": (F.RELATIONSHIP_FOLLOW_UP, {"selected_date": "2026-02-30"}, "2026-02-30"),
    "datepicker 20270101 (ISO basic, not Slack's form)": (
        F.RELATIONSHIP_FOLLOW_UP,
        {"selected_date": "20270101"},
        "20270101",
    ),
    "datepicker a number": (F.RELATIONSHIP_FOLLOW_UP, {"selected_date": 20270101}, "20270101"),
    "tags selected_options is a string": (
        F.RELATIONSHIP_TAGS,
        {"selected_options": "tag-forged"},
        "tag-forged",
    ),
    "a tag option is a string": (F.RELATIONSHIP_TAGS, {"selected_options": ["tag-forged-2"]}, "tag-forged-2"),
}


@pytest.mark.parametrize("case", list(EDIT_CASES))
def test_forged_values_in_the_edit_modal_are_shown_on_their_field(run, crm, caplog, case):
    block, entry, forged = EDIT_CASES[case]
    rel = crm.relationship("maya", status="saved", priority=1, tags=["old"])
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    caplog.set_level(logging.DEBUG)
    sent = forge(run, view, EDIT, block, entry)
    assert_shown_inline(sent, block, forged, caplog)
    saved = crm.one(Relationship)
    assert (saved.status, saved.priority, saved.tags) == ("saved", 1, ["old"])


def test_forged_follow_up_date_is_shown_on_the_date(run, crm, caplog):
    rel = crm.relationship("maya")
    view = run.click(Action.CARD_FOLLOW_UP, str(rel.influencer_id)).opened
    caplog.set_level(logging.DEBUG)
    sent = forge(run, view, {}, F.RELATIONSHIP_FOLLOW_UP, {"selected_date": "2026-02-30"})
    assert_shown_inline(sent, F.RELATIONSHIP_FOLLOW_UP, "2026-02-30", caplog)
    assert crm.one(Relationship).follow_up_date is None


# ---- new campaign ---------------------------------------------------------------------------------


def test_forged_campaign_dates_are_shown_on_the_date(run, crm, caplog):
    view = run.command("campaign new").opened
    values = {F.CAMPAIGN_NAME: "Spring Sale", F.CAMPAIGN_LANDING_URL: "https://shop.example.com/spring"}
    caplog.set_level(logging.DEBUG)
    sent = forge(run, view, values, F.CAMPAIGN_END, {"selected_date": "2026-13-01"})
    assert_shown_inline(sent, F.CAMPAIGN_END, "2026-13-01", caplog)
    assert crm.count(Campaign) == 0
