"""A loopback TCP proxy that can cut and restore a connection: a database outage on demand.

Point an engine at the proxy instead of PostgreSQL. cut() drops every open connection and closes
new ones as soon as they are accepted (what clients see when a database restarts); restore() lets
connections through again. Nothing about the database itself changes, so other tests sharing the
server are unaffected.
"""

from __future__ import annotations

import socket
import threading


class TcpProxy:
    """Listens on 127.0.0.1:<port>; forwards to `upstream`: (host, port), or a Unix socket path."""

    def __init__(self, upstream: tuple[str, int] | str) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._up = True
        self._flowing = threading.Event()
        self._flowing.set()
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def cut(self) -> None:
        """Drop every connection and refuse (accept-and-close) new ones until restore()."""
        with self._lock:
            self._up = False
            sockets, self._open = self._open, set()
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        with self._lock:
            self._up = True

    def stall(self) -> None:
        """Keep every connection open but forward nothing, as a frozen server (SIGSTOP) would:
        the client's writes succeed and its reads wait, until unstall()."""
        self._flowing.clear()

    def unstall(self) -> None:
        self._flowing.set()

    def stop(self) -> None:
        self.cut()
        _close(self._listener)
        self._thread.join(timeout=5)

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # listener closed by stop()
                return
            with self._lock:
                up = self._up
            if not up:
                _close(client)
                continue
            try:
                upstream = self._connect_upstream()
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self._upstream, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self._upstream)
            return sock
        return socket.create_connection(self._upstream)

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                self._flowing.wait()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                _close(sock)
            with self._lock:
                self._open.difference_update((src, dst))


def proxied_database_url(database_url: str) -> tuple[TcpProxy, str]:
    """A started proxy in front of the database of `database_url`, and the URL that goes through it."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    socket_dir = url.query.get("host")
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):  # pgserver: a Unix socket
        upstream: tuple[str, int] | str = f"{socket_dir}/.s.PGSQL.{url.port or 5432}"
    else:
        upstream = (url.host or "127.0.0.1", url.port or 5432)
    proxy = TcpProxy(upstream).start()
    through = url.set(host="127.0.0.1", port=proxy.port, query={})
    return proxy, through.render_as_string(hide_password=False)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
