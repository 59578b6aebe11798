"""Signed requests whose payload does not have the shape Slack promises: 400, nothing written, quiet log.

A valid signature says the body came from Slack (or from someone holding the signing secret), not
that it is well formed. Each case here is signed correctly and sent over HTTP through bot/wsgi.py;
handlers/runtime/payloads.py refuses it before any listener runs. The probe listeners would write a
row and post a message if they ran (the control test shows they do). The log says why, in one line,
without a traceback and without any value from the payload (MARK is planted in every one).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from bot.db import transaction
from crm.models import Base, User
from tests.slack.harness import Payloads, SignedRequest, SlackTestApp
from tests.slack.payloads import FORM

MARK = "FIELD-VALUE-7731"
VIEW = {
    "id": "V1",
    "type": "modal",
    "hash": "1.a",
    "callback_id": "probe-view",
    "private_metadata": MARK,
    "blocks": [],
    "state": {"values": {"b": {"a": {"type": "plain_text_input", "value": MARK}}}},
}
DEPTH = 50_000


@pytest.fixture
def probed(slack_app: SlackTestApp) -> SlackTestApp:
    app = slack_app.app

    def probe(ack, client, context):
        """Writes the acting user's row and posts, as any real listener could."""
        ack()
        with transaction(slack_app.engine) as db:
            db.execute(
                insert(User)
                .values(team_id=context.team_id or "T?", slack_user_id=context.user_id or "U?")
                .on_conflict_do_nothing()
            )
        client.chat_postMessage(channel="C1", text="probe ran")

    app.command("/probe")(probe)
    app.action("probe-button")(probe)
    app.view("probe-view")(probe)
    app.event("app_home_opened")(probe)
    app.event("reaction_added")(probe)
    return slack_app


def _rows(slack_app: SlackTestApp) -> int:
    """Rows in every table of the schema: nothing may be written by a refused request."""
    with slack_app.engine.connect() as conn:
        return sum(conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables)


def _button() -> dict[str, Any]:
    return Payloads.button("probe-button", MARK)


def _block_actions(p: Payloads, **changes: Any) -> dict[str, Any]:
    """A genuine block_actions payload (as Payloads builds it), then `changes` applied."""
    req = p.block_actions([_button()], view=dict(VIEW))
    payload = json.loads(_form_payload(req))
    for key, value in changes.items():
        if value is _DROP:
            payload.pop(key)
        else:
            payload[key] = value
    return payload


def _view_submission(p: Payloads, **view_changes: Any) -> dict[str, Any]:
    payload = json.loads(_form_payload(p.view_submission(VIEW)))
    payload["view"] = view_changes.pop("view") if "view" in view_changes else {**VIEW, **view_changes}
    payload["user"]["name"] = MARK
    return payload


def _form_payload(req: SignedRequest) -> str:
    return parse_qs(req.body)["payload"][0]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


_DROP = object()


def _interactive(p: Payloads, payload_json: str) -> SignedRequest:
    return p.sign(urlencode({"payload": payload_json}), FORM)


def _event(p: Payloads, event: Any) -> SignedRequest:
    req = p.event({"type": "reaction_added", "user": "UALICE0001", "reaction": MARK})
    body = json.loads(req.body)
    body["event"] = event
    return p.sign(json.dumps(body), "application/json")


