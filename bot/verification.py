"""Slack request signing: our own check, in place of Bolt's.

Bolt's RequestVerification answers 500 when X-Slack-Request-Timestamp is not a number (its verifier
calls int() and the exception escapes) and logs the whole request body at INFO when a signature is
wrong. Ours answers 401 for every failure, logs only the reason, and runs before anything that could
write or call the Web API (it sits in Bolt's `before_authorize` slot, ahead of authorization, whose
first request triggers auth.test). bot/wsgi.py runs the same check on the raw bytes before Bolt
parses the body, so a tampered body that is not even valid form/JSON is a 401 too, not a 500.

Algorithm (https://api.slack.com/authentication/verifying-requests-from-slack):
signature = "v0=" + hex(HMAC-SHA256(signing_secret, "v0:" + timestamp + ":" + raw_body)).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping, Sequence

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

# Slack's guidance: reject requests more than five minutes old (replay protection).
MAX_CLOCK_SKEW_SECONDS = 5 * 60
# A Unix timestamp has 10 digits until 2286; more than this is junk, not a time.
_MAX_TIMESTAMP_DIGITS = 12

SIGNATURE_HEADER = "x-slack-signature"
TIMESTAMP_HEADER = "x-slack-request-timestamp"


def compute_signature(signing_secret: str, timestamp: str, body: bytes | str) -> str:
    """The X-Slack-Signature value Slack sends for `body` at `timestamp`."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def check_signature(
    *,
    signing_secret: str | None,
    body: bytes | str,
    timestamp: str | None,
    signature: str | None,
    now: float | None = None,
) -> str | None:
    """None when the request is genuine, else a short reason fit for a log line (never the body)."""
    if not signing_secret:
        return "no signing secret configured"
    if not timestamp or not signature:
        return "missing signature headers"
    # str.isdigit() accepts non-ASCII digits that int() would parse; only ASCII digits are a timestamp.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return "timestamp is not a number"
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return "timestamp more than 5 minutes off"
    if not signature.isascii():
        return "signature mismatch"
    expected = compute_signature(signing_secret, timestamp, body)
    if not hmac.compare_digest(expected, signature):
        return "signature mismatch"
    return None


def _first(headers: Mapping[str, str | Sequence[str]], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value[0] if value else None


def check_headers(
    signing_secret: str | None, body: bytes | str, headers: Mapping[str, str | Sequence[str]]
) -> str | None:
    """check_signature() with the two headers taken from a lower-cased header mapping."""
    return check_signature(
        signing_secret=signing_secret,
        body=body,
        timestamp=_first(headers, TIMESTAMP_HEADER),
        signature=_first(headers, SIGNATURE_HEADER),
    )


def unauthorized() -> BoltResponse:
    """The answer to a request that fails verification: 401, nothing else said."""
    return BoltResponse(status=401, body={"error": "invalid request"})


class SignatureVerification(Middleware):
    """Bolt middleware: 401 unless the request is signed by Slack; skipped in Socket Mode.

    Socket Mode payloads arrive over a WebSocket opened with the app-level token, so there is no
    signature to check (Bolt sets req.mode = "socket_mode" for them).
    """

    def __init__(self, signing_secret: str | None) -> None:
        self._signing_secret = signing_secret

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        if req.mode == "socket_mode":
            return next()
        reason = check_headers(self._signing_secret, req.raw_body, req.headers)
        if reason is None:
            return next()
        log.warning("rejected a request that is not from Slack: %s", reason)
        return unauthorized()
