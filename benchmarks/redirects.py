"""Short-link redirect benchmark: ours beside a bare WSGI app, GET /l/<code> over HTTP, real PostgreSQL.

Starts side by side on loopback, on one PostgreSQL (embedded, or a fresh database on
BENCH_DATABASE_URL's server) seeded with --links assignments:
- ours: the production HTTP server (bot.server.CrmGunicorn with CRM_PUBLIC_URL set), whose workers
  route /l/<code> to bot/redirects.py (shape check, one indexed SELECT under a deadline, the UTM link
  built from the current landing page, the click handed to the in-process buffer);
- the baseline: a bare WSGI app under the same gunicorn settings (bot.server.gunicorn_options) that
  answers 302 after one indexed SELECT of the stored UTM link by short code, with the same engine
  options (an AUTOCOMMIT connection from a pool, no pre-ping) and nothing else.

Every request is a person's click: GET with a phone's User-Agent on a keep-alive connection, codes in
rotation, clients as threads in --client-procs processes.
1. Capacity (closed loop): --clients clients send the next request as soon as the previous one is
   answered, for --duration s; ours and the baseline alternated for --rounds rounds.
2. Paced (open loop): --rate requests/s in total for --duration s, latency measured from the
   scheduled instant (coordinated omission counted), ours and the baseline, --rounds rounds.
3. Clicks: ours is stopped with SIGTERM (its workers flush their buffers on exit); the clicks in
   link_clicks must equal the 302s ours served.

Run: python benchmarks/redirects.py [--duration 10] [--rounds 2] [--clients 16] [--rate 200]
     [--links 1000] [--workers 2] [--client-procs 2]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import platform
import socket
import statistics
import sys
import threading
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from gunicorn.app.base import BaseApplication  # noqa: E402
from slack_load_support import database_server_url, fresh_database  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db import make_engine  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from bot.server import HTTP_THREADS, CrmGunicorn, gunicorn_options  # noqa: E402
from crm.short_codes import new_code  # noqa: E402

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
BASELINE_SELECT = text("SELECT utm_url FROM campaign_influencers WHERE short_code = :code")


# ---- servers -----------------------------------------------------------------------------------
class QuietCrmGunicorn(CrmGunicorn):
    def load_config(self) -> None:
        super().load_config()
        self.cfg.set("loglevel", "warning")


def serve_ours(settings: Settings, url: str) -> None:
    QuietCrmGunicorn(settings, url, with_scheduler=False).run()


def baseline_wsgi(url: str):
    """GET /l/<code>: one indexed SELECT, 302 to the stored link (404 if none); /healthz: 200."""
    engine = make_engine(url, pool_pre_ping=False, pool_size=HTTP_THREADS + 2, max_overflow=4)
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/l/"):
            start_response("200 OK", [("Content-Length", "2")])
            return [b"ok"]
        with autocommit.connect() as conn:
            target = conn.execute(BASELINE_SELECT, {"code": path[3:]}).scalar()
        if target is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        start_response("302 Found", [("Location", target), ("Content-Length", "0")])
        return [b""]

    return wsgi


class BaselineGunicorn(BaseApplication):
    def __init__(self, settings: Settings, url: str) -> None:
        self.settings, self.url = settings, url
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.settings).items():
            self.cfg.set(key, value)
        self.cfg.set("loglevel", "warning")

    def load(self):
        return baseline_wsgi(self.url)


def serve_baseline(settings: Settings, url: str) -> None:
    BaselineGunicorn(settings, url).run()


# ---- data --------------------------------------------------------------------------------------
def seed(url: str, links: int) -> list[str]:
    """One workspace, one campaign, `links` creators each assigned to it; returns the short codes."""
    engine = make_engine(url)
    codes = [new_code() for _ in range(links)]
    with engine.begin() as conn:
        user = conn.execute(
            text("INSERT INTO users (team_id, slack_user_id) VALUES ('TBENCH', 'UBENCH') RETURNING id")
        ).scalar_one()
        campaign = conn.execute(
            text(
                "INSERT INTO campaigns (team_id, user_id, name, landing_url) VALUES "
                "('TBENCH', :u, 'Spring Sale', 'https://shop.example.com/spring?ref=bench') RETURNING id"
            ),
            {"u": user},
        ).scalar_one()
        for n, code in enumerate(codes):
            influencer = conn.execute(
                text(
                    "INSERT INTO influencers (team_id, name, handle, platform) "
                    "VALUES ('TBENCH', :h, :h, 'instagram') RETURNING id"
                ),
                {"h": f"creator{n}"},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO campaign_influencers (campaign_id, influencer_id, user_id, utm_source, "
                    "utm_medium, utm_campaign, utm_content, utm_url, status, short_code) VALUES (:c, :i, :u, "
                    "'instagram', 'influencer', 'spring-sale', :h, :url, 'active', :code)"
                ),
                {
                    "c": campaign,
                    "i": influencer,
                    "u": user,
                    "h": f"creator{n}",
                    "code": code,
                    "url": "https://shop.example.com/spring?ref=bench&utm_source=instagram"
                    f"&utm_medium=influencer&utm_campaign=spring-sale&utm_content=creator{n}",
                },
            )
    engine.dispose()
    return codes


def clicks_recorded(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM link_clicks")).scalar_one()
    finally:
        engine.dispose()


# ---- load --------------------------------------------------------------------------------------
def _client(port: int, codes: list[str], mode: str, start: float, duration: float, period: float, out):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = 0
    while time.monotonic() < start:
        time.sleep(0.0005)
    while True:
        scheduled = start + n * period if mode == "paced" else time.monotonic()
        if scheduled >= start + duration:
            break
        if (wait := scheduled - time.monotonic()) > 0:
            time.sleep(wait)
        try:
            conn.request("GET", f"/l/{codes[n % len(codes)]}", headers={"User-Agent": PHONE})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        out.append((time.monotonic() - scheduled, status))
        n += 1


def run_clients(pipe, codes: list[str]) -> None:
    """A client process: for each job (mode, port, duration, rate, threads, offset, every) run its
    threads and send back [(latency, status)]."""
    while (job := pipe.recv()) != "stop":
        mode, port, duration, rate, threads, first, every = job
        out: list = []
        period = every / rate if mode == "paced" else 0.0
        start = pipe.recv()
        workers = []
        for t in range(threads):
            mine = codes[(first + t) :: every] or codes
            offset = period * (first + t) / every if mode == "paced" else 0.0
            args = (port, mine, mode, start + offset, duration, period, out)
            workers.append(threading.Thread(target=_client, args=args))
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        pipe.send(out)


def load(pipes, mode: str, port: int, duration: float, rate: float, clients: int) -> list:
    per_proc = [clients // len(pipes) + (i < clients % len(pipes)) for i in range(len(pipes))]
    first = 0
    for pipe, threads in zip(pipes, per_proc, strict=True):
        pipe.send((mode, port, duration, rate, threads, first, clients))
        first += threads
    start = time.monotonic() + 0.5
    for pipe in pipes:
        pipe.send(start)
    return [item for pipe in pipes for item in pipe.recv()]


def summary(results: list, duration: float) -> dict:
    latencies = sorted(lat for lat, _ in results)
    ok = sum(1 for _, status in results if status == 302)
    pct = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rps": len(results) / duration,
        "ok": ok,
        "errors": len(results) - ok,
        "p50": pct[49] * 1000,
        "p99": pct[98] * 1000,
        "max": latencies[-1] * 1000 if latencies else 0.0,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, process) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.is_alive():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client-procs", type=int, default=2)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    began = time.monotonic()
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {platform.python_version()}; date {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    url = fresh_database(database_server_url())
    upgrade(url)
    codes = seed(url, args.links)
    os.environ["WEB_CONCURRENCY"] = str(args.workers)
    fork = mp.get_context("fork")
    ours_port, base_port = free_port(), free_port()
    ours_settings = Settings(
        slack_bot_token="xoxb-1-2-bench",
        slack_signing_secret="0" * 32,
        slack_api_url="http://127.0.0.1:9/api/",  # never called: no Slack request is sent
        port=ours_port,
        host="127.0.0.1",
        log_level="WARNING",
        public_url=f"http://127.0.0.1:{ours_port}",
    )
    base_settings = Settings(port=base_port, host="127.0.0.1", log_level="WARNING")
    ours_proc = fork.Process(target=serve_ours, args=(ours_settings, url))
    base_proc = fork.Process(target=serve_baseline, args=(base_settings, url))
    ours_proc.start()
    base_proc.start()
    pipes, clients = [], []
    served_by_ours = 0
    try:
        if not (wait_healthy(ours_port, ours_proc) and wait_healthy(base_port, base_proc)):
            print("a server did not start", file=sys.stderr)
            return 1
        for _ in range(args.client_procs):
            mine, theirs = fork.Pipe()
            proc = fork.Process(target=run_clients, args=(theirs, codes), daemon=True)
            proc.start()
            pipes.append(mine)
            clients.append(proc)
        setup = f"{args.workers} gunicorn workers x {HTTP_THREADS} threads"
        print(f"{setup}; {args.links} links; {args.clients} clients in {args.client_procs} processes\n")
        for name, port in (("ours", ours_port), ("baseline", base_port)):  # warm-up: pools, caches
            warm = load(pipes, "closed", port, 2.0, 0, args.clients)
            served_by_ours += sum(1 for _, s in warm if s == 302) if name == "ours" else 0
        capacity: dict[str, list[float]] = {"ours": [], "baseline": []}
        paced: dict[str, list[float]] = {"ours": [], "baseline": []}
        for r in range(1, args.rounds + 1):
            for name, port in (("ours", ours_port), ("baseline", base_port)):
                results = load(pipes, "closed", port, args.duration, 0, args.clients)
                s = summary(results, args.duration)
                served_by_ours += s["ok"] if name == "ours" else 0
                capacity[name].append(s["rps"])
                print(
                    f"capacity r{r} {name:8}: {s['rps']:7.0f} req/s  p50 {s['p50']:5.1f} ms  "
                    f"p99 {s['p99']:6.1f} ms  errors {s['errors']}"
                )
        for r in range(1, args.rounds + 1):
            for name, port in (("ours", ours_port), ("baseline", base_port)):
                results = load(pipes, "paced", port, args.duration, args.rate, args.clients)
                s = summary(results, args.duration)
                served_by_ours += s["ok"] if name == "ours" else 0
                paced[name].append(s["p99"])
                print(
                    f"paced {args.rate:.0f}/s r{r} {name:8}: {s['rps']:5.0f} req/s  p50 {s['p50']:5.2f} ms  "
                    f"p99 {s['p99']:6.2f} ms  max {s['max']:6.1f} ms  errors {s['errors']}"
                )
    finally:
        for pipe in pipes:
            pipe.send("stop")
        for proc in (ours_proc, base_proc):
            proc.terminate()  # SIGTERM: gunicorn stops its workers gracefully (clicks flushed)
        for proc in (ours_proc, base_proc):
            proc.join(timeout=60)
    recorded = clicks_recorded(url)
    ours_cap, base_cap = statistics.median(capacity["ours"]), statistics.median(capacity["baseline"])
    print(
        f"\ncapacity ours / baseline (median of rounds): {ours_cap:.0f} / {base_cap:.0f} = "
        f"{ours_cap / base_cap:.2f}x (target >= 0.7x)"
    )
    print(
        f"p99 at {args.rate:.0f} req/s, worst round: ours {max(paced['ours']):.2f} ms, baseline "
        f"{max(paced['baseline']):.2f} ms (target <= 10 ms)"
    )
    print(
        f"redirects served by ours: {served_by_ours}; clicks recorded: {recorded}; "
        f"lost: {served_by_ours - recorded}"
    )
    print(f"\nwhole benchmark: {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
