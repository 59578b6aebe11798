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

from crm.dashboard import DUE_ITEMS
from crm.models import Interaction, Relationship
from handlers.blocks.cards import follow_up_text, interaction_line
from handlers.blocks.message import context, header
from handlers.blocks.text import SECTION_TEXT, days_ago, mrkdwn
from handlers.ids import Action, Block

LIST_ROWS = 5


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
    return f"*{mrkdwn(rel.influencer.name, 150)}* @{mrkdwn(rel.influencer.handle, 80)}"


def _due_row(rel: Relationship, *, tz: ZoneInfo, now: datetime) -> SectionBlock:
    text = f"{_who(rel)} · {rel.status} · due {follow_up_text(rel, tz, now)}"
    return SectionBlock(
        text=MarkdownTextObject(text=text),
        accessory=ButtonElement(
            text=PlainTextObject(text="Log interaction"),
            action_id=Action.CARD_LOG,
            value=str(rel.influencer_id),
        ),
    )


def _lines_section(title: str, lines: Sequence[str], empty: str) -> SectionBlock:
    body = "\n".join(lines) if lines else empty
    text = f"*{title}*\n{body}"
    if len(text) > SECTION_TEXT:
        text = text[: SECTION_TEXT - 1].rsplit("\n", 1)[0] + "\n…"
    return SectionBlock(text=MarkdownTextObject(text=text))


def home_view(dashboard: Any, *, tz: ZoneInfo, now: datetime) -> View:
    """Dashboard is crm Dashboard(due, overdue_count, pipeline, strongest, neglected, recent)."""
    due: Sequence[Relationship] = dashboard.due
    blocks: list[Any] = [header("Your influencer CRM"), home_buttons(), DividerBlock()]
    overdue = f", {dashboard.overdue_count:,} overdue" if dashboard.overdue_count else ""
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text=f"*Follow-ups due today and overdue* ({len(due):,}{overdue})")
        )
    )
    if due:
        blocks += [_due_row(r, tz=tz, now=now) for r in due[:DUE_ITEMS]]
        if len(due) > DUE_ITEMS:
            blocks.append(context(f"…and {len(due) - DUE_ITEMS:,} more: `/crm due` lists them."))
    else:
        blocks.append(context("Nothing due. Set one with `/crm followup @handle next monday`."))
    blocks.append(DividerBlock())
    pipeline = dashboard.pipeline
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(text="*Pipeline*"),
            fields=[MarkdownTextObject(text=f"*{s.capitalize()}*\n{n:,}") for s, n in pipeline.items()][:10],
        )
    )
    strongest = [f"• {_who(r)} · strength {r.relationship_strength}" for r in dashboard.strongest[:LIST_ROWS]]
    neglected = [
        f"• {_who(r)} · last contact {days_ago(r.last_contacted_at, now)}"
        for r in dashboard.neglected[:LIST_ROWS]
    ]
    recent: Sequence[Interaction] = dashboard.recent[:LIST_ROWS]
    recent_lines = [f"{interaction_line(i, tz)} · {mrkdwn(i.influencer.name, 100)}" for i in recent]
    blocks += [
        _lines_section("Strongest relationships", strongest, "None yet."),
        _lines_section("Most neglected", neglected, "None."),
        _lines_section("Last interactions", recent_lines, "Nothing logged yet: `/crm log @handle`."),
        context("`/crm help` lists every command. This page updates after each change you make."),
    ]
    return View(type="home", blocks=blocks)
