"""Checks that a message or view is one Slack accepts: slack_sdk.models validation plus the limits
slack_sdk does not check itself (block counts, unique block ids, section field length)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_FIELD = 2_000


def _check_blocks(blocks: list[dict[str, Any]]) -> None:
    ids = [b["block_id"] for b in blocks if b.get("block_id")]
    assert len(ids) == len(set(ids)), f"duplicate block ids: {ids}"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, f"unknown block {raw.get('type')}"
        assert block.to_dict() is not None  # to_dict() runs slack_sdk's validators, recursively
        for field in raw.get("fields") or []:
            assert 0 < len(field["text"]) <= SECTION_FIELD
        if raw.get("type") == "actions":
            action_ids = [e.get("action_id") for e in raw["elements"] if e.get("action_id")]
            assert len(action_ids) == len(set(action_ids)), f"duplicate action ids in a block: {action_ids}"


def check_message(message: dict[str, Any]) -> None:
    """`message` as sent to chat.* or a response_url: a fallback text and at most 50 valid blocks."""
    assert (message.get("text") or "").strip(), "every message needs a plain-text fallback"
    blocks = message.get("blocks") or []
    assert len(blocks) <= MESSAGE_BLOCKS, f"{len(blocks)} blocks in a message"
    _check_blocks(blocks)


def check_view(view: dict[str, Any]) -> None:
    """A modal or Home tab: slack_sdk's View validation and at most 100 valid blocks."""
    blocks = view.get("blocks") or []
    assert 0 < len(blocks) <= VIEW_BLOCKS, f"{len(blocks)} blocks in a view"
    keys = ("type", "callback_id", "title", "submit", "close", "private_metadata", "blocks")
    parsed = View(**{k: v for k, v in view.items() if k in keys})
    assert parsed.to_dict()
    _check_blocks(blocks)
