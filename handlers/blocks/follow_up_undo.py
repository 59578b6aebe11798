"""Undo under `/crm followup`, of one creator or several: the answer that says which follow-up was
replaced, its Undo value, and the Undo's answer.

The value comes back from Slack, so it is parsed strictly here; crm.followups.undo_follow_ups
filters by the clicking user, and puts back only what is still as the command left it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, PlainTextObject, SectionBlock

from crm.errors import InvalidInput
from crm.followups import FOLLOW_UP_AT_ONCE_MAX
from crm.models import Relationship
from handlers.blocks.cards import card_buttons
from handlers.blocks.logged import instant_of, instant_text
from handlers.blocks.message import Message
from handlers.blocks.text import SECTION_TEXT, clip, fmt_datetime, mrkdwn, plain_of, plural
from handlers.blocks.undo import NOT_OURS, names_in_bold
from handlers.ids import Action

# Undo under `/crm followup` (one creator or several): the follow-up set, then each creator with the
# follow-up it had and 1 when the cadence had set it ("<set>|<influencer hex>:<had>.<0|1>;…"), each
# instant as handlers.blocks.logged.instant_text writes it.
_INSTANT = r"(\d{1,16})?"
_FOLLOW_UP_ENTRY = re.compile(rf"^([0-9a-f]{{32}}):{_INSTANT}\.([01])$")
FollowUpHad = tuple[uuid.UUID, datetime | None, bool]  # a creator, the follow-up it had, set by the cadence


def follow_ups_undo_value(
    set_to: datetime | None, results: Sequence[tuple[Relationship, datetime | None, bool]]
) -> str:
    entries = [f"{r.influencer_id.hex}:{instant_text(had)}.{int(cadence)}" for r, had, cadence in results]
    return f"{instant_text(set_to)}|{';'.join(entries)}"


def parse_follow_ups_undo(value: object) -> tuple[datetime | None, list[FollowUpHad]]:
    """(follow-up set, each (influencer id, follow-up it had, whether the cadence set it));
    InvalidInput when the value is not one of ours."""
    set_text, _, entries_text = str(value).partition("|")
    entries = entries_text.split(";")
    if not re.fullmatch(_INSTANT, set_text) or not 1 <= len(entries) <= FOLLOW_UP_AT_ONCE_MAX:
        raise InvalidInput("influencer", NOT_OURS)
    parsed = []
    for entry in entries:
        match = _FOLLOW_UP_ENTRY.match(entry)
        if match is None:
            raise InvalidInput("influencer", NOT_OURS)
        parsed.append((uuid.UUID(match[1]), instant_of(match[2]), match[3] == "1"))
    return instant_of(set_text or None), parsed


def follow_ups_set_message(
    set_to: datetime | None, results: Sequence[tuple[Relationship, datetime | None, bool]], *, tz: ZoneInfo
) -> Message:
    """`/crm followup @a @b fri`: the follow-up now set for each, with Undo (back to each one's own)."""
    names = names_in_bold([r.influencer for r, _, _ in results])
    when = f"*{fmt_datetime(set_to, tz)}*" if set_to else None
    if when:
        text = f"⏰ Follow up on {when} with {plural(len(results), 'creator')}: {names}."
    else:
        text = f"No follow-up any more for {plural(len(results), 'creator')}: {names}."
    value = follow_ups_undo_value(set_to, results)
    undo = ButtonElement(text=PlainTextObject(text="Undo"), action_id=Action.FOLLOW_UPS_UNDO, value=value)
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), accessory=undo)
    return Message(text=plain_of(text), blocks=[section])


def follow_up_set_message(
    relationship: Relationship, had: datetime | None, had_from_cadence: bool, *, tz: ZoneInfo
) -> Message:
    """`/crm followup @maya fri`'s answer (set_follow_ups for one): the follow-up now and the one it
    replaced, with Undo beside it when it changed, then the card's buttons."""
    influencer = relationship.influencer
    name = f"*{mrkdwn(influencer.name, 200)}*"
    set_to = relationship.follow_up_date
    by_cadence = ", set by the cadence" if had_from_cadence else ""
    was = f" (was {fmt_datetime(had, tz)}{by_cadence})" if had is not None and had != set_to else ""
    if set_to is None:
        text = f"No follow-up with {name} any more{was}." if had else f"{name} has no follow-up to clear."
    elif had == set_to and not had_from_cadence:
        text = f"{name}'s follow-up is already *{fmt_datetime(set_to, tz)}*."
    else:
        kept = " (as the cadence had set it; now by hand)" if had == set_to else was
        text = f"⏰ Follow up with {name} on *{fmt_datetime(set_to, tz)}*{kept}."
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))
    if (had, had_from_cadence) != (set_to, False):
        value = follow_ups_undo_value(set_to, [(relationship, had, had_from_cadence)])
        section.accessory = ButtonElement(
            text=PlainTextObject(text="Undo"), action_id=Action.FOLLOW_UPS_UNDO, value=value
        )
    return Message(text=plain_of(text), blocks=[section, card_buttons(str(influencer.id))])


def _with_follow_ups(relationships: Sequence[Relationship], tz: ZoneInfo) -> str:
    """'*Maya Lopez* (Fri 4 Dec 2026 15:00), *Zoe Quinn* (none)'."""
    return ", ".join(
        f"*{mrkdwn(r.influencer.name, 80)}* ({fmt_datetime(r.follow_up_date, tz, empty='none')})"
        for r in relationships
    )


def follow_ups_undone_message(results: Sequence[tuple[Relationship, bool]], *, tz: ZoneInfo) -> Message:
    """The follow-up Undo's answer: each one's follow-up back, and those changed since; for one
    creator (`/crm followup @maya fri`), with the card's buttons as the answer it replaces had."""
    back = [r for r, is_back in results if is_back]
    stayed = [r for r, is_back in results if not is_back]
    back_as = "Follow-up back as it was" if len(results) == 1 else "Follow-ups back as they were"
    lines = [f"↩️ {back_as}: {_with_follow_ups(back, tz)}."] if back else []
    lines += [f"Changed since, so it stays: {_with_follow_ups(stayed, tz)}."] if stayed else []
    text = "\n".join(lines)
    blocks = [SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))]
    if len(results) == 1:
        blocks.append(card_buttons(str(results[0][0].influencer_id)))
    return Message(text=plain_of(text), blocks=blocks)
