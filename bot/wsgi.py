"""The WSGI application of HTTP mode: POST /slack/events, GET /healthz, GET /l/<code>, 404 elsewhere.

/l/<code> (short links, only when CRM_PUBLIC_URL is set) is routed first to bot/redirects.py.

Slack sends commands, interactivity, shortcuts and events all to /slack/events. We verify the
signature on the raw bytes *before* Bolt parses the body (bot/verification.py), so a tampered body
that is not valid form/JSON is a 401, not a parser exception and a 500. The app holds no state that
matters between requests (sessions are per request, everything else is in PostgreSQL), so any
number of replicas can serve behind a load balancer.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from sqlalchemy import Engine, text

from bot.verification import check_headers
from crm.links import LINK_PATH
from handlers.runtime.deadline import within
from handlers.runtime.payloads import malformed_reason

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are small (a modal state or a message is tens of KB); refuse anything far larger.
MAX_BODY_BYTES = 1024 * 1024
# /healthz answers within this (load balancers probe with ~2-5 s timeouts); the check itself may
# take up to HEALTH_DEADLINE in the background.
HEALTH_ANSWER = 0.9
HEALTH_DEADLINE = 3.0

StartResponse = Callable[..., Any]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {}
    for key, value in environ.items():
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            headers[key.lower().replace("_", "-")] = value
        elif key.startswith("HTTP_"):
            headers[key[5:].lower().replace("_", "-")] = value
    return headers


def bolt_body(raw: str) -> str:
    """The body to hand Bolt: `raw`, except a form without a `payload` field that says "payload"
    somewhere, which is handed over as the JSON object its fields make.

    Bolt reads any form body containing the text "payload" as an interactive payload and, finding
    no `payload` field, as empty (slack_bolt.request.internals.parse_body, 1.30), so `/crm note
    @maya payload is ready`, or any /crm in a channel named #payloads, went unanswered ("unhandled
    request"). A body starting with "{" is read as JSON, which gives Bolt the same fields. Only
    HTTP mode: Socket Mode hands Bolt the payload already parsed.
    """
    if "payload" not in raw or raw.startswith("{"):
        return raw
    form = dict(parse_qsl(raw, keep_blank_values=True))
    return raw if "payload" in form else json.dumps(form)


def _reply(start_response: StartResponse, status: int, body: Any, headers=None) -> Iterable[bytes]:
    if isinstance(body, dict | list):
        data = json.dumps(body).encode("utf-8")
        content_type = "application/json;charset=utf-8"
    else:
        data = (body or "").encode("utf-8")
        content_type = "text/plain;charset=utf-8"
    out = {"content-type": content_type}
    out.update({k.lower(): v for k, v in (headers or {}).items()})
    out["content-length"] = str(len(data))
    reason = {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        404: "Not Found",
        405: "Method Not Allowed",
        413: "Payload Too Large",
        500: "Internal Server Error",
        503: "Service Unavailable",
    }
    start_response(f"{status} {reason.get(status, 'Status')}", list(out.items()))
    return [data]


def database_answers(engine: Engine) -> bool:
    """True when `SELECT 1` succeeds on a pooled connection within HEALTH_DEADLINE."""
    try:
        with within(HEALTH_DEADLINE), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any failure means "not healthy"; say why in one line
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return False


class HealthCheck:
    """/healthz's answer within HEALTH_ANSWER seconds, whatever the database does.

    The check itself runs in a thread of its own, one at a time: while the database is frozen a
    check can take up to libpq's 2 s connect_timeout, so callers wait at most HEALTH_ANSWER for it
    and answer 503 if it has not finished; concurrent callers share the running check.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._running: Future[bool] | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="crm-health")

    def healthy(self) -> bool:
        with self._lock:
            if self._running is None or self._running.done():
                self._running = self._executor.submit(database_answers, self._engine)
            running = self._running
        try:
            return running.result(timeout=HEALTH_ANSWER)
        except FutureTimeout:
            log.warning("health check: the database did not answer within %.1f s", HEALTH_ANSWER)
            return False


def create_wsgi_app(
    app: App, engine: Engine, *, signing_secret: str | None, redirects: Callable | None = None
) -> Callable:
    """The WSGI callable serving `app` at /slack/events and a database health check at /healthz;
    with `redirects` (bot/redirects.py, when CRM_PUBLIC_URL is set) also the short links at /l/."""
    health = HealthCheck(engine)

    def handle_slack(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _reply(start_response, 400, "Bad Request")
        if length > MAX_BODY_BYTES:
            return _reply(start_response, 413, "Payload Too Large")
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        headers = _headers(environ)
        reason = check_headers(signing_secret, raw, headers)
        if reason is not None:
            log.warning("rejected a request that is not from Slack: %s", reason)
            return _reply(start_response, 401, {"error": "invalid request"})
        try:
            request = BoltRequest(
                body=bolt_body(raw.decode("utf-8")), query=environ.get("QUERY_STRING", ""), headers=headers
            )
        except Exception as exc:  # signed, but not a payload Bolt can read (bad UTF-8 or JSON, a
            # list where an object belongs, nesting deep enough for a RecursionError): a 400
            log.warning(
                "rejected a signed request whose body is not a Slack payload (%s)", type(exc).__name__
            )
            return _reply(start_response, 400, "Bad Request")
        reason = malformed_reason(request.body)
        if reason is not None:
            log.warning("rejected a signed request: %s", reason)
            return _reply(start_response, 400, "Bad Request")
        response: BoltResponse = app.dispatch(request)
        flat = {k: v[0] if isinstance(v, list | tuple) else v for k, v in response.headers.items()}
        flat.pop("content-length", None)
        return _reply(start_response, response.status, response.body, flat)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if redirects is not None and path.startswith(LINK_PATH):
            return redirects(environ, start_response)  # first: the hot path, never through Bolt
        if path == SLACK_PATH:
            if method != "POST":
                return _reply(start_response, 405, "Method Not Allowed", {"allow": "POST"})
            return handle_slack(environ, start_response)
        if path == HEALTH_PATH:
            if method not in ("GET", "HEAD"):
                return _reply(start_response, 405, "Method Not Allowed", {"allow": "GET, HEAD"})
            if health.healthy():
                return _reply(start_response, 200, {"ok": True})
            return _reply(start_response, 503, {"ok": False, "error": "database unavailable"})
        return _reply(start_response, 404, "Not Found")

    return wsgi
