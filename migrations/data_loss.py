"""Downgrades that would drop data refuse unless asked to, and say what they would drop.

A downgrade's `downgrade()` calls `would_drop(...)` for each table or column it removes, before
removing it. That counts the rows (or the values) there and records them. After the last step, still
inside the one migration transaction (migrations/env.py), `refuse_unless_allowed()` raises
DataLossRefused listing everything if anything was recorded and the run was not allowed to lose
data; the transaction rolls back and the schema is as it was. Upgrades never call it.

Allowing it: `crm-bot migrate --to REV --allow-data-loss`, or `alembic -x allow_data_loss=true
downgrade REV`. Dropping an empty table, a column holding only NULLs, or a derived object (a view, an
index, a trigger) needs no flag.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import context, op
from alembic.util import CommandError
from sqlalchemy import text

ALLOW_FLAG = "allow_data_loss"
_RECORDED = "data_loss"


class DataLossRefused(CommandError):
    """A downgrade would drop data and was not allowed to; the message lists what and how to allow it."""


@dataclass(frozen=True)
class Loss:
    revision: str
    what: str  # "table users" or "column user_influencers.status_changed_at"
    rows: int
    note: str


def start() -> None:
    """Forget what an earlier run in this process recorded (migrations/env.py calls it first)."""
    context.config.attributes[_RECORDED] = []


def would_drop(revision: str, table: str, column: str | None = None, *, note: str = "") -> None:
    """Record the rows `table` holds (or the non-NULL values of `table.column`) before they are dropped."""
    quoted = op.get_context().dialect.identifier_preparer.quote
    sql = f"SELECT count(*) FROM {quoted(table)}"
    if column is not None:
        sql += f" WHERE {quoted(column)} IS NOT NULL"
    rows = op.get_bind().execute(text(sql)).scalar_one()
    if rows:
        what = f"column {table}.{column}" if column else f"table {table}"
        context.config.attributes.setdefault(_RECORDED, []).append(Loss(revision, what, rows, note))


def allowed() -> bool:
    """Whether this run may drop data: the config attribute (crm-bot) or `-x allow_data_loss=true`."""
    if context.config.attributes.get(ALLOW_FLAG):
        return True
    value = context.get_x_argument(as_dictionary=True).get(ALLOW_FLAG, "")
    return value.strip().lower() in ("1", "true", "yes")


def refuse_unless_allowed() -> None:
    """Raise DataLossRefused (rolling the downgrade back) if data would be lost and that is not allowed."""
    losses: list[Loss] = context.config.attributes.get(_RECORDED, [])
    if not losses or allowed():
        return
    listed = "; ".join(
        f"{loss.what}: {loss.rows} {'row' if loss.rows == 1 else 'rows'} (revision {loss.revision}"
        + (f", {loss.note})" if loss.note else ")")
        for loss in losses
    )
    raise DataLossRefused(
        f"this downgrade would drop data — {listed}. Nothing was changed. To drop it anyway, run "
        "`crm-bot migrate --to REVISION --allow-data-loss` (or `alembic -x allow_data_loss=true downgrade "
        "REVISION`); back up the database first."
    )
