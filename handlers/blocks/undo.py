"""Undo under a change made by command: a status (`/crm status`, of one creator or several), a note
appended (`/crm note`), the tags or priorities of several creators (`/crm tag @a @b +x`,
`/crm priority @a @b 5`). A follow-up's Undo
(`/crm followup`) is in handlers.blocks.follow_up_undo.

Undo values come back from Slack, so they are parsed strictly here, and the crm calls behind them
(crm.relationships.undo_status, undo_note) check what they carry and filter by the clicking user: a
forged value changes nothing of anyone else's.
- status: "<influencer id>:<status set>:<status before>";
- note: "<influencer id>:<notes before>:<notes after>", each a crm.relationships.notes_mark
  (length and digest), so the note's text never travels in the button;
- tags: the tags asked for, then each creator whose tags changed, with which (tag_undo_value);
- several statuses: the status set, then each creator moved with the status it had;
- several priorities: the priority set, then each creator changed with the priority it had;
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence

from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, PlainTextObject, SectionBlock

from crm.errors import InvalidInput
from crm.models import RELATIONSHIP_STATUSES, Influencer, Relationship
from crm.relationships import PRIORITY_AT_ONCE_MAX, STATUS_AT_ONCE_MAX, TAG_AT_ONCE_MAX, TagChange
from handlers.blocks.cards import card_buttons
from handlers.blocks.message import Message
from handlers.blocks.text import (
    BUTTON_VALUE,
    SECTION_TEXT,
    clip,
    full_stop,
    mrkdwn,
    plain_of,
    plural,
)
from handlers.forms import parse_id
from handlers.ids import Action

# An Undo value that is not one we wrote (forged, or cut): the same answer as an unknown creator.
NOT_OURS = "That influencer could not be found."


def status_undo_value(influencer_id: uuid.UUID, status: str, previous: str) -> str:
    return f"{influencer_id}:{status}:{previous}"


def parse_status_undo(value: object) -> tuple[uuid.UUID, str, str]:
    """(influencer id, status set, status before); InvalidInput when the value is not one of ours."""
    influencer_id, _, statuses = str(value).partition(":")
    status, _, previous = statuses.partition(":")
    if status not in RELATIONSHIP_STATUSES or previous not in RELATIONSHIP_STATUSES:
        raise InvalidInput("influencer", NOT_OURS)
    return parse_id(influencer_id, field="influencer", what="influencer"), status, previous


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
    return parse_id(influencer_id, field="influencer", what="influencer"), before, after


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


# Undo under `/crm tag` for several creators: the tags asked for, then each creator whose tags
# changed with a mask of which of them did ("+shortlist,-old|<influencer hex>:<mask hex>;…").
_TAG_OP = re.compile(r"^[+-][\w\-.+&/]{1,30}$")
_TAG_ENTRY = re.compile(r"^([0-9a-f]{32}):([0-9a-f]{1,11})$")


def tag_undo_value(ops: Sequence[str], changes: Sequence[TagChange]) -> str:
    """`ops` are "+tag" / "-tag" as the command applied them; only changed creators are carried."""
    entries = []
    for change in changes:
        mask = 0
        for bit, op in enumerate(ops):
            if op[1:] in (change.added if op[0] == "+" else change.removed):
                mask |= 1 << bit
        if mask:
            entries.append(f"{change.relationship.influencer_id.hex}:{mask:x}")
    return f"{','.join(ops)}|{';'.join(entries)}"


def parse_tag_undo(value: object) -> list[tuple[uuid.UUID, list[str], list[str]]]:
    """Each (influencer id, tags to take off, tags to put back); InvalidInput when not one of ours."""
    ops_text, _, entries_text = str(value).partition("|")
    ops = ops_text.split(",")
    entries = entries_text.split(";")
    if not all(_TAG_OP.match(op) for op in ops) or not 1 <= len(entries) <= TAG_AT_ONCE_MAX:
        raise InvalidInput("influencer", NOT_OURS)
    parsed = []
    for entry in entries:
        match = _TAG_ENTRY.match(entry)
        if match is None or not 0 < int(match[2], 16) < 1 << len(ops):
            raise InvalidInput("influencer", NOT_OURS)
        changed = [op for bit, op in enumerate(ops) if int(match[2], 16) >> bit & 1]
        added = [op[1:] for op in changed if op[0] == "+"]
        parsed.append((uuid.UUID(match[1]), added, [op[1:] for op in changed if op[0] == "-"]))
    return parsed


def names_in_bold(influencers: Sequence[Influencer]) -> str:
    return ", ".join(f"*{mrkdwn(i.name, 80)}*" for i in influencers)


def tagged_several_message(changes: Sequence[TagChange], ops: Sequence[str]) -> Message:
    """`/crm tag @a @b +x -y`: whose tags changed and how, who had them so already; with Undo."""
    changed = [c for c in changes if c.added or c.removed]
    same = [c.relationship.influencer for c in changes if not (c.added or c.removed)]
    added = " ".join(f"#{mrkdwn(op[1:], 40)}" for op in ops if op[0] == "+")
    removed = " ".join(f"#{mrkdwn(op[1:], 40)}" for op in ops if op[0] == "-")
    parts = [f"added {added}"] if added else []
    parts += [f"removed {removed}"] if removed else []
    asked = " and ".join(parts)
    if changed:
        names = names_in_bold([c.relationship.influencer for c in changed])
        text = f"🏷️ {asked[0].upper()}{asked[1:]} for {plural(len(changed), 'creator')}: {names}."
    else:
        text = f"No tags changed: each of them was so already (asked: {asked})."
    if changed and same:
        text += f"\nAlready so: {names_in_bold(same)}."
    value = tag_undo_value(ops, changes)
    accessory = None
    if changed and len(value) <= BUTTON_VALUE:
        accessory = ButtonElement(text=PlainTextObject(text="Undo"), action_id=Action.TAG_UNDO, value=value)
    elif changed:  # many creators and many tags: more than one button value holds
        text += "\nThis is too large for one Undo button: the same command with - for + reverses it."
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), accessory=accessory)
    return Message(text=plain_of(text), blocks=[section])


def tags_undone_message(relationships: Sequence[Relationship]) -> Message:
    """The tag Undo's answer, in place of the one it was under."""
    names = names_in_bold([r.influencer for r in relationships])
    text = f"↩️ Tags back as they were for {plural(len(relationships), 'creator')}: {names}."
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))
    return Message(text=plain_of(text), blocks=[section])


