"""Slack load benchmark: 20 concurrent clients against HTTP mode (gunicorn) on real PostgreSQL.

Starts the production HTTP server (bot.server.CrmGunicorn: gunicorn gthread, WEB_CONCURRENCY workers)
against an embedded PostgreSQL (or BENCH_DATABASE_URL: a fresh database is created on that server)
and the fake Slack Web API from tests/slack (a threading HTTP server in a process of its own). Seeds one
workspace with --clients users, each with 50 relationships and 5 interactions per relationship.

1. Statements per command: one client sends --per-kind requests of each kind in turn and waits for
   their listeners to finish; SQLAlchemy `before_cursor_execute` events in the workers count every
   statement (a shared counter), divided by the number of requests of that kind.
2. Load: --clients threads, each on its own keep-alive connection and as its own Slack user, send
   signed `/crm show @h`, `/crm status @h <status>` and a "Show card" button click (block_actions,
   relationship-show) in rotation for --duration seconds. Ack latency is the time to the HTTP
   response (Bolt answers as soon as the listener acks; the rest of the listener runs after).

Prints machine, date, requests/s, ack latency p50/p95/p99/max overall and per kind, acks over 3 s,
non-200 answers, and SQL statements per command.

Run: python benchmarks/slack_load.py [--duration 30] [--clients 20] [--per-kind 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing as mp
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.slack (the fake Web API and payload builders), handlers

from sqlalchemy import event, text  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import make_engine, normalize_url  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from bot.server import CrmGunicorn, make_listener_engine  # noqa: E402
from bot.wsgi import create_wsgi_app  # noqa: E402
from handlers.ids import Action  # noqa: E402
from tests.slack.fake_slack import FakeSlack  # noqa: E402
from tests.slack.harness import http_request  # noqa: E402
from tests.slack.payloads import Payloads, SignedRequest  # noqa: E402

TEAM = "T0001"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-0000000000-TOKEN"
STATUSES = ("contacted", "warm", "cold", "partnered", "saved")
KINDS = ("show", "status", "button")


def database_server_url() -> str:
    override = os.environ.get("BENCH_DATABASE_URL")
    if override:
        return normalize_url(override).replace("postgresql+psycopg://", "postgresql://", 1)
    import pgserver

    server = pgserver.get_server(
        Path(tempfile.mkdtemp(prefix="crm-slack-bench-")) / "pgdata", cleanup_mode="delete"
    )
    return server.get_uri()


def fresh_database(server_url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"crm_slack_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(normalize_url(server_url)).set(database=name).render_as_string(hide_password=False)


def seed(url: str, users: int, per_user: int = 50) -> dict[str, list[tuple[str, str]]]:
    """users U_BENCH_i, each with `per_user` relationships; returns {user: [(handle, influencer_id)]}."""
    engine = make_engine(url)
    out: dict[str, list[tuple[str, str]]] = {}
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for i in range(users):
            slack_id = f"UBENCH{i:04d}"
            user_id = conn.execute(
                text("INSERT INTO users (team_id, slack_user_id) VALUES (:t, :u) RETURNING id"),
                {"t": TEAM, "u": slack_id},
            ).scalar_one()
            out[slack_id] = []
            for j in range(per_user):
                handle = f"creator{i:03d}x{j:03d}"
                inf_id = conn.execute(
                    text(
                        "INSERT INTO influencers (team_id, name, handle, platform) "
                        "VALUES (:t, :n, :h, 'instagram') RETURNING id"
                    ),
                    {"t": TEAM, "n": f"Creator {i}-{j}", "h": handle},
                ).scalar_one()
                conn.execute(
                    text(
                        "INSERT INTO user_influencers (user_id, influencer_id, status, notes, tags, priority)"
                        " VALUES (:u, :i, 'contacted', :notes, ARRAY['beauty','q3']::varchar[], 3)"
                    ),
                    {"u": user_id, "i": inf_id, "notes": "Met at VidCon. " * 20},
                )
                conn.execute(
                    text(
                        "INSERT INTO interactions (user_id, influencer_id, type, subject, interaction_date) "
                        "SELECT :u, :i, 'email', 'Intro ' || g, :now - g * interval '3 days' "
                        "FROM generate_series(1, 5) g"
                    ),
                    {"u": user_id, "i": inf_id, "now": now},
                )
                out[slack_id].append((handle, str(inf_id)))
    engine.dispose()
    return out


class CountingGunicorn(CrmGunicorn):
    """The production server, plus a statement counter on each worker's engine (shared memory)."""

    counter = None  # mp.Value set before the fork

    def load(self):
        """CrmGunicorn.load(), with SQLAlchemy's before_cursor_execute counting every statement."""
        engine = make_listener_engine(self.database_url)
        event.listen(engine, "before_cursor_execute", _count_statements)
        app = create_app(self.settings, engine=engine)
        return create_wsgi_app(app, engine, signing_secret=self.settings.slack_signing_secret)

    def load_config(self) -> None:
        super().load_config()
        self.cfg.set("loglevel", "warning")


def _count_statements(*_args) -> None:
    with CountingGunicorn.counter.get_lock():
        CountingGunicorn.counter.value += 1


def serve(settings: Settings, url: str, counter) -> None:
    CountingGunicorn.counter = counter
    CountingGunicorn(settings, url, with_scheduler=False).run()


def run_fake_slack(conn) -> None:
    """The fake Web API in its own process, so its work does not distort the clients' timings."""
    fake = FakeSlack().start()
    conn.send(fake.base_url)
    conn.recv()  # until the benchmark is done
    fake.stop()


