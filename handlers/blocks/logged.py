"""The log form's answer (what was logged, and the status, strength and follow-up it left), with Undo;
`/crm log` with several creators' answer, with one Undo for all; and Undo's answer.

The Undo value comes back from Slack, so it is parsed strictly here, and crm.interactions.undo_log
behind it only touches the clicking user's own interaction and relationship: a forged value changes
nothing of anyone else's. It carries the interaction and the relationship's crm.interactions.LogPoint
before and after the log: "<interaction id as 32 hex digits>:<before>:<after>", one such entry per
creator, joined by "," for several. Each point is "<status>.<1 when the cadence set the follow-up,
else 0>.<follow-up>.<last contact>", each instant as microseconds since 1970 UTC (nothing for
none), and "-" for no relationship before the log. No user text travels in it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ButtonElement, MarkdownTextObject, PlainTextObject, SectionBlock

from crm.errors import InvalidInput
from crm.interactions import LOG_AT_ONCE_MAX, Logged, LogPoint, UndoneLog
from crm.models import CONTACT_TYPES, RELATIONSHIP_STATUSES, Interaction, Relationship
from handlers.blocks.cards import card_buttons, follow_up_text
from handlers.blocks.fields import INTERACTION_TYPE_LABELS, status_label, who
from handlers.blocks.message import Message
from handlers.blocks.text import BUTTON_VALUE, SECTION_TEXT, clip, fmt_datetime, mrkdwn, plain_of, plural
from handlers.ids import Action

# A value that is not one we wrote (forged, or cut): the same answer as one taken back already.
GONE = "That log was taken back already."
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_POINT = re.compile(
    r"^(?P<status>[a-z]{1,20})\.(?P<cadence>[01])\.(?P<due>\d{1,16})?\.(?P<contact>\d{1,16})?$"
)


def instant_text(instant: datetime | None) -> str:
    """An instant in a button value: microseconds since 1970 UTC; '' for none (instant_of reads it)."""
    return "" if instant is None else str((instant - _EPOCH) // _MICROSECOND)


def instant_of(digits: str | None) -> datetime | None:
    return None if digits is None else _EPOCH + int(digits) * _MICROSECOND


def _point_text(point: LogPoint | None) -> str:
    if point is None:
        return "-"
    due, contact = instant_text(point.follow_up_date), instant_text(point.last_contacted_at)
    return f"{point.status}.{int(point.follow_up_from_cadence)}.{due}.{contact}"


UndoEntry = tuple[uuid.UUID, LogPoint | None, LogPoint]  # an interaction, its points before and after


def log_undo_value(entries: Sequence[UndoEntry]) -> str:
    """Undo's value for one log or several (crm.interactions.log_several): the entries joined by ","."""
    return ",".join(f"{i.hex}:{_point_text(before)}:{_point_text(after)}" for i, before, after in entries)


def _point(text: str) -> LogPoint:
    match = _POINT.match(text)
    if match is None or match["status"] not in RELATIONSHIP_STATUSES:
        raise InvalidInput("interaction", GONE)
    due, contact = instant_of(match["due"]), instant_of(match["contact"])
    return LogPoint(match["status"], due, match["cadence"] == "1", contact)


def _entry(text: str) -> UndoEntry:
    interaction_id, _, points = text.partition(":")
    before, _, after = points.partition(":")
    try:
        parsed_id = uuid.UUID(interaction_id)
    except ValueError:
        raise InvalidInput("interaction", GONE) from None
    return parsed_id, (None if before == "-" else _point(before)), _point(after)


def parse_log_undo(value: object) -> list[UndoEntry]:
    """Each (interaction id, point before, point after), 1 to LOG_AT_ONCE_MAX of them; InvalidInput
    when the value is not one of ours."""
    entries = str(value).split(",")
    if len(entries) > LOG_AT_ONCE_MAX:
        raise InvalidInput("interaction", GONE)
    return [_entry(text) for text in entries]


def _state_line(relationship: Relationship, tz: ZoneInfo, now: datetime, *, since: tuple[bool, bool]) -> str:
    """'Status: *Contacted* · Strength: 12 / 100 · Follow-up: none'; `since` marks the status and
    the follow-up that were changed after the log (an Undo leaves those as they are)."""
    status_since, follow_up_since = since
    status = f"*{status_label(relationship.status)}*" + (" (set since the log)" if status_since else "")
    follow_up = follow_up_text(relationship, tz, now) + (" (set since the log)" if follow_up_since else "")
    return f"Status: {status} · Strength: {relationship.relationship_strength} / 100 · Follow-up: {follow_up}"


