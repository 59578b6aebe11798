"""Check a message the way Slack would: slack_sdk.models parses and re-validates every block."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from handlers.blocks.text import MESSAGE_BLOCKS


def assert_valid_message(payload: dict[str, Any]) -> None:
    """`payload` (chat.postMessage / chat.update arguments) has a fallback text and valid blocks."""
    assert payload.get("text", "").strip(), "every message needs a plain-text fallback"
    blocks = payload.get("blocks") or []
    if isinstance(blocks, str):  # as recorded from a form-encoded call
        import json

        blocks = json.loads(blocks)
    assert len(blocks) <= MESSAGE_BLOCKS
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.to_dict()  # runs slack_sdk's length/format validation; raises SlackObjectFormationError
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), "block ids must be unique within a message"
