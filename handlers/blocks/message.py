"""`Message`: blocks plus the plain-text fallback every Slack message must carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject, PlainTextObject

from handlers.blocks.text import (
    CONTEXT_ELEMENTS,
    CONTEXT_TEXT,
    FALLBACK_TEXT,
    HEADER_TEXT,
    MESSAGE_BLOCKS,
    clip,
    mrkdwn,
    plain,
)


@dataclass(frozen=True, slots=True)
class Message:
    """A message body: `text` is the notification / screen-reader fallback, `blocks` what is shown.

    `text` is plain: to_dict() escapes it, because Slack reads a message's text as mrkdwn too (a
    name like "<!channel>" must not notify anyone).
    """

    text: str
    blocks: Sequence[Block] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # A builder that overflows is a bug in the builder, not in the user's data: fail loudly in tests.
        if len(self.blocks) > MESSAGE_BLOCKS:
            raise ValueError(f"{len(self.blocks)} blocks; Slack allows {MESSAGE_BLOCKS} per message")

    def to_dict(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage / respond(): validated by slack_sdk on the way."""
        text = mrkdwn(self.text, FALLBACK_TEXT) or " "
        return {"text": text, "blocks": [b.to_dict() for b in self.blocks]}


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=plain(text, HEADER_TEXT), emoji=True))


def context(*texts: str) -> ContextBlock:
    """A context block of mrkdwn texts (already escaped), at most Slack's 10 elements."""
    elements = [MarkdownTextObject(text=clip(t, CONTEXT_TEXT)) for t in texts if t][:CONTEXT_ELEMENTS]
    return ContextBlock(elements=elements or [MarkdownTextObject(text=" ")])
