"""The App Home tab: the viewer's own dashboard, re-published after every change they make."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DividerBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from crm.campaign_roster import CampaignLine
from crm.dashboard import DUE_ITEMS, GOING_COLD_ITEMS, NEGLECTED_AFTER, days_since_contact
from crm.models import Interaction, Relationship
from handlers.blocks.cards import follow_up_text, interaction_line
from handlers.blocks.fields import creator_label, status_label
from handlers.blocks.going_cold import going_cold_item, reason
from handlers.blocks.lists import due_menu
from handlers.blocks.message import context, header
from handlers.blocks.personal_digest import weekly_digest_home_section
from handlers.blocks.text import SECTION_TEXT, mrkdwn, plural
from handlers.ids import Action, Block

LIST_ROWS = 5
FOOTER = "`/crm help` lists every command. This page updates after each change you make."


def home_buttons() -> ActionsBlock:
    return ActionsBlock(
        block_id=Block.HOME_ACTIONS,
        elements=[
            ButtonElement(
                text=PlainTextObject(text="Add influencer"),
                action_id=Action.HOME_ADD_INFLUENCER,
                style="primary",
            ),
            ButtonElement(
                text=PlainTextObject(text="Log interaction"), action_id=Action.HOME_LOG_INTERACTION
            ),
            ButtonElement(text=PlainTextObject(text="New campaign"), action_id=Action.HOME_NEW_CAMPAIGN),
        ],
    )


def _who(rel: Relationship) -> str:
    return creator_label(rel.influencer.name, rel.influencer.handle, rel.influencer.platform, limit=150)


def _due_row(rel: Relationship, *, tz: ZoneInfo, now: datetime) -> SectionBlock:
    """A follow-up due today, with the menu `/crm due` rows have (Done, Snooze, Log, Show): from App
    Home, Done and Snooze show their effect by the page's own refresh."""
    text = f"{_who(rel)} · {status_label(rel.status)} · due {follow_up_text(rel, tz, now)}"
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=due_menu(rel, "due"))


def _lines_section(title: str, lines: Sequence[str], empty: str) -> SectionBlock:
    body = "\n".join(lines) if lines else empty
    text = f"*{title}*\n{body}"
    if len(text) > SECTION_TEXT:
        text = text[: SECTION_TEXT - 1].rsplit("\n", 1)[0] + "\n…"
    return SectionBlock(text=MarkdownTextObject(text=text))


def due_heading(due: int, overdue: int) -> str:
    """'*Follow-ups due today* (8: 5 overdue, 3 later today)': the counts of every due follow-up,
    not only the rows shown; "overdue" is the rows' own "(overdue)" (due instant passed)."""
    if due == 0:
        return "*Follow-ups due today*"
    later = due - overdue
    if overdue == due:
        split = ", all overdue" if due > 1 else ", overdue"
    elif overdue == 0:
        split = ", all later today" if due > 1 else ", later today"
    else:
        split = f": {overdue:,} overdue, {later:,} later today"
    return f"*Follow-ups due today* ({due:,}{split})"


def neglected_line(rel: Relationship, now: datetime) -> str:
    """'• *Maya* @maya · no contact for 85 days' (or 'never contacted, added 40 days ago')."""
    days = plural(days_since_contact(rel, now), "day")
    if rel.last_contacted_at is None:
        return f"• {_who(rel)} · never contacted, added {days} ago"
    return f"• {_who(rel)} · no contact for {days}"


def going_cold_rows(dashboard: Any, *, now: datetime) -> list[Any]:
    """'*Going cold* (N)', the longest-silent few with their buttons, the next ones a line each (up
    to GOING_COLD_ITEMS in all, within one section's text), then how many more; nothing when none is."""
    count = getattr(dashboard, "going_cold_count", 0)
    if not count:
        return []
    items = dashboard.going_cold[:GOING_COLD_ITEMS]
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=f"*Going cold* ({count:,})"))]
    for item in items[:LIST_ROWS]:
        blocks += going_cold_item(item, now=now)
    lines, used = [], 0
    for item in items[LIST_ROWS:]:
        creator = creator_label(item.influencer_name, item.handle, item.platform, limit=100)
        line = f"• {creator} · {reason(item, now)}"
        if used + len(line) + 1 > SECTION_TEXT - 100:
            break
        lines.append(line)
        used += len(line) + 1
    if lines:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
    shown = min(len(items), LIST_ROWS) + len(lines)
    if count > shown:
        blocks.append(context(f"…and {count - shown:,} more, the longest silent first."))
    return blocks


