"""bot.verification.check_headers: slack_sdk's SignatureVerifier decides; junk input is a reason, never
an exception. Pure: no app, no database (the HTTP path is in test_security.py)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.verification import check_headers
from tests.slack.payloads import compute_signature

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BODY = "token=x&team_id=T1&command=%2Fcrm&text=show+%40maya"


def headers(timestamp: str, signature: str | None = None, body: bytes | str = BODY) -> dict[str, str]:
    """Lower-cased headers as bot/wsgi.py passes them, signed over `timestamp` itself unless given."""
    return {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature or compute_signature(SECRET, timestamp, body),
    }


def now() -> str:
    return str(int(time.time()))


def test_the_test_signer_computes_slacks_documented_example():
    # The worked example of https://api.slack.com/authentication/verifying-requests-from-slack
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert compute_signature(SECRET, "1531420618", body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_a_genuine_request_passes_as_bytes_or_text_and_with_bolts_list_headers():
    ts = now()
    assert check_headers(SECRET, BODY, headers(ts)) is None
    assert check_headers(SECRET, BODY.encode(), headers(ts)) is None
    as_lists = {name: [value] for name, value in headers(ts).items()}
    assert check_headers(SECRET, BODY, as_lists) is None
    assert check_headers(SECRET, "é ✓", headers(ts, body="é ✓")) is None


ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "timestamp",
    [
        pytest.param(lambda: now().translate(ARABIC), id="non-ASCII digits"),
        pytest.param(lambda: "١٧" + now()[2:], id="some non-ASCII digits"),
        pytest.param(lambda: "²" + now()[1:], id="superscript digit"),
        pytest.param(lambda: " " + now(), id="leading space"),
        pytest.param(lambda: now() + "\n", id="trailing newline"),
        pytest.param(lambda: "+" + now(), id="plus sign"),
        pytest.param(lambda: now()[:4] + "_" + now()[4:], id="underscore"),
        pytest.param(lambda: "-1", id="negative"),
        pytest.param(lambda: f"{time.time():.3f}", id="float"),
        pytest.param(lambda: "0x6553f100", id="hex"),
        pytest.param(lambda: "yesterday", id="word"),
        pytest.param(lambda: "9" * 13, id="13 digits"),
        pytest.param(lambda: "9" * 5000, id="5000 digits"),
        pytest.param(lambda: "0" * 100 + now(), id="zero-padded"),
    ],
)
def test_a_junk_timestamp_is_a_reason_even_when_the_signature_covers_it(timestamp):
    # Signed over the junk value itself, so only the timestamp check can refuse it: int() would
    # accept several of these (non-ASCII digits, spaces, "+", "_"), and raise on the others.
    ts = timestamp()
    assert check_headers(SECRET, BODY, headers(ts)) == "timestamp is not a number"


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ({"x-slack-signature": "v0=" + "0" * 64}, "missing signature headers"),
        ({"x-slack-request-timestamp": "1700000000"}, "missing signature headers"),
        ({}, "missing signature headers"),
        ({"x-slack-request-timestamp": "", "x-slack-signature": ""}, "missing signature headers"),
        ({"x-slack-request-timestamp": [], "x-slack-signature": []}, "missing signature headers"),
    ],
)
def test_missing_headers(given, reason):
    assert check_headers(SECRET, BODY, given) == reason


def test_reasons_for_a_wrong_or_stale_signature():
    ts = now()
    assert check_headers(SECRET, BODY + "x", headers(ts, body=BODY)) == "signature mismatch"
    assert check_headers("another-secret", BODY, headers(ts)) == "signature mismatch"
    assert check_headers(SECRET, BODY, headers(ts, signature="v0=" + "é" * 64)) == "signature mismatch"
    assert check_headers(SECRET, BODY, headers(ts, signature="v0=")) == "signature mismatch"
    stale = str(int(ts) - 301)
    assert check_headers(SECRET, BODY, headers(stale)) == "timestamp more than 5 minutes off"
    ahead = str(int(ts) + 301)
    assert check_headers(SECRET, BODY, headers(ahead)) == "timestamp more than 5 minutes off"


def test_a_body_that_is_not_utf8_is_a_reason():
    ts, raw = now(), BODY.encode() + b"\xff"
    assert check_headers(SECRET, raw, headers(ts, body=raw)) == "body is not UTF-8"
    lone_surrogate = BODY + "\udcff"
    assert check_headers(SECRET, lone_surrogate, headers(ts, body=BODY)) == "body is not UTF-8"


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_no_signing_secret_refuses_everything(secret):
    assert check_headers(secret, BODY, headers(now())) == "no signing secret configured"


@given(
    timestamp=st.one_of(st.text(max_size=30), st.integers(-(10**15), 10**15).map(str)),
    signature=st.one_of(st.text(max_size=80), st.just("v0=" + "0" * 64)),
    body=st.one_of(st.text(max_size=50), st.binary(max_size=50)),
)
def test_any_input_gives_a_reason_or_none_never_an_exception(timestamp, signature, body):
    found = {"x-slack-request-timestamp": timestamp, "x-slack-signature": signature}
    assert check_headers(SECRET, body, found) in {
        "missing signature headers",
        "timestamp is not a number",
        "timestamp more than 5 minutes off",
        "signature mismatch",
        "body is not UTF-8",
    }
