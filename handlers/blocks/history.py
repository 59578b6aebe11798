"""`/crm history <influencer>`: every interaction the user logged with a creator, newest first, a page
at a time, each with Edit and Delete (after a confirmation).

Button values come back from Slack, so they are parsed strictly here; the listeners behind them
(handlers.actions.history) look the creator up in the clicker's workspace and read and delete only
the clicker's own interactions, so a forged value can only show or delete what is the clicker's.
- Previous / Next: "<influencer id>:<offset>";
- Edit and Delete: "<interaction id>:<influencer id>:<offset of the page it is on>".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.errors import InvalidInput
from crm.interactions import InteractionSummary
from crm.models import Influencer
from crm.relationship_list import OFFSET_MAX
from handlers.blocks.fields import INTERACTION_TYPE_LABELS, who
from handlers.blocks.lists import pager, rows_text
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import fmt_datetime, link, mrkdwn, plain_of, plural
from handlers.ids import Action, Block

HISTORY_PAGE = 10  # interactions per message: 10 sections of up to ~700 characters and their buttons
BROKEN = "That button no longer works; run `/crm history` again."
_OFFSET = re.compile(r"^\d{1,6}$")


def page_value(influencer_id: uuid.UUID, offset: int) -> str:
    return f"{influencer_id}:{offset}"


def row_value(interaction_id: uuid.UUID, influencer_id: uuid.UUID, offset: int) -> str:
    return f"{interaction_id}:{influencer_id}:{offset}"


def _id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInput("history", BROKEN) from None


def _offset(text: str) -> int:
    if not _OFFSET.match(text) or int(text) > OFFSET_MAX:
        raise InvalidInput("history", BROKEN)
    return int(text)


def parse_page_value(value: object) -> tuple[uuid.UUID, int]:
    """(influencer id, offset) of Previous / Next; InvalidInput when the value is not one of ours."""
    influencer_id, _, offset = str(value).partition(":")
    return _id(influencer_id), _offset(offset)


def parse_row_value(value: object) -> tuple[uuid.UUID, uuid.UUID, int]:
    """(interaction id, influencer id, offset) of Edit or Delete; InvalidInput when not one of ours."""
    interaction_id, _, rest = str(value).partition(":")
    influencer_id, _, offset = rest.partition(":")
    return _id(interaction_id), _id(influencer_id), _offset(offset)


def what_was_edited(kind: str, when: str) -> str:
    """The line above the page after the edit form was saved."""
    label = INTERACTION_TYPE_LABELS.get(kind, kind).lower()
    return f"✏️ Saved the {label} of {when}. The strength and last contact follow its type and date."


def what_was_deleted(kind: str, when: str) -> str:
    """The line above the page after a Delete."""
    label = INTERACTION_TYPE_LABELS.get(kind, kind).lower()
    return (
        f"🗑️ Deleted the {label} of {when}. The strength is worked out again, and the last contact"
        " if it was this one; status and follow-up stay as they are."
    )


def _row(item: InteractionSummary, influencer: Influencer, offset: int, tz: ZoneInfo) -> list[Any]:
    """An interaction's section, and its Edit and Delete (which asks first)."""
    kind = INTERACTION_TYPE_LABELS.get(item.type, item.type)
    when = fmt_datetime(item.interaction_date, tz)
    text = f"*{kind}* · {when}"
    if item.campaign_name:
        text += f" · campaign *{mrkdwn(item.campaign_name, 100)}*"
    if item.subject:
        text += f"\n*{mrkdwn(item.subject, 255)}*"
    if item.content:
        text += f"\n{mrkdwn(item.content, 300)}"
    if attachment := link(item.file_url, "file", limit=500):
        text += f"\n{attachment}"
    value = row_value(item.id, influencer.id, offset)
    edit = ButtonElement(text=PlainTextObject(text="Edit"), action_id=Action.INTERACTION_EDIT, value=value)
    delete = ButtonElement(
        text=PlainTextObject(text="Delete"),
        action_id=Action.INTERACTION_DELETE,
        value=value,
        style="danger",
        confirm=ConfirmObject(
            title=f"Delete this {kind.lower()}?",
            text=f"The {kind.lower()} of {when} leaves your history with them for good.",
            confirm="Delete",
            deny="Keep it",
            style="danger",
        ),
    )
    return [SectionBlock(text=MarkdownTextObject(text=text)), ActionsBlock(elements=[edit, delete])]


def _page_buttons(influencer: Influencer, *, offset: int, shown: int, total: int) -> ActionsBlock | None:
    back = max(offset - HISTORY_PAGE, 0)
    previous = (Action.HISTORY_PREVIOUS, page_value(influencer.id, back)) if offset > 0 else None
    has_next = offset + shown < total
    following = (Action.HISTORY_NEXT, page_value(influencer.id, offset + shown)) if has_next else None
    return pager(Block.HISTORY_PAGES, previous=previous, following=following)


def _log_or_show(influencer: Influencer) -> ActionsBlock:
    """Log interaction and Show card under the history (the card's own Edit would read as the rows')."""
    value = str(influencer.id)
    log = ButtonElement(
        text=PlainTextObject(text="Log interaction"), action_id=Action.CARD_LOG, value=value, style="primary"
    )
    show = ButtonElement(text=PlainTextObject(text="Show card"), action_id=Action.SHOW, value=value)
    return ActionsBlock(block_id=Block.CARD_ACTIONS, elements=[log, show])


def history_message(
    influencer: Influencer,
    items: Sequence[InteractionSummary],
    total: int,
    *,
    offset: int,
    tz: ZoneInfo,
    done: str = "",
) -> Message:
    """One page of the user's interactions with `influencer` (rows `offset + 1`… of `total`), each
    with Edit and Delete; Previous / Next when there are other pages; `done` (mrkdwn) says what a
    click or the edit form did."""
    name = mrkdwn(influencer.name, 200)
    if not items:
        said = f"You have logged nothing with *{name}*."
        text = "\n".join(t for t in (done, said) if t)
        section = SectionBlock(text=MarkdownTextObject(text=text))
        return Message(text=plain_of(text), blocks=[section, _log_or_show(influencer)])
    shown = list(items[:HISTORY_PAGE])
    blocks: list[Any] = [header(f"History with {influencer.name}")]
    if done:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=done)))
    rows = rows_text(offset, len(shown), total)
    blocks.append(context(f"{who(influencer)} · yours, newest first · {rows}"))
    for item in shown:
        blocks += _row(item, influencer, offset, tz)
    if buttons := _page_buttons(influencer, offset=offset, shown=len(shown), total=total):
        blocks.append(buttons)
    blocks.append(_log_or_show(influencer))
    fallback = f"History with {influencer.name}: {plural(total, 'interaction')}"
    return Message(text=fallback, blocks=blocks)
