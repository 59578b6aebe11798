"""Short links from `crm-bot run` as a real process: gunicorn in HTTP mode, the small server in
Socket Mode. Both redirect, refuse encoded paths, and write every click before they exit on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import make_engine
from crm.models import LinkClick
from tests.links import assign
from tests.slack.conftest import SIGNING_SECRET
from tests.slack.harness import http_request
from tests.slack.processes import bot_env, free_port, start_bot
from tests.socket_mode.conftest import APP_TOKEN
from tests.socket_mode.slack_socket import FakeSocketMode

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
CLICKS = 40


def _short_link(database_url: str) -> tuple[str, str]:
    """The short code and UTM link of a new assignment."""
    engine = make_engine(database_url)
    try:
        assignment = assign(engine)
        return assignment.short_code, assignment.utm_url
    finally:
        engine.dispose()


def _clicks(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            return db.scalar(select(func.count()).select_from(LinkClick))
    finally:
        engine.dispose()


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=30)


def _redirects_and_counts(url: str, code: str, utm_url: str) -> None:
    for n in range(CLICKS):
        answer = http_request(f"{url}/l/{code}?n={n}", headers={"User-Agent": IPHONE})
        assert (answer.status, answer.headers["location"]) == (302, utm_url)
        assert answer.headers["cache-control"] == "no-store"
    encoded = "".join(f"%{ord(ch):02X}" for ch in code)
    assert http_request(f"{url}/l/{encoded}").status == 404
    assert http_request(f"{url}/l/{code}", "POST").status == 405


def test_gunicorn_serves_short_links_and_writes_every_click_before_exiting(
    fake_slack, fresh_database_url, tmp_path
):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = bot_env(
        fake_slack,
        fresh_database_url,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PORT=str(port),
        WEB_CONCURRENCY="2",
        CRM_PUBLIC_URL=url,
    )
    proc = start_bot(env, tmp_path, port)
    try:
        code, utm_url = _short_link(fresh_database_url)
        _redirects_and_counts(url, code, utm_url)
    finally:
        assert _stop(proc) == 0
    assert _clicks(fresh_database_url) == CLICKS


@pytest.fixture
def socket_slack(fake_slack) -> Iterator[FakeSocketMode]:
    socket = FakeSocketMode().start()
    fake_slack.socket_mode_url = socket.url
    yield socket
    socket.stop()


def test_socket_mode_serves_short_links_and_healthz_on_port_and_flushes_on_sigterm(
    fake_slack, socket_slack, fresh_database_url, tmp_path
):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = bot_env(
        fake_slack,
        fresh_database_url,
        SLACK_APP_TOKEN=APP_TOKEN,
        PORT=str(port),
        CRM_PUBLIC_URL=url,
        HOST="127.0.0.1",
    )
    proc = start_bot(env, tmp_path, port, wait_healthz=False)
    try:
        socket_slack.wait_connected(60, alive=lambda: proc.poll() is None)
        assert http_request(f"{url}/healthz").json() == {"ok": True}
        assert http_request(f"{url}/slack/events", "POST").status == 404  # Slack comes over the socket
        code, utm_url = _short_link(fresh_database_url)
        _redirects_and_counts(url, code, utm_url)
    finally:
        assert _stop(proc) == 0, proc.stdout.read().decode()
    assert _clicks(fresh_database_url) == CLICKS


def test_socket_mode_without_a_public_url_listens_on_no_port(
    fake_slack, socket_slack, fresh_database_url, tmp_path
):
    port = free_port()
    env = bot_env(fake_slack, fresh_database_url, SLACK_APP_TOKEN=APP_TOKEN, PORT=str(port))
    proc = start_bot(env, tmp_path, port, wait_healthz=False)
    try:
        socket_slack.wait_connected(60, alive=lambda: proc.poll() is None)
        with pytest.raises(OSError):
            http_request(f"http://127.0.0.1:{port}/healthz")
    finally:
        _stop(proc)
