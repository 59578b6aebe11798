"""Migration 0008 on a database at 0007 with data in it: every relationship stays on its list; the
downgrade refuses while relationships are archived, unless data loss is allowed."""

from __future__ import annotations

import pytest

from bot.migrate import current_revision, downgrade, upgrade
from migrations.data_loss import DataLossRefused
from tests.migrations.helpers import run_sql, upgraded_with

SEED = """
INSERT INTO users (team_id, slack_user_id) VALUES ('T1', 'U1');
INSERT INTO influencers (team_id, name, handle, platform) VALUES ('T1', 'Maya', 'maya', 'instagram'),
                                                                 ('T1', 'Zed', 'zed', 'tiktok');
INSERT INTO user_influencers (user_id, influencer_id, status, tags, notes)
    SELECT u.id, i.id, 'warm', '{vegan}', 'met at VidCon' FROM users u, influencers i;
"""


@pytest.fixture
def at_0007_with_data(fresh_database_url):
    return upgraded_with(fresh_database_url, "0007", SEED)


def test_upgrade_keeps_every_relationship_active_and_unchanged(at_0007_with_data):
    url = at_0007_with_data
    upgrade(url, "0008")
    rows = run_sql(url, "SELECT status, tags, notes, archived_at FROM user_influencers")
    assert rows == [("warm", ["vegan"], "met at VidCon", None)] * 2


def test_downgrade_without_archived_rows_goes_through(at_0007_with_data):
    url = at_0007_with_data
    upgrade(url, "0008")
    downgrade(url, "0007")
    assert current_revision(url) == "0007"
    assert run_sql(url, "SELECT count(*) FROM user_influencers") == [(2,)]


def test_downgrade_refuses_while_a_relationship_is_archived_unless_allowed(at_0007_with_data):
    url = at_0007_with_data
    upgrade(url, "0008")
    run_sql(
        url,
        "UPDATE user_influencers SET archived_at = now() WHERE influencer_id IN"
        " (SELECT id FROM influencers WHERE handle = 'zed')",
    )
    with pytest.raises(DataLossRefused, match=r"user_influencers\.archived_at: 1 row \(revision 0008"):
        downgrade(url, "0007")
    assert current_revision(url) == "0008"
    assert run_sql(url, "SELECT count(*) FROM user_influencers WHERE archived_at IS NOT NULL") == [(1,)]
    downgrade(url, "0007", allow_data_loss=True)
    assert current_revision(url) == "0007"
