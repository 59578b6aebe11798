"""Migration 0012 on a database at 0011 with data in it: existing creators get name_folded, folded as
crm.text.fold folds it; its index serves an exact-name look-up; the downgrade removes the column,
the index and crm_fold(), and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.db import make_engine
from bot.migrate import current_revision, downgrade, upgrade
from crm.text import fold
from tests.migrations.helpers import run_sql, upgraded_with

SEED = """
INSERT INTO influencers (team_id, name, handle, platform) VALUES ('T1', 'Zoë Müller', 'zm', 'instagram')
"""


@pytest.fixture
def at_0011_with_data(fresh_database_url):
    return upgraded_with(fresh_database_url, "0011", SEED)


def test_upgrade_adds_the_fold_and_its_index_and_downgrade_removes_them(at_0011_with_data):
    url = at_0011_with_data
    upgrade(url, "0012")
    # The row written before the upgrade has its folded name, as crm.text.fold folds it.
    assert run_sql(url, "SELECT name_folded FROM influencers") == [(fold("Zoë Müller"),)]
    # An exact folded name in a team is found through the index (the planner told not to scan).
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL enable_seqscan = off"))
            plan = conn.execute(
                text("EXPLAIN SELECT id FROM influencers WHERE team_id = 'T1' AND name_folded = :name"),
                {"name": "zoe muller"},
            ).scalars()
            assert "ix_influencers_team_folded_name" in " ".join(plan)
    finally:
        engine.dispose()

    downgrade(url, "0011")
    assert current_revision(url) == "0011"
    assert run_sql(url, "SELECT count(*) FROM pg_proc WHERE proname = 'crm_fold'") == [(0,)]
    columns = run_sql(
        url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'influencers'"
    )
    assert ("name_folded",) not in columns
    assert run_sql(url, "SELECT name FROM influencers") == [("Zoë Müller",)]
