"""Correcting an import's columns: what each column is read as, and the "Fix columns" modal.

A column is shown by its header (user text: plain text in labels, mrkdwn() in messages) and a sample
cell from the file's first row. The choices are crm.imports.columns.CODES; the modal lists at most
COLUMNS_SHOWN columns (Slack allows 100 blocks per view, and the corrections must fit in a button
value), and the columns after those keep what their headers suggest.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.block_elements import StaticSelectElement
from slack_sdk.models.views import View

from crm.imports.columns import CODES, IGNORED, ColumnMap, column_code
from crm.profiles import platform_label
from handlers.blocks.fields import option
from handlers.blocks.text import LABEL, clip, mrkdwn, plain
from handlers.ids import Field
from handlers.ids import View as ViewId

COLUMNS_SHOWN = 40

FIELD_LABELS = {
    "name": "Name",
    "platform": "Platform",
    "handle": "Handle",
    "profile_url": "Profile link",
    "email": "Email",
    "followers": "Followers",
    "status": "Status",
    "priority": "Priority",
    "tags": "Tags",
    "notes": "Notes",
    "follow_up": "Next follow-up",
    "last_contacted": "Last contacted",
    "cadence": "Contact cadence",
}


def code_label(code: str) -> str:
    """What a column code means, in words: "Ignored", "Email", "TikTok handle"."""
    if code == IGNORED:
        return "Ignored"
    field, _, platform = code.partition(":")
    if platform:
        return f"{platform_label(platform)} {FIELD_LABELS[field].lower()}"
    return FIELD_LABELS[field]


def column_block_id(index: int) -> str:
    return f"{Field.IMPORT_COLUMN}-{index}"


def column_index(block_id: str) -> int | None:
    """The column position a block id of the modal names; None for any other block id."""
    prefix = f"{Field.IMPORT_COLUMN}-"
    number = block_id.removeprefix(prefix)
    if number == block_id or not number.isascii() or not number.isdigit() or len(number) > 3:
        return None
    return int(number)


def columns_summary(mapping: ColumnMap) -> str:
    """One mrkdwn line: each column's header → what it is read as."""
    shown = mapping.columns[:COLUMNS_SHOWN]
    parts = [f"*{mrkdwn(c.header, 60) or '(no header)'}* → {code_label(column_code(c))}" for c in shown]
    more = len(mapping.columns) - len(shown)
    return "Columns: " + " · ".join(parts) + (f" · and {more} more" if more > 0 else "")


def _header(header: str, index: int) -> str:
    return plain(header, LABEL - 20, default="").strip() or f"Column {index + 1} (no header)"


def columns_view(mapping: ColumnMap, *, sample: list[str], metadata: str) -> View:
    """The modal: one choice per column, preset to what it is read as now."""
    options = [option(code_label(code), code) for code in CODES]
    blocks: list = [
        SectionBlock(
            text=MarkdownTextObject(
                text="Choose what each column holds. A creator needs a handle or a profile link; "
                "anything set to *Ignored* is left out. You get a new preview before anything changes."
            )
        )
    ]
    for column in mapping.columns[:COLUMNS_SHOWN]:
        code = column_code(column)
        cell = sample[column.index] if column.index < len(sample) else ""
        blocks.append(
            InputBlock(
                block_id=column_block_id(column.index),
                label=PlainTextObject(text=_header(column.header, column.index)),
                element=StaticSelectElement(
                    action_id=Field.IMPORT_COLUMN,
                    options=options,
                    initial_option=next(o for o in options if o.value == code),
                ),
                hint=PlainTextObject(text="First row: " + clip(cell.replace("\n", " "), 120))
                if cell.strip()
                else None,
            )
        )
    if len(mapping.columns) > COLUMNS_SHOWN:
        more = len(mapping.columns) - COLUMNS_SHOWN
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=f"The other {more} columns keep what their headers suggest.")
                ]
            )
        )
    return View(
        type="modal",
        callback_id=ViewId.IMPORT_COLUMNS,
        title=PlainTextObject(text="Fix columns"),
        submit=PlainTextObject(text="Preview"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=metadata,
        blocks=blocks,
    )


def columns_problem_view(text: str) -> View:
    """The modal while the file is read, or when it cannot be (`text` may quote the file: escaped)."""
    return View(
        type="modal",
        callback_id=ViewId.IMPORT_COLUMNS_READING,
        title=PlainTextObject(text="Fix columns"),
        close=PlainTextObject(text="Close"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=mrkdwn(text, 2_000)))],
    )