# case -> how to build the signed request from the app's Payloads
CASES: dict[str, Callable[[Payloads], SignedRequest]] = {
    "payload is a JSON list": lambda p: _interactive(p, json.dumps([MARK, {"type": "block_actions"}])),
    "payload is a JSON string": lambda p: _interactive(p, json.dumps(MARK)),
    "payload is a JSON number": lambda p: _interactive(p, "7731"),
    "payload is JSON null": lambda p: _interactive(p, "null"),
    "payload is not JSON": lambda p: _interactive(p, "{" + MARK),
    "payload is empty": lambda p: _interactive(p, ""),
    "event body is not JSON": lambda p: p.sign('{"type": "event_callback", ' + MARK, "application/json"),
    "event body is a JSON list": lambda p: p.sign(json.dumps([MARK]), "application/json"),
    "view: null": lambda p: _interactive(p, json.dumps(_view_submission(p, view=None))),
    "view is a string": lambda p: _interactive(p, json.dumps(_view_submission(p, view=MARK))),
    "view state is a string": lambda p: _interactive(p, json.dumps(_view_submission(p, state=MARK))),
    "view state is a list": lambda p: _interactive(p, json.dumps(_view_submission(p, state=[MARK]))),
    "view state values is a list": lambda p: _interactive(
        p, json.dumps(_view_submission(p, state={"values": [MARK]}))
    ),
    "view state block is a string": lambda p: _interactive(
        p, json.dumps(_view_submission(p, state={"values": {"b": MARK}}))
    ),
    "view state element is a string": lambda p: _interactive(
        p, json.dumps(_view_submission(p, state={"values": {"b": {"a": MARK}}}))
    ),
    "view blocks are strings": lambda p: _interactive(p, json.dumps(_view_submission(p, blocks=[MARK]))),
    "private_metadata is an object": lambda p: _interactive(
        p, json.dumps(_view_submission(p, private_metadata={"x": MARK}))
    ),
    "no user": lambda p: _interactive(p, json.dumps(_block_actions(p, user=_DROP))),
    "user: null": lambda p: _interactive(p, json.dumps(_block_actions(p, user=None))),
    "user is a string": lambda p: _interactive(p, json.dumps(_block_actions(p, user=MARK))),
    "user without an id": lambda p: _interactive(p, json.dumps(_block_actions(p, user={"name": MARK}))),
    "empty actions": lambda p: _interactive(p, json.dumps(_block_actions(p, actions=[]))),
    "no actions": lambda p: _interactive(p, json.dumps(_block_actions(p, actions=_DROP))),
    "actions is an object": lambda p: _interactive(p, json.dumps(_block_actions(p, actions=_button()))),
    "an action is a string": lambda p: _interactive(p, json.dumps(_block_actions(p, actions=[MARK]))),
    "block_actions view is a list": lambda p: _interactive(p, json.dumps(_block_actions(p, view=[MARK]))),
    "50,000-deep nesting in an interactive payload": lambda p: _interactive(
        p, json.dumps(_block_actions(p))[:-1] + f', "x": {_deep(DEPTH)}}}'
    ),
    "50,000-deep nesting in an event": lambda p: p.sign(
        f'{{"type": "event_callback", "event": {{"type": "reaction_added", "x": {_deep(DEPTH)}}}}}',
        "application/json",
    ),
    "40-deep nesting in a view's state": lambda p: _interactive(
        p, json.dumps(_view_submission(p, state={"values": {"b": {"a": json.loads(_deep(40))}}}))
    ),
    "event: null": lambda p: _event(p, None),
    "event is a string": lambda p: _event(p, MARK),
    "event without a type": lambda p: _event(p, {"user": "UALICE0001", "reaction": MARK}),
    "no event": lambda p: p.sign(json.dumps({"type": "event_callback", "team_id": MARK}), "application/json"),
}


def test_control_well_formed_requests_run_the_probes(probed, slack_http):
    p = probed.payloads
    genuine = [
        p.command("x", command="/probe"),
        _interactive(p, json.dumps(_block_actions(p))),
        _interactive(p, json.dumps(_view_submission(p))),
        _event(p, {"type": "reaction_added", "user": "UALICE0001", "reaction": "eyes"}),
    ]
    for req in genuine:
        assert slack_http.post(req).status == 200
    probed.drain()
    assert len(probed.fake.calls_to("chat.postMessage")) == 4
    assert _rows(probed) > 0


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_signed_payloads_are_refused_with_400(probed, slack_http, caplog, case):
    caplog.set_level(logging.DEBUG)
    result = slack_http.post(CASES[case](probed.payloads))
    probed.drain()
    assert result.status == 400, (case, result.status, result.text)
    assert MARK not in result.text
    assert probed.fake.calls == []
    assert _rows(probed) == 0
    _assert_quiet_log(caplog)


class RecordingSocketClient:
    """The part of slack_sdk's SocketModeClient a handler uses: acknowledgements are recorded."""

    logger = logging.getLogger("tests.socket_mode_client")

    def __init__(self) -> None:
        self.responses: list = []

    def send_socket_mode_response(self, response) -> None:
        self.responses.append(response)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if not c.startswith(("payload is", "event body", "50,000"))],  # envelopes: objects
)
def test_socket_mode_refuses_the_same_shapes(probed, caplog, case):
    """Socket Mode hands the parsed envelope payload to bot/socket_mode.py's handler, which acks it
    (so Slack does not redeliver) without dispatching it to Bolt."""
    from slack_sdk.socket_mode.request import SocketModeRequest

    from bot.socket_mode import CheckedSocketModeHandler

    caplog.set_level(logging.DEBUG)
    req = CASES[case](probed.payloads)
    body = req.body
    if req.headers["Content-Type"] == FORM:
        body = _form_payload(req)
    envelope = SocketModeRequest(type="interactive", envelope_id="env-1", payload=json.loads(body))
    handler = CheckedSocketModeHandler(probed.app, app_token="xapp-test")
    client = RecordingSocketClient()
    handler.handle(client, envelope)
    probed.drain()
    assert [r.envelope_id for r in client.responses] == ["env-1"]  # acknowledged, nothing else
    assert probed.fake.calls == []
    assert _rows(probed) == 0
    _assert_quiet_log(caplog)


def _assert_quiet_log(caplog) -> None:
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings, "a refused request is logged"
    for record in caplog.records:
        text = record.getMessage()
        assert record.exc_info is None and record.exc_text is None, text
        assert "Traceback" not in text, text
        assert MARK not in text, text
