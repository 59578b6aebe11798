"""Migration 0009 on a database at 0008 with assignments: each gets its own short code; the
downgrade goes through on an empty schema and refuses while short links or clicks exist."""

from __future__ import annotations

import pytest

from bot.migrate import current_revision, downgrade, upgrade
from crm.short_codes import looks_like_code
from migrations.data_loss import DataLossRefused
from tests.migrations.helpers import run_sql, upgraded_with

SEED = """
INSERT INTO users (team_id, slack_user_id) VALUES ('T1', 'U1');
INSERT INTO influencers (team_id, name, handle, platform)
    SELECT 'T1', 'Creator ' || n, 'creator' || n, 'instagram' FROM generate_series(1, 50) n;
INSERT INTO campaigns (team_id, name, landing_url) VALUES ('T1', 'Spring', 'https://shop.example.com');
INSERT INTO campaign_influencers (campaign_id, influencer_id, user_id, utm_url)
    SELECT c.id, i.id, u.id, 'https://shop.example.com?utm_source=instagram'
    FROM campaigns c, influencers i, users u
"""


@pytest.fixture
def at_0008_with_assignments(fresh_database_url):
    return upgraded_with(fresh_database_url, "0008", SEED)


def test_upgrade_gives_every_existing_assignment_its_own_code(at_0008_with_assignments):
    url = at_0008_with_assignments
    upgrade(url, "0009")
    codes = [code for (code,) in run_sql(url, "SELECT short_code FROM campaign_influencers")]
    assert len(codes) == 50 and len(set(codes)) == 50
    assert all(looks_like_code(code) for code in codes)
    nullable = run_sql(
        url,
        "SELECT is_nullable FROM information_schema.columns"
        " WHERE table_name = 'campaign_influencers' AND column_name = 'short_code'",
    )
    assert nullable == [("NO",)]


def test_downgrade_refuses_while_links_and_clicks_exist_unless_allowed(at_0008_with_assignments):
    url = at_0008_with_assignments
    upgrade(url, "0009")
    run_sql(
        url,
        "INSERT INTO link_clicks (assignment_id, clicked_at, client_class)"
        " SELECT id, now(), 'mobile' FROM campaign_influencers LIMIT 3",
    )
    with pytest.raises(DataLossRefused) as refused:
        downgrade(url, "0008")
    message = str(refused.value)
    assert "table link_clicks: 3 rows (revision 0009" in message
    assert "column campaign_influencers.short_code: 50 rows (revision 0009" in message
    assert current_revision(url) == "0009"
    downgrade(url, "0008", allow_data_loss=True)
    assert current_revision(url) == "0008"
    assert run_sql(url, "SELECT count(*) FROM campaign_influencers") == [(50,)]


def test_an_empty_database_goes_down_and_up_without_a_flag(fresh_database_url):
    upgrade(fresh_database_url, "0009")
    downgrade(fresh_database_url, "0008")
    upgrade(fresh_database_url, "0009")
    assert current_revision(fresh_database_url) == "0009"
