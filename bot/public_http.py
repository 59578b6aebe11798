"""Short links' HTTP side outside gunicorn: the redirect stack, and Socket Mode's small server.

`make_redirects(engine)` builds bot/redirects.py's handler with its click buffer; HTTP mode mounts it
in each gunicorn worker (bot/server.py), Socket Mode here. In Socket Mode nothing else listens on
PORT, so when CRM_PUBLIC_URL is set `crm-bot run` starts `PublicServer`: /l/<code> and /healthz on
HOST:PORT, served by the standard library's threading WSGI server in background threads (Socket Mode
is for development and small installs; a busy install runs HTTP mode under gunicorn). Slack's own
traffic keeps coming over the WebSocket.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sqlalchemy import Engine

from bot.click_buffer import ClickBuffer
from bot.redirects import Redirects
from bot.wsgi import HEALTH_PATH, HealthCheck
from crm.links import LINK_PATH
from handlers.runtime.deadline import guard_engine

log = logging.getLogger(__name__)


def make_link_engine(database_url: str) -> Engine:
    """The redirects' own small pool: AUTOCOMMIT, so a look-up is one round trip (no BEGIN and
    ROLLBACK around its SELECT), guarded like the listeners' (handlers/runtime/deadline.py) and with
    the same connect and statement limits (bot/server.py)."""
    from bot.db import make_engine
    from bot.server import HTTP_THREADS

    engine = make_engine(
        database_url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_size=HTTP_THREADS + 2,
        max_overflow=4,
        pool_timeout=0.5,
        connect_args={"connect_timeout": 2, "options": "-c statement_timeout=1000"},
    )
    return guard_engine(engine)


def make_redirects(database_url: str, engine: Engine) -> Redirects:
    """The /l/ handler: look-ups on a pool of its own, clicks written through `engine` by a buffer
    whose flusher thread starts now."""
    return Redirects(make_link_engine(database_url), ClickBuffer(engine))


def links_and_health(redirects: Redirects, engine: Engine) -> Callable:
    """A WSGI app answering /l/<code> and /healthz only (404 elsewhere)."""
    health = HealthCheck(engine)

    def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path.startswith(LINK_PATH):
            return redirects(environ, start_response)
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            ok = health.healthy()
            body = json.dumps({"ok": True} if ok else {"ok": False, "error": "database unavailable"})
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            return [body.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain;charset=utf-8")])
        return [b"Not Found"]

    return app


class _Handler(WSGIRequestHandler):
    """Adds RAW_URI (the path as the client sent it), as gunicorn does; logs nothing per request."""

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["RAW_URI"] = self.path
        return environ

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6  # HOST=:: or another IPv6 address


class PublicServer:
    """`app` served on host:port by a thread per connection, in a background thread."""

    def __init__(self, app: Callable, host: str, port: int) -> None:
        server_class = _ThreadingServer6 if ":" in host else _ThreadingServer
        self._server = make_server(host, port, app, server_class=server_class, handler_class=_Handler)
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.2,), name="crm-public-http", daemon=True
        )

    def start(self) -> PublicServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests; requests already being answered finish in their threads."""
        self._server.shutdown()
        self._server.server_close()
