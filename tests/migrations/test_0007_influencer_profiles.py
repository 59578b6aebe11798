"""Migration 0007 on a database at 0006 with data in it: every influencer gets its primary profile."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db import make_engine
from bot.migrate import downgrade, upgrade
from migrations.data_loss import DataLossRefused
from tests.migrations.helpers import run_sql

# (team, platform, handle, profile_url) as versions before 0007 saved them.
OLD_ROWS = [
    ("T1", "instagram", "Maya", "https://www.instagram.com/Maya/"),
    ("T1", "tiktok", "maya", None),
    ("T1", "youtube", "mayacooks", "https://www.youtube.com/c/mayacooks"),
    ("T1", "blog", "medium.com", "https://medium.com/@anna.writes"),
    ("T1", "blog", "mayacooks.com", "https://mayacooks.com/about"),
    ("T1", "blog", "linktr.ee", "https://linktr.ee/sophie"),
    ("T1", "other", "someone", None),
    # Saved from anna.medium.com: now the same profile as medium.com/@anna.writes' neighbour below.
    ("T1", "blog", "anna.medium.com", "https://anna.medium.com"),
    ("T1", "instagram", "anna_x", "https://medium.com/@anna"),  # a link elsewhere: the handle wins
    ("T2", "blog", "medium.com", "https://medium.com/@anna"),  # another team: its own profile
]


def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            user = conn.execute(
                text("INSERT INTO users (team_id, slack_user_id) VALUES ('T1', 'U1') RETURNING id")
            ).scalar_one()
            for i, (team, platform, handle, link) in enumerate(OLD_ROWS):
                inf = conn.execute(
                    text(
                        "INSERT INTO influencers (team_id, name, handle, platform, profile_url, created_at)"
                        " VALUES (:t, :n, :h, :p, :u, now() + make_interval(secs => :i)) RETURNING id"
                    ),
                    {"t": team, "n": f"Creator {i}", "h": handle, "p": platform, "u": link, "i": i},
                ).scalar_one()
                if team == "T1":
                    conn.execute(
                        text(
                            "INSERT INTO user_influencers (user_id, influencer_id, notes)"
                            " VALUES (:u, :i, 'n')"
                        ),
                        {"u": user, "i": inf},
                    )
    finally:
        engine.dispose()


@pytest.fixture
def at_0006(fresh_database_url) -> str:
    upgrade(fresh_database_url, "0006")
    _seed(fresh_database_url)
    return fresh_database_url


def test_every_influencer_gets_its_primary_profile(at_0006):
    upgrade(at_0006, "0007")
    profiles = run_sql(
        at_0006,
        "SELECT i.team_id, i.name, p.platform, p.handle, p.url, p.identity_key, p.is_primary,"
        " i.platform = p.platform AND i.handle = p.handle AND i.profile_url IS NOT DISTINCT FROM p.url"
        " FROM influencers i JOIN influencer_profiles p ON p.influencer_id = i.id AND p.team_id = i.team_id"
        " ORDER BY i.created_at",
    )
    assert len(profiles) == len(OLD_ROWS)
    assert all(p[6] for p in profiles), "each carried-over profile is its creator's primary one"
    assert all(p[7] for p in profiles), "the influencer's columns are in step with its primary profile"
    assert [(p[2], p[3], p[4], p[5]) for p in profiles] == [
        ("instagram", "Maya", "https://www.instagram.com/Maya/", "instagram:maya"),
        ("tiktok", "maya", "https://www.tiktok.com/@maya", "tiktok:maya"),
        ("youtube", "mayacooks", "https://www.youtube.com/c/mayacooks", "youtube:c/mayacooks"),
        ("blog", "anna.writes", "https://medium.com/@anna.writes", "url:medium.com/@anna.writes"),
        ("blog", "mayacooks.com/about", "https://mayacooks.com/about", "url:mayacooks.com/about"),
        ("other", "sophie", "https://linktr.ee/sophie", "url:linktr.ee/sophie"),
        ("other", "someone", None, "other:someone"),
        ("blog", "anna", "https://medium.com/@anna", "url:medium.com/@anna"),
        ("instagram", "anna_x", "https://www.instagram.com/anna_x/", "instagram:anna_x"),
        ("blog", "anna", "https://medium.com/@anna", "url:medium.com/@anna"),
    ]
    # Nothing else moved: relationships and their notes are where they were.
    assert run_sql(at_0006, "SELECT count(*), min(notes) FROM user_influencers") == [(9, "n")]


def test_two_old_rows_naming_one_profile_both_stay(fresh_database_url):
    upgrade(fresh_database_url, "0006")
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            for handle, link in (
                ("anna.medium.com", "https://anna.medium.com"),
                ("medium.com", "https://medium.com/@anna"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO influencers (team_id, name, handle, platform, profile_url)"
                        " VALUES ('T1', :h, :h, 'blog', :u)"
                    ),
                    {"h": handle, "u": link},
                )
    finally:
        engine.dispose()
    upgrade(fresh_database_url, "0007")
    keys = run_sql(fresh_database_url, "SELECT identity_key FROM influencer_profiles ORDER BY identity_key")
    assert len(keys) == 2 and ("url:medium.com/@anna",) in keys


def test_downgrade_without_linked_profiles_needs_no_flag(at_0006):
    upgrade(at_0006, "0007")
    downgrade(at_0006, "0006")  # primary profiles only: the influencer rows hold all of it
    assert run_sql(at_0006, "SELECT version_num FROM alembic_version") == [("0006",)]
    assert run_sql(at_0006, "SELECT count(*) FROM influencers") == [(len(OLD_ROWS),)]


def test_downgrade_refuses_to_drop_linked_profiles_then_restores_the_old_index(at_0006):
    upgrade(at_0006, "0007")
    inf, team = run_sql(at_0006, "SELECT id, team_id FROM influencers WHERE handle = 'maya'")[0]
    run_sql(
        at_0006,
        "INSERT INTO influencer_profiles (influencer_id, team_id, platform, handle, identity_key)"
        " VALUES (:i, :t, 'x', 'maya', 'x:maya') RETURNING id",
        i=inf,
        t=team,
    )
    with pytest.raises(DataLossRefused, match="table influencer_profiles: 1 row"):
        downgrade(at_0006, "0006")
    assert run_sql(at_0006, "SELECT version_num FROM alembic_version") == [("0007",)]
    # A second T1 creator called blog "anna" (anna.substack.com): the old unique index cannot return.
    run_sql(
        at_0006,
        "WITH i AS (INSERT INTO influencers (team_id, name, handle, platform)"
        " VALUES ('T1', 'S', 'anna', 'blog')"
        " RETURNING id) INSERT INTO influencer_profiles (influencer_id, team_id, platform, handle,"
        " identity_key, is_primary) SELECT id, 'T1', 'blog', 'anna', 'url:anna.substack.com', true FROM i"
        " RETURNING id",
    )
    with pytest.raises(DataLossRefused, match="belongs to more than one creator"):
        downgrade(at_0006, "0006", allow_data_loss=True)
    run_sql(at_0006, "DELETE FROM influencers WHERE name = 'S' RETURNING id")
    assert run_sql(at_0006, "SELECT count(*) FROM influencer_profiles") == [(len(OLD_ROWS) + 1,)]
    downgrade(at_0006, "0006", allow_data_loss=True)  # drops the linked x:maya
    assert run_sql(at_0006, "SELECT version_num FROM alembic_version") == [("0006",)]
    indexes = run_sql(at_0006, "SELECT indexname FROM pg_indexes WHERE tablename = 'influencers'")
    assert ("uq_influencers_team_platform_handle",) in indexes
    upgrade(at_0006)  # and up again, to head
