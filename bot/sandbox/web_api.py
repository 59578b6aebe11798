"""A stand-in for Slack's Web API on 127.0.0.1, for `crm-bot try`: it answers like Slack and records.

The app under `try` is the production app (bot/app.py) with its WebClient pointed here, so every
reply, modal and lookup goes through the same code as in Slack. Calls are recorded in order;
`response_url()` hands out URLs on this server, so respond() posts are recorded too. Only what the
listeners call is answered (auth.test, users.info, views.*, chat.*, conversations.open, and files
upload v2: files.getUploadURLExternal, the upload itself, files.completeUploadExternal, whose bytes
are kept in `uploads`); anything else gets Slack's `unknown_method`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

RESPONSE_URL_PATH = "/response/"
UPLOAD_PATH = "/upload/"  # where files.getUploadURLExternal sends a file's bytes
BOT_USER_ID = "UTRYBOT001"
BOT_ID = "BTRYBOT001"
APP_ID = "ATRYAPP001"


@dataclass(frozen=True)
class Call:
    """One request received: the Web API method (or "response_url") and its decoded parameters."""

    method: str
    params: dict[str, Any]

    def json_param(self, name: str) -> Any:
        value = self.params.get(name)
        if isinstance(value, str) and value[:1] in "[{":
            return json.loads(value)
        return value


@dataclass(frozen=True)
class Profile:
    """What users.info says about one user."""

    name: str
    tz: str = "UTC"
    is_admin: bool = False


class LoopbackWebApi:
    """The stand-in server; `start()` it, give `api_url` to the WebClient, `stop()` at the end."""

    def __init__(self, *, team_id: str, profiles: dict[str, Profile] | None = None) -> None:
        self.team_id = team_id
        self.profiles = dict(profiles or {})
        self._calls: list[Call] = []
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self.uploads: dict[str, tuple[str, bytes]] = {}  # file id → (filename, bytes uploaded)
        self._filenames: dict[str, str] = {}  # file id → the filename it was announced with

    def start(self) -> LoopbackWebApi:
        owner = self

        class Handler(_Handler):
            web_api = owner

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="try-web-api", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self) -> str:
        return f"{self.base_url}{RESPONSE_URL_PATH}{next(self._seq)}"

    def calls_since(self, mark: int) -> list[Call]:
        """The calls recorded after the first `mark` ones (mark = a previous `count`)."""
        with self._lock:
            return list(self._calls[mark:])

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._calls)

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    # ---- answers --------------------------------------------------------------------------------
    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """What Slack answers to a successful `method` call."""
        n = next(self._seq)
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://crm-try.slack.com/",
                "team": "Demo workspace",
                "user": "crm",
                "team_id": self.team_id,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "users.info":
            return self._user(str(params.get("user", "")))
        if method in ("views.open", "views.push", "views.update", "views.publish"):
            view = Call(method, params).json_param("view") or {}
            view_id = params.get("view_id") or f"VTRY{n:07d}"
            return {"ok": True, "view": {**view, "id": view_id, "hash": f"{n}", "state": {"values": {}}}}
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            ts = f"{int(time.time())}.{n:06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts, "message_ts": ts}
        if method == "conversations.open":
            first = str(params.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + first[1:]}}
        if method == "chat.getPermalink":
            return {"ok": True, "permalink": "https://crm-try.slack.com/archives/CTRY/p1"}
        if method == "files.getUploadURLExternal":
            file_id = f"FTRY{n:07d}"
            with self._lock:
                self._filenames[file_id] = str(params.get("filename") or "file")
            return {"ok": True, "upload_url": f"{self.base_url}{UPLOAD_PATH}{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = Call(method, params).json_param("files") or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        return {"ok": False, "error": "unknown_method"}

    def receive_upload(self, file_id: str, data: bytes) -> bool:
        """The bytes POSTed to an upload URL this server handed out; False for any other URL."""
        with self._lock:
            filename = self._filenames.pop(file_id, None)
            if filename is None:
                return False
            self.uploads[file_id] = (filename, data)
            return True

    def _user(self, user_id: str) -> dict[str, Any]:
        profile = self.profiles.get(user_id)
        if profile is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": user_id,
                "team_id": self.team_id,
                "name": profile.name.split()[0].lower(),
                "real_name": profile.name,
                "deleted": False,
                "tz": profile.tz,
                "is_admin": profile.is_admin,
                "is_owner": False,
                "is_bot": False,
                "profile": {"real_name": profile.name, "display_name": profile.name},
            },
        }


def request_params(handler: BaseHTTPRequestHandler, query: str) -> dict[str, Any]:
    """A call's arguments as Slack takes them: the query string, then a JSON or form-encoded body
    (slack_sdk sends either); the first value of a repeated name."""
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length).decode("utf-8") if length else ""
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(query).items()}
    if raw.lstrip().startswith("{"):
        params.update(json.loads(raw))
    elif raw:
        params.update({k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()})
    return params


class _Handler(BaseHTTPRequestHandler):
    web_api: LoopbackWebApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the session's output is the answers only
        pass

    def do_POST(self) -> None:
        parsed = urlparse(self.path)
        if parsed.path.startswith(UPLOAD_PATH):  # a file's bytes (files upload v2), not parameters
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            file_id = parsed.path.removeprefix(UPLOAD_PATH)
            if self.web_api.receive_upload(file_id, data):
                self.web_api.record(Call("file_upload", {"file_id": file_id, "bytes": len(data)}))
                self._send(f"OK - {len(data)}", "text/plain")
            else:
                self.send_error(404)
            return
        params = request_params(self, parsed.query)
        if parsed.path.startswith(RESPONSE_URL_PATH):
            self.web_api.record(Call("response_url", params))
            self._send("ok", "text/plain")
            return
        method = parsed.path.rsplit("/", 1)[-1]
        self.web_api.record(Call(method, params))
        self._send(json.dumps(self.web_api.answer(method, params)), "application/json; charset=utf-8")

    do_GET = do_POST

    def _send(self, body: str, content_type: str) -> None:
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
