"""Shared fixtures: a real PostgreSQL (embedded by default, TEST_DATABASE_URL to override).

- `db`: a Session inside a transaction that is rolled back after the test (crm-layer tests).
- `engine` + `clean_tables`: for tests whose code commits on its own (Slack end to end, scheduler);
  every table is truncated afterwards.
- `fresh_database_url`: an empty database of its own (migration tests).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.db import make_engine, normalize_url
from bot.migrate import upgrade

TABLES = (
    "applied_requests",
    "deliveries",
    "interactions",
    "campaign_influencers",
    "user_influencers",
    "campaigns",
    "influencers",
    "users",
)


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as a libpq conninfo URL psycopg accepts."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory) -> Iterator[str]:
    """URL of a maintenance database on the test server; tests create their own databases there."""
    override = os.environ.get("TEST_DATABASE_URL")
    if override:
        yield _libpq(normalize_url(override))
        return
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg") / "pgdata", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


def _create_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(normalize_url(server_url)).set(database=name)
    return url.render_as_string(hide_password=False)


def _drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(pg_server_url) -> Iterator[str]:
    """A test database migrated to head."""
    name = f"crm_test_{uuid.uuid4().hex[:8]}"
    url = _create_database(pg_server_url, name)
    upgrade(url)
    yield url
    _drop_database(pg_server_url, name)


@pytest.fixture
def fresh_database_url(pg_server_url) -> Iterator[str]:
    """An empty database of the test's own."""
    name = f"crm_fresh_{uuid.uuid4().hex[:8]}"
    url = _create_database(pg_server_url, name)
    yield url
    _drop_database(pg_server_url, name)


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine) -> Iterator[Session]:
    """A Session whose work is rolled back at the end; code under test may flush but never commits."""
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def clean_tables(engine) -> Iterator[Engine]:
    """For code that commits itself: yields the engine, truncates every table afterwards."""
    yield engine
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
        conn.execute(text("REFRESH MATERIALIZED VIEW admin_analytics"))
