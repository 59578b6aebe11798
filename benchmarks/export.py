"""Export benchmark: one user with 50,000 relationships, timed through crm.exports.

Seeds (INSERT … SELECT generate_series) workspace TBEXPORT with one user (Europe/Berlin) and
--rows influencers on their list, with tags, notes (a fifth starting with `-`, so neutralized),
follow-ups and last contacts; then times `write_relationships` (what `/crm export` runs) and
`write_team` (what `crm-bot export` runs) into memory, --runs times each, and prints the median and
the slowest, the CSV's size, and the process's peak RSS.

Uses BENCH_DATABASE_URL (only workspace TBEXPORT is deleted and re-created there) or a fresh
embedded server in a temporary directory.
Run: python benchmarks/export.py [--rows 50000] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import statistics
import time

from bench_db import benchmark_database
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.db import make_engine
from bot.migrate import upgrade
from crm.exports import write_relationships, write_team
from crm.models import User
from crm.relationship_list import RelationshipFilter

TEAM = "TBEXPORT"

SEED = [
    "DELETE FROM users WHERE team_id = :team",
    "DELETE FROM influencers WHERE team_id = :team",
    """INSERT INTO users (id, team_id, slack_user_id, display_name, timezone)
       VALUES (md5('export-user')::uuid, :team, 'UEXPORT001', 'Exporter', 'Europe/Berlin')""",
    """INSERT INTO influencers (id, team_id, name, handle, platform, profile_url, email)
       SELECT md5('export-i' || i)::uuid, :team, 'Creator ' || i || ' Müller', 'creator' || i,
              (ARRAY['instagram','tiktok','youtube','x'])[1 + i % 4],
              'https://instagram.com/creator' || i,
              CASE WHEN i % 3 = 0 THEN 'creator' || i || '@example.com' END
       FROM generate_series(1, :rows) i""",
    """INSERT INTO user_influencers (user_id, influencer_id, status, priority, tags, notes,
                                     follow_up_date, last_contacted_at)
       SELECT md5('export-user')::uuid, md5('export-i' || i)::uuid,
              (ARRAY['saved','contacted','warm','cold','partnered'])[1 + i % 5], i % 6,
              ARRAY['skincare', 'tag' || (i % 50)],
              CASE WHEN i % 5 = 0 THEN '- met at the expo, wants a brief, "quoted", comma' ELSE
                   'Loved the brief; follow up about rates' END,
              now() + (i % 90) * interval '1 day', now() - (i % 365) * interval '1 day'
       FROM generate_series(1, :rows) i""",
]


def timed(fn, runs: int) -> tuple[list[float], int, int]:
    times, count, size = [], 0, 0
    for _ in range(runs):
        out = io.BytesIO()
        started = time.perf_counter()
        count = fn(out)
        times.append(time.perf_counter() - started)
        size = len(out.getvalue())
    return times, count, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url, server = benchmark_database()
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement), {"team": TEAM, "rows": args.rows})
        conn.execute(text("ANALYZE user_influencers; ANALYZE influencers"))
    print(f"seeded {args.rows:,} relationships in {time.perf_counter() - started:.1f} s")
    with Session(engine) as db:
        actor = db.scalars(select(User).where(User.team_id == TEAM)).one()
        for label, fn in [
            (
                "/crm export (write_relationships)",
                lambda out: write_relationships(db, out, actor=actor, filters=RelationshipFilter()),
            ),
            ("crm-bot export (write_team)", lambda out: write_team(db, out, team_id=TEAM)),
        ]:
            times, count, size = timed(fn, args.runs)
            print(
                f"{label}: {count:,} rows, {size / 1e6:.1f} MB, median {statistics.median(times):.2f} s,"
                f" slowest {max(times):.2f} s over {args.runs} runs"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS {peak:.0f} MB (the process, including the BytesIO copies)")
    print(f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    engine.dispose()
    del server


if __name__ == "__main__":
    main()
