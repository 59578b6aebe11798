"""Migration 0010 on a database at 0009 with data in it: relationships keep every value and have no
cadence; the downgrade goes through with only bookkeeping in the new columns and refuses while
cadences or status defaults are set, unless data loss is allowed."""

from __future__ import annotations

import pytest

from bot.migrate import current_revision, downgrade, upgrade
from migrations.data_loss import DataLossRefused
from tests.migrations.helpers import run_sql, upgraded_with

SEED = """
INSERT INTO users (team_id, slack_user_id) VALUES ('T1', 'U1');
INSERT INTO influencers (team_id, name, handle, platform) VALUES ('T1', 'Maya', 'maya', 'instagram');
INSERT INTO user_influencers (user_id, influencer_id, status, follow_up_date)
    SELECT u.id, i.id, 'warm', '2026-12-24 09:00+00' FROM users u, influencers i;
INSERT INTO interactions (user_id, influencer_id, type)
    SELECT user_id, influencer_id, 'call' FROM user_influencers
"""


@pytest.fixture
def at_0009_with_data(fresh_database_url):
    return upgraded_with(fresh_database_url, "0009", SEED)


def test_upgrade_keeps_every_value_and_sets_no_cadence(at_0009_with_data):
    url = at_0009_with_data
    upgrade(url, "0010")
    rows = run_sql(
        url, "SELECT status, cadence_days, follow_up_from_cadence, cold_snoozed_until FROM user_influencers"
    )
    assert rows == [("warm", None, False, None)]
    include = run_sql(
        url, "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_interactions_user_influencer_recent'"
    )
    assert "INCLUDE (type)" in include[0][0]


def test_downgrade_with_only_bookkeeping_goes_through(at_0009_with_data):
    url = at_0009_with_data
    upgrade(url, "0010")
    run_sql(url, "UPDATE user_influencers SET follow_up_from_cadence = true")
    run_sql(url, "INSERT INTO going_cold_nags SELECT id, '2026-12-01' FROM user_influencers")
    downgrade(url, "0009")
    assert current_revision(url) == "0009"
    assert run_sql(url, "SELECT count(*) FROM user_influencers") == [(1,)]


def test_downgrade_refuses_while_cadences_are_set_unless_allowed(at_0009_with_data):
    url = at_0009_with_data
    upgrade(url, "0010")
    run_sql(url, "UPDATE user_influencers SET cadence_days = 14")
    run_sql(url, "INSERT INTO cadence_defaults (team_id, status, cadence_days) VALUES ('T1', 'warm', 21)")
    with pytest.raises(DataLossRefused, match=r"cadence_defaults: 1 row .*cadence_days: 1 row"):
        downgrade(url, "0009")
    assert current_revision(url) == "0010"
    assert run_sql(url, "SELECT cadence_days FROM user_influencers") == [(14,)]
    downgrade(url, "0009", allow_data_loss=True)
    assert current_revision(url) == "0009"