GETTING_STARTED = (
    "*Getting started*\n"
    "This is your own list of the creators you work with; teammates keep theirs.\n"
    "1. *Save a creator:* `/crm add @maya tiktok` or *Add influencer* above — or bring your"
    " spreadsheet with `/crm import`.\n"
    "2. *Log what happens:* `/crm log @maya call agreed on two reels`, or *Log to CRM* in any"
    " message's ⋮ menu.\n"
    "3. *Never miss a follow-up:* `/crm followup @maya next monday`, and the bot DMs you that day;"
    " `/crm cadence @maya 2w` keeps them coming."
)


def home_view(dashboard: Any, *, tz: ZoneInfo, now: datetime) -> View:
    """Dashboard is crm Dashboard(due, due_count, overdue_count, pipeline, strongest, neglected,
    recent), loaded with the same `now`. Someone with nothing on their list and nothing logged sees
    three steps to start instead of a dashboard of zeros."""
    due: Sequence[Relationship] = dashboard.due[:DUE_ITEMS]
    blocks: list[Any] = [header("Your influencer CRM"), home_buttons(), DividerBlock()]
    digest = weekly_digest_home_section(getattr(dashboard, "weekly_digest_on", False))
    if not any(dashboard.pipeline.values()) and not dashboard.recent:  # a new user: how to start
        blocks += [SectionBlock(text=MarkdownTextObject(text=GETTING_STARTED)), DividerBlock()]
        return View(type="home", blocks=[*blocks, digest, context(FOOTER)])
    heading = due_heading(dashboard.due_count, dashboard.overdue_count)
    blocks.append(SectionBlock(text=MarkdownTextObject(text=heading)))
    if due:
        blocks += [_due_row(r, tz=tz, now=now) for r in due]
        if dashboard.due_count > len(due):
            blocks.append(context(f"…and {dashboard.due_count - len(due):,} more: `/crm due` lists them."))
    else:
        blocks.append(context("Nothing due. Set one with `/crm followup @handle next monday`."))
    blocks += going_cold_rows(dashboard, now=now)
    blocks.append(DividerBlock())
    pipeline = dashboard.pipeline
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text="*Pipeline*"),
            fields=[MarkdownTextObject(text=f"*{status_label(s)}*\n{n:,}") for s, n in pipeline.items()][:10],
        )
    )
    strongest = [f"• {_who(r)} · strength {r.relationship_strength}" for r in dashboard.strongest[:LIST_ROWS]]
    neglected = [neglected_line(r, now) for r in dashboard.neglected[:LIST_ROWS]]
    recent: Sequence[Interaction] = dashboard.recent[:LIST_ROWS]
    recent_lines = [f"{interaction_line(i, tz)} · {mrkdwn(i.influencer.name, 100)}" for i in recent]
    blocks += [
        _lines_section(
            "Strongest relationships", strongest, "No strength yet: it grows as you log interactions."
        ),
        _lines_section(
            "Most neglected",
            neglected,
            f"Nobody: everyone you are talking to heard from you in the last {NEGLECTED_AFTER.days} days.",
        ),
        _lines_section("Last interactions", recent_lines, "Nothing logged yet: `/crm log @handle`."),
        *open_campaign_rows(dashboard),
        DividerBlock(),
        digest,
        context(FOOTER),
    ]
    return View(type="home", blocks=blocks)


def open_campaign_rows(dashboard: Any) -> list[Any]:
    """ "Your open campaigns": each campaign with planned or active assignments of yours, with a Show
    button (its card); nothing for someone with none, who may not run campaigns at all."""
    campaigns: Sequence[CampaignLine] = dashboard.campaigns[:LIST_ROWS]
    if not campaigns:
        return []
    rows: list[Any] = [SectionBlock(text=MarkdownTextObject(text="*Your open campaigns*"))]
    for c in campaigns:
        counts = ", ".join(f"{n} {status}" for status, n in c.assignments.items() if n)
        show = ButtonElement(
            text=PlainTextObject(text="Show"), action_id=Action.CAMPAIGN_SHOW, value=str(c.campaign_id)
        )
        text = f"*{mrkdwn(c.name, 200)}* · {c.status} · yours: {counts}"
        rows.append(SectionBlock(text=MarkdownTextObject(text=text), accessory=show))
    if dashboard.campaign_count > len(campaigns):
        more = dashboard.campaign_count - len(campaigns)
        rows.append(context(f"…and {plural(more, 'more campaign')}: `/crm campaign list` shows them all."))
    return rows
