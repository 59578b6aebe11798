"""`/crm admin`: the workspace's analytics summary, for admins only (the listener checks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from handlers.blocks.message import Message, context, header
from handlers.blocks.text import SECTION_TEXT, fmt_date, mrkdwn

USER_ROWS = 15


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{key.replace('_', ' ')} {n:,}" for key, n in counts.items())


def _relationship_lines(rows: Sequence[Any], now: datetime) -> str:
    lines = []
    for r in rows:
        contact = (
            f"{r.days_since_contact} days since contact" if r.days_since_contact is not None else "never"
        )
        lines.append(
            f"• {mrkdwn(r.user_name, 80)} → *{mrkdwn(r.influencer_name, 100)}* (@{mrkdwn(r.handle, 60)}) · "
            f"{r.status} · strength {r.strength} · {contact}"
        )
    return "\n".join(lines)


def _section(title: str, body: str) -> SectionBlock:
    text = f"*{title}*\n{body}" if body else f"*{title}*\nnone"
    if len(text) > SECTION_TEXT:
        text = text[: SECTION_TEXT - 1].rsplit("\n", 1)[0] + "\n…"
    return SectionBlock(text=MarkdownTextObject(text=text))


def admin_summary_message(summary: Any, *, tz: ZoneInfo, now: datetime) -> Message:
    """Summary is a crm.analytics.AdminSummary for [start, end)."""
    start, end = summary.period
    period = f"{fmt_date(start, tz)} – {fmt_date(end, tz)}"
    total = sum(summary.interactions_by_type.values())
    blocks: list[Any] = [
        header(f"CRM summary · {period}"),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Active users*\n{summary.active_users:,}"),
                MarkdownTextObject(text=f"*New relationships*\n{summary.new_relationships:,}"),
                MarkdownTextObject(text=f"*Partnered in period*\n{summary.partnered_in_period:,}"),
                MarkdownTextObject(text=f"*Interactions*\n{total:,}"),
            ]
        ),
        _section("Interactions by type", _counts(summary.interactions_by_type)),
        _section("Pipeline now", _counts(summary.status_funnel)),
        _section(
            "Campaigns",
            f"{_counts(summary.campaigns_by_status)}\nAssignments: {_counts(summary.assignments_by_status)}",
        ),
        _section("Strongest relationships", _relationship_lines(summary.top_relationships, now)),
        _section("Going cold", _relationship_lines(summary.going_cold, now)),
    ]
    users = sorted(summary.per_user, key=lambda u: (-u.total_interactions, u.slack_user_id))
    lines = [
        f"• {mrkdwn(u.display_name or u.slack_user_id, 80)}: {u.total_influencers:,} influencers "
        f"({u.partnered_influencers:,} partnered), {u.total_interactions:,} interactions, "
        f"{u.total_campaigns:,} campaigns"
        + (f", avg strength {float(u.avg_relationship_strength):.0f}" if u.avg_relationship_strength else "")
        for u in users[:USER_ROWS]
    ]
    blocks.append(_section("Per user", "\n".join(lines)))
    if len(users) > USER_ROWS:
        blocks.append(context(f"…and {len(users) - USER_ROWS:,} more users."))
    text = (
        f"CRM summary {period}: {summary.active_users} active users, {summary.new_relationships} new "
        f"relationships, {total} interactions"
    )
    return Message(text=text, blocks=blocks)


def admin_refusal() -> Message:
    text = "Only CRM admins can see the workspace summary. Ask a workspace admin if you need it."
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
