"""The migrations build the schema the models describe, and every one of them downgrades cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from bot.db import make_engine
from bot.migrate import alembic_config, current_head, downgrade, upgrade
from crm.models import Base
from migrations.autogen import include_object
from tests.migrations.helpers import table_names


def test_upgrade_downgrade_upgrade_round_trip(fresh_database_url):
    upgrade(fresh_database_url)
    assert {
        "users",
        "influencers",
        "campaigns",
        "user_influencers",
        "interactions",
        "campaign_influencers",
    } <= table_names(fresh_database_url)
    downgrade(fresh_database_url, "base")
    assert table_names(fresh_database_url) <= {"alembic_version"}
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            assert version == current_head()
            matviews = conn.execute(text("SELECT matviewname FROM pg_matviews")).scalars().all()
            assert matviews == ["admin_analytics"]
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(database_url):
    """What `alembic check` does: autogenerate against head finds no difference."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "include_object": include_object,
                    "compare_type": True,
                    "target_metadata": Base.metadata,
                },
            )
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_alembic_check_command(database_url):
    command.check(alembic_config(database_url))


def test_updated_at_is_kept_current_by_the_database(db):
    """Bulk SQL, not the ORM: only the trigger can overwrite an explicit stale value."""
    from tests.factories import make_user

    user = make_user(db)
    db.execute(
        text("UPDATE users SET updated_at = '2000-01-01', display_name = 'x' WHERE id = :id"), {"id": user.id}
    )
    after = db.execute(
        text("SELECT updated_at = now() FROM users WHERE id = :id"), {"id": user.id}
    ).scalar_one()
    assert after is True
