"""Request verification: anything not signed by Slack gets 401, writes nothing, calls nothing.

Every case runs against every kind of request (slash command, button, modal submission, message
shortcut, event), over HTTP through bot/wsgi.py, which checks the signature once, on the raw bytes,
before Bolt sees the request (bot/verification.py; its edge cases are in test_verification.py). The
probe listeners would write a row (the actor) and call chat.postMessage if they ran; the control
test shows they do.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from bot.db import transaction
from crm.models import User
from tests.slack.harness import Payloads, SignedRequest, SlackTestApp, http_request
from tests.slack.payloads import compute_signature

VIEW = {"id": "V1", "type": "modal", "hash": "1.a", "callback_id": "probe-view", "blocks": []}


@pytest.fixture
def probed(slack_app: SlackTestApp) -> SlackTestApp:
    app = slack_app.app

    def probe(ack, client, context):
        """Writes the acting user's row and posts: what any real listener could do. Plain SQL, so
        the check does not depend on how listeners open their transactions."""
        ack()
        with transaction(slack_app.engine) as db:
            db.execute(
                insert(User)
                .values(team_id=context.team_id, slack_user_id=context.user_id)
                .on_conflict_do_nothing()
            )
        client.chat_postMessage(channel="C1", text=f"ran for {context.user_id}")

    app.command("/probe")(probe)
    app.action("probe-button")(probe)
    app.view("probe-view")(probe)
    app.shortcut("probe-shortcut")(probe)
    app.event("reaction_added")(probe)
    return slack_app


def requests(p: Payloads, **sign_kw) -> dict[str, SignedRequest]:
    return {
        "command": p.command("add @maya", command="/probe", **sign_kw),
        "button": p.block_actions([Payloads.button("probe-button", "x")], **sign_kw),
        "submission": p.view_submission(VIEW, **sign_kw),
        "shortcut": p.message_action("probe-shortcut", **sign_kw),
        "event": p.event({"type": "reaction_added", "user": "UALICE0001", "reaction": "eyes"}, **sign_kw),
    }


def _users(slack_app: SlackTestApp) -> int:
    with slack_app.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(User))


def test_control_genuine_requests_run_the_listeners(probed, slack_http):
    for kind, req in requests(probed.payloads).items():
        assert probed.send(req).status == 200, kind
    for req in requests(probed.payloads, timestamp=int(time.time()) - 290).values():
        assert slack_http.post(req).status == 200
    probed.drain()
    assert len(probed.fake.calls_to("chat.postMessage")) == 10
    assert _users(probed) == 1


def _resigned_with_other_secret(req: SignedRequest) -> SignedRequest:
    other = Payloads("not-the-signing-secret", None)  # type: ignore[arg-type]
    ts = req.headers["X-Slack-Request-Timestamp"]
    content_type = req.headers["Content-Type"]
    return other.sign(req.body, content_type, timestamp=ts)


def _now() -> int:
    return int(time.time())


# case -> (signing options, computed when the test runs; how to forge the signed request)
FORGERIES: dict[str, tuple[Callable[[], dict], Callable[[SignedRequest], SignedRequest]]] = {
    "bad signature": (dict, lambda r: r.with_headers(X_Slack_Signature="v0=" + "0" * 64)),
    "signed with another secret": (dict, _resigned_with_other_secret),
    "signature without v0=": (dict, lambda r: r.with_headers(X_Slack_Signature="0" * 64)),
    # 330 s: past the 5-minute limit with 30 s to spare, since a case's requests are signed once and
    # sent one after another (at 301 s, a slow machine took long enough that "ahead" came back in)
    "timestamp 330 s old": (lambda: {"timestamp": _now() - 330}, lambda r: r),
    "timestamp 330 s ahead": (lambda: {"timestamp": _now() + 330}, lambda r: r),
    "old request replayed with a new timestamp": (
        lambda: {"timestamp": _now() - 600},
        lambda r: r.with_headers(X_Slack_Request_Timestamp=str(int(time.time()))),
    ),
    "timestamp not a number": (dict, lambda r: r.with_headers(X_Slack_Request_Timestamp="yesterday")),
    "timestamp as a float": (dict, lambda r: r.with_headers(X_Slack_Request_Timestamp=f"{time.time():.3f}")),
    "timestamp empty": (dict, lambda r: r.with_headers(X_Slack_Request_Timestamp="")),
    "timestamp negative": (dict, lambda r: r.with_headers(X_Slack_Request_Timestamp="-1")),
    "timestamp huge": (dict, lambda r: r.with_headers(X_Slack_Request_Timestamp="9" * 5000)),
    "no signature header": (dict, lambda r: r.with_headers(X_Slack_Signature=None)),
    "no timestamp header": (dict, lambda r: r.with_headers(X_Slack_Request_Timestamp=None)),
    "no headers at all": (
        dict,
        lambda r: r.with_headers(X_Slack_Signature=None, X_Slack_Request_Timestamp=None),
    ),
    "tampered body": (dict, lambda r: r.with_body(r.body.replace("UALICE0001", "UMALLORY01"))),
    "body with a space appended": (dict, lambda r: r.with_body(r.body + " ")),
}


@pytest.mark.parametrize("case", list(FORGERIES))
def test_forged_requests_are_refused_with_401_and_change_nothing(probed, slack_http, case):
    sign_kw, forge = FORGERIES[case]
    for kind, req in requests(probed.payloads, **sign_kw()).items():
        assert slack_http.post(forge(req)).status == 401, (case, kind)
    probed.drain()
    assert probed.fake.calls == []
    assert _users(probed) == 0


def _post_raw(server, body: bytes, headers: dict[str, str | bytes]):
    """POST bytes with header values sent byte for byte (http.client passes bytes values as they are)."""
    return http_request(server.url + "/slack/events", "POST", body, headers)


def test_non_ascii_digits_are_not_a_timestamp(probed, slack_http):
    # "١٧٠٠..." passes str.isdigit() and int() would parse it; only ASCII digits are a Unix time
    arabic = str(int(time.time())).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    req = probed.payloads.command("add @maya", command="/probe")
    headers = {
        **req.headers,
        "X-Slack-Request-Timestamp": arabic.encode("utf-8"),
        "X-Slack-Signature": compute_signature(probed.settings.slack_signing_secret, arabic, req.body),
    }
    assert _post_raw(slack_http, req.body.encode("utf-8"), headers).status == 401
    probed.drain()
    assert probed.fake.calls == []
    assert _users(probed) == 0


def test_a_signed_body_that_is_not_utf8_is_refused_not_a_500(probed, slack_http):
    req = probed.payloads.command("add @maya", command="/probe")
    body = req.body.encode("utf-8") + b"&text=\xff\xfe"
    ts = req.headers["X-Slack-Request-Timestamp"]
    headers = {
        **req.headers,
        "X-Slack-Signature": compute_signature(probed.settings.slack_signing_secret, ts, body),
    }
    assert _post_raw(slack_http, body, headers).status == 401
    probed.drain()
    assert probed.fake.calls == []
    assert _users(probed) == 0


def test_unparseable_tampered_body_is_401_not_500(probed, slack_http):
    req = probed.payloads.block_actions([Payloads.button("probe-button")])
    for body in ("payload=%7B%22type%22%3A", "{not json", "\udcff".encode("utf-8", "surrogatepass").hex()):
        assert slack_http.post(req.with_body(body)).status == 401
    assert probed.fake.calls == []


def test_socket_mode_requests_skip_signature_checks(probed):
    from slack_bolt import BoltRequest

    req = probed.payloads.command("add @maya", command="/probe")
    unsigned = BoltRequest(body=req.body, headers={}, mode="socket_mode")
    assert probed.app.dispatch(unsigned).status == 200
    probed.drain()
    assert len(probed.fake.calls_to("chat.postMessage")) == 1
