"""crm.clock.now: the one reading of the wall clock, and resolve_now built on it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crm.clock import now, resolve_now

ROOT = Path(__file__).resolve().parents[2]


def test_now_is_aware_utc_and_current():
    before = datetime.now(UTC)
    got = now()
    after = datetime.now(UTC)
    assert got.tzinfo is UTC and before <= got <= after


def test_resolve_now_defaults_to_now_and_normalises_to_utc():
    before = now()
    assert before <= resolve_now(None) <= now()
    berlin_noon = datetime(2026, 3, 29, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert resolve_now(berlin_noon) == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    assert resolve_now(berlin_noon).tzinfo is UTC
    with pytest.raises(ValueError):
        resolve_now(datetime(2026, 3, 29, 12, 0))


def test_crm_bot_and_handlers_read_the_wall_clock_only_through_crm_clock_now():
    reads = re.compile(r"datetime\.now\(|datetime\.utcnow\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("crm", "bot", "handlers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if reads.search(path.read_text())
    ]
    assert offenders == ["crm/clock.py"]
