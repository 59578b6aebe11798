"""crm.applied_requests.prune_applied_requests: keys older than a day go, newer ones stay, nothing is
committed by the function itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.applied_requests import prune_applied_requests
from crm.models import AppliedRequest

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _add(db: Session, **ages: timedelta) -> None:
    for key, age in ages.items():
        db.add(AppliedRequest(key=key, team_id="T1", applied_at=NOW - age))
    db.flush()


def _keys(db: Session) -> set[str]:
    return set(db.scalars(select(AppliedRequest.key)))


def test_keys_older_than_a_day_are_deleted_and_counted(db):
    _add(
        db,
        week_old=timedelta(days=7),
        just_over_a_day=timedelta(days=1, seconds=1),
        exactly_a_day=timedelta(days=1),
        hour_old=timedelta(hours=1),
        just_now=timedelta(0),
    )
    assert prune_applied_requests(db, now=NOW) == 2
    assert _keys(db) == {"exactly_a_day", "hour_old", "just_now"}
    assert prune_applied_requests(db, now=NOW) == 0


def test_now_in_another_timezone_is_the_same_instant(db):
    _add(db, two_days=timedelta(days=2), twenty_hours=timedelta(hours=20))
    assert prune_applied_requests(db, now=NOW.astimezone(ZoneInfo("Asia/Tokyo"))) == 1
    assert _keys(db) == {"twenty_hours"}


def test_a_naive_now_is_refused(db):
    with pytest.raises(ValueError):
        prune_applied_requests(db, now=NOW.replace(tzinfo=None))


def test_the_caller_commits(clean_tables):
    with Session(clean_tables) as setup:
        _add(setup, old=timedelta(days=2))
        setup.commit()
    with Session(clean_tables) as db:
        assert prune_applied_requests(db, now=NOW) == 1
        db.rollback()
    with Session(clean_tables) as check:
        assert _keys(check) == {"old"}
