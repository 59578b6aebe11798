"""`crm-bot import`: end to end in-process against the test database, which it commits to."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli import main
from crm.models import Influencer, Relationship, User

ROSTER = (
    "Name;Instagram URL;TikTok handle;Status;Tags\n"
    "Maya;https://instagram.com/maya/;maya.eats;warm;vegan|food\n"
    "Maya dup;www.instagram.com/MAYA;;;\n"
    "Ben;;@ben;contacted;\n"
    "Nobody;;;;\n"
).encode("cp1252")


@pytest.fixture
def env(monkeypatch, tmp_path, database_url, clean_tables):
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return tmp_path


def _counts(engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (User, Influencer, Relationship))


def test_import_prints_the_preview_commits_and_a_second_run_changes_nothing(env, clean_tables, capsys):
    (env / "roster.csv").write_bytes(ROSTER)
    args = ["import", "roster.csv", "--team", "T0IMPORT", "--user", "U0IMPORT"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Rows read: 4\n" in out and "New creators: 2\n" in out
    assert "Named more than once in the file (merged): 1\n" in out
    assert "rows 2, 3 are one creator" in out and "row 5: No handle or profile link" in out
    assert "New creators: 2; added to your list: 0;" in out
    assert _counts(clean_tables) == (1, 2, 2)
    with Session(clean_tables) as s:
        maya = s.scalars(select(Influencer).where(Influencer.handle == "maya")).one()
        assert {p.identity_key for p in maya.profiles} == {"instagram:maya", "tiktok:maya.eats"}

    assert main(args) == 0
    out = capsys.readouterr().out
    assert "New creators: 0\n" in out and "Nothing changed" in out
    assert _counts(clean_tables) == (1, 2, 2)


def test_dry_run_changes_nothing(env, clean_tables, capsys):
    (env / "roster.csv").write_bytes(ROSTER)
    assert main(["import", "roster.csv", "--team", "T0IMPORT", "--user", "U0IMPORT", "--dry-run"]) == 0
    assert "Dry run: nothing was changed." in capsys.readouterr().out
    assert _counts(clean_tables) == (0, 0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"name,handle\n", "no rows"),
        (b"name,handle\nOnly A Name,\n", "nothing could be imported"),
        (b"handle,platform\n@a,myspace\n", "nothing could be imported"),
    ],
)
def test_nothing_importable_exits_non_zero_and_writes_nothing(env, clean_tables, capsys, content, message):
    (env / "bad.csv").write_bytes(content)
    assert main(["import", "bad.csv", "--team", "T0IMPORT", "--user", "U0IMPORT"]) == 1
    assert message in capsys.readouterr().err
    assert _counts(clean_tables) == (0, 0, 0)


def test_a_missing_file_is_one_line(env, capsys):
    assert main(["import", "nope.csv", "--team", "T0IMPORT", "--user", "U0IMPORT"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("crm-bot import: Cannot read nope.csv") and "Traceback" not in err


def test_a_first_import_sets_a_fresh_database_up(monkeypatch, tmp_path, fresh_database_url, capsys):
    """A new user's first step may be their roster, before the bot ever ran."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    (tmp_path / "roster.csv").write_bytes(ROSTER)
    assert main(["import", "roster.csv", "--team", "T0IMPORT", "--user", "U0IMPORT"]) == 0
    assert "New creators: 2\n" in capsys.readouterr().out
    assert main(["export", "--team", "T0IMPORT"]) == 0
    assert "maya" in capsys.readouterr().out


def test_a_value_that_cannot_be_read_is_named_and_the_rest_of_its_row_imported(env, clean_tables, capsys):
    (env / "roster.csv").write_text("handle,platform,email,status\n@ben,tiktok,ben@,warm\n@cy,tiktok,,hot\n")
    assert main(["import", "roster.csv", "--team", "T0IMPORT", "--user", "U0IMPORT"]) == 0
    out = capsys.readouterr().out
    assert "Rows imported without some values: 2\n" in out
    assert "  row 2 (ben): e-mail left out: “ben@” is not an e-mail address.\n" in out
    assert "  row 3 (cy): status left out: “hot” is not a status. Did you mean “warm”?" in out
    assert "New creators: 2; added to your list: 0;" in out
    assert "invalid rows left out: 0; rows imported without some values: 2." in out
    with Session(clean_tables) as s:
        rows = s.execute(
            select(Influencer.handle, Relationship.status).join(
                Relationship, Relationship.influencer_id == Influencer.id
            )
        ).all()
        statuses = {handle: status for handle, status in rows}
    assert statuses == {"ben": "warm", "cy": "saved"}
