"""`/crm admin`: the workspace's analytics summary, for admins only (the listener checks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from handlers.blocks.fields import creator_label, status_label
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import SECTION_TEXT, fmt_date, mrkdwn, plural

USER_ROWS = 15


def _counts(counts: dict[str, int]) -> str:
    return " · ".join(f"{key.replace('_', ' ')} {n:,}" for key, n in counts.items())


def _relationship_lines(rows: Sequence[Any], now: datetime) -> str:
    lines = []
    for r in rows:
        contact = (
            f"{plural(r.days_since_contact, 'day')} since contact"
            if r.days_since_contact is not None
            else "never contacted"
        )
        creator = creator_label(r.influencer_name, r.handle, r.platform, limit=100)
        lines.append(
            f"• {mrkdwn(r.user_name, 80)} → {creator} · {status_label(r.status)} · strength {r.strength}"
            f" · {contact}"
        )
    return "\n".join(lines)


def _section(title: str, body: str) -> SectionBlock:
    text = f"*{title}*\n{body}" if body else f"*{title}*\nnone"
    if len(text) > SECTION_TEXT:
        text = text[: SECTION_TEXT - 1].rsplit("\n", 1)[0] + "\n…"
    return SectionBlock(text=MarkdownTextObject(text=text))


def _user_line(u: Any) -> str:
    """'• Ana: 4 influencers (1 partnered), 1 interaction, 3 campaigns, avg strength 41'."""
    line = (
        f"• {mrkdwn(u.display_name or u.slack_user_id, 80)}: {plural(u.total_influencers, 'influencer')} "
        f"({u.partnered_influencers:,} partnered), {plural(u.total_interactions, 'interaction')}, "
        f"{plural(u.total_campaigns, 'campaign')}"
    )
    if u.avg_relationship_strength:
        line += f", avg strength {float(u.avg_relationship_strength):.0f}"
    return line


def as_of_text(as_of: datetime, tz: ZoneInfo) -> str:
    """'as of 14:05 EST': when the figures were read, in the admin's zone."""
    return f"as of {as_of.astimezone(tz):%H:%M %Z}".rstrip()


def link_clicks_lines(links: Any) -> str:
    """'1,204 clicks in the period' and a line per top creator, from crm.clicks.PeriodClicks."""
    lines = [f"{plural(links.total, 'click')} in the period (people only; link previews not counted)"]
    lines += [
        f"• {creator_label(c.name, c.handle, c.platform, limit=100)}: {plural(c.clicks, 'click')}"
        for c in links.top
    ]
    return "\n".join(lines)


def admin_summary_message(summary: Any, *, tz: ZoneInfo, now: datetime, links: Any = None) -> Message:
    """Summary is a crm.analytics.AdminSummary for [start, end), read at `summary.as_of`; `links`
    (crm.clicks.PeriodClicks, when short links are on) adds the period's clicks and top creators."""
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
    if links is not None:
        blocks.append(_section("Short-link clicks", link_clicks_lines(links)))
    users = sorted(summary.per_user, key=lambda u: (-u.total_interactions, u.slack_user_id))
    lines = [_user_line(u) for u in users[:USER_ROWS]]
    blocks.append(_section("Per user, all time", "\n".join(lines)))
    if len(users) > USER_ROWS:
        blocks.append(context(f"…and {plural(len(users) - USER_ROWS, 'more user')}."))
    as_of = as_of_text(summary.as_of, tz)
    blocks.append(context(f"Every figure is live, {as_of}. Run `/crm admin` again to update them."))
    text = (
        f"CRM summary {period}, {as_of}: {plural(summary.active_users, 'active user')}, "
        f"{plural(summary.new_relationships, 'new relationship')}, {plural(total, 'interaction')}"
    )
    return Message(text=text, blocks=blocks)


def admin_refusal(action: str = "see the workspace summary") -> Message:
    """The answer to someone who is neither a CRM admin nor a Slack workspace admin: what they
    tried (`action`, e.g. "set the workspace's default cadences"), and whom to ask."""
    text = f"Only CRM admins can {action}. Ask a workspace admin if you need it."
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
