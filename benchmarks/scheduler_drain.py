"""Scheduler drain benchmark: 3 scheduler processes post 10,000 due follow-ups to 1,000 users.

Seeds 1,000 users (one workspace, timezones spread over 8 zones) with 10 due follow-ups each, starts a
fake Slack Web API on 127.0.0.1 (a threading HTTP server in this process that counts
chat.postMessage calls per DM channel), then starts --processes scheduler processes, each with its
own engine and worker id, that run the reminders job (bot.jobs.send_reminders, the function the
scheduler's every-minute trigger calls) concurrently against the same database until it is drained.

With --reminded-per-user N, each user also has N older open follow-ups reminded the day before
(their deliveries already sent): each DM must list them after the new ones, and their rows must come
out unchanged (they never trigger a DM and nothing is recorded for them).

Prints the number of DMs (must equal the number of users), duplicates (DMs beyond the first to a
user: must be 0), follow-ups listed, every delivery row's final status, the time to drain (from the
moment all processes are released until the last one finished), the machine and the date.

Uses BENCH_DATABASE_URL (its tables are emptied!) or a fresh embedded server in a temporary directory.
Run: python benchmarks/scheduler_drain.py [--users 1000] [--per-user 10] [--reminded-per-user 0]
[--processes 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from bench_db import benchmark_database
from sqlalchemy import text

from bot.db import make_engine
from bot.migrate import upgrade
from handlers.blocks.digests import MAX_ITEMS

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
)


class FakeSlack(ThreadingHTTPServer):
    """Just enough Web API: conversations.open, chat.postMessage (counted per channel), users.info."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.posts: Counter[str] = Counter()
        self.items = 0
        self.calls: Counter[str] = Counter()
        self.seq = 0


