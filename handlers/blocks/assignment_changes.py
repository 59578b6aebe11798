"""Answers to changing assignments by command, each with Undo: assigning several creators
(`/crm campaign add <campaign> @a @b #tag`) and moving assignments along (`/crm campaign status`, of
one creator or several).

Undo values come back from Slack, so they are parsed strictly here (ValueError for one not ours),
and crm re-checks whose the assignments are.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.assignments import ASSIGN_AT_ONCE_MAX, Assigned, Moved
from crm.models import ASSIGNMENT_STATUSES, Assignment, Campaign, Influencer
from handlers.blocks.fields import who
from handlers.blocks.message import Message, context
from handlers.blocks.text import BUTTON_VALUE, SECTION_TEXT, clip, mrkdwn, plain_of, plural
from handlers.ids import Action

ASSIGNED_NAMED = 20  # creators named per list in the answer to assigning several (the card has all)


def _show_campaign(campaign: Campaign) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text="Show campaign"), action_id=Action.CAMPAIGN_SHOW, value=str(campaign.id)
    )


def _named(influencers: Sequence[Influencer]) -> str:
    lines = [f"• {who(i)}" for i in influencers[:ASSIGNED_NAMED]]
    if len(influencers) > ASSIGNED_NAMED:
        lines.append(f"…and {len(influencers) - ASSIGNED_NAMED:,} more")
    return clip("\n".join(lines), SECTION_TEXT - 100)


def _names_section(title: str, influencers: Sequence[Influencer]) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=f"{title}:\n{_named(influencers)}"))


def assign_undo_value(campaign_id: uuid.UUID, assignment_ids: Sequence[uuid.UUID]) -> str:
    """The Undo button's value under assigned_several: the campaign and the assignments made."""
    return f"{campaign_id.hex}:{','.join(a.hex for a in assignment_ids)}"


def parse_assign_undo(value: object) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """(campaign id, assignment ids) of an Undo value; ValueError when it is not one of ours (the
    value came back from Slack; crm re-checks whose the assignments are)."""
    if not isinstance(value, str) or len(value) > BUTTON_VALUE:
        raise ValueError("not an undo value")
    campaign, colon, made = value.partition(":")
    ids = made.split(",")
    if not colon or not 1 <= len(ids) <= ASSIGN_AT_ONCE_MAX:
        raise ValueError("not an undo value")
    return uuid.UUID(hex=campaign), [uuid.UUID(hex=i) for i in ids]


def assigned_several(campaign: Campaign, done: Assigned, creators: Mapping[uuid.UUID, Influencer]) -> Message:
    """The answer to `/crm campaign add <campaign> @a @b #tag`: who was assigned (each planned, with
    the default UTM values), who was on it already, who is on it through a teammate; Show campaign
    (the card, with every link) and Undo (takes back those just made)."""
    name = mrkdwn(campaign.name, 200)
    made = [creators[a.influencer_id] for a in done.created]
    if made:
        each = "each " if len(made) > 1 else ""
        text = (
            f"✅ Assigned {plural(len(made), 'creator')} to *{name}*, {each}*planned* with the default UTM"
            f" values and its own tracking link:\n{_named(made)}"
        )
    else:
        text = f"Nobody new was assigned to *{name}*."
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if done.already:
        already = [creators[a.influencer_id] for a in done.already]
        blocks.append(_names_section("*Already yours on it*, left as they were", already))
    if done.teammates:
        theirs = [creators[i] for i in done.teammates]
        blocks.append(_names_section("*On it through a teammate's assignment*, not added", theirs))
    blocks.append(
        context(
            "*Show campaign* lists every tracking link. To review one creator's UTM values first,"
            f' assign them alone: `/crm campaign add "{name}" @handle`.'
        )
    )
    buttons = [_show_campaign(campaign)]
    if done.created:
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text="Undo"),
                action_id=Action.ASSIGN_UNDO,
                value=assign_undo_value(campaign.id, [a.id for a in done.created]),
            )
        )
    blocks.append(ActionsBlock(elements=buttons))
    return Message(text=plain_of(text), blocks=blocks)


def taken_back(campaign: Campaign, removed: int, kept: Sequence[Assignment]) -> Message:
    """The answer to Undo under assigned_several: how many assignments were taken back, and which
    were kept because they changed since (moved along, edited or clicked)."""
    name = mrkdwn(campaign.name, 200)
    if removed:
        lead = f"↩️ Took back {plural(removed, 'assignment')} to *{name}*."
    else:
        lead = f"Nothing was taken back from *{name}*." + (
            "" if kept else " Those assignments are gone already."
        )
    return _undone(lead, kept, "they changed since (moved along, edited or clicked)")


