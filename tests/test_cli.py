"""`crm-bot migrate` and `crm-bot db-url`: what they print, and one clear line on failure."""

from __future__ import annotations

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
