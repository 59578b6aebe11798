"""End-to-end harness for the Slack side: the real app, a fake Web API, signed requests, real PostgreSQL.

Fixtures (tests/slack/conftest.py)
----------------------------------
`fake_slack` -> FakeSlack (tests/slack/fake_slack.py), a real HTTP server on 127.0.0.1:<random>:
    fake.api_url                    base URL for WebClient / SLACK_API_URL
    fake.calls / calls_to(m) / last(m) / methods()
                                    recorded Call(method, params, headers, status, response);
                                    call.view / call.blocks / call.text decode the arguments;
                                    respond() posts appear as method "response_url"
    fake.set_user(uid, tz=..., tz_offset=..., is_admin=..., is_owner=..., email=..., name=...)
                                    users.info profile (default: tz UTC, not admin)
    fake.add_file(fid, name=..., permalink=...)  files.info answer (unknown ids: file_not_found)
    fake.fail(method, status=429, retry_after=2, times=1)   rate limited (Retry-After header)
    fake.fail(method, status=500) / fake.fail(method, error="expired_trigger_id")  (ok: false)
    fake.wait_for(method, count, timeout)   block until calls arrive (work in other processes)
    fake.hold(*methods, all_except=(...)) / fake.release()   calls wait unanswered until released
                                    (no methods: everything, response_url included)
    Canned answers (tests/slack/responses.py) for auth.test, chat.postMessage, chat.postEphemeral,
    chat.update, chat.getPermalink, views.open/update/push/publish (the view echoed back with id and
    hash), conversations.open, users.info, files.info. Unknown methods answer unknown_method.
`slack_app` -> SlackTestApp: create_app() against fake_slack and the test database (`clean_tables`:
    tables are truncated after the test). Attributes: .app (the Bolt App), .fake, .settings,
    .engine, .executor (TrackingExecutor), .payloads (Payloads, signing with .settings' secret),
    .home (the App's HomePublisher: background App Home refreshes, handlers/home_refresh.py).
    slack.send(req) -> BoltResponse   app.dispatch + wait until every listener and every App Home
                                      refresh it caused has finished
    slack.dispatch(req) -> BoltResponse   app.dispatch only (returns after the ack)
    slack.drain(timeout=10)           wait for running listeners and Home refreshes (TimeoutError)
`slack_app_factory(engine=None, **settings_overrides)` -> SlackTestApp with other settings
    (admin_user_ids, ...) or another engine (e.g. through tests/slack/tcp_proxy.py).
`slack_http` -> LoopbackServer: bot.wsgi's app for `slack_app` served on 127.0.0.1:<random> by a
    threading WSGI server. .url, .post(req) -> HttpResult(status, headers, body; .json()),
    .get(path). It shares slack_app's executor, so `slack_app.drain()` works after .post().

Requests (tests/slack/payloads.py; `slack_app.payloads` is bound to the app's secret and fake):
    command("show @maya", user_id=..., team_id=..., channel_id=...)   form-encoded slash command
        whose response_url points at the fake (respond() calls are recorded)
    block_actions([Payloads.button(action_id, value)], view=None|view, message=None)
    view_submission(view, {block_id: value})   `view` as the fake returned it:
        fake.last("views.open").response["view"]; value forms in tests/slack/view_state.py
    view_closed(view), message_action("log-to-crm", text=..., author_id=...)
    block_suggestion(action_id, typed_text, view=...)   an external_select options request
    event({...}), app_home_opened(user_id=...), url_verification(challenge)
    every builder takes timestamp=..., retry_num=... (events: X-Slack-Retry-Num/Reason)
    SignedRequest.with_headers(X_Slack_Signature="v0=bad") / .with_body("...") for forgeries.

Waiting: listeners run in Bolt's listener executor *after* the ack, so a test must not look at the
database or the recorded calls until they finish. The app's executor is a TrackingExecutor: send()
(or drain()) returns once every submitted task, including tasks submitted meanwhile, has finished.
No sleeps anywhere.

Also: tests/slack/listeners.py lists what an App registered (kind, id); tests/slack/tcp_proxy.py
is a loopback TCP proxy that can cut and restore the database connection (outage tests).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlparse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy import Engine

from bot.config import Settings
from bot.sandbox import executor
from handlers.home_refresh import HomePublisher
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import Payloads, SignedRequest

__all__ = [
    "FakeSlack",
    "HttpResult",
    "LoopbackServer",
    "Payloads",
    "SignedRequest",
    "SlackTestApp",
    "TrackingExecutor",
]


class TrackingExecutor(executor.TrackingExecutor):
    """bot/sandbox's executor, whose drain fails the test rather than giving up quietly."""

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers, thread_name_prefix="test-listener")

    def drain(self, timeout: float = 10.0) -> None:
        """Return when no task is queued or running; TimeoutError after `timeout` seconds."""
        if not super().drain(timeout):
            raise TimeoutError(f"{self.pending} listener task(s) still running after {timeout}s")


def to_bolt_request(req: SignedRequest) -> BoltRequest:
    return BoltRequest(body=req.body, headers={k.lower(): v for k, v in req.headers.items()})


@dataclass
class SlackTestApp:
    app: App
    fake: FakeSlack
    settings: Settings
    engine: Engine
    executor: TrackingExecutor
    payloads: Payloads
    home: HomePublisher

    def dispatch(self, req: SignedRequest) -> BoltResponse:
        """app.dispatch(): returns once the listener acked (or Bolt gave up waiting)."""
        return self.app.dispatch(to_bolt_request(req))

    def send(self, req: SignedRequest, timeout: float = 10.0) -> BoltResponse:
        """dispatch() and wait until every listener task has finished."""
        response = self.dispatch(req)
        self.drain(timeout)
        return response

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for running listeners, then for the App Home refreshes they handed over."""
        deadline = time.monotonic() + timeout
        while True:
            self.executor.drain(max(0.0, deadline - time.monotonic()))
            self.home.drain(max(0.0, deadline - time.monotonic()))
            if not self.executor.pending and not self.home.pending:
                return


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def http_request(url: str, method: str = "GET", body: bytes = b"", headers=None) -> HttpResult:
    """One HTTP request with http.client (no retries, no redirects): what the server said, exactly."""
    parsed = urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        conn.request(method, path or "/", body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        return HttpResult(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class LoopbackServer:
    """A WSGI app served on 127.0.0.1:<random port> in a background thread."""

    def __init__(self, wsgi_app) -> None:
        self._server = make_server(
            "127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="loopback-wsgi", daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def post(self, req: SignedRequest) -> HttpResult:
        return http_request(self.url + req.path, "POST", req.body.encode("utf-8"), req.headers)

    def get(self, path: str) -> HttpResult:
        return http_request(self.url + path)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def until_database_answers(slack: SlackTestApp, text: str) -> BoltResponse:
    """Send `/crm <text>` until it is no longer told "temporarily unavailable": after an outage the
    App's breaker lets one probe through per cooldown (handlers/runtime/breaker.py). At most 50
    tries, 0.1 s apart; returns the first answer that is not the outage message."""
    from handlers.runtime.errors import UNAVAILABLE_MESSAGE

    for _ in range(50):
        before = len(slack.fake.calls_to("response_url"))
        response = slack.send(slack.payloads.command(text))  # acked at once, told by response_url
        replies = [c.params.get("text") for c in slack.fake.calls_to("response_url")[before:]]
        if UNAVAILABLE_MESSAGE not in replies:
            return response
        threading.Event().wait(0.1)
    raise AssertionError("the database did not come back within 5 s")
