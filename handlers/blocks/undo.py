"""Undo under a change made by command: a status (`/crm status`), a note appended (`/crm note`).

Undo values come back from Slack, so they are parsed strictly here, and the crm calls behind them
(crm.relationships.undo_status, undo_note) check what they carry and filter by the clicking user: a
forged value changes nothing of anyone else's.
- status: "<influencer id>:<status set>:<status before>";
- note: "<influencer id>:<notes before>:<notes after>", each a crm.relationships.notes_mark
  (length and digest), so the note's text never travels in the button.
"""

from __future__ import annotations

import re
import uuid

from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, PlainTextObject, SectionBlock

from crm.errors import InvalidInput
from crm.models import RELATIONSHIP_STATUSES, Influencer
from handlers.blocks.cards import card_buttons
from handlers.blocks.message import Message
from handlers.blocks.text import full_stop, mrkdwn, plain_of
from handlers.ids import Action

# An Undo value that is not one we wrote (forged, or cut): the same answer as an unknown creator.
NOT_OURS = "That influencer could not be found."


def status_undo_value(influencer_id: uuid.UUID, status: str, previous: str) -> str:
    return f"{influencer_id}:{status}:{previous}"


def _influencer_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInput("influencer", NOT_OURS) from None


def parse_status_undo(value: object) -> tuple[uuid.UUID, str, str]:
    """(influencer id, status set, status before); InvalidInput when the value is not one of ours."""
    influencer_id, _, statuses = str(value).partition(":")
    status, _, previous = statuses.partition(":")
    if status not in RELATIONSHIP_STATUSES or previous not in RELATIONSHIP_STATUSES:
        raise InvalidInput("influencer", NOT_OURS)
    return _influencer_id(influencer_id), status, previous


def status_set_message(influencer: Influencer, status: str, previous: str) -> Message:
    """`/crm status`'s answer: the new status, with Undo beside it when it changed, then the card's
    buttons."""
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if status == previous:
        section = SectionBlock(text=MarkdownTextObject(text=f"{name} is already *{status}*."))
    else:
        section = SectionBlock(
            text=MarkdownTextObject(text=f"{name} is now *{status}* (was {previous})."),
            accessory=ButtonElement(
                text=PlainTextObject(text="Undo"),
                action_id=Action.STATUS_UNDO,
                value=status_undo_value(influencer.id, status, previous),
            ),
        )
    return Message(text=plain_of(section.text.text), blocks=[section, card_buttons(str(influencer.id))])


def status_undone_message(influencer: Influencer, *, status: str, back: bool) -> Message:
    """Undo's answer, in place of the one it was under: back to the status before, or why not."""
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if back:
        text = f"↩️ {name} is *{status}* again."
    else:  # set to something else since: that newer choice stays
        text = f"{name} is *{status}* now (changed since), so it stays. `/crm status` sets another."
    blocks = [SectionBlock(text=MarkdownTextObject(text=text)), card_buttons(str(influencer.id))]
    return Message(text=plain_of(text), blocks=blocks)


_MARK = re.compile(r"^\d{1,6}\.[0-9a-f]{16}$")


def note_undo_value(influencer_id: uuid.UUID, before: str, after: str) -> str:
    return f"{influencer_id}:{before}:{after}"


def parse_note_undo(value: object) -> tuple[uuid.UUID, str, str]:
    """(influencer id, notes mark before, notes mark after); InvalidInput when not one of ours."""
    influencer_id, _, marks = str(value).partition(":")
    before, _, after = marks.partition(":")
    if not (_MARK.match(before) and _MARK.match(after)):
        raise InvalidInput("influencer", NOT_OURS)
    return _influencer_id(influencer_id), before, after


def note_added_message(influencer: Influencer, *, before: str, after: str) -> Message:
    """`/crm note`'s answer: added, with Undo beside it, then the card's buttons."""
    text = f"Note added to *{mrkdwn(influencer.name, 200)}*{full_stop(influencer.name)}"
    section = SectionBlock(
        text=MarkdownTextObject(text=text),
        accessory=ButtonElement(
            text=PlainTextObject(text="Undo"),
            action_id=Action.NOTE_UNDO,
            value=note_undo_value(influencer.id, before, after),
        ),
    )
    return Message(text=plain_of(text), blocks=[section, card_buttons(str(influencer.id))])


def note_undone_message(influencer: Influencer, *, back: bool) -> Message:
    """Undo's answer, in place of the one it was under: the note taken out, or why not."""
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if back:
        text = f"↩️ The note is out of {name}'s notes again."
    else:  # edited since: that newer text stays
        text = (
            f"{name}'s notes were changed since, so they stay as they are. *Edit* on their card changes them."
        )
    blocks = [SectionBlock(text=MarkdownTextObject(text=text)), card_buttons(str(influencer.id))]
    return Message(text=plain_of(text), blocks=blocks)