def logged_message(
    interaction: Interaction,
    relationship: Relationship,
    *,
    before: LogPoint | None,
    tz: ZoneInfo,
    now: datetime,
) -> Message:
    """The answer to the log form: what was logged with whom and when; the status and strength it
    left (a first email, call or meeting moves Saved to Contacted) and the follow-up (the form's,
    the cadence's or the one before); Undo beside it (`before`: the relationship before the log);
    and the card's buttons."""
    kind = INTERACTION_TYPE_LABELS.get(interaction.type, interaction.type)
    about = interaction.subject or interaction.content or ""
    when = fmt_datetime(interaction.interaction_date, tz)
    text = f"📝 Logged *{kind}* with {who(interaction.influencer)} · {when}"
    if about:
        text += f"\n{mrkdwn(about, 300)}"
    text += "\n" + _state_line(relationship, tz, now, since=(False, False))
    plain = f"Logged {kind.lower()} with {interaction.influencer.name}"
    undo = ButtonElement(
        text=PlainTextObject(text="Undo"),
        action_id=Action.LOG_UNDO,
        value=log_undo_value([(interaction.id, before, LogPoint.of(relationship))]),
    )
    return Message(
        text=plain,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), accessory=undo),
            card_buttons(str(interaction.influencer_id)),
        ],
    )


def logged_several_message(logged: Sequence[Logged], *, tz: ZoneInfo) -> Message:
    """`/crm log` with several creators: what was logged with whom, and Undo for all of them."""
    first = logged[0].interaction
    kind = INTERACTION_TYPE_LABELS.get(first.type, first.type)
    names = ", ".join(f"*{mrkdwn(item.interaction.influencer.name, 80)}*" for item in logged)
    when = fmt_datetime(first.interaction_date, tz)
    text = f"📝 Logged *{kind}* with {plural(len(logged), 'creator')}: {names} · {when}"
    if first.content:
        text += f"\n{mrkdwn(first.content, 300)}"
    if first.type in CONTACT_TYPES:
        text += "\nA first email, call or meeting moves Saved to Contacted; each card shows its status now."
    value = log_undo_value([(item.interaction.id, item.before, item.after) for item in logged])
    undo = ButtonElement(text=PlainTextObject(text="Undo"), action_id=Action.LOG_UNDO, value=value)
    accessory = undo if len(value) <= BUTTON_VALUE else None
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), accessory=accessory)
    return Message(text=f"Logged {kind.lower()} with {plural(len(logged), 'creator')}", blocks=[section])


def log_undone_message(undone: Sequence[UndoneLog | None], *, tz: ZoneInfo, now: datetime) -> Message:
    """Undo's answer, in place of the one it was under: for one log, it taken back and the status
    and follow-up as they are now (those changed since the log stay, and it says so); for several,
    who was taken back and whose changes since stay."""
    if len(undone) > 1:
        return _several_undone(undone)
    (one,) = undone
    if one is None:
        return Message(text=GONE, blocks=[SectionBlock(text=MarkdownTextObject(text=GONE))])
    kind = INTERACTION_TYPE_LABELS.get(one.type, one.type).lower()
    name = f"*{mrkdwn(one.influencer.name, 200)}*"
    text = f"↩️ Took back the {kind} with {name}."
    relationship = one.relationship
    if relationship is None:
        text += " They are off your list again, as before the log."
        return Message(text=plain_of(text), blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
    if one.kept:
        text += " They stay on your list: something was added to them since the log."
    since = (not one.kept and not one.status_back, not one.kept and not one.follow_up_back)
    text += "\n" + _state_line(relationship, tz, now, since=since)
    blocks = [SectionBlock(text=MarkdownTextObject(text=text)), card_buttons(str(one.influencer.id))]
    return Message(text=plain_of(text), blocks=blocks)


def _several_undone(undone: Sequence[UndoneLog | None]) -> Message:
    taken = [u for u in undone if u is not None]
    if not taken:
        return Message(text=GONE, blocks=[SectionBlock(text=MarkdownTextObject(text=GONE))])
    kind = INTERACTION_TYPE_LABELS.get(taken[0].type, taken[0].type).lower()
    names = ", ".join(f"*{mrkdwn(u.influencer.name, 80)}*" for u in taken)
    text = f"↩️ Took back the {kind} with {plural(len(taken), 'creator')}: {names}."
    stayed = [u for u in taken if u.kept or not (u.status_back and u.follow_up_back)]
    if stayed:
        who_stayed = ", ".join(f"*{mrkdwn(u.influencer.name, 80)}*" for u in stayed)
        text += f"\nWhat was changed since the log stays for {who_stayed}."
    if gone := len(undone) - len(taken):
        text += f"\n{plural(gone, 'log')} of them had been taken back already."
    section = SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))
    return Message(text=plain_of(text), blocks=[section])
