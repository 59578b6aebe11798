"""`crm-bot run` in Socket Mode as a real process, against the fake Web API and a loopback WebSocket.

One process per test module (starting it migrates the database and imports the whole app, which
takes seconds): `socket_bot` starts `crm-bot run --no-scheduler` with nothing in its environment but
the two Slack tokens, SLACK_API_URL (the fake Web API), DATABASE_URL (the test database) and
PYTHONFAULTHANDLER (so that a hang can be diagnosed), in an empty working directory so that no
`.env` is read, and waits until it has connected. Each test then
uses its own Slack user and influencer handles, so what one test's background work sends (App Home
refreshes) never counts in another's assertions. Tables are truncated once the process has stopped:
truncating between tests deadlocks with the process's own background work (an App Home refresh still
reading), which no test can see the end of.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import TABLES
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.payloads import Payloads
from tests.socket_mode.slack_socket import FakeSocketMode

BOT_TOKEN = "xoxb-1234567890-0987654321-TESTtokenVALUEnotREAL"
APP_TOKEN = "xapp-1-ACRM000001-1234567890-TESTappTOKENnotREAL"
# Starting means importing the app and migrating (a no-op on the already migrated test database).
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass
class SocketBot:
    """The running bot and both of Slack's faces it talks to."""

    process: subprocess.Popen
    socket: FakeSocketMode  # Slack's Socket Mode endpoint: envelopes out, acks in
    fake: FakeSlack  # Slack's Web API and response_url endpoints
    payloads: Payloads  # HTTP-mode builders; tests/socket_mode/slack_socket.py wraps them in envelopes
    log: Path  # the process's stdout and stderr

    def deliver(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Send `envelope` and return the app's ack, which must arrive within Slack's 3 s."""
        envelope_id = self.socket.send(envelope)
        try:
            return self.socket.wait_ack(envelope_id, timeout=3.0)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n--- crm-bot output ---\n{self.output()}") from None

    def wait_for(self, method: str, *, count: int = 1, timeout: float = 10.0, **where: Any) -> list[Call]:
        """Calls to `method` whose params include `where` (e.g. user_id=...), once `count` arrived."""

        def matches(call: Call) -> bool:
            return all(call.params.get(k) == v for k, v in where.items())

        try:
            return self.fake.wait_for(method, count, timeout, where=matches)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n--- crm-bot output ---\n{self.output()}") from None

    def reply_to(self, response_url: str, timeout: float = 10.0) -> Call:
        """The one message the app posted to `response_url`."""
        path = response_url.removeprefix(self.fake.base_url)
        try:
            (reply,) = self.fake.wait_for("response_url", timeout=timeout, where=lambda c: c.path == path)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}\n--- crm-bot output ---\n{self.output()}") from None
        return reply

    def output(self, last: int = 60) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-last:])

    def abort_with_stacks(self) -> str:
        """End a process that hangs with SIGABRT, so that faulthandler writes every thread's stack
        into its log (PYTHONFAULTHANDLER, set below), and return that log's end: where it hung."""
        self.process.send_signal(signal.SIGABRT)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self.output(last=200)


def _crm_bot() -> list[str]:
    """The venv's `crm-bot` entry point (what a user runs), or the module if it is not installed."""
    script = Path(sys.executable).parent / "crm-bot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


# Starts the command given after it with Ctrl-C (SIGINT) at its default, as a shell starts a
# foreground command. Without it the process would inherit "ignore SIGINT" whenever pytest itself
# runs in the background (`pytest &` in a script, nohup), and the Ctrl-C tests would hang there.
_IN_FOREGROUND = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, as a supervisor stops it; SIGKILL if it is still there after STOP_TIMEOUT seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="module")
def socket_bot(database_url, engine, tmp_path_factory) -> Iterator[SocketBot]:
    fake = FakeSlack().start()
    socket = FakeSocketMode().start()
    fake.socket_mode_url = socket.url
    workdir = tmp_path_factory.mktemp("socket-mode")
    log = workdir / "crm-bot.log"
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "PYTHONFAULTHANDLER": "1",  # a hang is diagnosed with SIGABRT (abort_with_stacks)
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", _IN_FOREGROUND, *_crm_bot(), "run", "--no-scheduler"],
            env=env,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    bot = SocketBot(process, socket, fake, Payloads("", fake), log)
    try:
        try:
            socket.wait_connected(START_TIMEOUT, alive=lambda: process.poll() is None)
        except (TimeoutError, RuntimeError) as exc:
            raise AssertionError(
                f"crm-bot did not connect: {exc} (exit code {process.poll()})\n{bot.output()}"
            ) from None
        yield bot
    finally:
        _stop(process)
        socket.stop()
        fake.stop()
        with engine.begin() as conn:  # as tests/conftest.py's clean_tables does after each test
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
            conn.execute(text("REFRESH MATERIALIZED VIEW admin_analytics"))
