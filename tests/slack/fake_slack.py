"""A fake Slack Web API: a real HTTP server on 127.0.0.1 that records every call and answers like Slack.

Modelled on slackapi/bolt-python tests/mock_web_api_server (a ThreadingHTTPServer whose handler
parses form, JSON or query parameters), with canned answers shaped like Slack's real ones, per-user
profiles for users.info, scripted failures, and response_url endpoints so respond() is recorded too.
See tests/slack/harness.py for the whole harness API.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from bot.sandbox.web_api import request_params

TEAM_ID = "T0001"
TEAM_DOMAIN = "acme-creators"
BOT_USER_ID = "UBOT000001"
BOT_ID = "BBOT000001"
APP_ID = "ACRM000001"
RESPONSE_URL_PATH = "/response/"
# Where files.getUploadURLExternal sends the bytes of an upload (files upload v2), on the fake itself.
UPLOAD_PATH = "/upload/v1/"
# Where a file's url_private_download points (add_file with content), on the fake itself.
DOWNLOAD_PATH = "/files-pri/"


@dataclass
class Call:
    """One request the fake received. `method` is the Web API method, or "response_url"."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    path: str = ""

    def _json_param(self, name: str) -> Any:
        value = self.params.get(name)
        return json.loads(value) if isinstance(value, str) else value

    @property
    def view(self) -> dict[str, Any] | None:
        """The `view` argument (views.open/update/push/publish), decoded if sent as a string."""
        return self._json_param("view")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The `blocks` argument (chat.* or respond()), decoded if sent as a string; [] if none."""
        return self._json_param("blocks") or []

    @property
    def text(self) -> str | None:
        return self.params.get("text")


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int | None  # None = every call


class FakeSlack:
    """The fake Web API. Start with `FakeSlack().start()`; `.stop()` when done (fixtures do both)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        # Files upload v2: the bytes POSTed to each upload_url, by file id (method "file_upload"), and
        # the files shared by files.completeUploadExternal (file id -> its channel, title, comment).
        self.uploads: dict[str, bytes] = {}
        self.shared_files: dict[str, dict[str, Any]] = {}
        # The bytes served at each file's url_private_download (method "file_download"), by file id.
        self.file_contents: dict[str, bytes] = {}
        # What apps.connections.open hands out: a loopback ws:// URL served by a Socket Mode test
        # (tests/socket_mode/slack_socket.py); None answers Slack's usual wss:// address.
        self.socket_mode_url: str | None = None
        self._failures: dict[str, list[_Failure]] = {}
        # Posted messages per channel, oldest first, as conversations.history returns them (with
        # their metadata); `clock` (seconds since the epoch) stamps their ts, as Slack's time does.
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.clock = time.time
        self._late: dict[str, list[list[float]]] = {}  # method -> [[seconds, calls left], ...]
        self._stopping = threading.Event()
        self._held: set[str] | None = set()  # None: every method but those in _not_held
        self._not_held: set[str] = set()
        self._gate = threading.Event()
        self._gate.set()
        self._cond = threading.Condition()
        self._seq = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # answers held back by answer_late() go out (to closed sockets) now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        """Root of the server, e.g. http://127.0.0.1:54321"""
        assert self._server is not None, "FakeSlack is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL to give WebClient / SLACK_API_URL (ends with /api/)."""
        return f"{self.base_url}/api/"

    def response_url(self) -> str:
        """A fresh response_url; respond() posts to it land in `calls` as method "response_url"."""
        return f"{self.base_url}{RESPONSE_URL_PATH}{next(self._seq)}"

    # ---- configuration --------------------------------------------------------------------------
    def set_user(self, user_id: str, **profile: Any) -> None:
        """users.info answers for `user_id`: tz, tz_offset, is_admin, is_owner, email, name, team_id..."""
        self.users[user_id] = profile

    def add_file(
        self,
        file_id: str,
        *,
        name: str = "brief.pdf",
        permalink: str | None = None,
        content: bytes | None = None,
        user: str = "UALICE0001",
        size: int | None = None,
    ) -> dict:
        """files.info answers for `file_id` (unknown ids get file_not_found). With `content`, the file
        is a text upload by `user` whose url_private_download on the fake serves those bytes to a bot
        token (`size` overrides the size files.info reports)."""
        info = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": "application/pdf",
            "filetype": "pdf",
            "user": "UALICE0001",
            "size": 1024,
            "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}",
            "permalink": permalink or f"https://{TEAM_DOMAIN}.slack.com/files/UALICE0001/{file_id}/{name}",
        }
        if content is not None:
            info.update(
                mimetype="text/csv",
                filetype="csv",
                user=user,
                size=len(content) if size is None else size,
                url_private_download=f"{self.base_url}{DOWNLOAD_PATH}{TEAM_ID}-{file_id}/download/{name}",
            )
            self.file_contents[file_id] = content
        self.files[file_id] = info
        return info

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Make the next `times` calls (None: all) to `method` fail.

        status=429 (with Retry-After: retry_after, default 1) for rate limiting, status=500 for a
        server error, or status=200 with error="..." for Slack's `ok: false` answers.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if status == 200 and error is None:
            error = "fatal_error"
        failure = _Failure(status, error, retry_after, times)
        with self._cond:
            self._failures.setdefault(method, []).append(failure)

    def hold(self, *methods: str, all_except: tuple[str, ...] = ()) -> None:
        """Make calls to `methods` (none given: every method and response_url, except `all_except`)
        wait, unanswered, until release(): to prove an ack never waits for the Web API."""
        with self._cond:
            self._held = set(methods) if methods else None
            self._not_held = set(all_except)
            self._gate.clear()

    def release(self) -> None:
        """Answer every held call now and stop holding."""
        with self._cond:
            self._held, self._not_held = set(), set()
            self._gate.set()

    def _wait_if_held(self, method: str) -> None:
        with self._cond:
            held = method not in self._not_held and (self._held is None or method in self._held)
        if held:
            self._gate.wait(timeout=60)

    def answer_late(self, method: str, *, after: float = 10.0, times: int = 1) -> None:
        """Carry out the next `times` calls to `method` (a post is posted and recorded) but hold each
        answer back `after` seconds: a client with a shorter timeout gives up although it took effect."""
        with self._cond:
            self._late.setdefault(method, []).append([after, times])

    def _hold_answer_if_late(self, method: str) -> None:
        with self._cond:
            queue = self._late.get(method) or []
            if not queue:
                return
            after = queue[0][0]
            queue[0][1] -= 1
            if queue[0][1] <= 0:
                queue.pop(0)
        self._stopping.wait(after)

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """The messages posted to `channel` (a DM's D… id for a post to a user), oldest first."""
        with self._cond:
            return [dict(m) for m in self.messages.get(channel, [])]

    def _post_message(self, channel: str, message: dict[str, Any]) -> None:
        with self._cond:
            self.messages.setdefault(channel, []).append(message)

    def _message_ts(self) -> str:
        """A message's ts as Slack makes it: the posting time in seconds, unique per message."""
        return f"{int(self.clock())}.{next(self._seq) % 1_000_000:06d}"

    def pending_uploads(self) -> set[str]:
        """File ids handed out by files.getUploadURLExternal (their bytes may not have come yet)."""
        with self._cond:
            return {c.response["file_id"] for c in self.calls if c.method == "files.getUploadURLExternal"}

    def clear_failures(self) -> None:
        with self._cond:
            self._failures.clear()

    # ---- inspection -----------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls to `method`, oldest first (a snapshot)."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        """The method names called, in order (a snapshot)."""
        with self._cond:
            return [c.method for c in self.calls]

    def last(self, method: str) -> Call:
        """The most recent call to `method`; AssertionError if there was none."""
        found = self.calls_to(method)
        assert found, f"no call to {method}; calls were {self.methods()}"
        return found[-1]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        *,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until `count` calls to `method` (those matching `where`, if given) arrived (for work
        outside the test's process)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and (where is None or where(c))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(found)} of {count} {method} calls after {timeout}s")
                self._cond.wait(remaining)

    def reset(self) -> None:
        """Forget recorded calls (users, files and failures stay)."""
        with self._cond:
            self.calls.clear()

    # ---- called by the handler ------------------------------------------------------------------
    def _take_failure(self, method: str) -> _Failure | None:
        with self._cond:
            queue = self._failures.get(method) or []
            if not queue:
                return None
            failure = queue[0]
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    queue.pop(0)
            return failure

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._seq)}.{next(self._seq):06d}"

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """The canned `ok: true` answer for a Web API call (see tests/slack/responses.py)."""
        from tests.slack.responses import canned_answer

        return canned_answer(self, method, params)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _upload(self, path: str) -> None:
        """The POST of a file's bytes to its upload_url (recorded as method "file_upload"); answered
        as Slack does, `OK - <length>`, or with a failure scripted by fail("file_upload", ...)."""
        fake = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        file_id = path[len(UPLOAD_PATH) :].strip("/")
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake._wait_if_held("file_upload")
        failure = fake._take_failure("file_upload")
        status = failure.status if failure is not None else 200
        if status == 200 and file_id in fake.pending_uploads():
            with fake._cond:
                fake.uploads[file_id] = data
        elif status == 200:
            status = 404
        params = {"file_id": file_id, "length": len(data)}
        fake._record(Call("file_upload", params, headers, status, {"ok": status == 200}, path))
        self._send(status, f"OK - {len(data)}" if status == 200 else "error")

    def _download(self, path: str) -> None:
        """A GET of a file's url_private_download (recorded as method "file_download"): its bytes for
        a bot token, 403 otherwise or when fail("file_download", status=...) says so."""
        fake = self.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        file_id = path[len(DOWNLOAD_PATH) :].split("/", 1)[0].removeprefix(f"{TEAM_ID}-")
        failure = fake._take_failure("file_download")
        content = fake.file_contents.get(file_id)
        status = failure.status if failure is not None else 200
        if status == 200 and not headers.get("authorization", "").startswith("Bearer xoxb-"):
            status = 403
        elif status == 200 and content is None:
            status = 404
        answered = {"ok": status == 200}
        fake._record(Call("file_download", {"file_id": file_id}, headers, status, answered, path))
        data = content if status == 200 and content is not None else b"error"
        self.send_response(status)
        self.send_header("Content-Type", "text/csv" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        fake = self.owner
        parsed = urlparse(self.path)
        if parsed.path.startswith(UPLOAD_PATH):
            self._upload(parsed.path)
            return
        if parsed.path.startswith(DOWNLOAD_PATH):
            self._download(parsed.path)
            return
        params = request_params(self, parsed.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        method = (
            "response_url" if parsed.path.startswith(RESPONSE_URL_PATH) else parsed.path.rsplit("/", 1)[-1]
        )
        fake._wait_if_held(method)
        failure = fake._take_failure(method)
        if method == "response_url":  # a webhook: a plain status, no Web API envelope
            status = failure.status if failure is not None else 200
            fake._record(Call("response_url", params, headers, status, {"ok": status < 300}, parsed.path))
            self._send(status, "ok" if status < 300 else "error")
            return
        if failure is not None:
            body: dict[str, Any] = {"ok": False, "error": failure.error or "ratelimited"}
            extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            if failure.status >= 500:
                body = {"ok": False, "error": failure.error or "internal_error"}
            fake._record(Call(method, params, headers, failure.status, body, parsed.path))
            self._send(failure.status, body, extra)
            return
        if not headers.get("authorization", "").startswith(("Bearer xox", "Bearer xapp-")):
            body = {"ok": False, "error": "not_authed"}
        else:
            body = fake.answer(method, params)
        extra = {"x-oauth-scopes": "commands,chat:write,im:write,users:read,users:read.email"}
        fake._record(Call(method, params, headers, 200, body, parsed.path))
        fake._hold_answer_if_late(method)
        try:
            self._send(200, body, extra)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (answer_late)
            self.close_connection = True
