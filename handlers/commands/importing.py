"""`/crm import`: the modal asking for the file (the rest is handlers/views/imports.py)."""

from __future__ import annotations

from handlers.blocks.help import Usage
from handlers.blocks.imports import import_modal
from handlers.commands.context import CommandContext

IMPORT = Usage(
    "import",
    "a CSV/TSV roster onto your list (or share the file in your DM with the bot): a preview first"
    " (new, changed, duplicates, invalid rows)",
    "/crm import",
)


def import_(ctx: CommandContext, args: list[str]) -> None:
    ctx.open_modal(import_modal())
