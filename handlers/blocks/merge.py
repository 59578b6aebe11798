"""`/crm merge`: the preview (what will move, and the Merge / Cancel buttons) and the result message;
and the hint under a creator just added who may be a second entry of someone (`same_person_hint`).

Only the acting user's own data appears here (crm.merge.MergePlan holds nothing else): colleagues'
relationships move too, but are never counted or shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.duplicates import merge_command
from crm.merge import MergePlan
from crm.models import Influencer
from handlers.blocks.cards import card_buttons, profile_line, tags_text
from handlers.blocks.fields import status_label, who
from handlers.blocks.message import Message, context
from handlers.blocks.text import BUTTON_TEXT, SECTION_TEXT, fmt_datetime, mrkdwn, plain, plain_of, plural
from handlers.ids import Action, Block


def merge_value(plan: MergePlan) -> str:
    """The buttons' value: both creators' ids, re-checked when it comes back (handlers/actions/merge.py)."""
    return _ids_value(plan.survivor, plan.absorbed)


def _ids_value(survivor: Influencer, absorbed: Influencer) -> str:
    return json.dumps({"s": str(survivor.id), "a": str(absorbed.id)})


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:SECTION_TEXT]))


def _relationship_text(plan: MergePlan, tz: ZoneInfo) -> str:
    survivor, absorbed = mrkdwn(plan.survivor.name, 200), mrkdwn(plan.absorbed.name, 200)
    if plan.relationship == "none":
        return "You track neither creator, so nothing of yours changes."
    if plan.relationship == "kept":
        return f"Your relationship with *{survivor}* stays as it is."
    if plan.relationship == "moves":
        return f"Your relationship with *{absorbed}* moves to *{survivor}*, as it is."
    c = plan.combined
    assert c is not None
    lines = [
        "You track both, so your two relationships become one:",
        f"• Status *{mrkdwn(status_label(c.status))}* (the furthest along)"
        f" · priority *{c.priority}* (the higher)",
        f"• Tags (both sets): {tags_text(c.tags)}",
        f"• Follow-up (the earliest open one): {fmt_datetime(c.follow_up_date, tz, empty='none')}",
        f"• Last contacted (the latest): {fmt_datetime(c.last_contacted_at, tz)}",
        f"• Strength recomputed from all your interactions: *{plan.strength}*",
        "• Notes: both kept in full, each headed with its creator's name and date",
    ]
    if c.dropped_tags:
        lines.append(f"• Over the tag limit, left out: {tags_text(c.dropped_tags)}")
    return "\n".join(lines)


def _counts(plan: MergePlan) -> str:
    text = (
        f"Your interactions moving: *{plan.interactions:,}* · "
        f"your campaign assignments moving: *{plan.assignments:,}*"
    )
    if plan.assignments_merged:
        text += (
            f" · on a campaign where both are assigned: *{plan.assignments_merged:,}* "
            "(the one further along is kept, with both notes)"
        )
    return text


def _profile_lines(plan: MergePlan) -> str:
    """One line per moving profile, as many as fit in a section, then how many more."""
    lines: list[str] = []
    used = 0
    for index, profile in enumerate(plan.profiles):
        line = f"• {profile_line(profile)}"
        if used + len(line) > SECTION_TEXT - 200:
            lines.append(f"… and {len(plan.profiles) - index} more")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def merge_preview(plan: MergePlan, *, tz: ZoneInfo) -> Message:
    """What `/crm merge` will do, with Merge and Cancel buttons."""
    survivor, absorbed = who(plan.survivor), who(plan.absorbed)
    kept, gone = mrkdwn(plan.survivor.name, 200), mrkdwn(plan.absorbed.name, 200)
    if plan.name == plan.survivor.name:
        stays = (
            f"*{kept}* stays (the first creator named keeps its name and primary profile); *{gone}* is"
            " deleted once everything has moved."
        )
    else:
        stays = (
            f"*{kept}* stays (the first creator named keeps its primary profile) and takes the name *{gone}*,"
            f" as its own is only its handle; the entry {absorbed} is deleted once everything has moved."
        )
    lead = f"Merge {absorbed} into {survivor}?\n{stays}"
    moving = f"*{plural(len(plan.profiles), 'profile')} moving:*\n" + _profile_lines(plan)
    buttons = ActionsBlock(
        block_id=Block.MERGE_ACTIONS,
        elements=[
            ButtonElement(
                text=PlainTextObject(text="Merge"),
                action_id=Action.MERGE_CONFIRM,
                value=merge_value(plan),
                style="danger",
            ),
            ButtonElement(text=PlainTextObject(text="Cancel"), action_id=Action.MERGE_CANCEL, value="cancel"),
        ],
    )
    blocks = [
        _section(lead),
        _section(moving),
        _section(_relationship_text(plan, tz)),
        _section(_counts(plan)),
        context(
            "Colleagues' relationships, interactions and assignments move too (theirs combine by the "
            "same rules); only your own are shown here. A merge cannot be undone."
        ),
        buttons,
    ]
    text = f"Merge {plan.absorbed.name} into {plan.survivor.name}? {plain_of(_counts(plan))}"
    return Message(text=text, blocks=blocks)


def merge_done(plan: MergePlan) -> Message:
    """The preview replaced once the merge is committed, with the survivor's card buttons."""
    what = {
        "none": "",
        "kept": " Your relationship is unchanged.",
        "moves": " Your relationship moved.",
        "combined": " Your two relationships are now one.",
    }[plan.relationship]
    text = (
        f"Merged {who(plan.absorbed)} into {who(plan.survivor)}: "
        f"{plural(len(plan.profiles), 'profile')}, {plural(plan.interactions, 'interaction')} and "
        f"{plural(plan.assignments + plan.assignments_merged, 'assignment')} of yours moved.{what}"
    )
    return Message(text=plain_of(text), blocks=[_section(text), card_buttons(str(plan.survivor.id))])


CANCELLED = Message(text="Merge cancelled; nothing was changed.")
ALREADY_DONE = Message(text="That merge was already carried out; it was applied once.")


def same_person_hint(influencer: Influencer, others: Sequence[Influencer]) -> str:
    """Lines under a creator just added (mrkdwn): the creators it may be a second entry of
    (crm.duplicates.likely_same_person), each with the merge line that makes them one."""
    lines = []
    for other in others:
        merge = mrkdwn(merge_command(other, influencer), 400)
        lines.append(f"Same person as {who(other)}? Make them one: `{merge}`")
    return "\n".join(lines)


def same_person_buttons(influencer: Influencer, others: Sequence[Influencer]) -> ActionsBlock:
    """ "Merge into …" for each creator `influencer` may be a second entry of: the /crm merge preview
    of folding it into that one (which asks before anything moves)."""
    return ActionsBlock(
        block_id=Block.SAME_PERSON_ACTIONS,
        elements=[
            ButtonElement(
                text=PlainTextObject(text=plain(f"Merge into {other.name}…", BUTTON_TEXT)),
                action_id=f"{Action.MERGE_PREVIEW}-{n}",
                value=_ids_value(other, influencer),
            )
            for n, other in enumerate(others)
        ],
    )
