"""Data-layer benchmark: bulk-generate a large workspace set in PostgreSQL and time the crm queries.

Generates (at --scale 1) 1,000 users in 10 workspaces, 100,000 influencers, 200,000 relationships
(200 per user), 2,000,000 interactions (10 per relationship, over the last year), 3,000 campaigns and
30,000 assignments with INSERT … SELECT generate_series, then prints:
- list_relationships / due_follow_ups / relationship_card / home_dashboard for one user (p50/p95 over
  --runs calls of the crm functions),
- the admin analytics read from our materialized view vs the spec's plain-view SQL run verbatim
  (statement_timeout --spec-timeout), their ratio and whether avg_relationship_strength agrees per user,
- REFRESH MATERIALIZED VIEW CONCURRENTLY time and crm.strength.recompute_all time,
- the machine, PostgreSQL version and date.

Uses BENCH_DATABASE_URL (its tables are emptied!) or a fresh embedded server in a temporary directory.
Run: python benchmarks/data_layer.py [--scale 1] [--runs 200] [--spec-timeout 600]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench_db import benchmark_database
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.db import make_engine
from bot.migrate import upgrade
from crm.analytics import admin_summary, refresh_admin_analytics
from crm.models import User

NOW = datetime.now(UTC).replace(microsecond=0)

# The spec's admin_analytics view (../shared/spec/database-schema.md), verbatim.
SPEC_ADMIN_ANALYTICS = (Path(__file__).parent / "spec_admin_analytics.sql").read_text()

# Shared expressions: user u -> team, member index m; relationship r -> its user and influencer.
# Ids are md5-derived UUIDs so every table can reference the others without lookups.
UID = "md5('u' || {u})::uuid"
TEAM = "'TB' || lpad(({u} % :teams)::text, 3, '0')"
# The k-th influencer of user u: influencer g = team + teams * ((m * rels/2 + k) mod per_team).
INF_OF = "md5('i' || (({u} % :teams) + :teams * ((({u} / :teams) * (:rels / 2) + {k}) % :per_team)))::uuid"

LOAD = [
    (
        "users",
        f"""INSERT INTO users (id, team_id, slack_user_id, email, display_name, timezone)
        SELECT {UID.format(u="u")}, {TEAM.format(u="u")}, 'U' || lpad(u::text, 8, '0'),
               'user' || u || '@bench.example', 'User ' || u,
               (ARRAY['UTC','Europe/Berlin','America/New_York','Asia/Tokyo'])[1 + u % 4]
        FROM generate_series(0, :users - 1) u""",
    ),
    (
        "influencers",
        """INSERT INTO influencers (id, team_id, name, handle, platform, follower_count)
        SELECT md5('i' || g)::uuid, 'TB' || lpad((g % :teams)::text, 3, '0'), 'Creator ' || g, 'creator' || g,
               (ARRAY['instagram','tiktok','youtube','x','twitch','linkedin','blog','other'])[1 + g % 8],
               (1000 + random() * 2000000)::bigint
        FROM generate_series(0, :influencers - 1) g""",
    ),
    (
        "profiles",
        # Each creator's primary profile, keyed as crm.profiles keys a dot-less handle on its platform.
        """INSERT INTO influencer_profiles
               (influencer_id, team_id, platform, handle, identity_key, is_primary)
        SELECT id, team_id, platform, handle, platform || ':' || lower(handle), true FROM influencers""",
    ),
    (
        "campaigns",
        f"""INSERT INTO campaigns (id, team_id, user_id, name, landing_url, status)
        SELECT md5('c' || c)::uuid, {TEAM.format(u="(c / 3)")}, {UID.format(u="(c / 3)")}, 'Campaign ' || c,
               'https://shop.bench.example/c' || c,
               (ARRAY['draft','active','paused','completed','archived'])[1 + c % 5]
        FROM generate_series(0, :users * 3 - 1) c""",
    ),
    (
        "relationships",
        f"""INSERT INTO user_influencers (user_id, influencer_id, status, tags, priority, follow_up_date,
                                       created_at, status_changed_at)
        SELECT {UID.format(u="(r / :rels)")}, {INF_OF.format(u="(r / :rels)", k="(r % :rels)")},
               (ARRAY['saved','saved','saved','contacted','contacted','contacted','warm','warm','cold',
                      'partnered'])[1 + (r / 3) % 10],
               string_to_array((ARRAY['fitness,micro','beauty,macro','food,ugc','tech,q3'])[1 + r % 4], ',')
                   ::varchar[],
               r % 6,
               CASE WHEN r % 5 = 0 THEN :now + make_interval(days => (r * 7919) % 40 - 10) END,
               :now - make_interval(days => 30 + r % 300),
               :now - make_interval(days => r % 30)
        FROM generate_series(0, :users * :rels - 1) r""",
    ),
    (
        "interactions",
        f"""INSERT INTO interactions (user_id, influencer_id, campaign_id, type, subject, interaction_date)
        SELECT {UID.format(u="(n % (:users * :rels) / :rels)")},
               {INF_OF.format(u="(n % (:users * :rels) / :rels)", k="(n % (:users * :rels) % :rels)")},
               CASE WHEN n % 10 < 3 THEN md5('c' || ((n % (:users * :rels) / :rels) * 3 + n % 3))::uuid END,
               (ARRAY['email','email','email','call','meeting','note','note','file_upload'])[1 + (n / 7) % 8],
               'Interaction ' || n, :now - random() * interval '365 days'
        FROM generate_series(0, :interactions - 1) n""",
    ),
    (
        "assignments",
        f"""INSERT INTO campaign_influencers (campaign_id, influencer_id, user_id, utm_source, utm_medium,
                                           utm_campaign, utm_url, status, short_code)
        SELECT md5('c' || c)::uuid, {INF_OF.format(u="(c / 3)", k="((c % 3) * 10 + a)")},
               {UID.format(u="(c / 3)")}, 'instagram', 'influencer', 'campaign-' || c,
               'https://shop.bench.example/c' || c || '?utm_source=instagram',
               (ARRAY['planned','active','completed','cancelled'])[1 + a % 4],
               substr(md5('s' || c || '-' || a), 1, 12)
        FROM generate_series(0, :users * 3 - 1) c, generate_series(0, 9) a""",
    ),
    (
        "last contact",
        """UPDATE user_influencers ui SET last_contacted_at = x.last
        FROM (SELECT user_id, influencer_id, max(interaction_date) AS last FROM interactions
              WHERE type IN ('email', 'call', 'meeting') GROUP BY user_id, influencer_id) x
        WHERE ui.user_id = x.user_id AND ui.influencer_id = x.influencer_id""",
    ),
]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, runs: int, warmup: int = 10) -> tuple[float, float]:
    """(p50, p95) in milliseconds of `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), percentile(samples, 95)


def machine(engine) -> list[str]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    with engine.connect() as conn:
        version = conn.scalar(text("SELECT version()"))
        config = ", ".join(
            f"{name}={conn.scalar(text(f'SHOW {name}'))}"
            for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather")
        )
    return [
        f"date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"uname -a: {subprocess.run(['uname', '-a'], capture_output=True, text=True).stdout.strip()}",
        f"nproc: {os.cpu_count()}  memory: {mem_kb / 1024**2:.1f} GiB  python: {platform.python_version()}",
        f"PostgreSQL: {version}",
        f"PostgreSQL settings (defaults of the server used): {config}",
    ]


def _int4(sql: str, params: dict) -> str:
    """Cast the integer parameters to int: psycopg sends small ints as int2, and int2 * int2 overflows."""
    for name in sorted((n for n, v in params.items() if isinstance(v, int)), key=len, reverse=True):
        sql = re.sub(rf":{name}\b", f"CAST(:{name} AS int)", sql)
    return sql


def load(engine, params: dict) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE deliveries, interactions, campaign_influencers, user_influencers, "
                "campaigns, influencer_profiles, influencers, users CASCADE"
            )
        )
    for name, sql in LOAD:
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text("SELECT setseed(0.42)"))
            rows = conn.execute(text(_int4(sql, params)), params).rowcount
        print(f"  load {name:<14} {rows:>10,} rows  {time.perf_counter() - t0:7.1f} s", flush=True)
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  vacuum analyze                     {time.perf_counter() - t0:7.1f} s", flush=True)


def run_spec_view(engine, timeout_s: int) -> tuple[float | None, dict]:
    """(seconds or None on timeout, {user_id: avg}) for the spec's view SQL run verbatim."""
    with engine.connect() as conn:
        conn.execute(text(f"SET statement_timeout = '{timeout_s}s'"))
        t0 = time.perf_counter()
        try:
            rows = conn.exec_driver_sql(SPEC_ADMIN_ANALYTICS).all()
        except Exception as exc:  # statement_timeout: QueryCanceled
            if "statement timeout" not in str(exc):
                raise
            return None, {}
        return time.perf_counter() - t0, {r.user_id: r.avg_relationship_strength for r in rows}


def dataset(scale: float) -> dict:
    """The generated data set's sizes (and NOW) at `scale` of the full one: 1,000 users in 10
    workspaces with 200 relationships and 2,000 interactions each, over 100,000 influencers."""
    users = max(10, round(1000 * scale))
    teams = 10 if users >= 1000 else 1
    params = {
        "users": users,
        "teams": teams,
        "rels": 200,
        "influencers": round(100_000 * scale),
        "interactions": users * 2000,
        "now": NOW,
    }
    params["per_team"] = params["influencers"] // teams
    return params


def agree(ours: dict, spec: dict) -> tuple[int, Decimal]:
    """(users whose averages differ by more than 1e-9, the largest difference)."""
    diffs = [abs((ours[u] or 0) - (spec[u] or 0)) for u in spec if (ours[u] is None) == (spec[u] is None)]
    nulls = sum(1 for u in spec if (ours[u] is None) != (spec[u] is None))
    return nulls + sum(1 for d in diffs if d > Decimal("1e-9")), max(diffs, default=Decimal(0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set (default 1)")
    parser.add_argument("--runs", type=int, default=200, help="timed calls per query (default 200)")
    parser.add_argument("--spec-timeout", type=int, default=600, help="seconds for the spec's view (600)")
    parser.add_argument("--sample-users", type=int, default=5, help="users for the per-user spec query")
    args = parser.parse_args(argv)

    from crm.dashboard import home_dashboard, relationship_card
    from crm.followups import due_follow_ups
    from crm.relationship_list import RelationshipFilter, list_relationships
    from crm.strength import recompute_all

    params = dataset(args.scale)
    users, teams = params["users"], params["teams"]
    assert params["per_team"] >= params["rels"], "scale too small for 200 relationships per user"

    started = time.perf_counter()
    url, server = benchmark_database()
    try:
        upgrade(url)
        engine = make_engine(url)
        print("Data layer benchmark\n" + "\n".join(machine(engine)), flush=True)
        print(
            f"Generating: {params['users']:,} users in {teams} workspaces, {params['influencers']:,} "
            f"influencers, {params['users'] * params['rels']:,} relationships, "
            f"{params['interactions']:,} interactions, {params['users'] * 3:,} campaigns, "
            f"{params['users'] * 30:,} assignments",
            flush=True,
        )
        load(engine, params)

        with Session(engine) as db:
            t0 = time.perf_counter()
            changed = recompute_all(db, now=NOW)
            db.commit()
            print(f"recompute_all: {time.perf_counter() - t0:.2f} s ({changed:,} rows changed)", flush=True)
            t0 = time.perf_counter()
            refresh_admin_analytics(db, concurrently=True)
            db.commit()
            print(f"REFRESH MATERIALIZED VIEW CONCURRENTLY admin_analytics: {time.perf_counter() - t0:.2f} s")

            actor = db.get(User, db.scalar(text("SELECT md5('u' || 0)::uuid")))
            page = list_relationships(db, actor=actor, filters=RelationshipFilter())
            due = due_follow_ups(db, actor=actor, now=NOW)
            print(f"One user ({page.total} relationships, {len(due)} follow-ups due), {args.runs} runs each:")
            for label, fn in [
                (
                    "list_relationships (default: by strength, 20)",
                    lambda: list_relationships(db, actor=actor, filters=RelationshipFilter()),
                ),
                (
                    "list_relationships (status=warm, by follow-up)",
                    lambda: list_relationships(
                        db, actor=actor, filters=RelationshipFilter(status="warm", sort="follow_up")
                    ),
                ),
                ("due_follow_ups", lambda: due_follow_ups(db, actor=actor, now=NOW)),
                (
                    "relationship_card (strongest relationship)",
                    lambda: relationship_card(db, actor=actor, influencer_id=page.items[0].influencer_id),
                ),
                ("home_dashboard", lambda: home_dashboard(db, actor=actor, now=NOW)),
            ]:
                p50, p95 = timed(lambda fn=fn: (db.expunge_all(), db.add(actor), fn()), args.runs)
                print(f"  {label:<48} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")

            team = actor.team_id
            p50_view, _ = timed(lambda: db.execute(text("SELECT * FROM admin_analytics")).all(), 20, 3)
            p50_sum, _ = timed(
                lambda: admin_summary(db, team_id=team, start=NOW - timedelta(days=30), end=NOW, now=NOW),
                20,
                3,
            )
            ours = dict(
                db.execute(text("SELECT user_id, avg_relationship_strength FROM admin_analytics")).all()
            )
            db.rollback()
        print(
            f"Admin analytics, all {users:,} users: materialized view read p50 {p50_view:.2f} ms; "
            f"admin_summary(one workspace) p50 {p50_sum:.2f} ms"
        )

        sample = list(ours)[: args.sample_users]
        spec_sample = {}
        with engine.connect() as conn:
            t0 = time.perf_counter()
            for uid in sample:
                q = f"SELECT * FROM ({SPEC_ADMIN_ANALYTICS.rstrip().rstrip(';')}) s WHERE s.user_id = %(u)s"
                spec_sample.update(
                    {
                        r.user_id: r.avg_relationship_strength
                        for r in conn.exec_driver_sql(q, {"u": uid}).all()
                    }
                )
            per_user = (time.perf_counter() - t0) / len(sample)
        bad, worst = agree(ours, spec_sample)
        print(
            f"Spec view restricted to one user (WHERE user_id = …, pushed down): {per_user:.2f} s per user "
            f"-> about {per_user * users:,.0f} s for all users; avg_relationship_strength agrees for "
            f"{len(sample) - bad}/{len(sample)} sampled users (max difference {worst})"
        )
        print(f"Spec view, verbatim, all users (statement_timeout {args.spec_timeout} s) ...", flush=True)
        seconds, spec_all = run_spec_view(engine, args.spec_timeout)
        if seconds is None:
            print(
                f"  did not finish within {args.spec_timeout} s (cancelled); ratio to the materialized "
                f"view read > {args.spec_timeout * 1000 / p50_view:,.0f}x"
            )
        else:
            bad, worst = agree(ours, spec_all)
            print(
                f"  {seconds:.1f} s; ratio to the materialized view read {seconds * 1000 / p50_view:,.0f}x; "
                f"avg_relationship_strength agrees for {len(spec_all) - bad}/{len(spec_all)} users "
                f"(max difference {worst})"
            )
        engine.dispose()
    finally:
        if server is not None:
            server.cleanup()
    print(f"Total run time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
