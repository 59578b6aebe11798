"""The listener engine pings a connection that sat idle in the pool before handing it out, and hands
it out idle: not inside a transaction the ping opened (that would, e.g., refuse an isolation level)."""

from __future__ import annotations

from psycopg.pq import TransactionStatus
from sqlalchemy import event, text

from bot.server import make_listener_engine
from handlers.runtime import deadline


def test_an_idle_connection_is_pinged_and_handed_out_outside_a_transaction(database_url, monkeypatch):
    engine = make_listener_engine(database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        monkeypatch.setattr(deadline, "PING_AFTER_IDLE", 0.0)  # every pooled connection is idle now
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw.info.transaction_status == TransactionStatus.IDLE
            autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
            assert autocommit.execute(text("SELECT 2")).scalar_one() == 2
    finally:
        engine.dispose()
    # The ping goes through the DBAPI cursor, below SQLAlchemy's events: only ours were seen.
    assert statements == ["SELECT 1", "SELECT 2"]
