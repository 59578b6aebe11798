"""Weekly summary benchmark: a workspace of 100 users, the summary with its chart, beside the old one.

Seeds (INSERT … SELECT generate_series) workspace TBWEEKLY: --users users with --per-user
relationships each (all statuses, a third with an earlier status in the history, a seventh with an
overdue follow-up, contacts over the last 90 days), --interactions interactions over the last 12
weeks, 20 open campaigns with 2,000 assignments. Then, with the clock at Monday 30 Nov 2026 09:00
Berlin, times --runs times each:

- baseline: the previous text-only summary (two `admin_summary` periods + the message);
- the parts: `weekly_actions` (per-owner overdue + going cold, partnered, campaigns),
  `weekly_trends` (8 weeks of pipeline by status + interactions), the PNG render alone;
- the whole: `weekly_summary` + `weekly_trends` + message + PNG (what the job computes);
- end to end: `post_weekly_summaries` against the fake Web API on loopback (claim, the materialized
  view refresh, figures, chat.postMessage, render, files upload v2), its delivery reset between runs.

The first render in a process imports matplotlib; it is printed apart from the warm runs.
Uses BENCH_DATABASE_URL (only workspace TBWEEKLY is deleted and re-created there) or a fresh
embedded server in a temporary directory.
Run: python benchmarks/weekly_summary.py [--users 100] [--per-user 100] [--interactions 50000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench_db import benchmark_database
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.slack.fake_slack for the fake API

from bot.config import Settings
from bot.db import make_engine
from bot.jobs.context import JobContext, make_slack_client
from bot.jobs.weekly import post_weekly_summaries
from bot.migrate import upgrade
from crm import analytics
from crm.charts import weekly_chart_png
from crm.reminders.summaries import summary_week_start
from crm.weekly_actions import weekly_actions
from crm.weekly_trends import weekly_trends
from handlers.blocks.weekly import weekly_summary_message
from tests.slack.fake_slack import FakeSlack

TEAM = "TBWEEKLY"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=BERLIN)  # a Monday: the summary of 23–29 Nov is due

SEED = [
    "DELETE FROM deliveries WHERE team_id = :team",
    "DELETE FROM campaigns WHERE team_id = :team",
    "DELETE FROM users WHERE team_id = :team",
    "DELETE FROM influencers WHERE team_id = :team",
    """INSERT INTO users (id, team_id, slack_user_id, display_name, timezone)
       SELECT md5('wb-user' || u)::uuid, :team, 'UWB' || lpad(u::text, 6, '0'), 'User ' || u, 'Europe/Berlin'
       FROM generate_series(1, :users) u""",
    """INSERT INTO influencers (id, team_id, name, handle, platform)
       SELECT md5('wb-i' || i)::uuid, :team, 'Creator ' || i, 'wbcreator' || i, 'instagram'
       FROM generate_series(1, :rels) i""",
    # created 1–170 days ago; status changed between then and now; contacts over 90 days.
    """INSERT INTO user_influencers (id, user_id, influencer_id, status, created_at, status_changed_at,
                                     last_contacted_at, follow_up_date, relationship_strength)
       SELECT md5('wb-r' || i)::uuid, md5('wb-user' || (1 + i % :users))::uuid, md5('wb-i' || i)::uuid,
              (ARRAY['saved','contacted','warm','cold','partnered'])[1 + i % 5],
              :now - (1 + i % 170) * interval '1 day',
              :now - ((1 + i % 170) * (i % 3) / 3) * interval '1 day',
              CASE WHEN i % 4 <> 0 THEN :now - (i % 90) * interval '1 day' END,
              CASE WHEN i % 7 = 0 THEN :now - (i % 10) * interval '1 day'
                   WHEN i % 7 = 1 THEN :now + (i % 20) * interval '1 day' END,
              i % 100
       FROM generate_series(1, :rels) i""",
    # A third had an earlier status (saved) from when they were added.
    """INSERT INTO relationship_status_changes (relationship_id, status, changed_at)
       SELECT ui.id, 'saved', ui.created_at FROM user_influencers ui JOIN users u ON u.id = ui.user_id
       WHERE u.team_id = :team AND ui.status_changed_at > ui.created_at""",
    """INSERT INTO interactions (user_id, influencer_id, type, interaction_date)
       SELECT md5('wb-user' || (1 + r % :users))::uuid, md5('wb-i' || r)::uuid,
              (ARRAY['email','call','meeting','note','file_upload'])[1 + k % 5],
              :now - (k % 84) * interval '1 day' - (k % 24) * interval '1 hour'
       FROM generate_series(1, :interactions) k CROSS JOIN LATERAL (SELECT 1 + (k * 7919) % :rels AS r) p""",
    """INSERT INTO campaigns (id, team_id, user_id, name, landing_url, status)
       SELECT md5('wb-c' || c)::uuid, :team, md5('wb-user' || (1 + c % :users))::uuid, 'Campaign ' || c,
              'https://shop.example.com', (ARRAY['active','paused','draft'])[1 + c % 3]
       FROM generate_series(1, 20) c""",
    """INSERT INTO campaign_influencers (campaign_id, influencer_id, user_id, status, short_code)
       SELECT md5('wb-c' || (1 + a % 20))::uuid, md5('wb-i' || a)::uuid,
              md5('wb-user' || (1 + a % :users))::uuid,
              (ARRAY['planned','active','completed','cancelled'])[1 + a % 4], left(md5('wb-a' || a), 12)
       FROM generate_series(1, 2000) a""",
]


def timed(label: str, fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    print(
        f"{label}: median {statistics.median(times) * 1000:,.0f} ms, slowest {max(times) * 1000:,.0f} ms"
        f" over {runs} runs"
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--per-user", type=int, default=100)
    parser.add_argument("--interactions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url, server = benchmark_database()
    upgrade(url)
    engine = make_engine(url)
    rels = args.users * args.per_user
    started = time.perf_counter()
    params = {"team": TEAM, "users": args.users, "rels": rels, "interactions": args.interactions, "now": NOW}
    with engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement), params)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    print(
        f"seeded {args.users} users, {rels:,} relationships, {args.interactions:,} interactions,"
        f" 20 campaigns, 2,000 assignments in {time.perf_counter() - started:.1f} s"
    )
    week_start = summary_week_start(NOW, BERLIN)
    week_end = week_start + timedelta(days=7)

    with Session(engine) as db:
        trends = weekly_trends(db, team_id=TEAM, end=week_end)
        started = time.perf_counter()
        png = weekly_chart_png(trends, title="CRM trends")
        print(
            "first render in this process (imports matplotlib):"
            f" {(time.perf_counter() - started) * 1000:,.0f} ms"
        )
        print(
            f"PNG {len(png) / 1024:.0f} KiB; pipeline at the last week's end"
            f" {sum(counts[-1] for counts in trends.pipeline.values()):,}"
        )

        def old_text_summary() -> None:  # what weekly_summary did before: two periods, no to-dos
            cur = analytics.admin_summary(db, team_id=TEAM, start=week_start, end=week_end, now=NOW)
            analytics.admin_summary(
                db, team_id=TEAM, start=week_start - timedelta(days=7), end=week_start, now=NOW
            )
            assert cur.team_id == TEAM

        def whole() -> None:
            summary = analytics.weekly_summary(db, team_id=TEAM, week_start=week_start, now=NOW)
            data = weekly_trends(db, team_id=TEAM, end=week_end)
            weekly_summary_message(summary, tz_name="Europe/Berlin").to_dict()
            weekly_chart_png(data, title="CRM trends")

        timed("baseline: previous text-only summary (2 x admin_summary)", old_text_summary, args.runs)
        actions = weekly_actions(db, team_id=TEAM, start=week_start, end=week_end, now=NOW)
        print(
            f"  owners needing attention {actions.owners_total},"
            f" partnered this week {actions.partnered_total}"
        )
        timed(
            "weekly_actions (overdue + going cold per owner, partnered, campaigns)",
            lambda: weekly_actions(db, team_id=TEAM, start=week_start, end=week_end, now=NOW),
            args.runs,
        )
        timed(
            "weekly_trends (8 weeks: pipeline by status, interactions)",
            lambda: weekly_trends(db, team_id=TEAM, end=week_end),
            args.runs,
        )
        timed("render the PNG alone (warm)", lambda: weekly_chart_png(trends, title="CRM trends"), args.runs)
        timed("the summary with its chart (figures + trends + message + PNG)", whole, args.runs)
        db.rollback()

    fake = FakeSlack().start()
    try:
        settings = Settings(
            slack_bot_token="xoxb-bench",
            slack_api_url=fake.api_url,
            admin_channel="C0ADMIN001",
            timezone="Europe/Berlin",
        )
        ctx = JobContext(settings=settings, engine=engine, client=make_slack_client(settings))

        def job() -> None:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM deliveries WHERE kind = 'weekly_summary'"))
            report = post_weekly_summaries(ctx, now=NOW)
            assert (report.posted, report.charts) == (1, 1), str(report)

        timed("end to end: post_weekly_summaries with the fake Web API (post + chart upload)", job, args.runs)
        print(f"  Slack calls in the last run: {[c.method for c in fake.calls[-4:]]}")
    finally:
        fake.stop()
    print(f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    engine.dispose()
    del server


if __name__ == "__main__":
    main()
