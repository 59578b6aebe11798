"""HTTP mode: /healthz, 404, the CLI's refusal without a signing secret, and gunicorn end to end."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import inspect as sa_inspect

from bot.cli import main as cli_main
from bot.config import Settings
from bot.db import make_engine
from bot.server import gunicorn_options, make_listener_engine
from bot.wsgi import create_wsgi_app
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.slack.harness import LoopbackServer, http_request
from tests.slack.processes import bot_env, free_port, start_bot


def test_healthz_is_200_when_the_database_answers(slack_http):
    result = slack_http.get("/healthz")
    assert (result.status, result.json()) == (200, {"ok": True})


def test_healthz_is_503_when_the_database_does_not(slack_app):
    dead = make_listener_engine(f"postgresql://crm@127.0.0.1:{free_port()}/crm")
    server = LoopbackServer(create_wsgi_app(slack_app.app, dead, signing_secret=SIGNING_SECRET))
    try:
        result = server.get("/healthz")
    finally:
        server.stop()
        dead.dispose()
    assert (result.status, result.json()) == (503, {"ok": False, "error": "database unavailable"})


def test_other_paths_and_methods(slack_http):
    assert slack_http.get("/").status == 404
    assert slack_http.get("/slack/events/../admin").status == 404
    assert slack_http.get("/slack/events").status == 405
    assert http_request(slack_http.url + "/healthz", "POST").status == 405


def _clean_env(monkeypatch, tmp_path, **values: str) -> None:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CRM_")) or name in ("DATABASE_URL", "PORT", "LOG_LEVEL"):
            monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree


def test_run_refuses_http_mode_without_a_signing_secret(monkeypatch, tmp_path, capsys, fresh_database_url):
    _clean_env(monkeypatch, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=fresh_database_url)

    code = cli_main(["run", "--no-scheduler"])

    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert len(err) == 1 and "SLACK_SIGNING_SECRET" in err[0]
    engine = make_engine(fresh_database_url)
    try:  # refused before migrating: the database is untouched
        assert sa_inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_socket_mode_is_chosen_by_the_app_token_after_migrating(fake_slack, fresh_database_url, tmp_path):
    fake_slack.fail("apps.connections.open", error="invalid_auth")  # a revoked app-level token
    env = bot_env(fake_slack, fresh_database_url, SLACK_APP_TOKEN="xapp-1-A0CRM-revoked")

    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--no-scheduler"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    opened = fake_slack.last("apps.connections.open")
    assert opened.headers["authorization"] == "Bearer xapp-1-A0CRM-revoked"
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("crm-bot: error: SlackApiError")
    engine = make_engine(fresh_database_url)
    try:  # migrated to head before connecting
        assert "alembic_version" in sa_inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.fixture(params=[False, True], ids=["no-scheduler", "with-scheduler"])
def gunicorn_bot(request, fake_slack, fresh_database_url, tmp_path):
    """`crm-bot run` in HTTP mode as a subprocess, on a fresh database, with or without scheduler."""
    port = free_port()
    env = bot_env(
        fake_slack,
        fresh_database_url,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    proc = start_bot(env, tmp_path, port, scheduler=request.param)
    yield f"http://127.0.0.1:{port}", proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_gunicorn_serves_signed_requests_to_the_listeners(gunicorn_bot, fake_slack, slack_app):
    url, proc = gunicorn_bot
    payloads = slack_app.payloads  # same signing secret, response_urls on fake_slack

    challenge = payloads.url_verification("abc123")
    answered = http_request(url + "/slack/events", "POST", challenge.body.encode(), challenge.headers)
    command = payloads.command("help")
    acked = http_request(url + "/slack/events", "POST", command.body.encode(), command.headers)
    forged = command.with_body(command.body.replace("help", "list"))
    refused = http_request(url + "/slack/events", "POST", forged.body.encode(), forged.headers)

    assert (answered.status, answered.json()) == (200, {"challenge": "abc123"})
    assert acked.status == 200
    assert refused.status == 401
    # the /crm listener ran in the worker and answered through the response_url
    reply = fake_slack.wait_for("response_url", 1, timeout=20)[0]
    assert reply.params.get("response_type") == "ephemeral"
    assert fake_slack.methods().count("response_url") == 1

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


def test_ctrl_c_while_a_command_is_worked_on_still_answers_its_user(gunicorn_bot, fake_slack, slack_app):
    """Ctrl-C (SIGINT: gunicorn stops its workers at once) during a command's work after its ack:
    the worker finishes that work before exiting, then sends the reply the work queued
    (bot/server.py drains the work queue, then the replies, at worker exit). Without that order the
    reply would be refused by an executor already shut down, and the user would never hear back."""
    url, proc = gunicorn_bot
    # /crm admin asks Slack whether the user is a workspace admin before its transaction; that call is
    # left unanswered past its 1 s timeout, so the work is still running when the worker stops.
    fake_slack.answer_late("users.info", after=10.0)
    command = slack_app.payloads.command("admin")
    acked = http_request(url + "/slack/events", "POST", command.body.encode(), command.headers)
    assert acked.status == 200
    fake_slack.wait_for("users.info", 1, timeout=10)
    stopping = time.monotonic()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0
    stopped_after = time.monotonic() - stopping
    replies = fake_slack.calls_to("response_url")
    assert len(replies) == 1, (
        f"replies: {len(replies)}; Slack calls: {fake_slack.methods()}; stopped after {stopped_after:.1f} s;"
        f" the bot wrote:\n{proc.stdout.read().decode(errors='replace')}"
    )
    assert "Slack did not confirm that you are a workspace admin" in replies[0].params["text"]


class _Worker:
    """What worker_ready needs of a gunicorn worker: its SIGTERM handler."""

    def handle_exit(self, sig, frame) -> None:
        self.alive = False


@pytest.fixture
def worker_ready_hook():
    """gunicorn's post_worker_init as configured, run here; the signal handlers and the GC as before
    afterwards."""
    hook = gunicorn_options(Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET))[
        "post_worker_init"
    ]
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGQUIT)}
    yield hook
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    gc.unfreeze()


def test_gunicorn_workers_exempt_their_start_up_objects_from_garbage_collection(worker_ready_hook):
    """Once a worker has built its app, what it built is frozen: full collections then skip it
    (bot.server.freeze_startup_objects; BENCHMARKS.md has the pauses it saves)."""
    before = gc.get_freeze_count()
    worker_ready_hook(_Worker())
    assert gc.get_freeze_count() > before + 10_000  # this test process's modules, at least


def test_gunicorn_workers_stop_on_ctrl_c_as_on_sigterm(worker_ready_hook):
    """SIGQUIT (what the master sends on Ctrl-C) and SIGINT take SIGTERM's path in a worker, not
    gthread's handler that can deadlock (bot.server.stop_gracefully_on_quit). The end-to-end Ctrl-C
    test above shows the user's reply arriving."""
    worker = _Worker()
    worker_ready_hook(worker)
    assert signal.getsignal(signal.SIGQUIT) == worker.handle_exit
    assert signal.getsignal(signal.SIGINT) == worker.handle_exit
