"""Lists of relationships: `/crm list`, `/crm due`, `/crm find`, and ambiguous-reference candidates.

A message holds at most 50 blocks, so a list shows one page of rows, says which rows of how many,
and offers Previous / Next buttons. Each button carries the list's query and the page to show
(`ListQuery.value`, a small JSON); handlers/actions/paging.py re-validates it and replaces the
message with that page.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    SectionBlock,
)

from crm.models import Influencer, Relationship
from crm.profiles import platform_label
from handlers.blocks.archive import restore_button
from handlers.blocks.cards import follow_up_text
from handlers.blocks.fields import status_label, who
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import BUTTON_TEXT, BUTTON_VALUE, mrkdwn, plain, plain_of, plural
from handlers.ids import Action, Block

PAGE = 20  # rows per message: 20 sections + header + context + buttons stays far below 50 blocks
CANDIDATES = 10
LIST_KINDS = ("list", "due", "week", "find", "archived")  # week: `/crm due week`


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which list a message shows and from which row: what its Previous / Next buttons carry.

    `list` uses statuses / tag / min_priority, `find` uses text, `due`, `week` (`/crm due week`) and
    `archived` (`/crm list archived`) nothing (due's cut-off, the end of the user's day or of the
    week ahead, is worked out again on each click).
    """

    kind: str
    statuses: tuple[str, ...] = ()
    tag: str | None = None
    min_priority: int | None = None
    text: str | None = None
    offset: int = 0

    def value(self, offset: int) -> str:
        """The button value for this query's page starting at row `offset`: short keys, no nulls."""
        data: dict[str, Any] = {"k": self.kind, "o": offset}
        statuses = ",".join(self.statuses) or None  # "warm,partnered"
        for key, field in (("s", statuses), ("t", self.tag), ("p", self.min_priority), ("q", self.text)):
            if field is not None:
                data[key] = field
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _show_button(influencer_id: str, *, add: bool = False) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text="Add" if add else "Show"),
        action_id=Action.ADD_TO_LIST if add else Action.SHOW,
        value=influencer_id,
    )


# The menu on each row of `/crm due` (and `due week`): act on the follow-up where it is listed.
DUE_CHOICES = {
    "done": "Done",
    "s1": "Snooze 1 day",
    "s7": "Snooze 1 week",
    "log": "Log interaction",
    "show": "Show card",
}
SNOOZE_DAYS = {"s1": 1, "s7": 7}
DUE_KINDS = ("due", "week")


def due_value(choice: str, kind: str, relationship_id: uuid.UUID) -> str:
    """A due row menu option's value: 'done:week:<relationship id>' (the list it is on, to redraw)."""
    return f"{choice}:{kind}:{relationship_id}"


def parse_due_value(value: str) -> tuple[str, str, uuid.UUID]:
    """(choice, list kind, relationship id) of a due row menu option; ValueError when it is not one
    of ours (the value came back from Slack)."""
    choice, kind, raw_id = [*value.split(":", 2), "", ""][:3]
    if choice not in DUE_CHOICES or kind not in DUE_KINDS:
        raise ValueError("not a due row choice")
    return choice, kind, uuid.UUID(raw_id)


def due_menu(rel: Relationship, kind: str) -> OverflowMenuElement:
    """The menu of a due follow-up's row (`kind`: the list it is on, "due" on App Home too)."""
    options = [Option(text=label, value=due_value(c, kind, rel.id)) for c, label in DUE_CHOICES.items()]
    return OverflowMenuElement(action_id=Action.DUE_ROW, options=options)


def with_note(page: Message, note: str) -> Message:
    """A list page with `note` (mrkdwn, escaped) above it: what a click on one of its rows did."""
    return Message(text=page.text, blocks=[context(note), *page.blocks])


def relationship_row(
    rel: Relationship, *, tz: ZoneInfo, now: datetime, restore: bool = False, due_kind: str | None = None
) -> SectionBlock:
    """One row: name, handle, status, priority, strength, follow-up, tags; Show (Restore on an
    archived row; on a `/crm due` list, `due_kind`, the menu that acts on the follow-up)."""
    inf = rel.influencer
    bits = [status_label(rel.status), f"P{rel.priority}", f"strength {rel.relationship_strength}"]
    if rel.follow_up_date is not None:
        bits.append(f"follow-up {follow_up_text(rel, tz, now)}")
    if rel.tags:
        bits.append(mrkdwn(" ".join(f"#{t}" for t in rel.tags), 300))
    text = f"{who(inf)} · " + " · ".join(bits)
    if restore:
        return SectionBlock(text=MarkdownTextObject(text=text), accessory=restore_button(str(inf.id)))
    if due_kind is not None:
        return SectionBlock(text=MarkdownTextObject(text=text), accessory=due_menu(rel, due_kind))
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=_show_button(str(inf.id)))


def rows_text(offset: int, shown: int, total: int | None) -> str:
    """'21–40 of 57' (or '21–40' when the total is not known)."""
    span = f"{offset + 1:,}–{offset + shown:,}" if shown > 1 else f"{offset + 1:,}"
    return f"{span} of {total:,}" if total is not None else span


Button = tuple[str, str]  # (action id, value)


def pager(block_id: str, *, previous: Button | None, following: Button | None) -> ActionsBlock | None:
    """Previous / Next buttons, each an (action id, value) or None; None when there is neither, or a
    value is too long for Slack."""
    buttons = []
    for label, given in (("Previous", previous), ("Next", following)):
        if given is not None:
            action_id, value = given
            buttons.append(ButtonElement(text=PlainTextObject(text=label), action_id=action_id, value=value))
    if not buttons or any(len(b.value) > BUTTON_VALUE for b in buttons):
        return None
    return ActionsBlock(block_id=block_id, elements=buttons)


