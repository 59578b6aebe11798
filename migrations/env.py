"""Alembic environment: online migrations only, serialised by a PostgreSQL advisory lock.

All steps of a run share one transaction, so a downgrade that would drop data (migrations/data_loss.py)
is refused as a whole, after every step has said what it would drop.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from crm.models import Base
from migrations import data_loss
from migrations.autogen import include_object

# Any constant shared by every replica: `crm-bot run` on several replicas at once migrates once.
MIGRATION_LOCK_ID = 0x63726D6D  # "crmm"

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.config import Settings
        from bot.db import resolve_url

        settings = Settings.from_env()
        url = resolve_url(settings.database_url, settings.data_dir)
    return url


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bot.db import make_engine

    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        transaction_per_migration=False,
    )
    data_loss.start()
    with context.begin_transaction():
        # Taken inside the migration transaction, released at its end; the loser then sees head.
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()
        # Every step ran in this one transaction: a downgrade that would drop data rolls back whole.
        data_loss.refuse_unless_allowed()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
