"""SQL helpers for the migration tests: each call on its own short-lived engine, so no connection
stays open (and holds locks) while a migration runs between two calls."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.db import make_engine
from bot.migrate import upgrade


def run_sql(url: str, sql: str, **params) -> list[tuple]:
    """Run one statement in its own committed transaction; its rows, if it returns any."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        engine.dispose()


def upgraded_with(url: str, revision: str, seed: str) -> str:
    """`url` upgraded to `revision`, then `seed` run in it statement by statement (split on ";")."""
    upgrade(url, revision)
    for statement in seed.strip().split(";"):
        if statement.strip():
            run_sql(url, statement)
    return url


def table_names(url: str) -> set[str]:
    """The tables in the database at `url`."""
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
