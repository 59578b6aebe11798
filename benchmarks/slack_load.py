"""Slack load benchmark: signed requests against HTTP mode (gunicorn) on real PostgreSQL.

Starts the production HTTP server (bot.server.CrmGunicorn: gunicorn gthread, WEB_CONCURRENCY workers)
against an embedded PostgreSQL (or BENCH_DATABASE_URL: a fresh database is created on that server)
and the fake Slack Web API from tests/slack (a process of its own). Seeds one workspace with --clients
users, each with 50 relationships and 5 interactions per relationship. Requests rotate through
`/crm show @h`, `/crm status @h <status>` and a "Show card" button click (block_actions), each
client as its own Slack user on its own keep-alive connection; clients run as threads in
--client-procs processes, with every request built and signed before the clock starts.

1. SQL statements per command: one request at a time, --per-kind of each kind, counted with
   SQLAlchemy `before_cursor_execute` events in the workers, split into the command's own
   transaction (listener threads) and the App Home refresh deferred to the background publisher
   (handlers/home_refresh.py), which is also reported per views.publish.
2. Saturation (closed loop): --clients clients send the next request as soon as the previous one is
   answered, for --duration seconds. On a CPU-bound machine latency here is set by throughput
   (Little's law: mean latency ≈ clients / requests per second), so it measures capacity.
3. Paced (open loop): the same clients send on a fixed schedule, --rates requests/s in total, each for
   --duration seconds; latency is measured from the scheduled instant, so a slow answer that delays
   the client's next request is counted too. This is the latency at a realistic load.

Ack latency is the time to the HTTP response: Bolt answers as soon as the listener acks; the rest of
the listener runs after. A listener that fails after its ack still answered 200, so each phase also
counts the error messages users were shown (bot/errors.py's texts, seen by the fake Web API). Each
load phase also reports CPU per request by process (server, PostgreSQL, fake Web API, clients;
"other" is everything else busy on the machine meanwhile).

Run: python benchmarks/slack_load.py [--duration 30] [--clients 20] [--rates 50,100] [--per-kind 100]
     [--workers 2] [--client-procs 4]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import socket
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.slack (the fake Web API and payload builders), handlers
sys.path.insert(0, str(REPO / "benchmarks"))

from slack_load_support import (  # noqa: E402
    KINDS,
    SECRET,
    TOKEN,
    Client,
    ResponseUrls,
    cpu_seconds,
    database_server_url,
    fresh_database,
    machine_busy_seconds,
    postmaster_pid,
    request_for,
    run_clients,
    run_fake_slack,
    seed,
    serve,
)
from sqlalchemy import text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db import make_engine  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from bot.server import HTTP_THREADS  # noqa: E402
from tests.slack.harness import http_request  # noqa: E402
from tests.slack.payloads import Payloads  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_until_quiet(counters, settle: float = 0.5, limit: float = 60.0) -> None:
    """Return once no statement has been executed for `settle` seconds (listeners finished)."""
    deadline = time.monotonic() + limit
    last = None
    while time.monotonic() < deadline:
        current = tuple(c.value for c in counters)
        if current == last:
            return
        last = current
        time.sleep(settle)


class Bench:
    def __init__(self, args, port, fake_conn, counters, pids, client_conns) -> None:
        """`counters`: statements in listeners and in the Home publisher (counted in phase 1 only)."""
        self.args, self.port, self.fake_conn = args, port, fake_conn
        self.counters, self.pids, self.client_conns = counters, pids, client_conns

    def fake_count(self, method: str) -> int:
        self.fake_conn.send(("count", method))
        return self.fake_conn.recv()

    def cpu(self) -> dict[str, float]:
        snapshot = {name: cpu_seconds(roots) for name, roots in self.pids.items() if roots}
        snapshot["machine"] = machine_busy_seconds()
        return snapshot

    def statements(self, payloads: Payloads, data, users: list[str]) -> None:
        n = self.args.per_kind
        print(f"\nSQL statements per command ({n} requests each, one at a time, after warm-up):")
        print(f"  {'kind':8s}{'command':>9s}{'home':>7s}{'publishes':>11s}{'home/publish':>14s}")
        client = Client(self.port)
        for kind in KINDS:  # warm-up: first auth.test per worker, pool connections, prepared statements
            for n in range(10):
                client.post(request_for(kind, payloads, users[0], data[users[0]][n], n))
        wait_until_quiet(self.counters)
        for kind in KINDS:
            for counter in self.counters:
                with counter.get_lock():
                    counter.value = 0
            publishes = self.fake_count("views.publish")
            for n in range(self.args.per_kind):
                rel = data[users[1]][n % 50]
                status = client.post(request_for(kind, payloads, users[1], rel, n))
                assert status == 200, (kind, status)
            wait_until_quiet(self.counters)  # including post-ack work (respond, App Home refresh)
            published = self.fake_count("views.publish") - publishes
            command, home = (c.value / self.args.per_kind for c in self.counters)
            per_publish = f"{self.counters[1].value / published:14.2f}" if published else f"{'-':>14s}"
            print(f"  {kind:8s}{command:9.2f}{home:7.2f}{published:11d}{per_publish}")

    def errors_shown(self) -> int:
        self.fake_conn.send(("errors",))
        return self.fake_conn.recv()

    def load(self, title: str, job: tuple) -> None:
        errors_before = self.errors_shown()
        before, began = self.cpu(), time.monotonic()
        for conn in self.client_conns:
            conn.send(job)
        results: dict[str, list[tuple[float, int]]] = {}
        for conn in self.client_conns:
            for kind, values in conn.recv().items():
                results.setdefault(kind, []).extend(values)
        # The clients end with their last answer, so this is the phase's real length: when the
        # server cannot keep up with a paced rate, answers arrive after the schedule has ended.
        answered_for = max(job[2], time.monotonic() - job[1])
        after, elapsed = self.cpu(), time.monotonic() - began
        time.sleep(1)  # post-ack work of the last requests
        errors = self.errors_shown() - errors_before
        every = [v for values in results.values() for v in values]
        ok = [latency for latency, status in every if status == 200]
        print(f"\n{title}")
        print(
            f"  requests: {len(every)} answered in {answered_for:.1f} s = {len(every) / answered_for:.1f}"
            " requests/s;"
            f" non-200: {len(every) - len(ok)}; acks over 3 s: {sum(v > 3 for v in ok)};"
            f" errors shown to users after the ack: {errors}"
        )
        print(f"  {'kind':8s}{'n':>7s}{'p50 ms':>9s}{'p95 ms':>9s}{'p99 ms':>9s}{'max ms':>9s}")
        for kind, values in [*sorted(results.items()), ("all", every)]:
            ms = [latency * 1000 for latency, status in values if status == 200]
            if ms:
                print(
                    f"  {kind:8s}{len(ms):7d}{statistics.median(ms):9.1f}{pct(ms, 0.95):9.1f}"
                    f"{pct(ms, 0.99):9.1f}{max(ms):9.1f}"
                )
        used = {name: after[name] - before[name] for name in after}
        ours = sum(v for name, v in used.items() if name != "machine")
        parts = [f"{name} {used[name] * 1000 / max(1, len(every)):.1f}" for name in self.pids if name in used]
        parts.append(f"other {max(0.0, used['machine'] - ours) * 1000 / max(1, len(every)):.1f}")
        busy = used["machine"] / elapsed * 100
        print(f"  CPU ms per request: {', '.join(parts)}; machine busy {busy:.0f}% of one core")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rates", default="50,100", help="total requests/s of the paced runs")
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client-procs", type=int, default=4)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # platformdirs, via pgserver

    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {platform.python_version()}; date {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    url = fresh_database(database_server_url())
    upgrade(url)
    data = seed(url, args.clients)
    with make_engine(url).connect() as conn:
        print(f"postgresql {conn.execute(text('SHOW server_version')).scalar()}")
    pg = postmaster_pid(url)

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
    counters = (fork.Value("q", 0), fork.Value("q", 0))  # command, deferred Home refresh
    counting = fork.Value("b", 1)
    server = fork.Process(target=serve, args=(settings, url, *counters, counting), daemon=False)
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
    users = sorted(data)
    procs, client_conns = [], []
    for p in range(min(args.client_procs, args.clients)):
        mine, theirs = fork.Pipe()
        indexes = list(range(p, args.clients, args.client_procs))
        proc = fork.Process(
            target=run_clients, args=(theirs, port, fake_url, data, indexes, users), daemon=True
        )
        proc.start()
        procs.append(proc)
        client_conns.append(mine)
    pids = {
        "server": [server.pid],
        "postgres": [pg] if pg else [],
        "fake-slack": [fake_process.pid],
        "clients": [p.pid for p in procs],
    }
    bench = Bench(args, port, fake_conn, counters, pids, client_conns)
    payloads = Payloads(SECRET, ResponseUrls(fake_url))  # type: ignore[arg-type]
    setup = f"{args.workers} gunicorn workers x {HTTP_THREADS} threads, {args.clients} clients"

    try:
        bench.statements(payloads, data, users)
        counting.value = 0  # the load phases run without the statement counter's shared lock
        bench.load(
            f"Saturation (closed loop): {setup}, each sending as soon as answered",
            ("closed", time.monotonic() + 1.0, args.duration),
        )
        for rate in (float(r) for r in args.rates.split(",") if r.strip()):
            time.sleep(2)  # the previous phase's post-ack work (replies, Home refreshes) settles
            bench.load(
                f"Paced (open loop): {rate:.0f} requests/s in total from {args.clients} clients; {setup}",
                ("paced", time.monotonic() + 1.0, args.duration, rate / args.clients),
            )
    finally:
        for conn in client_conns:
            conn.send(("stop",))
        server.terminate()
        server.join(timeout=30)
        fake_conn.send(("stop",))
        fake_process.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
