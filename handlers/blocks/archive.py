"""Messages of `/crm remove` and restoring: "Removed …" with Undo, "… is back on your list"."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.models import Influencer
from handlers.blocks.cards import card_buttons
from handlers.blocks.fields import who
from handlers.blocks.message import Message, context
from handlers.blocks.text import plain_of
from handlers.ids import Action, Block


def restore_button(influencer_id: str, *, undo: bool = False) -> ButtonElement:
    """Undo (under `/crm remove`'s answer) or Restore (on an archived row); the value is re-checked."""
    return ButtonElement(
        text=PlainTextObject(text="Undo" if undo else "Restore"),
        action_id=Action.REMOVE_UNDO if undo else Action.RESTORE,
        value=influencer_id,
    )


def removed_message(influencer: Influencer, *, removed: bool) -> Message:
    """`/crm remove`'s answer: taken off the list (or already off it), with Undo."""
    if removed:
        text = f"Removed {who(influencer)} from your list."
    else:
        text = f"{who(influencer)} was already off your list."
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        context("Their history stays. `/crm list archived` shows everyone you removed."),
        ActionsBlock(
            block_id=Block.REMOVED_ACTIONS, elements=[restore_button(str(influencer.id), undo=True)]
        ),
    ]
    return Message(text=plain_of(text), blocks=blocks)


def restored_message(influencer: Influencer, *, restored: bool) -> Message:
    """Undo's, Restore's and `/crm restore`'s answer, with the card's buttons."""
    if restored:
        text = f"{who(influencer)} is back on your list, as it was."
    else:
        text = f"{who(influencer)} is already on your list."
    blocks = [SectionBlock(text=MarkdownTextObject(text=text)), card_buttons(str(influencer.id))]
    return Message(text=plain_of(text), blocks=blocks)
