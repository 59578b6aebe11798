"""crm.users against real PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from crm.errors import InvalidInput
from crm.models import User
from crm.users import get_or_create_user, get_user, update_user_profile

THREADS = 8


def test_first_call_creates_the_user_with_defaults(db):
    user = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    assert user.id is not None
    assert (user.team_id, user.slack_user_id) == ("T0001", "U0001")
    assert user.timezone == "UTC"
    assert user.is_admin is False


def test_a_new_user_gets_the_given_timezone_a_known_user_keeps_theirs(db):
    new = get_or_create_user(db, team_id="T0001", slack_user_id="U0001", timezone="Europe/Berlin")
    assert new.timezone == "Europe/Berlin"
    update_user_profile(db, user=new, timezone="Asia/Tokyo", display_name="Ana")
    again = get_or_create_user(db, team_id="T0001", slack_user_id="U0001", timezone="Europe/Berlin")
    assert (again.id, again.timezone, again.display_name) == (new.id, "Asia/Tokyo", "Ana")


def test_a_known_user_costs_one_select_and_writes_nothing(db, statements, snapshot):
    first = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    before = snapshot()
    db.expunge_all()
    with statements() as seen:
        again = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    assert again.id == first.id
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT")
    assert "FOR UPDATE" not in seen[0].upper()
    assert snapshot() == before


def test_a_known_user_is_not_locked_while_the_transaction_goes_on(clean_tables):
    """Another transaction can lock the user's row at once (NOWAIT) while the first is still open:
    a user's second click never waits for the first click's transaction."""
    with Session(clean_tables) as setup:
        get_or_create_user(setup, team_id="T0001", slack_user_id="U0001")
        setup.commit()
    with Session(clean_tables) as first, Session(clean_tables) as second:
        user = get_or_create_user(first, team_id="T0001", slack_user_id="U0001")  # transaction open
        locked = second.execute(
            text("SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT"), {"id": user.id}
        ).scalar_one()
        assert locked == user.id
        first.rollback()
        second.rollback()


def test_concurrent_first_sights_create_one_user(clean_tables):
    barrier = threading.Barrier(THREADS)
    ids: list[uuid.UUID] = []
    errors: list[BaseException] = []

    def first_sight() -> None:
        try:
            with Session(clean_tables) as db:
                barrier.wait()
                ids.append(get_or_create_user(db, team_id="T0001", slack_user_id="U0001").id)
                db.commit()
        except BaseException as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=first_sight) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(ids) == THREADS and len(set(ids)) == 1
    with Session(clean_tables) as db:
        assert db.scalar(text("SELECT count(*) FROM users")) == 1


def test_a_first_sight_that_loses_the_insert_race_reads_the_winners_row(clean_tables):
    """The SELECT finds nothing, the INSERT waits for a concurrent uncommitted insert of the same
    user, then does nothing once that commits; the row is read back rather than lost."""
    with Session(clean_tables) as winner, Session(clean_tables) as loser:
        mine = get_or_create_user(winner, team_id="T0001", slack_user_id="U0001")  # not committed
        got: list[object] = []

        def lose() -> None:
            try:
                got.append(get_or_create_user(loser, team_id="T0001", slack_user_id="U0001"))
            except BaseException as exc:
                got.append(exc)

        thread = threading.Thread(target=lose)
        thread.start()
        with clean_tables.connect() as watcher:  # wait until the loser's INSERT blocks on the winner
            for _ in range(200):
                waiting = watcher.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                ).scalar_one()
                if waiting:
                    break
                time.sleep(0.02)
        winner.commit()
        thread.join(10)
        assert len(got) == 1 and isinstance(got[0], User), got
        assert got[0].id == mine.id
        loser.rollback()


def test_same_slack_user_in_another_team_is_another_user(db):
    a = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    b = get_or_create_user(db, team_id="T0002", slack_user_id="U0001")
    assert a.id != b.id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"team_id": "", "slack_user_id": "U1"}, "team_id"),
        ({"team_id": "T1", "slack_user_id": "not an id"}, "slack_user_id"),
        ({"team_id": "T1", "slack_user_id": "U1", "timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_bad_identity_or_timezone_writes_nothing(db, snapshot, kwargs, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        get_or_create_user(db, **kwargs)
    assert err.value.field == field
    assert snapshot() == before


def test_update_profile_validates_then_writes(db, snapshot):
    user = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        update_user_profile(db, user=user, display_name="New", timezone="Not/AZone")
    assert err.value.field == "timezone"
    assert "IANA" in err.value.message
    assert snapshot() == before

    update_user_profile(db, user=user, timezone="America/New_York", is_admin=True, email="ana@x.io")
    db.expire_all()
    stored = get_user(db, user_id=user.id)
    assert stored is not None
    assert (stored.timezone, stored.is_admin, stored.email) == ("America/New_York", True, "ana@x.io")


def test_update_profile_blank_email_clears_it(db):
    user = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    update_user_profile(db, user=user, email="a@x.io")
    update_user_profile(db, user=user, email="")
    db.expire_all()
    assert get_user(db, user_id=user.id).email is None


def test_get_user_unknown_id_is_none(db):
    assert get_user(db, user_id=uuid.uuid4()) is None
