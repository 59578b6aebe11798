"""Lists of relationships: `/crm list`, `/crm due`, `/crm find`, and ambiguous-reference candidates.

A message holds at most 50 blocks, so a list shows one page of rows and says how many more there are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.models import Influencer, Relationship
from handlers.blocks.cards import follow_up_text
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import BUTTON_TEXT, BUTTON_VALUE, mrkdwn, plain, plural
from handlers.ids import Action, Block

PAGE = 20  # rows per message: 20 sections + header + context stays far below 50 blocks
CANDIDATES = 10


def _show_button(influencer_id: str, *, add: bool = False) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text="Add" if add else "Show"),
        action_id=Action.ADD_TO_LIST if add else Action.SHOW,
        value=influencer_id,
    )


def relationship_row(rel: Relationship, *, tz: ZoneInfo, now: datetime) -> SectionBlock:
    inf = rel.influencer
    bits = [rel.status.capitalize(), f"P{rel.priority}", f"strength {rel.relationship_strength}"]
    if rel.follow_up_date is not None:
        bits.append(f"follow-up {follow_up_text(rel, tz, now)}")
    if rel.tags:
        bits.append(mrkdwn(" ".join(f"#{t}" for t in rel.tags), 300))
    text = f"*{mrkdwn(inf.name, 200)}* @{mrkdwn(inf.handle, 100)} · " + " · ".join(bits)
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=_show_button(str(inf.id)))


def _more(shown: int, total: int, hint: str) -> str:
    return f"…and {total - shown:,} more. {hint}" if total > shown else ""


def relationship_list(
    items: Sequence[Relationship],
    total: int,
    *,
    title: str,
    tz: ZoneInfo,
    now: datetime,
    empty: str,
    hint: str = "Narrow it down, e.g. `/crm list warm #skincare priority>=3`.",
) -> Message:
    """One page of relationships (at most PAGE rows) with '…and N more' when `total` is larger."""
    if not items:
        return Message(text=empty, blocks=[SectionBlock(text=MarkdownTextObject(text=empty))])
    shown = list(items[:PAGE])
    blocks: list[Any] = [header(f"{title} ({total:,})")]
    blocks += [relationship_row(r, tz=tz, now=now) for r in shown]
    more = _more(len(shown), total, hint)
    if more:
        blocks.append(context(more))
    names = ", ".join(r.influencer.name for r in shown[:10])
    return Message(text=f"{title}: {plural(total, 'relationship')} ({names})", blocks=blocks)


def search_results(query: str, hits: Sequence[Any], *, tz: ZoneInfo, now: datetime) -> Message:
    """`/crm find`: hits are crm SearchHit(influencer, relationship | None, rank)."""
    if not hits:
        text = f"Nothing matches “{query}”. Try part of a name, a handle, a tag or a word from your notes."
        return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=mrkdwn(text)))])
    shown = list(hits[:PAGE])
    blocks: list[Any] = [header(f"Results for “{query}”")]
    for hit in shown:
        if hit.relationship is not None:
            blocks.append(relationship_row(hit.relationship, tz=tz, now=now))
        else:
            inf = hit.influencer
            text = f"*{mrkdwn(inf.name, 200)}* @{mrkdwn(inf.handle, 100)} · {inf.platform} · not on your list"
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=text), accessory=_show_button(str(inf.id), add=True)
                )
            )
    if len(hits) > len(shown):
        blocks.append(context(f"…and {len(hits) - len(shown)} more. Use more words to narrow it down."))
    return Message(text=f"{plural(len(hits), 'result')} for “{query}”", blocks=blocks)


def pick_value(influencer_id: str, command: str, args: Sequence[str]) -> str | None:
    """The candidate button's value: what to re-run for the picked influencer; None if it cannot fit."""
    value = json.dumps({"i": influencer_id, "c": command, "a": list(args)}, separators=(",", ":"))
    return value if len(value) <= BUTTON_VALUE else None


def candidates(prompt: str, found: Sequence[Influencer], *, command: str, args: Sequence[str]) -> Message:
    """`prompt` (e.g. '“maya” matches several influencers; pick one.') and one button per candidate
    that re-runs `command` with `args` for that influencer."""
    found = list(found[:CANDIDATES])
    lost = False
    buttons = []
    for inf in found:
        value = pick_value(str(inf.id), command, args)
        if value is None:  # e.g. a very long note: re-run as `show`, and say so
            lost = True
            value = pick_value(str(inf.id), "show", ())
        label = f"{inf.name} (@{inf.handle} · {inf.platform})"
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text=plain(label, BUTTON_TEXT)),
                action_id=f"{Action.PICK_INFLUENCER}-{len(buttons)}",
                value=value,
            )
        )
    text = mrkdwn(prompt, 2900)
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(block_id=Block.CANDIDATES, elements=buttons),
    ]
    if lost:
        blocks.append(
            context("Your text was too long to carry over: pick one to see their card, then run it again.")
        )
    return Message(text=prompt, blocks=blocks)
