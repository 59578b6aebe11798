"""A /crm whose form body says "payload" (in the text, or a channel's name) over signed HTTP.

Bolt reads any form body containing the text "payload" as an interactive payload and, finding no
`payload` field, as empty (slack_bolt.request.internals.parse_body): the command went unanswered
with a 404 "unhandled request". bot/wsgi.bolt_body hands such a form to Bolt as JSON instead.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from slack_bolt import BoltRequest

from bot.wsgi import bolt_body
from crm.models import Relationship
from tests.slack.payloads import FORM


def test_bolt_still_reads_a_form_that_says_payload_as_empty():
    """Why bolt_body exists. If this fails, Bolt reads such forms itself and bolt_body can go."""
    raw = urlencode({"command": "/crm", "text": "note @maya payload", "channel_name": "payloads"})
    assert BoltRequest(body=raw, headers={"content-type": FORM}).body == {}
    assert BoltRequest(body=bolt_body(raw), headers={"content-type": FORM}).body == dict(parse_qsl(raw))


def test_a_command_saying_payload_is_answered_and_applied(run, crm, slack_http):
    crm.relationship("maya", name="Maya Lopez")
    result = slack_http.post(run.payloads.command("note @maya the payload is ready"))
    run.slack.drain()
    assert result.status == 200
    notes = crm.one(Relationship).notes
    assert notes.endswith(": the payload is ready")
    assert run.slack.fake.last("response_url").text == "Note added to Maya Lopez."


def test_a_command_in_a_channel_named_payloads_is_answered(run, crm, slack_http):
    crm.relationship("maya", name="Maya Lopez")
    request = run.payloads.command("status @maya warm")
    fields = dict(parse_qsl(request.body, keep_blank_values=True)) | {"channel_name": "payloads"}
    result = slack_http.post(run.payloads.sign(urlencode(fields), FORM))
    run.slack.drain()
    assert result.status == 200 and crm.one(Relationship).status == "warm"


def test_an_interactive_payload_is_read_as_before():
    raw = urlencode({"payload": '{"type": "block_actions", "text": "payload"}'})
    assert bolt_body(raw) == raw
    assert bolt_body('{"type": "event_callback", "x": "payload"}').startswith("{")
