"""Slack request signing, checked once: slack_sdk's SignatureVerifier behind a guard for junk input.

bot/wsgi.py calls `check_headers` on the raw bytes before Bolt parses the body, so a tampered body
that is not even valid form/JSON is a 401, not a 500; Bolt's own RequestVerification is off.

The decision is SignatureVerifier's (HMAC-SHA256 over "v0:<timestamp>:<body>", at most five minutes
of clock skew, https://api.slack.com/authentication/verifying-requests-from-slack). It raises on
input a forger controls: int() of a timestamp that is not a number or has thousands of digits,
compare_digest() of a non-ASCII signature, decoding a body that is not UTF-8, an empty secret. So
`check_headers` first turns each of those into a reason, and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.signature import Clock, SignatureVerifier

# SignatureVerifier's replay window (five minutes); used here only to word the reason in the log.
MAX_CLOCK_SKEW_SECONDS = 5 * 60
# A Unix timestamp has 10 digits until 2286; more than this is junk, not a time.
_MAX_TIMESTAMP_DIGITS = 12

SIGNATURE_HEADER = "x-slack-signature"
TIMESTAMP_HEADER = "x-slack-request-timestamp"


def _first(headers: Mapping[str, str | Sequence[str]], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return value[0] if value else None


def _junk(body: bytes | str, timestamp: str | None, signature: str | None) -> str | None:
    """Why these values cannot be given to SignatureVerifier, or None when they can."""
    if not timestamp or not signature:
        return "missing signature headers"
    # str.isdigit() alone accepts non-ASCII digits, which int() would parse; a Unix time is ASCII.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return "timestamp is not a number"
    if not signature.isascii():
        return "signature mismatch"
    try:  # SignatureVerifier decodes bytes and encodes str as UTF-8
        body.decode("utf-8") if isinstance(body, bytes) else body.encode("utf-8")
    except UnicodeError:
        return "body is not UTF-8"
    return None


def check_headers(
    signing_secret: str | None, body: bytes | str, headers: Mapping[str, str | Sequence[str]]
) -> str | None:
    """None when the request is signed by Slack within the last five minutes, else a short reason fit
    for a log line (never the body). `headers` are lower-cased; a value may be a list (Bolt's)."""
    if not signing_secret or not signing_secret.strip():
        return "no signing secret configured"
    timestamp, signature = _first(headers, TIMESTAMP_HEADER), _first(headers, SIGNATURE_HEADER)
    reason = _junk(body, timestamp, signature)
    if reason is not None:
        return reason
    clock = Clock()
    if SignatureVerifier(signing_secret, clock).is_valid(body=body, timestamp=timestamp, signature=signature):
        return None
    if abs(clock.now() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return "timestamp more than 5 minutes off"
    return "signature mismatch"
