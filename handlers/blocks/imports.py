"""`/crm import`: the file modal, the preview with Import / Cancel, progress and the summary.

Everything read from the file (its name, headers, handles, the reasons quoting a cell) is user text
and goes through mrkdwn(). The preview lists at most SHOWN invalid rows, rows without some values,
changed creators and duplicate groups, then counts the rest.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from crm.imports.apply import ImportResult
from crm.imports.columns import ColumnMap
from crm.imports.limits import MAX_FILE_BYTES, MAX_ROWS, megabytes
from crm.imports.plan import ImportPlan
from crm.imports.summary import merged_line
from handlers.blocks.import_columns import columns_summary
from handlers.blocks.message import Message, header
from handlers.blocks.text import SECTION_TEXT, mrkdwn, plain_of, plural
from handlers.ids import Action, Block, Field
from handlers.ids import View as ViewId

SHOWN = 10  # invalid rows, rows without some values, changed creators and duplicate groups listed
FILETYPES = ["csv", "tsv", "txt"]

CANCELLED = Message(text="Import cancelled; nothing was changed.")
ALREADY_STARTED = Message(text="That import was already started from this preview; it runs once.")


def import_modal() -> View:
    """The modal of `/crm import`: one CSV/TSV file."""
    limits = f"Up to {megabytes(MAX_FILE_BYTES)} and {MAX_ROWS:,} rows."
    return View(
        type="modal",
        callback_id=ViewId.IMPORT,
        title=PlainTextObject(text="Import creators"),
        submit=PlainTextObject(text="Preview"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Choose a CSV or TSV export of your roster (a spreadsheet, GRIN, Upfluence, "
                    "Modash, or `/crm export`). You get a preview first; nothing changes until you "
                    "press *Import*."
                )
            ),
            InputBlock(
                block_id=Field.IMPORT_FILE,
                label=PlainTextObject(text="File"),
                element=FileInputElement(action_id=Field.IMPORT_FILE, filetypes=FILETYPES, max_files=1),
                hint=PlainTextObject(text=f"{limits} Columns are matched by their header names."),
            ),
        ],
    )


def reading_view() -> View:
    """What the modal shows once submitted: the preview comes as a DM."""
    return View(
        type="modal",
        callback_id=ViewId.IMPORT_READING,
        title=PlainTextObject(text="Import creators"),
        close=PlainTextObject(text="Close"),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="Reading your file… The preview will be in your DM with the bot in a moment."
                )
            )
        ],
    )


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:SECTION_TEXT]))


def _value(value: object) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).replace("\n", " ")


def _more(total: int, shown: int, what: str) -> list[str]:
    return [f"…and {total - shown:,} more {what}"] if total > shown else []


def _listing(title: str, lines: list[str]) -> SectionBlock:
    return _section(f"*{title}*\n" + "\n".join(lines))


def fix_columns_button(value: str) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text="Fix columns"), action_id=Action.IMPORT_FIX_COLUMNS, value=value
    )


def import_preview(plan: ImportPlan, *, filename: str, value: str, mapping: ColumnMap) -> Message:
    """The preview of importing `filename` read through `mapping`; `value` goes on the Import and
    Fix columns buttons (see actions/imports)."""
    name = mrkdwn(filename, 200)
    new, add, update = plan.count("new"), plan.count("add"), plan.count("update")
    counts = [
        f"• *{new:,}* new",
        f"• *{add:,}* already in the workspace, to add to your list",
        f"• *{len(plan.on_list):,}* already on your list ({update:,} with changes)",
        f"• *{len(plan.merged):,}* named more than once in the file (merged)",
        f"• *{len(plan.invalid):,}* invalid rows (left out)",
    ]
    partial = plan.partial
    if partial:
        counts.append(f"• *{len(partial):,}* imported without some values (below)")
    blocks = [
        header("Import preview"),
        _section(
            f"*{name}*: {plural(plan.total_rows, 'row')} read, "
            f"{plural(len(plan.creators), 'creator')} to import\n" + "\n".join(counts)
        ),
    ]
    changed = [c for c in plan.creators if c.kind == "update"]
    if changed:
        lines = []
        for creator in changed[:SHOWN]:
            fields = "; ".join(
                f"{f}: {_value(old)} → {_value(new)}" for f, (old, new) in creator.changes.items()
            )
            lines.append(f"• row {creator.rows[0]} (@{creator.profiles[0].handle}): {fields}")
        blocks.append(
            _listing("Changes", [mrkdwn(line, 300) for line in lines] + _more(len(changed), SHOWN, ""))
        )
    if plan.merged:
        lines = [mrkdwn(f"• {merged_line(creator)}", 300) for creator in plan.merged[:SHOWN]]
        blocks.append(_listing("Merged duplicates", lines + _more(len(plan.merged), SHOWN, "")))
    if plan.invalid:
        lines = [mrkdwn(f"• row {r.number}: {' '.join(r.reasons)}", 250) for r in plan.invalid[:SHOWN]]
        blocks.append(_listing("Invalid rows", lines + _more(len(plan.invalid), SHOWN, "invalid rows")))
    if partial:
        lines = [
            mrkdwn(f"• row {r.number} (@{r.handle}): {' '.join(r.reasons)}", 250) for r in partial[:SHOWN]
        ]
        more = _more(len(partial), SHOWN, "rows without some values")
        blocks.append(_listing("Values left out (the rest of each row is imported)", lines + more))
    blocks.append(_section(columns_summary(mapping)))
    summary = (
        f"Import preview of {filename}: {new:,} new, {len(plan.on_list):,} already on your list, "
        f"{len(plan.merged):,} duplicates merged, {len(plan.invalid):,} invalid rows"
        + (f", {len(partial):,} rows without some values." if partial else ".")
    )
    if not plan.creators:
        blocks.append(
            _section(
                "Nothing in this file can be imported; fix the rows above (or the columns) and try again."
            )
        )
        blocks.append(ActionsBlock(block_id=Block.IMPORT_ACTIONS, elements=[fix_columns_button(value)]))
        return Message(text=summary, blocks=blocks)
    blocks.append(
        ActionsBlock(
            block_id=Block.IMPORT_ACTIONS,
            elements=[
                ButtonElement(
                    text=PlainTextObject(text="Import"),
                    action_id=Action.IMPORT_CONFIRM,
                    value=value,
                    style="primary",
                    confirm=ConfirmObject(
                        title="Import these creators?",
                        text=f"{plural(len(plan.creators), 'creator')} go on your list, all at once.",
                        confirm="Import",
                        deny="Not yet",
                    ),
                ),
                fix_columns_button(value),
                ButtonElement(
                    text=PlainTextObject(text="Cancel"), action_id=Action.IMPORT_CANCEL, value="cancel"
                ),
            ],
        )
    )
    return Message(text=summary, blocks=blocks)


def import_progress(done: int, total: int) -> Message:
    text = f"Importing… {done:,} of {plural(total, 'creator')}."
    return Message(text=text, blocks=[_section(text)])


def import_done(result: ImportResult) -> Message:
    lines = [
        f"• *{result.created:,}* new creators",
        f"• *{result.added:,}* added to your list",
        f"• *{result.updated:,}* updated, *{result.unchanged:,}* unchanged",
        f"• *{result.profiles_linked:,}* profiles linked",
        f"• *{result.invalid:,}* invalid rows left out",
    ]
    if result.partial:
        lines.append(f"• *{result.partial:,}* rows imported without some values")
    lead = "Import done." if result.changes else "Import done: nothing changed, everything was already there."
    text = f"*{lead}*\n" + "\n".join(lines)
    return Message(text=plain_of(text), blocks=[_section(text)])


def import_problem(problem: str, *, fix_value: str | None = None) -> Message:
    """A refusal: `problem` is a crm message (may quote the file), nothing was changed. With
    `fix_value` (a mapping that cannot work) a Fix columns button comes with it."""
    text = f"{mrkdwn(problem, 2_000)} Nothing was changed."
    blocks: list = [_section(text)]
    if fix_value is not None:
        blocks.append(ActionsBlock(block_id=Block.IMPORT_ACTIONS, elements=[fix_columns_button(fix_value)]))
    return Message(text=plain_of(text), blocks=blocks)
