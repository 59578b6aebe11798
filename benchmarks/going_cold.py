"""Going-cold benchmark: the going-cold selection over 200,000 relationships, beside baselines.

Generates data_layer's workspace set (at --scale 1: 1,000 users in 10 workspaces, 200,000
relationships, 2,000,000 interactions over the last year; 30% warm or partnered) with its loader,
then times, each over --runs calls (p50 / p95 / max, milliseconds):
- the whole-database selection the going-cold job runs every 15 minutes (who has anything going
  cold: crm.going_cold over all 200,000 relationships, both rules), target ≤ 1 s;
- count_by_owner for one workspace (the weekly summary's figure) and one user's App Home rows;
- baselines over the same data: the due-follow-ups selection the reminders job runs every minute
  (enqueue_due_follow_ups' SELECT) and a plain count of warm/partnered relationships;
- how many are going cold, by which rule.

Uses BENCH_DATABASE_URL (its tables are emptied!) or a fresh embedded server in a temporary directory.
Run: python benchmarks/going_cold.py [--scale 1] [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench_db import benchmark_database
from data_layer import LOAD, NOW, _int4, dataset, machine
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.db import make_engine
from bot.migrate import upgrade
from crm.going_cold import count_by_owner, going_cold_for, going_cold_subquery
from crm.models import User

DUE_SELECTION = """
    SELECT count(*) FROM user_influencers r JOIN users u ON u.id = r.user_id
    WHERE r.follow_up_date <= :now AND r.archived_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.kind = 'follow_up_reminder'
                      AND d.dedupe_key = r.id::text || '@' ||
                          to_char(r.follow_up_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                      AND d.status <> 'cancelled')
"""
CAMPAIGN_OF_INTERACTION = (
    "CASE WHEN n % 10 < 3 THEN md5('c' || ((n % (:users * :rels) / :rels) * 3 + n % 3))::uuid END"
)
PLAIN_COUNT = (
    "SELECT count(*) FROM user_influencers WHERE status IN ('warm', 'partnered') AND archived_at IS NULL"
)


def timed(fn, runs: int) -> tuple[float, float, float, object]:
    """(p50, p95, max) in ms over `runs` calls after one untimed warm-up, and the last result."""
    result = fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(samples), p95, ordered[-1], result


def load(engine, params: dict) -> None:
    """data_layer's generators for what going cold reads (users, influencers, profiles, relationships,
    interactions, last contact): campaigns and assignments play no part in it."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE users, influencers, campaigns CASCADE"))
    for name, sql in LOAD:
        if name in ("campaigns", "assignments"):
            continue
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text("SELECT setseed(0.42)"))
            sql = sql.replace(CAMPAIGN_OF_INTERACTION, "NULL")  # no campaigns generated
            rows = conn.execute(text(_int4(sql, params)), params).rowcount
        print(f"  load {name:<14} {rows:>10,} rows  {time.perf_counter() - t0:7.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set (default 1)")
    parser.add_argument("--runs", type=int, default=10, help="timed calls per query (default 10)")
    args = parser.parse_args(argv)
    params = dataset(args.scale)
    users, teams = params["users"], params["teams"]
    url, server = benchmark_database()
    try:
        upgrade(url)
        engine = make_engine(url)
        print("Going-cold benchmark\n" + "\n".join(machine(engine)), flush=True)
        print(
            f"Generating: {users:,} users in {teams} workspaces, {users * 200:,} relationships, "
            f"{params['interactions']:,} interactions",
            flush=True,
        )
        load(engine, params)
        with Session(engine) as db:
            team = db.scalar(select(User.team_id).order_by(User.team_id).limit(1))
            user = db.scalars(select(User).where(User.team_id == team).order_by(User.id).limit(1)).one()
            cold = going_cold_subquery(NOW)

            def everyone():
                return db.scalar(select(func.count(func.distinct(cold.c.user_id))))

            def by_rule():
                overdue = cold.c.since < text(":now - make_interval(days => going_cold.cadence_days)")
                row = db.execute(select(func.count(), func.count().filter(overdue)), {"now": NOW}).one()
                return tuple(row)

            rows = [
                ("going cold: users with any (all 200k relationships)", everyone),
                (
                    f"count_by_owner, one workspace ({team})",
                    lambda: len(count_by_owner(db, team_id=team, now=NOW)),
                ),
                (
                    "one user's App Home rows (going_cold_for)",
                    lambda: going_cold_for(db, actor=user, now=NOW)[1],
                ),
                (
                    "baseline: due follow-ups selection (reminders job)",
                    lambda: db.scalar(text(DUE_SELECTION), {"now": NOW}),
                ),
                ("baseline: count warm/partnered (plain)", lambda: db.scalar(text(PLAIN_COUNT))),
            ]
            print(f"\n{'query':<55} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}  result")
            for label, fn in rows:
                p50, p95, worst, result = timed(fn, args.runs)
                print(f"{label:<55} {p50:9.1f} {p95:9.1f} {worst:9.1f}  {result}", flush=True)
            total, overdue = by_rule()
            print(
                f"\ngoing cold: {total:,} relationships, {overdue:,} past their cadence, "
                f"{total - overdue:,} by the strength rule alone"
            )
    finally:
        if server is not None:
            server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
