"""`crm-bot run` as a real subprocess for the end-to-end server tests: a free port, the environment
pointed at the fake Web API and a test database, and a start that waits until /healthz answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.slack.conftest import BOT_TOKEN
from tests.slack.harness import http_request

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(fake_slack, database_url: str, **values: str) -> dict[str, str]:
    """This process's environment without SLACK_*/CRM_*, pointed at `fake_slack` and `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRM_"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        # the checkout first: an editable install made before handlers/__init__.py existed maps
        # `handlers` as a namespace package, which would skip register_listeners()
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    env.update(values)
    return env


def start_bot(
    env: dict[str, str], workdir: Path, port: int, *, scheduler: bool = False, wait_healthz: bool = True
) -> subprocess.Popen:
    """Start `crm-bot run` (with `--no-scheduler` unless `scheduler`); with `wait_healthz`, return once
    http://127.0.0.1:<port>/healthz answers 200 (migrations run first), failing the test after 60 s."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"] + ([] if scheduler else ["--no-scheduler"]),
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while wait_healthz:
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
