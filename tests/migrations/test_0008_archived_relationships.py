"""Migration 0008 on a database at 0007 with data in it: every relationship stays on its list; the
downgrade refuses while relationships are archived, unless data loss is allowed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db import make_engine
from bot.migrate import current_revision, downgrade, upgrade
from migrations.data_loss import DataLossRefused

SEED = """
INSERT INTO users (team_id, slack_user_id) VALUES ('T1', 'U1');
INSERT INTO influencers (team_id, name, handle, platform) VALUES ('T1', 'Maya', 'maya', 'instagram'),
                                                                 ('T1', 'Zed', 'zed', 'tiktok');
INSERT INTO user_influencers (user_id, influencer_id, status, tags, notes)
    SELECT u.id, i.id, 'warm', '{vegan}', 'met at VidCon' FROM users u, influencers i;
"""


def _run(url: str, sql: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def at_0007_with_data(fresh_database_url):
    upgrade(fresh_database_url, "0007")
    for statement in SEED.strip().split(";"):
        if statement.strip():
            _run(fresh_database_url, statement)
    return fresh_database_url


def test_upgrade_keeps_every_relationship_active_and_unchanged(at_0007_with_data):
    url = at_0007_with_data
    upgrade(url, "0008")
    rows = _run(url, "SELECT status, tags, notes, archived_at FROM user_influencers")
    assert rows == [("warm", ["vegan"], "met at VidCon", None)] * 2


def test_downgrade_without_archived_rows_goes_through(at_0007_with_data):
    url = at_0007_with_data
    upgrade(url, "0008")
    downgrade(url, "0007")
    assert current_revision(url) == "0007"
    assert _run(url, "SELECT count(*) FROM user_influencers") == [(2,)]


def test_downgrade_refuses_while_a_relationship_is_archived_unless_allowed(at_0007_with_data):
    url = at_0007_with_data
    upgrade(url, "0008")
    _run(
        url,
        "UPDATE user_influencers SET archived_at = now() WHERE influencer_id IN"
        " (SELECT id FROM influencers WHERE handle = 'zed')",
    )
    with pytest.raises(DataLossRefused, match=r"user_influencers\.archived_at: 1 row \(revision 0008"):
        downgrade(url, "0007")
    assert current_revision(url) == "0008"
    assert _run(url, "SELECT count(*) FROM user_influencers WHERE archived_at IS NOT NULL") == [(1,)]
    downgrade(url, "0007", allow_data_loss=True)
    assert current_revision(url) == "0007"
