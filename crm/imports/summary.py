"""An import plan or result in plain sentences, for the CLI (and any other caller that prints)."""

from __future__ import annotations

from datetime import datetime

from crm.imports.apply import ImportResult
from crm.imports.plan import ImportPlan, PlannedCreator

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
    # "Label: count" lines read right for any count ("1 creators" did not).
    lines = [
        f"Rows read: {plan.total_rows:,}",
        f"New creators: {plan.count('new'):,}",
        f"Already in the workspace, to add to your list: {plan.count('add'):,}",
        f"Already on your list: {len(plan.on_list):,} ({plan.count('update'):,} with changes)",
        f"Named more than once in the file (merged): {len(plan.merged):,}",
        f"Invalid rows (left out): {len(plan.invalid):,}",
    ]
    partial = plan.partial
    if partial:
        lines.append(f"Rows imported without some values: {len(partial):,}")
    if plan.ignored_columns:
        lines.append("Ignored columns: " + ", ".join(plan.ignored_columns) + ".")
    for creator in [c for c in plan.creators if c.kind == "update"][:SHOWN_MAX]:
        changed = "; ".join(
            f"{f}: {_value(old)} → {_value(new)}" for f, (old, new) in creator.changes.items()
        )
        lines.append(f"  row {creator.rows[0]} ({creator.profiles[0].handle}): {changed}")
    for creator in plan.merged[:SHOWN_MAX]:
        lines.append(f"  {merged_line(creator)}")
    for row in plan.invalid[:SHOWN_MAX]:
        lines.append(f"  row {row.number}: {' '.join(row.reasons)}")
    if len(plan.invalid) > SHOWN_MAX:
        lines.append(f"  … and {len(plan.invalid) - SHOWN_MAX:,} more invalid rows")
    for row in partial[:SHOWN_MAX]:
        lines.append(f"  row {row.number} ({row.handle}): {' '.join(row.reasons)}")
    if len(partial) > SHOWN_MAX:
        lines.append(f"  … and {len(partial) - SHOWN_MAX:,} more rows without some values")
    return lines


def merged_line(creator: PlannedCreator) -> str:
    """'rows 2, 6 are one creator (@anna.berg)', and the name kept when the rows name it otherwise."""
    line = f"rows {', '.join(map(str, creator.rows[:20]))} are one creator (@{creator.profiles[0].handle})"
    if creator.other_names:
        others = " or ".join(f"“{name[:60]}” (row {number})" for number, name in creator.other_names[:3])
        line += f"; the name “{creator.name}” is kept, not {others}"
    return line


def result_lines(result: ImportResult) -> list[str]:
    return [
        f"Imported. New creators: {result.created:,}; added to your list: {result.added:,}; "
        f"updated: {result.updated:,}; unchanged: {result.unchanged:,}; "
        f"profiles linked: {result.profiles_linked:,}; invalid rows left out: {result.invalid:,}"
        + (f"; rows imported without some values: {result.partial:,}." if result.partial else "."),
        f"Changes: {result.changes:,}."
        if result.changes
        else "Nothing changed: everything was already there.",
    ]
