"""handlers/runtime/errors.py, bot/logging.py: what the user sees for each error, and what the log keeps."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy.exc import OperationalError

from crm.errors import InvalidInput, NotFound
from handlers.runtime.errors import UNAVAILABLE_MESSAGE
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.slack.harness import Payloads


def _probe_command(slack_app, error: Exception, *, ack_first: bool):
    @slack_app.app.command("/probe")
    def probe(ack):
        if ack_first:
            ack()
        raise error


def test_domain_error_before_ack_becomes_the_ephemeral_ack(slack_app):
    _probe_command(slack_app, NotFound("No influencer @maya on your list."), ack_first=False)

    response = slack_app.send(slack_app.payloads.command("x", command="/probe"))

    assert response.status == 200
    assert '"response_type": "ephemeral"' in response.body
    assert "No influencer @maya on your list." in response.body
    assert slack_app.fake.methods() == ["auth.test"]  # no extra message needed


def test_domain_error_after_ack_still_becomes_the_ephemeral_ack(slack_app):
    """Listeners run before the response is sent (process_before_response): an error raised after
    ack() replaces that ack with the message, so no response_url round trip is needed."""
    _probe_command(slack_app, NotFound("No influencer @maya on your list."), ack_first=True)

    response = slack_app.send(slack_app.payloads.command("x", command="/probe"))

    assert response.status == 200
    assert json.loads(response.body) == {
        "response_type": "ephemeral",
        "text": "No influencer @maya on your list.",
    }
    assert slack_app.fake.methods() == ["auth.test"]


def test_modal_error_is_shown_next_to_the_field_that_caused_it(slack_app):
    @slack_app.app.view("probe-view")
    def submit(ack):
        raise InvalidInput("subject", "The subject is too long.")

    view = {
        "id": "V1",
        "type": "modal",
        "hash": "1.a",
        "callback_id": "probe-view",
        "private_metadata": "",
        "blocks": [
            {"type": "input", "block_id": "body", "element": {"type": "plain_text_input", "action_id": "b"}},
            {
                "type": "input",
                "block_id": "subject",
                "element": {"type": "plain_text_input", "action_id": "s"},
            },
        ],
    }
    response = slack_app.send(slack_app.payloads.view_submission(view, {"subject": "x" * 500}))

    assert response.status == 200
    assert response.body == '{"response_action": "errors", "errors": {"subject": "The subject is too long."}}'


def test_error_in_an_app_home_button_is_a_dm(slack_app):
    @slack_app.app.action("probe-button")
    def click(ack):
        ack()
        raise NotFound("That follow-up is gone.")

    home = {"id": "VHOME", "hash": "1.b", "type": "home", "blocks": []}
    response = slack_app.send(slack_app.payloads.block_actions([Payloads.button("probe-button")], view=home))

    assert response.status == 200

    dm = slack_app.fake.last("chat.postMessage")
    assert (dm.params["channel"], dm.text) == ("UALICE0001", "That follow-up is gone.")


def test_falls_back_to_a_dm_when_the_ephemeral_message_is_refused(slack_app):
    @slack_app.app.action("probe-button")
    def click(ack):
        ack()
        raise NotFound("That follow-up is gone.")

    # no response_url: chat.postEphemeral in the channel first; the channel refuses it
    slack_app.fake.fail("chat.postEphemeral", error="channel_not_found")
    req = slack_app.payloads.block_actions([Payloads.button("probe-button")], with_response_url=False)
    slack_app.send(req)

    assert slack_app.fake.methods() == ["auth.test", "chat.postEphemeral", "chat.postMessage"]
    assert slack_app.fake.last("chat.postMessage").text == "That follow-up is gone."


def test_database_unavailable_is_a_friendly_message_and_one_error_line(slack_app, caplog):
    _probe_command(slack_app, OperationalError("SELECT 1", {}, Exception("server closed")), ack_first=False)

    with caplog.at_level(logging.ERROR, logger="handlers.runtime.errors"):
        response = slack_app.send(slack_app.payloads.command("x", command="/probe"))

    assert json.loads(response.body) == {"response_type": "ephemeral", "text": UNAVAILABLE_MESSAGE}
    [record] = [r for r in caplog.records if r.name == "handlers.runtime.errors"]
    assert record.levelno == logging.ERROR and "database unavailable" in record.getMessage()
    assert record.exc_info is None  # an outage is not a bug: no traceback


def test_unexpected_error_shows_only_an_id_and_logs_the_traceback(slack_app, caplog):
    _probe_command(slack_app, KeyError("internal detail"), ack_first=True)

    with caplog.at_level(logging.ERROR, logger="handlers.runtime.errors"):
        response = slack_app.send(slack_app.payloads.command("x", command="/probe"))

    shown = json.loads(response.body)["text"]
    match = re.fullmatch(r"Something went wrong \(error id ([0-9a-f]{6})\)\.", shown)
    assert match, shown
    assert "internal detail" not in shown and "Traceback" not in shown
    [record] = [r for r in caplog.records if r.name == "handlers.runtime.errors"]
    logged = record.getMessage()
    # The id, the type and the stack's frames; never the exception's message (it may quote input).
    assert match.group(1) in logged and "KeyError" in logged and 'File "' in logged
    assert "internal detail" not in logged


def test_request_with_no_listener_is_logged_without_its_body(slack_app, caplog):
    with caplog.at_level(logging.INFO):
        event = slack_app.send(slack_app.payloads.event({"type": "reaction_added", "user": "U1"}))
        click = slack_app.send(
            slack_app.payloads.block_actions([Payloads.button("nobody-listens", "secret")])
        )

    assert event.status == 200  # a 404 would make Slack retry the event
    assert click.status == 404
    assert "no listener for block_actions nobody-listens" in caplog.text
    assert "secret" not in caplog.text


@pytest.mark.parametrize("level", [logging.DEBUG])
def test_no_token_and_no_body_in_logs_even_at_debug(slack_app, caplog, level):
    private = "PRIVATE-NOTE-7f3a"

    @slack_app.app.command("/probe")
    def probe(ack, command, respond, client):
        ack()
        client.chat_postMessage(channel="C1", text=f"{private} posted")
        respond(f"{private} replied")
        logging.getLogger("crm.debugging").debug("token in use: %s", BOT_TOKEN)
        raise RuntimeError(f"failed with {BOT_TOKEN}")

    caplog.set_level(level)
    slack_app.send(slack_app.payloads.command(f"note @maya {private}", command="/probe"))

    logged = caplog.text
    assert "unexpected error" in logged and "RuntimeError" in logged  # our records are there
    assert "failed with xoxb" not in logged  # the message is never logged (only the code line is)
    assert "token in use: xoxb-***" in logged  # and a token in any record is redacted
    assert BOT_TOKEN not in logged and BOT_TOKEN.split("-", 1)[1] not in logged
    assert private not in logged
    assert SIGNING_SECRET not in logged
