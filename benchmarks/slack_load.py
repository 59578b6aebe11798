"""Slack load benchmark: ours beside a bare Bolt app, signed requests over HTTP, real PostgreSQL.

Starts, side by side on loopback, the production HTTP server (bot.server.CrmGunicorn: gunicorn
gthread, WEB_CONCURRENCY workers x HTTP_THREADS threads) and the baseline (benchmarks/slack_baseline.py:
a bare Bolt app under the same gunicorn settings whose `/crm` runs one indexed SELECT, acks and
replies), both on one embedded PostgreSQL (or BENCH_DATABASE_URL: a fresh database on that server)
and one fake Slack Web API (tests/slack, a process of its own). Seeds one workspace with --clients
users, each with 50 relationships of 5 interactions. Each client is its own Slack user on its own
keep-alive connection; clients run as threads in --client-procs processes, every request built and
signed before the clock starts. Ours gets the mix `/crm show @h`, `/crm status @h <status>` and a
"Show card" click; ours "show only" and the baseline get `/crm show @h`.

What is measured is what a user waits for: the reply. Each request carries a response_url of its
own on the fake Web API; when the reply to it (a POST there) is recorded, the fake's process writes
the arrival time and path down a pipe to the client process that sent the request, whose dispatcher
thread wakes the client thread waiting for it (slack_load_support.ReplyWatch: no HTTP exchange per
request; ~5 us in the fake, the waiting thread wakes ~20 us after the fake's answer). A request is
complete once its ack (the HTTP response) has come and either its reply reached the fake or the ack
itself carried the answer (a slash command's ack body is shown to the user); a reply that has not
come REPLY_TIMEOUT (10 s) after the request's scheduled instant counts as missing. Latencies:
- ack: from the scheduled instant (closed loop: the send) to the HTTP response;
- reply (completion): from the scheduled instant to the later of the ack and the reply's arrival.

1. SQL statements per command (ours): one request at a time, --per-kind of each kind.
2. Capacity (closed loop): --clients clients each send the next request once the previous one is
   complete (or its reply timed out), for --duration s; capacity = completed requests/s. Ours (mix),
   ours (show only) and the baseline, alternated for --rounds rounds so that a noisy neighbour hits
   all three alike. Reports ack and reply p50/p99 and the replies that timed out.
3. Paced (open loop): --rate requests/s in total for --duration s, each client on a fixed schedule,
   waiting for its ack (a slow ack delays its next send, and counts) but never for the reply; ack
   and reply latency from the scheduled instant, replies missing; ours (mix) and the baseline,
   --rounds rounds. The target is on the ack p99; the reply p99 ratio is printed for information.
4. Database freeze (ours; embedded PostgreSQL only): a paced run at --rate during which every
   PostgreSQL process is stopped (SIGSTOP) for --freeze s; counts acks after 3 s, the users told
   "temporarily unavailable" (in the ack, or by response_url), those served, and the requests
   answered within 10 s.
5. Slow Slack (ours): the fake Web API answers every call (response_url too) after --slack-latency s
   during a paced run at --rate; counts acks after 3 s, and the replies within 10 s with their latency
   (a reply counts when the fake records it, after the delay).
Then the ratios ours / baseline, from this run only, against the targets (capacity on completed
requests >= 0.6x; paced ack p99 <= 1x), and (--profile) a cProfile of each app's ack path, one request
at a time (benchmarks/slack_profile.py).

--floor adds a fourth app to the capacity rounds: the conventions' floor
(slack_baseline.create_floor_app), the bare app's `/crm` written the way CONVENTIONS.md asks (ack
first, an ORM session in one transaction, a reply built and validated with slack_sdk.models). Its
ratio to the baseline is what the conventions alone cost; ours / floor is what our own work costs.

Each load phase also reports CPU per request by process (server, PostgreSQL, fake Web API, clients;
"other" is everything else busy on the machine meanwhile).

Run: python benchmarks/slack_load.py [--duration 20] [--rounds 2] [--clients 20] [--rate 50]
     [--freeze 20] [--slack-latency 3] [--per-kind 100] [--profile 300] [--workers 2]
     [--client-procs 4] [--floor]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import socket
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.slack (the fake Web API and payload builders), handlers
sys.path.insert(0, str(REPO / "benchmarks"))

from slack_baseline import serve_baseline  # noqa: E402
from slack_faults import slow_slack, with_database_frozen  # noqa: E402
from slack_load_bench import Bench, Server, ratio_report  # noqa: E402
from slack_load_support import (  # noqa: E402
    SECRET,
    TOKEN,
    Job,
    database_server_url,
    fresh_database,
    postmaster_pid,
    run_clients,
    run_fake_slack,
    seed,
    serve,
)
from slack_profile import profile_ack_paths  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db import make_engine  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from bot.server import HTTP_THREADS  # noqa: E402
from tests.slack.harness import http_request  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, process) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.is_alive():
        try:
            if http_request(f"http://127.0.0.1:{port}/healthz").status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0, help="total requests/s of the paced runs")
    parser.add_argument("--freeze", type=float, default=20.0, help="seconds PostgreSQL is stopped; 0: skip")
    parser.add_argument("--slack-latency", type=float, default=3.0, help="0: skip the slow-Slack run")
    parser.add_argument("--per-kind", type=int, default=100, help="0: skip the statement count")
    parser.add_argument("--profile", type=int, default=300, help="requests profiled per app; 0: skip")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument(
        "--floor", action="store_true", help="also measure slack_baseline.create_floor_app (capacity)"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # platformdirs, via pgserver
    began = time.monotonic()

    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {platform.python_version()}; date {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    embedded = not os.environ.get("BENCH_DATABASE_URL")
    url = fresh_database(database_server_url())
    upgrade(url)
    data = seed(url, args.clients)
    with make_engine(url).connect() as conn:
        print(f"postgresql {conn.execute(text('SHOW server_version')).scalar()}")
    pg = postmaster_pid(url)

    fork = mp.get_context("fork")
    fake_conn, child_conn = fork.Pipe()
    # One pipe per client process, over which the fake Web API tells it of each reply to its
    # response_urls (prefix c<p>) as the reply arrives.
    n_procs = min(args.client_procs, args.clients)
    reply_pipes = [fork.Pipe(duplex=False) for _ in range(n_procs)]  # (read end, write end)
    reply_writers = {f"c{p}": writer for p, (_, writer) in enumerate(reply_pipes)}
    fake_process = fork.Process(target=run_fake_slack, args=(child_conn, reply_writers), daemon=True)
    fake_process.start()
    fake_url = fake_conn.recv()
    os.environ["WEB_CONCURRENCY"] = str(args.workers)

    def settings(port: int) -> Settings:
        return Settings(
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=f"{fake_url}/api/",
            port=port,
            log_level="WARNING",
        )

    counters = (fork.Value("q", 0), fork.Value("q", 0))  # command, deferred Home refresh
    counting = fork.Value("b", 1)
    ours_port, base_port, floor_port = free_port(), free_port(), free_port()
    ours_proc = fork.Process(target=serve, args=(settings(ours_port), url, *counters, counting))
    base_proc = fork.Process(target=serve_baseline, args=(settings(base_port), url))
    floor_proc = fork.Process(target=serve_baseline, args=(settings(floor_port), url, True))
    started = {ours_port: ours_proc, base_port: base_proc} | ({floor_port: floor_proc} if args.floor else {})
    servers = list(started.values())
    for proc in servers:
        proc.start()
    users = sorted(data)
    procs, client_conns = [], []
    try:
        if not all(wait_healthy(port, proc) for port, proc in started.items()):
            print("a server did not start", file=sys.stderr)
            return 1
        for p in range(n_procs):
            mine, theirs = fork.Pipe()
            indexes = list(range(p, args.clients, args.client_procs))
            proc = fork.Process(
                target=run_clients,
                args=(theirs, reply_pipes[p][0], f"c{p}", fake_url, data, indexes, users),
                daemon=True,
            )
            proc.start()
            procs.append(proc)
            client_conns.append(mine)
        others = {
            "postgres": [pg] if pg else [],
            "fake-slack": [fake_process.pid],
            "clients": [p.pid for p in procs],
        }
        bench = Bench(args, (fake_conn, fake_url), counters, others, client_conns)
        ours = Server("ours", ours_port, ours_proc.pid)
        baseline = Server("baseline", base_port, base_proc.pid)
        floor = Server("floor", floor_port, floor_proc.pid) if args.floor else None
        setup = f"{args.workers} gunicorn workers x {HTTP_THREADS} threads, {args.clients} clients"

        bench.warm_up(ours, data, users)
        bench.warm_up(baseline, data, users)
        if floor is not None:
            bench.warm_up(floor, data, users)
        if args.per_kind:
            bench.statements(ours, data, users)
        counting.value = 0  # the load phases run without the statement counter's shared lock

        capacity: dict[str, list] = {"ours": [], "ours-show": [], "baseline": []}
        phases = [("ours", ours, None), ("ours-show", ours, ("show",)), ("baseline", baseline, ("show",))]
        if floor is not None:
            capacity["floor"] = []
            phases.append(("floor", floor, ("show",)))
        for r in range(1, args.rounds + 1):
            for name, server, kinds in phases:
                job = Job("closed", server.port, args.duration, kinds=kinds or Job.MIX)
                what = "mix" if kinds is None else "/crm show only"
                title = f"Capacity, round {r}: {server.name} ({what}), closed loop; {setup}"
                capacity[name].append(bench.load(title, server, job))
        paced: dict[str, list] = {"ours": [], "baseline": []}
        for r in range(1, args.rounds + 1):
            for name, server, kinds in (("ours", ours, Job.MIX), ("baseline", baseline, ("show",))):
                job = Job("paced", server.port, args.duration, rate=args.rate, kinds=kinds)
                title = f"Paced, round {r}: {server.name}, {args.rate:.0f} requests/s in total; {setup}"
                paced[name].append(bench.load(title, server, job))
        ratio_report(capacity, paced, args.rate)
        if args.profile:
            profile_ack_paths(settings(0), url, data, users, fake_url, n=args.profile)

        if args.freeze and embedded and pg:
            with_database_frozen(bench, ours, pg, rate=args.rate, frozen=args.freeze)
        elif args.freeze:
            print("\nDatabase freeze: skipped (only on the embedded PostgreSQL this script starts)")
        if args.slack_latency:
            slow_slack(bench, ours, rate=args.rate, latency=args.slack_latency, duration=args.duration)
    finally:
        for conn in client_conns:
            conn.send("stop")
        for proc in servers:
            proc.terminate()
        for proc in servers:
            proc.join(timeout=30)
        fake_conn.send(("stop",))
        fake_process.join(timeout=10)
    print(f"\nwhole benchmark: {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
