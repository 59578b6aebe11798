"""Socket Mode: Bolt's handler, with the payload check HTTP mode does in bot/wsgi.py.

`handle()` is the adapter's extension point (abstract in BaseSocketModeHandler): every envelope
passes through it before Bolt builds its request. Bolt computes listener arguments and runs its
authorization before any middleware of ours, so a payload without the structure of its type
(handlers/runtime/payloads.py) is refused here: acknowledged, so Slack does not deliver it again,
logged with the reason only, and never dispatched.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from handlers.runtime.payloads import malformed_reason

log = logging.getLogger(__name__)


class CheckedSocketModeHandler(SocketModeHandler):
    """SocketModeHandler that refuses malformed payloads before Bolt sees them."""

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        reason = malformed_reason(req.payload)
        if reason is not None:
            log.warning("refused a Socket Mode %s envelope: %s", req.type, reason)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        super().handle(client, req)
