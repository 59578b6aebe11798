"""Slack's side of a Socket Mode connection, on a loopback port, and the envelopes Slack sends over it.

The bot asks the fake Web API for `apps.connections.open` (tests/slack/fake_slack.py hands out
`FakeSocketMode.url`), opens a WebSocket there, and from then on Slack pushes every request as a JSON
envelope and the app answers each with an ack carrying the same `envelope_id`. slack_sdk's built-in
client speaks plain `ws://` to any port other than 443 (slack_sdk/socket_mode/builtin/internals.py),
so no TLS is needed. The server is the `websockets` library's threaded server: it completes the
handshake, answers the client's pings with pongs, and pings the client itself, as Slack does.

Envelopes follow Slack's Socket Mode documentation and the ones slackapi/bolt-python replays in
tests/adapter_tests/socket_mode/mock_socket_mode_server.py: `events_api` envelopes carry
`retry_attempt` / `retry_reason` (0 and "" on the first delivery); slash commands and interactivity
do not, and say whether the ack may carry a payload (a modal's `response_action`, an options list).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.slack.fake_slack import APP_ID
from tests.slack.payloads import SignedRequest

# Interactivity whose ack Slack reads a payload from (the rest are acknowledged with an empty ack).
_ANSWERABLE = frozenset({"view_submission", "block_suggestion"})


class FakeSocketMode:
    """A WebSocket server that says `hello` to each connection, sends envelopes and records acks."""

    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self._connection: ServerConnection | None = None
        self._cond = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeSocketMode:
        self._server = serve(self._serve, "127.0.0.1", 0)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-socket-mode", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """What apps.connections.open answers: Slack's /link/ path with a fresh ticket, on our port."""
        assert self._server is not None, "FakeSocketMode is not started"
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket={uuid.uuid4()}&app_id={APP_ID}"

    # ---- the connection ------------------------------------------------------------------------
    def _serve(self, connection: ServerConnection) -> None:
        connection.send(json.dumps(hello()))
        with self._cond:
            self._connection = connection
            self.connections += 1
            self._cond.notify_all()
        try:
            for message in connection:
                ack = json.loads(message)
                with self._cond:
                    self.acks[ack["envelope_id"]] = ack
                    self._cond.notify_all()
        except ConnectionClosed:
            pass

    def wait_connected(self, timeout: float, *, alive=lambda: True) -> None:
        """Return once a client has connected and been greeted; TimeoutError after `timeout` seconds,
        RuntimeError as soon as `alive()` says the client is gone."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._connection is None:
                if not alive():
                    raise RuntimeError("the client exited before connecting")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no Socket Mode connection after {timeout}s")
                self._cond.wait(min(remaining, 0.2))  # wakes on connect; re-checks alive() meanwhile

    def send(self, envelope: dict[str, Any]) -> str:
        """Push `envelope` to the connected client; returns its envelope_id."""
        with self._cond:
            connection = self._connection
        assert connection is not None, "no Socket Mode client is connected"
        connection.send(json.dumps(envelope))
        return envelope["envelope_id"]

    def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """The client's ack of `envelope_id`; TimeoutError if it has not arrived within `timeout`
        seconds (3 s: how long Slack waits before it gives up, or retries an event)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"envelope {envelope_id} was not acknowledged within {timeout}s")
                self._cond.wait(remaining)
            return self.acks[envelope_id]


# ---- what Slack sends ----------------------------------------------------------------------------
def hello() -> dict[str, Any]:
    """Slack's first message on a new connection."""
    return {
        "type": "hello",
        "num_connections": 1,
        "debug_info": {
            "host": "applink-fake-1",
            "build_number": 1,
            "approximate_connection_time": 18060,
        },
        "connection_info": {"app_id": APP_ID},
    }


def _envelope(kind: str, payload: dict[str, Any], *, accepts_response_payload: bool) -> dict[str, Any]:
    return {
        "envelope_id": str(uuid.uuid4()),
        "payload": payload,
        "type": kind,
        "accepts_response_payload": accepts_response_payload,
    }


def slash_command(request: SignedRequest) -> dict[str, Any]:
    """The envelope of a slash command: the HTTP form's fields as a JSON object of strings."""
    fields = {k: v[0] for k, v in parse_qs(request.body, keep_blank_values=True).items()}
    return _envelope("slash_commands", fields, accepts_response_payload=True)


def interactive(request: SignedRequest) -> dict[str, Any]:
    """The envelope of an interactivity payload (block_actions, view_submission, ...): the HTTP
    form's `payload` JSON, as an object."""
    (payload,) = parse_qs(request.body)["payload"]
    body = json.loads(payload)
    return _envelope("interactive", body, accepts_response_payload=body.get("type") in _ANSWERABLE)


def events_api(request: SignedRequest, *, retry_attempt: int = 0, retry_reason: str = "") -> dict[str, Any]:
    """The envelope of an Events API event_callback. A first delivery says `retry_attempt: 0,
    retry_reason: ""`; Slack's retries count up with a reason such as "timeout"."""
    envelope = _envelope("events_api", json.loads(request.body), accepts_response_payload=False)
    envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
    return envelope


def redelivered(envelope: dict[str, Any], *, retry_attempt: int, retry_reason: str) -> dict[str, Any]:
    """Slack retrying `envelope`'s event: the same payload (same event_id), a new envelope_id."""
    return dict(
        envelope,
        envelope_id=str(uuid.uuid4()),
        retry_attempt=retry_attempt,
        retry_reason=retry_reason,
    )
