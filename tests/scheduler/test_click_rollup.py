"""The roll-up-clicks job: raw clicks past CRM_CLICK_RETENTION_DAYS become daily counts, totals kept."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.jobs import run_job
from crm.clicks import ROLL_UP_BATCH, Click, counts_by_assignment, record_clicks
from crm.models import LinkClick, LinkClickDay
from tests.links import assign

NOW = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)


def _seed(engine, ages: list[timedelta]):
    assignment = assign(engine)
    with Session(engine) as db, db.begin():
        record_clicks(db, [Click(assignment.id, NOW - age, "mobile") for age in ages])
    return assignment


def test_the_job_rolls_up_clicks_past_the_configured_retention_in_batches(make_ctx, settings, clean_tables):
    old = [timedelta(days=40, seconds=i) for i in range(ROLL_UP_BATCH + 5)]  # more than one batch
    assignment = _seed(clean_tables, [*old, timedelta(days=20), timedelta(days=1)])
    ctx = make_ctx(settings=dataclasses.replace(settings, click_retention_days=30))

    account = run_job(ctx, "roll-up-clicks", now=NOW)

    assert str(account) == (
        f"roll-up-clicks: {ROLL_UP_BATCH + 5} raw clicks older than 30 days rolled up into daily counts"
    )
    with Session(clean_tables) as db:
        assert db.scalar(select(func.count()).select_from(LinkClick)) == 2
        assert db.scalar(select(func.sum(LinkClickDay.clicks))) == ROLL_UP_BATCH + 5
        totals = counts_by_assignment(db, assignment_ids=[assignment.id], now=NOW)[assignment.id]
    assert (totals.total, totals.last_7_days) == (ROLL_UP_BATCH + 7, 1)
    again = run_job(ctx, "roll-up-clicks", now=NOW)
    assert "0 raw clicks" in str(again) and again.noteworthy is False


def test_the_default_retention_keeps_90_days_raw(make_ctx, clean_tables):
    _seed(clean_tables, [timedelta(days=89), timedelta(days=91)])
    run_job(make_ctx(), "roll-up-clicks", now=NOW)
    with Session(clean_tables) as db:
        kept = db.scalars(select(LinkClick.clicked_at)).all()
    assert kept == [NOW - timedelta(days=89)]
