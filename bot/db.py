"""Database connection: an external PostgreSQL from DATABASE_URL, or an embedded one (pgserver)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
import psycopg
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

EMBEDDED_DB_NAME = "influencer_crm"


class DatabaseUnavailable(RuntimeError):
    """The embedded database could not be started or reached."""


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver whatever PostgreSQL URL scheme was given."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {mask_url(url)}")


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, safe to print or log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: show only the scheme
        return url.split("://", 1)[0] + "://***"


def ensure_database(server_url: str, name: str) -> None:
    """CREATE DATABASE `name` on the server unless it exists (safe when several processes race)."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
            except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
                pass  # another process created it between our check and our CREATE


def embedded_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL kept in `data_dir`/pgdata and return its URL.

    pgserver serialises start-up with an inter-process lock and counts the processes using the
    server, so several bot processes on one machine share one server; the last one to exit stops it.
    """
    try:
        with warnings.catch_warnings():
            # pgserver asks platformdirs for a runtime dir at import; without XDG_RUNTIME_DIR (servers,
            # containers) platformdirs warns and falls back to /tmp/runtime-<uid>, which is fine here.
            warnings.simplefilter("ignore", getattr(platformdirs, "RuntimeDirWarning", UserWarning))
            import pgserver
    except ImportError as exc:  # pragma: no cover - pgserver is a hard dependency
        raise DatabaseUnavailable("the pgserver package is missing: pip install pgserver") from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")
    except Exception as exc:
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {data_dir / 'pgdata'} ({exc}); "
            "set DATABASE_URL to use another server"
        ) from exc
    ensure_database(server.get_uri(), EMBEDDED_DB_NAME)
    return server.get_uri(EMBEDDED_DB_NAME)


def resolve_url(database_url: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL to use: DATABASE_URL if given, else the embedded server's."""
    return normalize_url(database_url or embedded_url(data_dir))


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with pre-ping, so a restarted database is reconnected to without a restart of ours."""
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(normalize_url(url), **kwargs)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One session in one transaction: committed on success, rolled back on any exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