def _undone(lead: str, kept: Sequence[Assignment], why: str) -> Message:
    """An Undo's answer: `lead`, then the assignments it left as they were, and `why`."""
    text = lead + (f" Kept, as {why}:\n{_named([a.influencer for a in kept])}" if kept else "")
    return Message(text=plain_of(text), blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def status_undo_value(campaign_id: uuid.UUID, status: str, moved: Sequence[tuple[uuid.UUID, str]]) -> str:
    """The Undo button's value under statuses_moved: the campaign, the status set, and each
    assignment moved with the status it had (statuses as one digit, their index)."""
    code = ASSIGNMENT_STATUSES.index
    pairs = ",".join(f"{a.hex}{code(before)}" for a, before in moved)
    return f"{campaign_id.hex}:{code(status)}:{pairs}"


def parse_status_undo(value: object) -> tuple[uuid.UUID, str, dict[uuid.UUID, str]]:
    """(campaign id, status set, assignment id → status before) of an Undo value; ValueError when
    it is not one of ours (the value came back from Slack; crm re-checks whose they are)."""
    if not isinstance(value, str) or len(value) > BUTTON_VALUE:
        raise ValueError("not an undo value")
    campaign, status, pairs = value.split(":")
    items = pairs.split(",")
    if not 1 <= len(items) <= ASSIGN_AT_ONCE_MAX or not all(len(item) == 33 for item in items):
        raise ValueError("not an undo value")
    before = {uuid.UUID(hex=item[:32]): _status_coded(item[32]) for item in items}
    return uuid.UUID(hex=campaign), _status_coded(status), before


def _status_coded(code: str) -> str:
    """The status status_undo_value wrote as `code` (its index); ValueError for anything else."""
    if len(code) != 1 or code not in "0123456789"[: len(ASSIGNMENT_STATUSES)]:
        raise ValueError("not a status code")
    return ASSIGNMENT_STATUSES[int(code)]


def statuses_moved(
    campaign: Campaign, status: str, done: Moved, creators: Mapping[uuid.UUID, Influencer]
) -> Message:
    """The answer to `/crm campaign status <campaign> @a @b #tag <status>`: whose assignments moved,
    which were at that status already, and who has no assignment of yours on it; Show campaign and
    Undo (puts back those still at the new status)."""
    name = mrkdwn(campaign.name, 200)
    moved = [creators[a.influencer_id] for a, _ in done.moved]
    if moved:
        text = f"✅ Moved {plural(len(moved), 'assignment')} on *{name}* to *{status}*:\n{_named(moved)}"
    else:
        text = f"No assignment on *{name}* was moved."
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=text))]
    if done.already:
        already = [creators[a.influencer_id] for a in done.already]
        blocks.append(_names_section(f"*{status.capitalize()} already*", already))
    if done.not_assigned:
        missing = [creators[i] for i in done.not_assigned]
        blocks.append(_names_section("*Not assigned by you to it*, so not moved", missing))
    buttons = [_show_campaign(campaign)]
    if done.moved:
        value = status_undo_value(campaign.id, status, [(a.id, before) for a, before in done.moved])
        buttons.append(
            ButtonElement(text=PlainTextObject(text="Undo"), action_id=Action.ASSIGN_STATUS_UNDO, value=value)
        )
    blocks.append(ActionsBlock(elements=buttons))
    return Message(text=plain_of(text), blocks=blocks)


def status_set(campaign: Campaign, influencer: Influencer, assignment: Assignment, previous: str) -> Message:
    """The answer to `/crm campaign status <campaign> @maya <status>`: the status it had, Show
    campaign, and Undo when it changed (the same value and listener as statuses_moved's)."""
    where = f"*{mrkdwn(influencer.name, 200)}* in *{mrkdwn(campaign.name, 200)}*"
    buttons = [_show_campaign(campaign)]
    if assignment.status == previous:
        text = f"{where} is already *{assignment.status}*."
    else:
        text = f"{where} is now *{assignment.status}* (was {previous})."
        value = status_undo_value(campaign.id, assignment.status, [(assignment.id, previous)])
        buttons.append(
            ButtonElement(text=PlainTextObject(text="Undo"), action_id=Action.ASSIGN_STATUS_UNDO, value=value)
        )
    blocks = [SectionBlock(text=MarkdownTextObject(text=text)), ActionsBlock(elements=buttons)]
    return Message(text=plain_of(text), blocks=blocks)


def statuses_put_back(campaign: Campaign, back: int, kept: Sequence[Assignment]) -> Message:
    """The answer to Undo under statuses_moved."""
    name = mrkdwn(campaign.name, 200)
    if back:
        each = "each" if back > 1 else "it"
        lead = f"↩️ Put back {plural(back, 'assignment')} on *{name}* to the status {each} had."
    else:
        lead = f"Nothing was put back on *{name}*."
    return _undone(lead, kept, "their status changed since")
