"""`crm-bot demo-data` against a fresh database: plausible sample, identical after a second run."""

from __future__ import annotations

from argparse import Namespace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import text

from bot.cli import main as cli_main
from bot.config import Settings
from bot.db import make_engine
from bot.demo import main
from crm.followups import due_follow_ups
from crm.models import INTERACTION_TYPES, RELATIONSHIP_STATUSES, User

TEAM = "TDEMO0001"

# Everything the second run must leave exactly as the first did (strength is left out: it decays with
# the seconds between the runs).
FINGERPRINT = {
    "users": "SELECT count(*), md5(string_agg(slack_user_id || display_name || timezone || is_admin, ','"
    " ORDER BY slack_user_id)) FROM users WHERE team_id = :team",
    "influencers": "SELECT count(*), md5(string_agg(platform || handle || name || follower_count, ','"
    " ORDER BY platform, handle)) FROM influencers WHERE team_id = :team",
    "relationships": "SELECT count(*), md5(string_agg(concat_ws('|', i.handle, r.status, r.tags, r.priority,"
    " r.notes, r.last_contacted_at), ',' ORDER BY u.slack_user_id, i.handle)) FROM user_influencers r"
    " JOIN users u ON u.id = r.user_id JOIN influencers i ON i.id = r.influencer_id WHERE u.team_id = :team",
    "interactions": "SELECT count(*), md5(string_agg(concat_ws('|', x.idempotency_key, x.type,"
    " x.interaction_date, x.campaign_id), ',' ORDER BY x.idempotency_key)) FROM interactions x"
    " JOIN users u ON u.id = x.user_id WHERE u.team_id = :team",
    "campaigns": "SELECT count(*), md5(string_agg(name || status || landing_url, ',' ORDER BY name))"
    " FROM campaigns WHERE team_id = :team",
    "assignments": "SELECT count(*), md5(string_agg(a.status || a.utm_url, ',' ORDER BY a.utm_url))"
    " FROM campaign_influencers a JOIN campaigns c ON c.id = a.campaign_id WHERE c.team_id = :team",
}