class _Handler(BaseHTTPRequestHandler):
    server: FakeSlack
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        params = json.loads(raw) if raw.startswith("{") else {k: v[0] for k, v in parse_qs(raw).items()}
        method = urlparse(self.path).path.rsplit("/", 1)[-1]
        fake = self.server
        with fake.lock:
            fake.calls[method] += 1
            fake.seq += 1
            seq = fake.seq
        if method == "conversations.open":
            body = {"ok": True, "channel": {"id": "D" + str(params.get("users", "U"))[1:]}}
        elif method == "chat.postMessage":
            blocks = params.get("blocks") or []
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            with fake.lock:
                fake.posts[params["channel"]] += 1
                fake.items += sum(1 for b in blocks if b.get("type") == "actions")
            body = {"ok": True, "channel": params["channel"], "ts": f"1700000000.{seq:06d}"}
        elif method == "users.info":
            user = str(params.get("user", ""))
            body = {"ok": True, "user": {"id": user, "tz": ZONES[int(user[1:]) % len(ZONES)]}}
        else:
            body = {"ok": False, "error": "unknown_method"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def seed(url: str, users: int, per_user: int, reminded: int, now: datetime) -> None:
    """Users U00000000…, one influencer per follow-up, follow-ups due over the last 10 days.

    Plus `reminded` older follow-ups per user, due 11+ days ago, each with a delivery marked sent a
    day before `now` (as the scheduler would have left it).
    """
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE deliveries, interactions, user_influencers, influencers, users CASCADE"))
        conn.execute(
            text(
                """
                INSERT INTO users (id, team_id, slack_user_id, display_name, timezone)
                SELECT md5('u' || u)::uuid, 'TBENCH0001', 'U' || lpad(u::text, 8, '0'), 'User ' || u,
                       (CAST(:zones AS text[]))[1 + u % :nzones]
                FROM generate_series(0, :users - 1) u
                """
            ),
            {"users": users, "zones": list(ZONES), "nzones": len(ZONES)},
        )
        conn.execute(
            text(
                """
                INSERT INTO influencers (id, team_id, name, handle, platform)
                SELECT md5('i' || n)::uuid, 'TBENCH0001', 'Creator ' || n, 'creator' || n, 'instagram'
                FROM generate_series(0, :n - 1) n
                """
            ),
            {"n": users * per_user},
        )
        conn.execute(
            text(
                """
                INSERT INTO user_influencers (user_id, influencer_id, follow_up_date)
                SELECT md5('u' || (n / :per))::uuid, md5('i' || n)::uuid,
                       :now - (n % 240) * interval '1 hour'
                FROM generate_series(0, :n - 1) n
                """
            ),
            {"per": per_user, "n": users * per_user, "now": now},
        )
        if reminded:
            conn.execute(
                text(
                    """
                    INSERT INTO influencers (id, team_id, name, handle, platform)
                    SELECT md5('o' || n)::uuid, 'TBENCH0001', 'Older ' || n, 'older' || n, 'instagram'
                    FROM generate_series(0, :n - 1) n
                    """
                ),
                {"n": users * reminded},
            )
            conn.execute(
                text(
                    """
                    INSERT INTO user_influencers (user_id, influencer_id, follow_up_date)
                    SELECT md5('u' || (n / :per))::uuid, md5('o' || n)::uuid,
                           :now - interval '11 days' - (n % 240) * interval '1 hour'
                    FROM generate_series(0, :n - 1) n
                    """
                ),
                {"per": reminded, "n": users * reminded, "now": now},
            )
            conn.execute(
                text(
                    """
                    INSERT INTO deliveries (kind, dedupe_key, team_id, user_id, relationship_id, due_at,
                                           status, attempts, delivered_at, next_attempt_at)
                    SELECT 'follow_up_reminder',
                           r.id::text || '@' || to_char(r.follow_up_date AT TIME ZONE 'UTC',
                                                        'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           'TBENCH0001', r.user_id, r.id, r.follow_up_date, 'sent', 1,
                           :sent_at, :sent_at
                    FROM user_influencers r JOIN influencers i ON i.id = r.influencer_id
                    WHERE i.handle LIKE 'older%'
                    """
                ),
                {"sent_at": now - timedelta(days=1)},
            )
        conn.execute(  # every creator has its primary profile, as crm.influencers keeps it
            text(
                """
                INSERT INTO influencer_profiles (influencer_id, team_id, platform, handle, identity_key,
                                                 is_primary)
                SELECT id, team_id, platform, handle, platform || ':' || lower(handle), true FROM influencers
                """
            )
        )
    engine.dispose()


def replica(url: str, api_url: str, ready, go, results) -> None:
    """One scheduler process: its own engine, Slack client and worker id; drains the reminders."""
    from bot.config import Settings
    from bot.jobs.context import JobContext, make_slack_client
    from bot.jobs.reminders import send_reminders

    settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=api_url)
    engine = make_engine(url, pool_size=2, max_overflow=0)
    ctx = JobContext(settings=settings, engine=engine, client=make_slack_client(settings))
    ready.release()
    go.wait()
    started = time.perf_counter()
    report = send_reminders(ctx)
    results.put(
        (ctx.worker_id, report.dms_sent, report.follow_ups, report.failed, time.perf_counter() - started)
    )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--reminded-per-user", type=int, default=0)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args()

    url, server = benchmark_database()
    upgrade(url)
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    seed(url, args.users, args.per_user, args.reminded_per_user, now)

    fake = FakeSlack()
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    api_url = f"http://127.0.0.1:{fake.server_address[1]}/api/"

    ctx = mp.get_context("spawn")
    ready, go, results = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=replica, args=(url, api_url, ready, go, results)) for _ in range(args.processes)
    ]
    for p in procs:
        p.start()
    for _ in procs:  # every process has imported everything and connected: time only the drain
        ready.acquire()
    started = time.perf_counter()
    go.set()
    per_process = [results.get(timeout=600) for _ in procs]
    drained = time.perf_counter() - started
    for p in procs:
        p.join()

    engine = make_engine(url)
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM deliveries GROUP BY status")).all())
        untouched = conn.execute(
            text(
                """
                SELECT count(*) FROM deliveries
                WHERE status = 'sent' AND delivered_at = :at AND attempts = 1
                  AND claimed_by IS NULL AND slack_ts IS NULL
                """
            ),
            {"at": now - timedelta(days=1)},
        ).scalar()
        pg_version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    fake.shutdown()

    dms = sum(fake.posts.values())
    duplicates = sum(n - 1 for n in fake.posts.values() if n > 1)
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · PostgreSQL {pg_version}"
    )
    print(f"seeded: {args.users:,} users × {args.per_user} due follow-ups = {args.users * args.per_user:,}")
    if args.reminded_per_user:
        older = args.users * args.reminded_per_user
        print(
            f"  plus {args.users:,} × {args.reminded_per_user} older open ones reminded yesterday = {older:,}"
        )
    print(f"processes: {args.processes}")
    for worker, sent, items, failed, seconds in per_process:
        print(f"  {worker}: {sent} DMs, {items} follow-ups, {failed} failed, {seconds:.2f} s")
    print(f"DMs: {dms:,} (expected {args.users:,}) · users DM'd: {len(fake.posts):,}")
    print(f"duplicates: {duplicates}")
    listed = args.users * min(args.per_user + args.reminded_per_user, MAX_ITEMS)
    print(
        f"follow-ups listed in DMs: {fake.items:,} (expected {listed:,}) · deliveries by status: {statuses}"
    )
    older = args.users * args.reminded_per_user
    print(f"older deliveries left unchanged: {untouched:,} (expected {older:,})")
    print(f"Web API calls: {dict(fake.calls)}")
    print(f"time to drain: {drained:.2f} s ({dms / drained:,.0f} DMs/s)")
    ok = (
        dms == args.users
        and duplicates == 0
        and statuses == {"sent": args.users * args.per_user + older}
        and untouched == older
        and fake.items == listed
    )
    print("result:", "OK" if ok else "FAILED")
    if server is not None:
        server.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
