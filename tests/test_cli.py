"""`crm-bot migrate` and `crm-bot db-url`: what they print, and one clear line on failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.migrate import current_head


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: no .env from the working directory, no stray Slack or database settings."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_migrate_upgrades_an_empty_database_and_says_to_which_revision(env, fresh_database_url, capsys):
    env.setenv("DATABASE_URL", fresh_database_url)
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"database schema is at revision {current_head()}"
    assert main(["migrate"]) == 0  # again: nothing to do, same answer


def test_db_url_masks_the_password(env, capsys):
    env.setenv("DATABASE_URL", "postgresql://crm:s3cret-pw@db.example:5432/crm")
    assert main(["db-url"]) == 0
    out = capsys.readouterr().out.strip()
    assert "s3cret-pw" not in out
    assert make_url(out).host == "db.example" and make_url(out).database == "crm"


def test_unreachable_database_is_one_line_and_non_zero(env, capsys):
    env.setenv("DATABASE_URL", "postgresql://crm:pw@127.0.0.1:1/crm")
    assert main(["migrate"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("crm-bot: database unavailable:") and "\n" not in err
    assert "pw@" not in err


def test_malformed_setting_names_the_variable(env, capsys):
    env.setenv("DATABASE_URL", "mysql://localhost/crm")
    assert main(["db-url"]) == 1
    err = capsys.readouterr().err
    assert "DATABASE_URL" in err and "Traceback" not in err


def test_run_without_a_bot_token_fails_before_touching_the_database(env, capsys):
    env.setenv("DATABASE_URL", "postgresql://crm:pw@127.0.0.1:1/crm")  # would fail if it were reached
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "database unavailable" not in err


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"crm-bot {version('influencer-crm')}"


def test_migrate_logs_each_alembic_line_once(env, fresh_database_url, capsys):
    env.setenv("DATABASE_URL", fresh_database_url)
    assert main(["migrate"]) == 0
    err = capsys.readouterr().err
    assert err.count("Context impl PostgresqlImpl") == 1
    assert err.count("Running upgrade  -> 0001") == 1


def test_commands_without_slack_run_with_the_example_tokens_in_env(env, fresh_database_url, tmp_path, capsys):
    """`cp .env.example .env` then `crm-bot migrate` works; `crm-bot run` names the token to fill in."""
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    (tmp_path / ".env").write_text(example)
    env.setenv("DATABASE_URL", fresh_database_url)
    for name in ("SLACK_API_URL", "PORT", "HOST", "CRM_ADMIN_CHANNEL", "CRM_TIMEZONE"):
        env.delenv(name, raising=False)
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["run"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "crm-bot: configuration error: SLACK_BOT_TOKEN still holds the example value from .env.example"
        " — paste your bot token (xoxb-…) from OAuth & Permissions → Bot User OAuth Token"
    )


def test_demo_data_refuses_a_real_workspace_id(env, fresh_database_url, capsys):
    env.setenv("DATABASE_URL", fresh_database_url)
    assert main(["demo-data", "--team-id", "T0123ABCD"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("crm-bot demo-data: --team-id 'T0123ABCD': a demo workspace id starts with TDEMO")