def fingerprint(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {
            name: tuple(conn.execute(text(sql), {"team": TEAM}).one()) for name, sql in FINGERPRINT.items()
        }


def test_demo_data_is_plausible_and_a_second_run_changes_nothing(fresh_database_url, capsys):
    args = Namespace(team_id=TEAM, seed=7)
    assert main(Settings(), fresh_database_url, args) == 0
    engine = make_engine(fresh_database_url)
    try:
        first = fingerprint(engine)
        assert "Demo workspace TDEMO0001: 5 users, 60 influencers" in capsys.readouterr().out
        assert main(Settings(), fresh_database_url, args) == 0
        assert fingerprint(engine) == first

        counts = {name: value[0] for name, value in first.items()}
        assert counts["users"] == 5 and counts["influencers"] == 60 and counts["campaigns"] == 3
        assert 60 <= counts["relationships"] <= 120
        assert 250 <= counts["interactions"] <= 900
        assert 10 <= counts["assignments"] <= 24
        with engine.connect() as conn:

            def rows(sql: str) -> list:
                return conn.execute(text(sql), {"team": TEAM}).all()

            statuses = dict(rows("SELECT status, count(*) FROM user_influencers GROUP BY status"))
            assert set(statuses) == set(RELATIONSHIP_STATUSES)
            types = dict(rows("SELECT type, count(*) FROM interactions GROUP BY type"))
            assert set(types) == set(INTERACTION_TYPES)
            assert len(rows("SELECT DISTINCT platform FROM influencers")) >= 5
            oldest, newest = rows("SELECT min(interaction_date), max(interaction_date) FROM interactions")[0]
            now = datetime.now(UTC)
            assert now - timedelta(days=183) <= oldest < now - timedelta(days=120) and newest <= now
            assert rows("SELECT count(*) FROM interactions WHERE campaign_id IS NOT NULL")[0][0] > 0
            assert rows("SELECT count(*) FROM user_influencers WHERE tags = '{}'")[0][0] == 0
            assert rows("SELECT count(*) FROM user_influencers WHERE notes IS NOT NULL")[0][0] > 0
            assert (
                rows("SELECT min(relationship_strength) FROM user_influencers WHERE status = 'partnered'")[0][
                    0
                ]
                > 0
            )
            links = rows(
                "SELECT a.utm_url, c.landing_url FROM campaign_influencers a"
                " JOIN campaigns c ON c.id = a.campaign_id"
            )
            assert all(
                "utm_source=" in url and url.startswith(landing.split("?")[0].split("#")[0])
                for url, landing in links
            )
            assert rows("SELECT count(*) FROM admin_analytics WHERE team_id = :team")[0][0] == 5
            _history_has_a_past(rows, now)
        from sqlalchemy.orm import Session

        with Session(engine) as db:
            for user in db.query(User).filter(User.team_id == TEAM):
                due = due_follow_ups(db, actor=user)
                assert len(due) >= 2  # one due today and one overdue each
                assert any(r.follow_up_date < datetime.now(UTC) - timedelta(days=1) for r in due)
    finally:
        engine.dispose()


PATH = {"saved": 0, "contacted": 1, "warm": 2, "cold": 3, "partnered": 3}


def _history_has_a_past(rows, now: datetime) -> None:
    """Relationships were saved over months and moved along their pipeline, week by week, so that
    the weekly chart and the admin figures of a fresh demo are not all "today"."""
    created = [r[0] for r in rows("SELECT created_at FROM user_influencers")]
    assert min(created) < now - timedelta(days=120) and max(created) < now
    assert sum(c >= now - timedelta(days=30) for c in created) < len(created) / 2
    history = rows(
        "SELECT ui.id, ui.created_at, ui.status, ui.status_changed_at, h.status, h.changed_at"
        " FROM user_influencers ui JOIN relationship_status_changes h ON h.relationship_id = ui.id"
        " ORDER BY ui.id, h.changed_at, h.id"
    )
    by_relationship: dict = {}
    for rel_id, created_at, status, changed_at, step, step_at in history:
        by_relationship.setdefault(rel_id, (created_at, status, changed_at, []))[3].append((step, step_at))
    for created_at, status, changed_at, steps in by_relationship.values():
        # Saved when created; each later step further along; the last one is the status now, then.
        assert steps[0] == ("saved", created_at)
        assert [PATH[s] for s, _ in steps] == sorted({PATH[s] for s, _ in steps})
        assert steps[-1] == (status, changed_at)
        assert all(a < b for (_, a), (_, b) in pairwise(steps))
    weeks = {step_at.isocalendar()[:2] for *_, step_at in history}
    assert len(weeks) >= 12  # status changes spread over months, not all today
    partnered_this_week = [r for r in history if r[4] == "partnered" and r[5] >= now - timedelta(days=7)]
    assert 0 < len(partnered_this_week) < len([r for r in history if r[4] == "partnered"])


def test_bad_team_id_prints_one_line_and_writes_nothing(fresh_database_url, capsys):
    assert main(Settings(), fresh_database_url, Namespace(team_id="not a team", seed=7)) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("crm-bot demo-data: --team-id 'not a team': a demo workspace id starts with TDEMO")
    engine = make_engine(fresh_database_url)
    with engine.connect() as conn:  # refused before anything, migrations included
        assert conn.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) == 0
    engine.dispose()


def test_a_real_workspace_id_is_refused(fresh_database_url, capsys):
    """Demo data never goes into a real workspace: its users would get reminder DMs from nobody."""
    assert main(Settings(), fresh_database_url, Namespace(team_id="T0123ABCD", seed=7)) == 1
    assert "demo workspace id starts with TDEMO" in capsys.readouterr().err


def test_unreachable_database_is_one_line_and_exit_1(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    assert cli_main(["demo-data"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("crm-bot: database unavailable:")


@pytest.fixture(autouse=True)
def _quiet_logging(caplog):
    caplog.set_level("WARNING")