# Undo under `/crm status` for several creators: the status set, then each creator it moved with
# the status it had, as its index in RELATIONSHIP_STATUSES ("warm|<influencer hex>:1;…").
_STATUS_ENTRY = re.compile(r"^([0-9a-f]{32}):([0-9])$")


def statuses_undo_value(status: str, moved: Sequence[tuple[Relationship, str]]) -> str:
    entries = [f"{r.influencer_id.hex}:{RELATIONSHIP_STATUSES.index(previous)}" for r, previous in moved]
    return f"{status}|{';'.join(entries)}"


def parse_statuses_undo(value: object) -> tuple[str, list[tuple[uuid.UUID, str]]]:
    """(status set, each (influencer id, status it had)); InvalidInput when not one of ours."""
    status, _, entries_text = str(value).partition("|")
    entries = entries_text.split(";")
    if status not in RELATIONSHIP_STATUSES or not 1 <= len(entries) <= STATUS_AT_ONCE_MAX:
        raise InvalidInput("influencer", NOT_OURS)
    parsed = []
    for entry in entries:
        match = _STATUS_ENTRY.match(entry)
        if match is None or int(match[2]) >= len(RELATIONSHIP_STATUSES):
            raise InvalidInput("influencer", NOT_OURS)
        parsed.append((uuid.UUID(match[1]), RELATIONSHIP_STATUSES[int(match[2])]))
    return status, parsed


def _was(items: Sequence[tuple[Relationship, object]]) -> str:
    return ", ".join(f"*{mrkdwn(r.influencer.name, 80)}* (was {s})" for r, s in items)


