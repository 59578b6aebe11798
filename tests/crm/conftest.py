"""Fixtures for crm-layer tests: count SQL statements, snapshot row counts ("nothing written")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

COUNTED_TABLES = (
    "users",
    "influencers",
    "influencer_profiles",
    "user_influencers",
    "interactions",
    "campaign_influencers",
)


@pytest.fixture
def statements(db: Session) -> Callable[[], contextmanager]:
    """`with statements() as seen:` records every SQL statement the session's connection runs."""

    @contextmanager
    def recorder() -> Iterator[list[str]]:
        seen: list[str] = []
        conn = db.connection()

        def before(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(conn, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(conn, "before_cursor_execute", before)

    return recorder


@pytest.fixture
def snapshot(db: Session) -> Callable[[], dict[str, object]]:
    """Row counts plus a checksum of every row of the CRM tables: equal snapshots mean nothing was written."""

    def take() -> dict[str, object]:
        db.flush()
        out: dict[str, object] = {}
        for table in COUNTED_TABLES:
            out[table] = db.execute(
                text(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                    f" FROM {table} t"
                )
            ).one()
        return out

    return take


@pytest.fixture
def isolated(db: Session) -> Callable[[], contextmanager]:
    """`with isolated():` runs a block in a savepoint rolled back afterwards: one clean slate per
    hypothesis example, since function-scoped fixtures are not reset between examples."""

    @contextmanager
    def block() -> Iterator[None]:
        savepoint = db.begin_nested()
        try:
            yield
        finally:
            savepoint.rollback()

    return block
