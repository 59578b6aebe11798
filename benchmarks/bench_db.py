"""The database a benchmark runs on: BENCH_DATABASE_URL, else a fresh embedded server deleted at exit."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bot.db import normalize_url


def benchmark_database() -> tuple[str, object | None]:
    """(SQLAlchemy URL, embedded server or None). Keep the server object alive while it is used."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return normalize_url(url), None
    import pgserver

    pgdata = Path(tempfile.mkdtemp(prefix="crm-bench-")) / "pgdata"
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    return normalize_url(server.get_uri()), server