def statuses_set_message(status: str, results: Sequence[tuple[Relationship, str]]) -> Message:
    """`/crm status @a @b warm`: who moved (and from where), who was there already; with Undo."""
    moved = [(r, previous) for r, previous in results if previous != status]
    there = [r.influencer for r, previous in results if previous == status]
    if moved:
        text = f"🚦 Now *{status}*: {_was(moved)}."
        if there:
            text += f"\nAlready {status}: {names_in_bold(there)}."
    else:
        text = f"Each of them is *{status}* already: {names_in_bold(there)}."
    accessory = None
    if moved:
        value = statuses_undo_value(status, moved)
        accessory = ButtonElement(
            text=PlainTextObject(text="Undo"), action_id=Action.STATUSES_UNDO, value=value
        )
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), accessory=accessory)
    return Message(text=plain_of(text), blocks=[section])


def statuses_undone_message(status: str, results: Sequence[tuple[Relationship, bool]]) -> Message:
    """The several-status Undo's answer: who is back, and whose status was changed since (it stays)."""
    return _back_and_kept(results, lambda r: r.status)


def _back_and_kept(
    results: Sequence[tuple[Relationship, bool]], value_of: Callable[[Relationship], object]
) -> Message:
    """A several-creator Undo's answer: each creator back as they were, then each changed since
    (which stays), with `value_of` their relationship now."""
    lines = []
    for label, back in (("↩️ Back as they were", True), ("Changed since, so it stays", False)):
        listed = [
            f"*{mrkdwn(r.influencer.name, 80)}* ({value_of(r)})" for r, is_back in results if is_back is back
        ]
        if listed:
            lines.append(f"{label}: {', '.join(listed)}.")
    text = "\n".join(lines)
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))
    return Message(text=plain_of(text), blocks=[section])


# Undo under `/crm priority` for several creators: the priority set, then each creator it changed
# with the priority it had ("5|<influencer hex>:0;…").
_PRIORITY_ENTRY = re.compile(r"^([0-9a-f]{32}):([0-5])$")


def priorities_undo_value(priority: int, changed: Sequence[tuple[Relationship, int]]) -> str:
    return f"{priority}|{';'.join(f'{r.influencer_id.hex}:{previous}' for r, previous in changed)}"


def parse_priorities_undo(value: object) -> tuple[int, list[tuple[uuid.UUID, int]]]:
    """(priority set, each (influencer id, priority it had)); InvalidInput when not one of ours."""
    priority, _, entries_text = str(value).partition("|")
    entries = entries_text.split(";")
    if priority not in ("0", "1", "2", "3", "4", "5") or not 1 <= len(entries) <= PRIORITY_AT_ONCE_MAX:
        raise InvalidInput("influencer", NOT_OURS)
    parsed = []
    for entry in entries:
        match = _PRIORITY_ENTRY.match(entry)
        if match is None:
            raise InvalidInput("influencer", NOT_OURS)
        parsed.append((uuid.UUID(match[1]), int(match[2])))
    return int(priority), parsed


def priorities_set_message(priority: int, results: Sequence[tuple[Relationship, int]]) -> Message:
    """`/crm priority @a @b 5`: whose priority changed (and from what), whose was that already; with
    Undo."""
    changed = [(r, previous) for r, previous in results if previous != priority]
    there = [r.influencer for r, previous in results if previous == priority]
    if changed:
        text = f"Now priority *{priority}*: {_was(changed)}."
        if there:
            text += f"\nAlready {priority}: {names_in_bold(there)}."
    else:
        text = f"Each of them has priority *{priority}* already: {names_in_bold(there)}."
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))
    if changed:
        value = priorities_undo_value(priority, changed)
        section.accessory = ButtonElement(
            text=PlainTextObject(text="Undo"), action_id=Action.PRIORITIES_UNDO, value=value
        )
    return Message(text=plain_of(text), blocks=[section])


def priorities_undone_message(results: Sequence[tuple[Relationship, bool]]) -> Message:
    """The several-priority Undo's answer: whose priority is back, and whose changed since (it stays)."""
    return _back_and_kept(results, lambda r: r.priority)
