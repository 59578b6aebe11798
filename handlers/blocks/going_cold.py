"""Going-cold rows (reminder DM, App Home): who, why, and Log contact / Snooze a week / Mark cold.

Pure builders over crm.going_cold.GoingCold. The reason says which rule fired: the silence against
the cadence, or the strength's fall over the last week. Button values carry the relationship id,
re-checked against the clicking user by the crm calls behind them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.cadence import describe
from crm.going_cold import DROP_WINDOW, GOING_COLD_STATUSES, GoingCold
from handlers.blocks.fields import creator_label
from handlers.blocks.message import context
from handlers.blocks.text import plural
from handlers.ids import GoingColdAction

ITEM_BLOCK = "going-cold-item"  # block ids: "going-cold-item:<relationship id>", "going-cold-actions:<id>"
ACTIONS_BLOCK = "going-cold-actions"
HOME_POINTER = "the *Home* tab of this app lists the longest silent"


def reason(item: GoingCold, now: datetime) -> str:
    """'no contact for 45 days (cadence: every 3 weeks)' or 'strength 58, down from 64 a week ago'."""
    if item.is_overdue(now):
        silence = plural((now - item.since).days, "day")
        what = (
            f"no contact for {silence}" if item.last_contacted_at else f"never contacted, added {silence} ago"
        )
        return f"{what} (cadence: {describe(item.cadence_days)})"
    week = "a week" if DROP_WINDOW.days == 7 else plural(DROP_WINDOW.days, "day")
    return f"strength {item.strength_now}, down from {item.strength_before} {week} ago"


def going_cold_actions(relationship_id: uuid.UUID) -> ActionsBlock:
    rid = str(relationship_id)
    return ActionsBlock(
        block_id=f"{ACTIONS_BLOCK}:{rid}",
        elements=[
            ButtonElement(
                text=PlainTextObject(text="Log contact"),
                action_id=GoingColdAction.LOG,
                value=rid,
                style="primary",
            ),
            ButtonElement(
                text=PlainTextObject(text="Snooze a week"), action_id=GoingColdAction.SNOOZE, value=rid
            ),
            ButtonElement(
                text=PlainTextObject(text="Mark cold"), action_id=GoingColdAction.MARK_COLD, value=rid
            ),
        ],
    )


def undo_value(relationship_id: uuid.UUID, status: str) -> str:
    """The Undo value after Mark cold: the relationship and the status it had, '9f…:warm'."""
    return f"{relationship_id}:{status}"


def parse_undo_value(value: str) -> tuple[uuid.UUID, str]:
    """(relationship id, status to go back to); ValueError when it is not one of ours."""
    rel, _, status = value.rpartition(":")
    if status not in GOING_COLD_STATUSES:
        raise ValueError(f"unexpected status: {status[:20]}")
    return uuid.UUID(rel), status


def marked_cold(relationship_id: uuid.UUID, note: str, previous: str) -> SectionBlock:
    """What replaces an item's buttons after Mark cold: the note and an Undo button."""
    return SectionBlock(
        text=MarkdownTextObject(text=note),
        accessory=ButtonElement(
            text=PlainTextObject(text="Undo"),
            action_id=GoingColdAction.UNDO_MARK_COLD,
            value=undo_value(relationship_id, previous),
        ),
    )


def going_cold_item(item: GoingCold, *, now: datetime) -> list[Block]:
    """The two blocks of one relationship going cold: who and why, then the buttons."""
    who = creator_label(item.influencer_name, item.handle, item.platform)
    return [
        SectionBlock(
            block_id=f"{ITEM_BLOCK}:{item.relationship_id}",
            text=MarkdownTextObject(text=f"🧊 {who} · {item.status}\n{reason(item, now)}"),
        ),
        going_cold_actions(item.relationship_id),
    ]


def going_cold_section(items: Sequence[GoingCold], total: int, *, now: datetime) -> list[Block]:
    """Heading, the items, and '…and N more' pointing to App Home: 2 + 2 per item blocks at most."""
    if not items:
        return []
    total = max(total, len(items))
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Going cold* ({total:,}): warm and partnered creators you have not contacted "
                "within their cadence, or whose strength is falling."
            )
        )
    ]
    for item in items:
        blocks.extend(going_cold_item(item, now=now))
    if total > len(items):
        blocks.append(context(f"…and {total - len(items):,} more going cold — {HOME_POINTER}."))
    return blocks


def section_size(shown: int, total: int) -> int:
    """How many blocks going_cold_section takes for `shown` items of `total`."""
    if not shown:
        return 0
    return 1 + 2 * shown + (1 if total > shown else 0)
