"""Short links from `crm-bot run` as a real process: gunicorn in HTTP mode, the small server in
Socket Mode. Both redirect, refuse encoded paths, and write every click before they exit on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import make_engine
from crm import assignments, campaigns
from crm.models import LinkClick
from tests.factories import make_influencer, make_user
from tests.slack.conftest import SIGNING_SECRET
from tests.slack.harness import http_request
from tests.slack.test_server import _bot_env, _free_port
from tests.socket_mode.conftest import APP_TOKEN
from tests.socket_mode.slack_socket import FakeSocketMode

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
CLICKS = 40


def _start(env: dict[str, str], workdir: Path, port: int, *, wait_healthz: bool = True) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--no-scheduler"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while wait_healthz:  # migrations run first, then the server answers
        try:
            if http_request(f"http://127.0.0.1:{port}/healthz").status == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"crm-bot run did not come up:\n{proc.stdout.read().decode()}")
        time.sleep(0.1)
    return proc


def _assignment_code(database_url: str) -> tuple[uuid.UUID, str, str]:
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as db, db.begin():
            user = make_user(db, team_id="T1")
            campaign = campaigns.create_campaign(
                db, actor=user, name="Spring", landing_url="https://shop.example.com/spring"
            )
            maya = make_influencer(db, team_id="T1", handle="maya")
            assignment, _ = assignments.assign_influencer(
                db, actor=user, campaign_id=campaign.id, influencer_id=maya.id
            )
            return assignment.id, assignment.short_code, assignment.utm_url
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
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _bot_env(
        fake_slack,
        fresh_database_url,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PORT=str(port),
        WEB_CONCURRENCY="2",
        CRM_PUBLIC_URL=url,
    )
    proc = _start(env, tmp_path, port)
    try:
        _, code, utm_url = _assignment_code(fresh_database_url)
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
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _bot_env(
        fake_slack,
        fresh_database_url,
        SLACK_APP_TOKEN=APP_TOKEN,
        PORT=str(port),
        CRM_PUBLIC_URL=url,
        HOST="127.0.0.1",
    )
    proc = _start(env, tmp_path, port, wait_healthz=False)
    try:
        socket_slack.wait_connected(60, alive=lambda: proc.poll() is None)
        assert http_request(f"{url}/healthz").json() == {"ok": True}
        assert http_request(f"{url}/slack/events", "POST").status == 404  # Slack comes over the socket
        _, code, utm_url = _assignment_code(fresh_database_url)
        _redirects_and_counts(url, code, utm_url)
    finally:
        assert _stop(proc) == 0, proc.stdout.read().decode()
    assert _clicks(fresh_database_url) == CLICKS


def test_socket_mode_without_a_public_url_listens_on_no_port(
    fake_slack, socket_slack, fresh_database_url, tmp_path
):
    port = _free_port()
    env = _bot_env(fake_slack, fresh_database_url, SLACK_APP_TOKEN=APP_TOKEN, PORT=str(port))
    proc = _start(env, tmp_path, port, wait_healthz=False)
    try:
        socket_slack.wait_connected(60, alive=lambda: proc.poll() is None)
        with pytest.raises(OSError):
            http_request(f"http://127.0.0.1:{port}/healthz")
    finally:
        _stop(proc)
