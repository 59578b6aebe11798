"""Migration 0011 on a database at 0010 with data in it: the status history is seeded with each
relationship's current status at its status_changed_at and kept by the triggers from then on; the
downgrade refuses while it would drop opt-ins or history, unless data loss is allowed."""

from __future__ import annotations

import pytest

from bot.migrate import current_revision, downgrade, upgrade
from migrations.data_loss import DataLossRefused
from tests.migrations.helpers import run_sql, upgraded_with

SEED = """
INSERT INTO users (team_id, slack_user_id) VALUES ('T1', 'U1');
INSERT INTO influencers (team_id, name, handle, platform) VALUES ('T1', 'Maya', 'maya', 'instagram'),
                                                                 ('T1', 'Zed', 'zed', 'tiktok');
INSERT INTO user_influencers (user_id, influencer_id, status, status_changed_at)
    SELECT u.id, i.id, CASE i.handle WHEN 'maya' THEN 'warm' ELSE 'partnered' END, '2026-10-01T12:00:00Z'
    FROM users u, influencers i;
"""


@pytest.fixture
def at_0010_with_data(fresh_database_url):
    return upgraded_with(fresh_database_url, "0010", SEED)


HISTORY = """
    SELECT i.handle, h.status, to_char(h.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
    FROM relationship_status_changes h
    JOIN user_influencers ui ON ui.id = h.relationship_id JOIN influencers i ON i.id = ui.influencer_id
    ORDER BY i.handle, h.id
"""


def test_upgrade_seeds_the_history_and_the_triggers_keep_it(at_0010_with_data):
    url = at_0010_with_data
    upgrade(url, "0011")
    assert run_sql(url, HISTORY) == [
        ("maya", "warm", "2026-10-01 12:00"),
        ("zed", "partnered", "2026-10-01 12:00"),
    ]
    assert run_sql(url, "SELECT count(*) FROM users WHERE weekly_digest_since IS NOT NULL") == [(0,)]
    # Bulk SQL, as an import or a script would write: the triggers see it too.
    run_sql(
        url,
        "UPDATE user_influencers SET status = 'cold' FROM influencers i"
        " WHERE i.id = influencer_id AND i.handle = 'maya'",
    )
    run_sql(url, "UPDATE user_influencers SET relationship_strength = 50")  # not a status change: no row
    assert [(h, s) for h, s, _ in run_sql(url, HISTORY)] == [
        ("maya", "warm"),
        ("maya", "cold"),
        ("zed", "partnered"),
    ]


def test_downgrade_refuses_while_someone_opted_in_unless_allowed(at_0010_with_data):
    url = at_0010_with_data
    upgrade(url, "0011")
    run_sql(url, "UPDATE users SET weekly_digest_since = now()")
    with pytest.raises(DataLossRefused) as refused:
        downgrade(url, "0010")
    assert "users.weekly_digest_since: 1 row" in str(refused.value)
    assert "table relationship_status_changes: 2 rows" in str(refused.value)
    assert current_revision(url) == "0011"
    downgrade(url, "0010", allow_data_loss=True)
    assert current_revision(url) == "0010"
    assert run_sql(url, "SELECT count(*) FROM user_influencers") == [(2,)]
    upgrade(url, "0011")  # and back: seeded again from the current statuses
    assert len(run_sql(url, HISTORY)) == 2
