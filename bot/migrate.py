"""Run Alembic programmatically, so `crm-bot migrate` works from any directory, installed or not."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations

FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config pointing at our migrations; `url` is passed around ConfigParser's % escaping."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    cfg.set_main_option("file_template", FILE_TEMPLATE)
    if url:
        cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def current_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    from bot.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
