"""Run Alembic programmatically, so `crm-bot migrate` works from any directory, installed or not.

A downgrade that would drop data refuses (migrations/data_loss.py raises DataLossRefused and the
schema is left as it was) unless `allow_data_loss` is given.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations
from migrations.data_loss import ALLOW_FLAG

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


def ensure_schema(url: str) -> None:
    """Upgrade to head unless the database is there already (then quietly: no Alembic log lines)."""
    if current_revision(url) != current_head():
        upgrade(url)


def downgrade(url: str, revision: str = "base", *, allow_data_loss: bool = False) -> None:
    """Downgrade to `revision`; DataLossRefused if that would drop data and `allow_data_loss` is False."""
    cfg = alembic_config(url)
    cfg.attributes[ALLOW_FLAG] = allow_data_loss
    command.downgrade(cfg, revision)


def migrate_to(url: str, revision: str = "head", *, allow_data_loss: bool = False) -> None:
    """Upgrade or downgrade to `revision`, whichever way it lies from where the database is."""
    from alembic.script import ScriptDirectory

    current = current_revision(url)
    if revision == "base" or revision.startswith("-"):
        going_down = current is not None
    elif current is None or revision == "head" or revision.startswith("+"):
        going_down = False
    else:
        script = ScriptDirectory.from_config(alembic_config())
        target = script.get_revision(revision)  # CommandError for an unknown revision
        below = {rev.revision for rev in script.iterate_revisions(current, "base")} - {current}
        going_down = target is not None and target.revision in below
    if going_down:
        downgrade(url, revision, allow_data_loss=allow_data_loss)
    else:
        upgrade(url, revision)


def current_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None for an empty database).

    Read from alembic_version directly: a MigrationContext would log its "Context impl" lines again.
    """
    from sqlalchemy import inspect, text

    from bot.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
