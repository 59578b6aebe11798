"""A downgrade that would drop data refuses, says what it would drop, and changes nothing, unless allowed."""

from __future__ import annotations

from argparse import Namespace

import pytest
from alembic import command
from sqlalchemy import text

from bot.cli import main
from bot.db import make_engine
from bot.migrate import alembic_config, current_head, current_revision, downgrade, upgrade
from migrations.data_loss import DataLossRefused
from tests.migrations.helpers import table_names


def _execute(url: str, sql: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


# Two users tracking one influencer, written against the schema of 0004-0006 (see _seeded).
SEED = """
INSERT INTO users (id, team_id, slack_user_id)
    VALUES (gen_random_uuid(), 'T1', 'U1'), (gen_random_uuid(), 'T1', 'U2');
INSERT INTO influencers (id, team_id, name, handle, platform)
    VALUES (gen_random_uuid(), 'T1', 'Maya', 'maya', 'instagram');
INSERT INTO user_influencers (user_id, influencer_id, status)
    SELECT u.id, i.id, 'warm' FROM users u, influencers i;
"""


def _seeded(url: str) -> str:
    """The database at head holding SEED: written at 0006, then carried up by later migrations."""
    upgrade(url, "0006")
    _execute(url, SEED)
    upgrade(url)
    return url


@pytest.fixture
def cli_env(monkeypatch, tmp_path, fresh_database_url):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    return fresh_database_url


def test_downgrade_to_base_with_rows_refuses_and_lists_what_it_would_drop(cli_env, capsys):
    url = _seeded(cli_env)

    assert main(["migrate", "--to", "base"]) == 1

    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("crm-bot: refused: this downgrade would drop data — ")
    for lost in (
        "column user_influencers.status_changed_at: 2 rows (revision 0003",
        "table user_influencers: 2 rows (revision 0001)",
        "table users: 2 rows (revision 0001)",
        "table influencers: 1 row (revision 0001)",
        "--allow-data-loss",
    ):
        assert lost in err
    assert "table interactions" not in err  # empty tables are not data loss
    assert current_revision(url) == current_head()  # rolled back whole: nothing was changed
    assert {"users", "influencers", "user_influencers"} <= table_names(url)


def test_allow_data_loss_drops_it(cli_env, capsys):
    url = _seeded(cli_env)
    assert main(["migrate", "--to", "base", "--allow-data-loss"]) == 0
    assert capsys.readouterr().out.strip() == "database schema is at revision None"
    assert table_names(url) <= {"alembic_version"}
    assert main(["migrate"]) == 0  # and back up
    assert current_revision(url) == current_head()


def test_0004_to_0002_would_reset_status_changed_at_and_says_so(fresh_database_url):
    upgrade(fresh_database_url, "0004")
    _execute(fresh_database_url, SEED)
    with pytest.raises(
        DataLossRefused, match=r"column user_influencers\.status_changed_at: 2 rows"
    ) as refused:
        downgrade(fresh_database_url, "0002")
    assert "upgrading again sets it from updated_at" in str(refused.value)
    assert current_revision(fresh_database_url) == "0004"


def test_downgrade_without_data_needs_no_flag(cli_env, capsys):
    upgrade(cli_env)
    assert main(["migrate", "0002"]) == 0  # the positional revision goes down too
    assert capsys.readouterr().out.strip() == "database schema is at revision 0002"
    assert main(["migrate", "--to", "head"]) == 0


def test_alembic_command_line_flag(fresh_database_url):
    """`alembic downgrade base` refuses; `alembic -x allow_data_loss=true downgrade base` drops."""
    _seeded(fresh_database_url)
    cfg = alembic_config(fresh_database_url)
    cfg.cmd_opts = Namespace(x=[])
    with pytest.raises(DataLossRefused, match="alembic -x allow_data_loss=true downgrade"):
        command.downgrade(cfg, "base")
    assert current_revision(fresh_database_url) == current_head()
    cfg = alembic_config(fresh_database_url)
    cfg.cmd_opts = Namespace(x=["allow_data_loss=true"])
    command.downgrade(cfg, "base")
    assert current_revision(fresh_database_url) is None