def page_buttons(query: ListQuery, *, offset: int, shown: int, has_next: bool) -> ActionsBlock | None:
    """Previous / Next for the page of `query` starting at `offset`; None when there is one page."""
    previous = (Action.LIST_PREVIOUS, query.value(max(offset - PAGE, 0))) if offset > 0 else None
    following = (Action.LIST_NEXT, query.value(offset + shown)) if has_next else None
    return pager(Block.LIST_PAGES, previous=previous, following=following)


def relationship_list(
    items: Sequence[Relationship],
    total: int,
    *,
    query: ListQuery,
    offset: int = 0,
    title: str,
    tz: ZoneInfo,
    now: datetime,
    empty: str,
    hint: str = "",
    restore: bool = False,
) -> Message:
    """One page of relationships (at most PAGE rows, rows `offset + 1`… of `total`), with Previous /
    Next buttons when there are other pages; `restore` puts Restore on each row instead of Show."""
    if not items:
        return Message(text=plain_of(empty), blocks=[SectionBlock(text=MarkdownTextObject(text=empty))])
    shown = list(items[:PAGE])
    rows = rows_text(offset, len(shown), total)
    blocks: list[Any] = [header(f"{title} ({total:,})")]
    due_kind = query.kind if query.kind in DUE_KINDS else None
    blocks += [relationship_row(r, tz=tz, now=now, restore=restore, due_kind=due_kind) for r in shown]
    has_next = offset + len(shown) < total
    buttons = page_buttons(query, offset=offset, shown=len(shown), has_next=has_next)
    if buttons is not None:
        blocks.append(context(" ".join(t for t in (f"Showing {rows}.", hint) if t)))
        blocks.append(buttons)
    elif hint:
        blocks.append(context(hint))
    names = ", ".join(r.influencer.name for r in shown[:10])
    return Message(text=f"{title}: {plural(total, 'relationship')}, {rows} ({names})", blocks=blocks)


def tag_meant(tags: Sequence[str], *, command: str, filters: str = "") -> str:
    """'Did you mean #fitness? `/crm list #fitness`' (mrkdwn): the tags a #tag or a search that found
    nothing may have meant, and the /crm line that lists the first, with `filters` before it."""
    meant = " or ".join(f"#{mrkdwn(tag, 40)}" for tag in tags)
    line = " ".join(word for word in (f"/crm {command}", filters, f"#{mrkdwn(tags[0], 40)}") if word)
    return f"Did you mean {meant}? `{line}`"


def search_results(
    text: str,
    hits: Sequence[Any],
    *,
    query: ListQuery,
    offset: int = 0,
    has_next: bool = False,
    tz: ZoneInfo,
    now: datetime,
    tags_meant: Sequence[str] = (),
) -> Message:
    """`/crm find`: one page of hits, crm SearchHit(influencer, relationship | None, rank), best first.

    The total is not counted (that would rank the whole directory again); `has_next` says whether
    another page follows. With no hits, `tags_meant` are the user's tags spelt close to `text`.
    """
    if not hits:
        said = mrkdwn(f"Nothing matches “{text}”.")
        if tags_meant:
            said += f" {tag_meant(tags_meant, command='list')}"
        else:
            said += " Try part of a name, a handle, a tag or a word from your notes."
        return Message(text=plain_of(said), blocks=[SectionBlock(text=MarkdownTextObject(text=said))])
    shown = list(hits[:PAGE])
    blocks: list[Any] = [header(f"Results for “{text}”")]
    for hit in shown:
        if hit.relationship is not None:
            blocks.append(relationship_row(hit.relationship, tz=tz, now=now))
        else:
            inf = hit.influencer
            line = f"{who(inf)} · not on your list"
            blocks.append(
                SectionBlock(
                    text=MarkdownTextObject(text=line), accessory=_show_button(str(inf.id), add=True)
                )
            )
    rows = rows_text(offset, len(shown), None)
    buttons = page_buttons(query, offset=offset, shown=len(shown), has_next=has_next)
    if buttons is not None:
        blocks.append(context(f"Results {rows}, best first."))
        blocks.append(buttons)
    elif has_next:  # the search text is too long to carry in a button
        blocks.append(context(f"Results {rows}, best first. There are more: use fewer words to see them."))
    more = ", more on the next page" if has_next else ""
    return Message(text=f"Results {rows} for “{text}”{more}", blocks=blocks)


def pick_value(influencer_id: str, command: str, args: Sequence[str]) -> str | None:
    """The candidate button's value: what to re-run for the picked influencer; None if it cannot fit."""
    value = json.dumps({"i": influencer_id, "c": command, "a": list(args)}, separators=(",", ":"))
    return value if len(value) <= BUTTON_VALUE else None


def spelt_close(miss: str, found: Sequence[Influencer], *, command: str, args: Sequence[str]) -> Message:
    """`miss` ("No influencer matches “luka haddad”.") asking "Did you mean …?", with `found`, the
    creators spelt close (crm.search.spelled_like), as candidate buttons re-running `command`."""
    which = "one of these" if len(found) > 1 else "this creator"
    return candidates(f"{miss} Did you mean {which}?", found, command=command, args=args)


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
        label = f"{inf.name} (@{inf.handle} · {platform_label(inf.platform)})"
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
