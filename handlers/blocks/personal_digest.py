"""The personal weekly digest DM, and its on/off switch on App Home.

Pure builders over crm.personal_digest.PersonalDigest: the pipeline this week, what is going cold
(the same rows and buttons as the morning DM, handlers.blocks.going_cold), what is due. At most
about 20 blocks whatever the numbers: every list is capped and counts the rest.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import Block, ButtonElement, MarkdownTextObject, PlainTextObject, SectionBlock

from crm.clock import zone_of
from crm.personal_digest import DueItem, PersonalDigest
from handlers.blocks.digests import due_text
from handlers.blocks.fields import creator_label
from handlers.blocks.going_cold import going_cold_section
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import plural
from handlers.ids import COMMAND, Action
from handlers.ids import Block as BlockId

DIGEST_ON_TEXT = (
    "*Weekly digest* · on\nEvery Monday at 09:00 your time: your pipeline this week, what went cold "
    "and what is due, in a DM from the bot."
)
DIGEST_OFF_TEXT = (
    "*Weekly digest* · off\nGet your pipeline this week, what went cold and what is due, every Monday "
    "at 09:00 your time, in a DM from the bot."
)


def weekly_digest_home_section(on: bool) -> SectionBlock:
    """App Home's switch: what the digest is, whether it is on, and the button that flips it."""
    return SectionBlock(
        block_id=BlockId.HOME_WEEKLY_DIGEST,
        text=MarkdownTextObject(text=DIGEST_ON_TEXT if on else DIGEST_OFF_TEXT),
        accessory=ButtonElement(
            text=PlainTextObject(text="Turn off" if on else "Turn on"),
            action_id=Action.HOME_WEEKLY_DIGEST,
            value="off" if on else "on",
            style=None if on else "primary",
        ),
    )


def _pipeline_text(d: PersonalDigest) -> str:
    now = " · ".join(f"{status} {n:,}" for status, n in d.pipeline.items())
    week = [plural(d.added, "relationship") + " added", plural(d.interactions, "interaction") + " logged"]
    moved = [f"{n:,} to {status}" for status, n in d.moved.items() if n]
    if moved:
        week.append("moved " + ", ".join(moved))
    return f"*Your pipeline*\n{now}\n_This week:_ {' · '.join(week)}"


def _due_line(item: DueItem, d: PersonalDigest) -> str:
    when = due_text(item.due_at, tz_name=d.timezone, now=d.as_of)
    return f"• {creator_label(item.influencer_name, item.handle, item.platform, limit=150)} — {when}"


def _due_blocks(d: PersonalDigest) -> list[Block]:
    if not d.due_total:
        return [SectionBlock(text=MarkdownTextObject(text="*Due*\nNothing due this week."))]
    heading = f"*Due* ({d.due_total:,} this week" + (f", {d.overdue:,} overdue)" if d.overdue else ")")
    lines = "\n".join(_due_line(i, d) for i in d.due)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"{heading}\n{lines}"))]
    if d.due_total > len(d.due):
        blocks.append(context(f"…and {d.due_total - len(d.due):,} more — `{COMMAND} due` lists them."))
    return blocks


def personal_digest_message(d: PersonalDigest, *, now: datetime) -> Message:
    """The Monday DM: pipeline, going cold (with its buttons), due; how to turn it off."""
    tz = zone_of(d.timezone)
    since = d.since.astimezone(tz)
    cold = going_cold_section(d.going_cold, d.going_cold_total, now=now)
    if not cold:
        cold = [SectionBlock(text=MarkdownTextObject(text="*Going cold*\nNothing is going cold. 👏"))]
    blocks: list[Block] = [
        header("Your week in the CRM"),
        context(f"The 7 days since {since:%a} {since.day} {since:%b %H:%M}"),
        SectionBlock(text=MarkdownTextObject(text=_pipeline_text(d))),
        *cold,
        *_due_blocks(d),
        context(
            "You get this every Monday because you turned it on in the app's *Home* tab; turn it off there."
        ),
    ]
    text = (
        f"Your week in the CRM: {plural(d.interactions, 'interaction')} logged, "
        f"{plural(d.going_cold_total, 'relationship')} going cold, {d.due_total:,} follow-ups due"
    )
    return Message(text=text, blocks=blocks)
