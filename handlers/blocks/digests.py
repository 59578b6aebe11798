"""Scheduler messages: the follow-up reminder DM (and its updates after a click).

Pure functions over plain data (crm.reminders.follow_ups.Digest / DigestItem): no I/O. Each follow-up is a
section (who, when due in the user's timezone) and an actions block with Done, Snooze (1 day /
3 days / 1 week) and Log interaction. Button values carry the relationship id; the listener re-checks
it against the acting user. Block ids carry it too, so a click can update just that item.

The reminder DM lists the newly due follow-ups first, each marked new, then the user's older open
ones (reminded before), oldest first, under a short heading; past the block budget it ends with
"…and N more — `/crm due`".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from crm.clock import start_of_local_day, zone_of
from crm.reminders.follow_ups import Digest, DigestItem
from handlers.blocks.fields import creator_label
from handlers.blocks.going_cold import going_cold_section
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import (
    MESSAGE_BLOCKS,
    fmt_datetime,
    mrkdwn,
    plain,
    plural,
)
from handlers.ids import COMMAND, FollowUpAction

SNOOZE_CHOICES = ((1, "1 day"), (3, "3 days"), (7, "1 week"))
ITEM_BLOCK = "followup-item"  # block ids: "followup-item:<relationship id>", "followup-actions:<id>"
ACTIONS_BLOCK = "followup-actions"
NEW_MARK = "🆕"
# header + intro + (older-items heading) + ("…and N more") leave this many blocks for items, two each.
MAX_ITEMS = (MESSAGE_BLOCKS - 4) // 2


def snooze_value(relationship_id: uuid.UUID, days: int) -> str:
    """The Snooze option value: relationship id and days, e.g. '9f…:3'."""
    return f"{relationship_id}:{days}"


def parse_snooze_value(value: str) -> tuple[uuid.UUID, int]:
    """(relationship id, days) from a Snooze option value; ValueError when it is not one of ours."""
    rel, _, days = value.rpartition(":")
    if int(days) not in {d for d, _ in SNOOZE_CHOICES}:
        raise ValueError(f"unexpected snooze days: {days}")
    return uuid.UUID(rel), int(days)


def done_note(name: str, next_one: str | None) -> str:
    """What Done says: the follow-up cleared, or the next one the cadence set (mrkdwn; `next_one`
    already formatted)."""
    if next_one is None:
        return f"✅ Done: follow-up with *{mrkdwn(name, 200)}* cleared"
    return f"✅ Done: next follow-up with *{mrkdwn(name, 200)}* {next_one}, by the cadence"


def snoozed_note(name: str, when: str) -> str:
    """What Snooze says: when the follow-up is due now (mrkdwn; `when` already formatted)."""
    return f"💤 Snoozed: follow-up with *{mrkdwn(name, 200)}* is now due {when}"


def follow_up_actions(relationship_id: uuid.UUID) -> ActionsBlock:
    """Done / Snooze / Log interaction for one follow-up (reusable on cards too)."""
    rid = str(relationship_id)
    return ActionsBlock(
        block_id=f"{ACTIONS_BLOCK}:{rid}",
        elements=[
            ButtonElement(
                text=PlainTextObject(text="Done"), action_id=FollowUpAction.DONE, value=rid, style="primary"
            ),
            StaticSelectElement(
                action_id=FollowUpAction.SNOOZE,
                placeholder=PlainTextObject(text="Snooze…"),
                options=[
                    Option(text=label, value=snooze_value(relationship_id, d)) for d, label in SNOOZE_CHOICES
                ],
            ),
            ButtonElement(
                text=PlainTextObject(text="Log interaction"), action_id=FollowUpAction.LOG, value=rid
            ),
        ],
    )


def due_text(due_at: datetime, *, tz_name: str, now: datetime) -> str:
    """'due today at 09:00' or 'overdue since Mon 1 Dec 2026 09:00', in the user's timezone."""
    tz = zone_of(tz_name)
    local = due_at.astimezone(tz)
    if due_at >= start_of_local_day(now.astimezone(tz).date(), tz):
        return f"due today at {local:%H:%M}" if due_at <= now else f"due at {fmt_datetime(due_at, tz)}"
    return f"overdue since {fmt_datetime(due_at, tz)}"


