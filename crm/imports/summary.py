"""An import plan or result in plain sentences, for the CLI (and any other caller that prints)."""

from __future__ import annotations

from datetime import datetime

from crm.imports.apply import ImportResult
from crm.imports.plan import ImportPlan

SHOWN_MAX = 20  # invalid rows and changed creators listed one by one; the rest are counted


def _value(value: object) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, list):
        return ", ".join(value)
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:39] + "…"


def plan_lines(plan: ImportPlan) -> list[str]:
    """The preview: counts, then the invalid rows and the changes on creators already on the list."""
    lines = [
        f"{plan.total_rows:,} rows read.",
        f"{plan.count('new'):,} new creators.",
        f"{plan.count('add'):,} creators already in the workspace, to add to your list.",
        f"{len(plan.on_list):,} already on your list ({plan.count('update'):,} with changes).",
        f"{len(plan.duplicates):,} creators named more than once in the file (merged).",
        f"{len(plan.invalid):,} invalid rows (left out).",
    ]
    if plan.ignored_columns:
        lines.append("Ignored columns: " + ", ".join(plan.ignored_columns) + ".")
    for creator in [c for c in plan.creators if c.kind == "update"][:SHOWN_MAX]:
        changed = "; ".join(
            f"{f}: {_value(old)} → {_value(new)}" for f, (old, new) in creator.changes.items()
        )
        lines.append(f"  row {creator.rows[0]} ({creator.profiles[0].handle}): {changed}")
    for rows in plan.duplicates[:SHOWN_MAX]:
        lines.append(f"  rows {', '.join(map(str, rows))} are one creator")
    for row in plan.invalid[:SHOWN_MAX]:
        lines.append(f"  row {row.number}: {' '.join(row.reasons)}")
    if len(plan.invalid) > SHOWN_MAX:
        lines.append(f"  … and {len(plan.invalid) - SHOWN_MAX:,} more invalid rows")
    return lines


def result_lines(result: ImportResult) -> list[str]:
    return [
        f"Imported: {result.created:,} new creators, {result.added:,} added to your list, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged, "
        f"{result.profiles_linked:,} profiles linked; "
        f"{result.invalid:,} invalid rows left out.",
        f"{result.changes:,} changes."
        if result.changes
        else "Nothing changed: everything was already there.",
    ]