class ResponseUrls:
    """What Payloads needs from a FakeSlack: fresh response_urls on the fake's server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._seq = itertools.count(1)

    def response_url(self) -> str:
        return f"{self.base_url}/response/{next(self._seq)}"


def wait_until_quiet(counter, settle: float = 0.5, limit: float = 60.0) -> None:
    """Return once no statement has been executed for `settle` seconds (listeners finished)."""
    deadline = time.monotonic() + limit
    last = -1
    while time.monotonic() < deadline:
        current = counter.value
        if current == last:
            return
        last = current
        time.sleep(settle)


def request_for(kind: str, payloads: Payloads, user: str, rel: tuple[str, str], n: int) -> SignedRequest:
    handle, influencer_id = rel
    if kind == "show":
        return payloads.command(f"show @{handle}", user_id=user)
    if kind == "status":
        return payloads.command(f"status @{handle} {STATUSES[n % len(STATUSES)]}", user_id=user)
    return payloads.block_actions([Payloads.button(Action.SHOW, influencer_id, text="Show")], user_id=user)


class Client:
    """One keep-alive HTTP connection, as Slack keeps to a server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, req: SignedRequest) -> int:
        try:
            self.conn.request("POST", "/slack/events", body=req.body.encode(), headers=req.headers)
            resp = self.conn.getresponse()
            resp.read()
            return resp.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # platformdirs, via pgserver

    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {platform.python_version()}; date {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    url = fresh_database(database_server_url())
    upgrade(url)
    data = seed(url, args.clients)
    with make_engine(url).connect() as conn:
        print(f"postgresql {conn.execute(text('SHOW server_version')).scalar()}")

    fork = mp.get_context("fork")
    fake_conn, child_conn = fork.Pipe()
    fake_process = fork.Process(target=run_fake_slack, args=(child_conn,), daemon=True)
    fake_process.start()
    fake_url = fake_conn.recv()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ["WEB_CONCURRENCY"] = str(args.workers)
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=f"{fake_url}/api/",
        port=port,
        log_level="WARNING",
    )
    counter = fork.Value("q", 0)
    server = fork.Process(target=serve, args=(settings, url, counter), daemon=False)
    server.start()
    deadline = time.monotonic() + 60
    while True:
        try:
            if http_request(f"http://127.0.0.1:{port}/healthz").status == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or not server.is_alive():
            print("server did not start", file=sys.stderr)
            return 1
        time.sleep(0.1)
    payloads = Payloads(SECRET, ResponseUrls(fake_url))  # type: ignore[arg-type]
    users = sorted(data)

    try:
        # --- 1. statements per command ---------------------------------------------------------
        print(f"\nSQL statements per command ({args.per_kind} requests each, one at a time, after warm-up):")
        client = Client(port)
        for kind in KINDS:  # warm-up: first auth.test per worker, pool connections
            for n in range(10):
                client.post(request_for(kind, payloads, users[0], data[users[0]][n], n))
        wait_until_quiet(counter)
        statements = {}
        for kind in KINDS:
            with counter.get_lock():
                counter.value = 0
            for n in range(args.per_kind):
                rel = data[users[1]][n % 50]
                status = client.post(request_for(kind, payloads, users[1], rel, n))
                assert status == 200, (kind, status)
            wait_until_quiet(counter)  # including post-ack work (respond, App Home refresh)
            statements[kind] = counter.value / args.per_kind
            print(f"  {kind:7s} {statements[kind]:.2f}")

        # --- 2. load -----------------------------------------------------------------------------
        latencies: dict[str, list[float]] = defaultdict(list)
        failures = defaultdict(int)
        stop_at = time.monotonic() + args.duration
        lock = threading.Lock()

        def run_client(index: int) -> None:
            user = users[index % len(users)]
            rels = data[user]
            conn = Client(port)
            local: dict[str, list[float]] = defaultdict(list)
            for n in itertools.count():
                if time.monotonic() >= stop_at:
                    break
                kind = KINDS[n % len(KINDS)]
                req = request_for(kind, payloads, user, rels[n % len(rels)], n)
                started = time.perf_counter()
                status = conn.post(req)
                elapsed = time.perf_counter() - started
                if status != 200:
                    with lock:
                        failures[kind] += 1
                local[kind].append(elapsed)
            with lock:
                for kind, values in local.items():
                    latencies[kind].extend(values)

        threads = [threading.Thread(target=run_client, args=(i,)) for i in range(args.clients)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - began
        every = [v for values in latencies.values() for v in values]
        print(f"\nLoad: {args.clients} clients, {wall:.1f} s, {args.workers} gunicorn workers x 8 threads")
        print(
            f"  requests: {len(every)}  ({len(every) / wall:.1f} requests/s)  non-200: {dict(failures) or 0}"
        )
        print(f"  acks over 3 s: {sum(v > 3 for v in every)}")
        header = f"  {'kind':8s}{'n':>7s}{'p50 ms':>9s}{'p95 ms':>9s}{'p99 ms':>9s}{'max ms':>9s}"
        print(header)
        for kind, values in [*sorted(latencies.items()), ("all", every)]:
            ms = [v * 1000 for v in values]
            print(
                f"  {kind:8s}{len(ms):7d}{statistics.median(ms):9.1f}{pct(ms, 0.95):9.1f}"
                f"{pct(ms, 0.99):9.1f}{max(ms):9.1f}"
            )
    finally:
        server.terminate()
        server.join(timeout=30)
        fake_conn.send("stop")
        fake_process.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