def _influencer_label(item: DigestItem) -> str:
    return creator_label(item.influencer_name, item.handle, item.platform)


def reminder_item(item: DigestItem, *, tz_name: str, now: datetime) -> list[Block]:
    """The two blocks of one follow-up: who and when (marked when newly due), then the buttons."""
    when = due_text(item.due_at, tz_name=tz_name, now=now)
    mark = f"{NEW_MARK} " if item.is_new else ""
    return [
        SectionBlock(
            block_id=f"{ITEM_BLOCK}:{item.relationship_id}",
            text=MarkdownTextObject(text=f"{mark}{_influencer_label(item)}\nFollow-up {when}"),
        ),
        follow_up_actions(item.relationship_id),
    ]


def reminder_message(digest: Digest, *, now: datetime) -> Message:
    """One DM listing a user's newly due follow-ups, then their older open ones, then the
    relationships going cold not yet mentioned today (handlers.blocks.going_cold).

    The going-cold section takes its blocks first (at most COLD_ITEMS items); the follow-ups get the
    rest, at most MAX_ITEMS, new ones first; what does not fit is counted in "…and N more". A DM with
    no follow-up newly due (the morning going-cold section alone) is that section only.
    """
    cold = going_cold_section(digest.cold, digest.cold_total, now=now)
    if not digest.items:
        total = max(digest.cold_total, len(digest.cold))
        names = ", ".join(plain(i.influencer_name, 60) for i in digest.cold[:5])
        text = f"{plural(total, 'relationship')} going cold: {names}" + ("…" if total > 5 else "")
        return Message(text=text, blocks=[header("Going cold"), *cold])
    room = min(MAX_ITEMS, (MESSAGE_BLOCKS - 4 - len(cold)) // 2)
    new, older = digest.items, digest.overdue
    older_total = max(digest.overdue_total, len(older))
    shown_new = new[:room]
    shown_older = older[: room - len(shown_new)]
    hidden = len(new) - len(shown_new) + older_total - len(shown_older)
    intro = f"You have {plural(len(new), 'follow-up')} newly due"
    if older_total:
        intro += f" and {plural(older_total, 'older one')} still open"
    blocks: list[Block] = [
        header("Follow-ups due"),
        SectionBlock(
            text=MarkdownTextObject(text=f"{intro}. Mark each done, snooze it, or log what you did.")
        ),
    ]
    for item in shown_new:
        blocks.extend(reminder_item(item, tz_name=digest.timezone, now=now))
    if shown_older:
        blocks.append(context("*Still open from earlier*, oldest first"))
        for item in shown_older:
            blocks.extend(reminder_item(item, tz_name=digest.timezone, now=now))
    if hidden:
        blocks.append(context(f"…and {hidden:,} more — `{COMMAND} due`"))
    blocks.extend(cold)
    names = ", ".join(plain(i.influencer_name, 60) for i in new[:5]) + ("…" if len(new) > 5 else "")
    text = f"You have {plural(len(new), 'follow-up')} due: {names}"
    if older_total:
        text += f" · {plural(older_total, 'older follow-up')} still open"
    if digest.cold:
        text += f" · {plural(max(digest.cold_total, len(digest.cold)), 'relationship')} going cold"
    return Message(text=text, blocks=blocks)


def resolved_item(
    blocks: Sequence[dict[str, Any]],
    relationship_id: uuid.UUID,
    note: str,
    *,
    prefix: str = ACTIONS_BLOCK,
    replacement: Block | None = None,
) -> list[dict[str, Any]]:
    """The DM's blocks (as Slack sent them back) with one item's buttons replaced by `note` (or by
    `replacement`, e.g. the note with an Undo button).

    Used after Done / Snooze (and the going-cold buttons, `prefix` their actions block) so the
    message shows the new state instead of stale buttons; the other items keep theirs.
    """
    target = f"{prefix}:{relationship_id}"
    out = []
    for block in blocks:
        if block.get("block_id") == target:
            replaced = (replacement or context(note)).to_dict()
            replaced["block_id"] = target
            out.append(replaced)
        else:
            out.append(dict(block))
    return out
