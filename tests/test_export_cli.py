"""`crm-bot export`: a workspace's relationships to a file or standard output, one line on stderr."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from bot.cli import main
from crm.exports import TEAM_COLUMNS
from tests.factories import make_influencer, make_relationship, make_user


@pytest.fixture
def seeded(clean_tables, database_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env from the working directory
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    with Session(clean_tables) as db, db.begin():
        alice = make_user(db, slack_user_id="UALICE0001", timezone="Europe/Paris")
        bob = make_user(db, slack_user_id="UBOB000001")
        make_relationship(db, user=alice, influencer=make_influencer(db, name="Ana", handle="ana"))
        make_relationship(db, user=bob, influencer=make_influencer(db, name="Ben", handle="ben"), tags=["x"])
    return tmp_path


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_export_writes_every_users_relationships_to_the_file(seeded, capsys):
    out = seeded / "team.csv"
    assert main(["export", "--team", "T0001", "--out", str(out)]) == 0
    found = rows(out.read_bytes())
    assert found[0] == list(TEAM_COLUMNS)
    assert [(r[0], r[-1]) for r in found[1:]] == [("Ana", "UALICE0001"), ("Ben", "UBOB000001")]
    assert capsys.readouterr().err.strip() == f"exported 2 relationships of every user in T0001 to {out}"
    assert [p.name for p in seeded.iterdir()] == ["team.csv"]  # no partial file left behind


def test_export_of_one_user_to_standard_output(seeded, capsysbinary):
    assert main(["export", "--team", "T0001", "--user", "UBOB000001"]) == 0
    found = rows(capsysbinary.readouterr().out)
    assert [(r[0], r[8]) for r in found[1:]] == [("Ben", "x")]


def test_an_unknown_user_is_one_line_and_non_zero(seeded, capsys):
    out = seeded / "none.csv"
    assert main(["export", "--team", "T0001", "--user", "UNOBODY001", "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == "crm-bot: No user UNOBODY001 in workspace T0001."
    assert not out.exists()
