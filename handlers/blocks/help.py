"""`/crm help`: every subcommand with its syntax and an example (the Usage of each subcommand)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.blocks.message import Message, context, header
from handlers.blocks.text import BUTTON_TEXT, BUTTON_VALUE, SECTION_TEXT, clip, mrkdwn
from handlers.ids import Action


@dataclass(frozen=True, slots=True)
class Usage:
    """How to call one subcommand: `usage` is the syntax, `example` a line that works."""

    usage: str
    summary: str
    example: str


def help_message(entries: Sequence[Usage], *, command: str = "/crm") -> Message:
    """Every subcommand with its syntax and an example; sections split to respect the 3,000-char limit."""
    lines = [
        f"`{command} {mrkdwn(e.usage)}` — {mrkdwn(e.summary)}\n      e.g. `{mrkdwn(e.example)}`"
        for e in entries
    ]
    sections: list[str] = [""]
    for line in lines:
        if len(sections[-1]) + len(line) + 1 > SECTION_TEXT:
            sections.append("")
        sections[-1] = f"{sections[-1]}\n{line}".strip("\n")
    blocks = [header("Influencer CRM")]
    blocks += [SectionBlock(text=MarkdownTextObject(text=s)) for s in sections]
    blocks.append(
        context(
            "Refer to a creator by any of their profiles (`@handle`, `@handle tiktok`, a profile URL), "
            'their e-mail address or their name; quote names with spaces: `/crm show "Maya Lopez"`.'
            " Replies are visible only to you."
        )
    )
    names = dict.fromkeys(e.usage.split(" ", 1)[0] for e in entries)
    text = f"Influencer CRM commands: {', '.join(names)}. Try {command} help for examples."
    return Message(text=text, blocks=blocks)


def run_meant(typed: str, text: str, *, command: str = "/crm") -> ActionsBlock | None:
    """Under a usage error that knows what was meant: one button that runs `command text` (the text
    as Slack sends a command's) for whoever clicks it, labelled with the command as `typed`; None
    when `text` does not fit in a button's value."""
    if not text or len(text) > BUTTON_VALUE:
        return None
    label = clip(f"Run {command} {typed}", BUTTON_TEXT)
    button = ButtonElement(text=PlainTextObject(text=label), action_id=Action.RUN_MEANT, value=text)
    return ActionsBlock(elements=[button])
