"""The weekly admin summary message: last week with week-over-week change, and what to act on.

Pure function over crm.analytics.WeeklySummary. Per owner, overdue follow-ups and relationships going
cold name the owner with a user mention (`<@U…>`, so they are notified and can act) — never a
`<!channel>`/`<!here>`: every name anyone typed goes through `mrkdwn()`. Each list fills its section
up to Slack's 3,000 characters and ends with "…and N more", so any number of owners, partnered
relationships or campaigns stays within one section each and the message within 50 blocks. The chart
is uploaded into the message's thread (bot/jobs/weekly.py), so it is not part of these blocks.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from crm.analytics import RelationshipRow, WeeklySummary
from crm.campaign_roster import CampaignLine
from crm.clicks import PeriodClicks
from crm.clock import zone_of
from crm.weekly_actions import OwnerLine, PartneredLine
from crm.weekly_trends import WeeklyTrends
from handlers.blocks.fields import creator_label
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import SECTION_TEXT, fmt_date, mrkdwn, plural
from handlers.ids import COMMAND

_CHANGE_LABELS = (
    ("active_users", "Active users"),
    ("new_relationships", "New relationships"),
    ("interactions", "Interactions"),
    ("partnered_in_period", "Newly partnered"),
)
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
_MORE_ROOM = 60  # characters kept free in a section for its "…and N more" line


def change(delta: int) -> str:
    """A week-over-week change for people: '▲ 3', '▼ 2', '±0'."""
    if delta > 0:
        return f"▲ {delta:,}"
    if delta < 0:
        return f"▼ {-delta:,}"
    return "±0"


def period_label(start: datetime, end: datetime, tz_name: str) -> str:
    """'Mon 23 Nov 2026 – Sun 29 Nov 2026' for the half-open [start, end)."""
    tz = zone_of(tz_name)
    last = (end - timedelta(seconds=1)).astimezone(tz)
    return f"{fmt_date(start, tz)} – {fmt_date(last, tz)}"


def chart_title(trends: WeeklyTrends, tz_name: str) -> str:
    """'CRM trends · 8 weeks to Sun 29 Nov 2026': the chart's title and the file's name in Slack."""
    last_day = period_label(trends.week_starts[-1], trends.end, tz_name).split(" – ")[-1]
    return f"CRM trends · {len(trends.week_starts)} weeks to {last_day}"


def mention(slack_user_id: str, name: str) -> str:
    """A user mention for a well-formed Slack user id; otherwise the escaped name (never a broadcast)."""
    if _SLACK_USER_ID.fullmatch(slack_user_id):
        return f"<@{slack_user_id}>"
    return mrkdwn(name, 80)


def bullets(title: str, lines: list[str], total: int, *, noun: str, empty: str) -> SectionBlock:
    """A section titled `title` listing as many `lines` as fit, then "…and N more <noun>s"."""
    text = f"*{title}*"
    shown = 0
    for line in lines:
        if len(text) + 1 + len(line) > SECTION_TEXT - _MORE_ROOM:
            break
        text += f"\n{line}"
        shown += 1
    if not lines:
        text += f"\n{empty}"
    elif total > shown:
        hidden = total - shown
        text += f"\n_…and {hidden:,} more {noun}{'' if hidden == 1 else 's'}_"
    return SectionBlock(text=MarkdownTextObject(text=text))


def _owner_line(owner: OwnerLine) -> str:
    parts = []
    if owner.overdue:
        parts.append(plural(owner.overdue, "overdue follow-up"))
    if owner.going_cold:
        parts.append(f"{owner.going_cold:,} going cold")
    return f"• {mention(owner.slack_user_id, owner.name)} — {' · '.join(parts)}"


def _partnered_line(row: PartneredLine, tz_name: str) -> str:
    who = creator_label(row.influencer_name, row.handle, row.platform, limit=80)
    return f"• {who} — {mrkdwn(row.user_name, 80)}, {fmt_date(row.changed_at, zone_of(tz_name))}"


def _campaign_line(campaign: CampaignLine) -> str:
    counts = " · ".join(f"{status} {n:,}" for status, n in campaign.assignments.items())
    return f"• *{mrkdwn(campaign.name, 100)}* ({campaign.status}): {counts}"


def _counts_line(counts: dict[str, int], changes: dict[str, int] | None = None, prefix: str = "") -> str:
    parts = []
    for key, n in counts.items():
        delta = changes.get(f"{prefix}{key}") if changes else None
        parts.append(f"{key.replace('_', ' ')} {n:,}" + (f" ({change(delta)})" if delta is not None else ""))
    return " · ".join(parts) or "none"


def _top_line(r: RelationshipRow) -> str:
    who = creator_label(r.influencer_name, r.handle, r.platform, limit=80)
    return f"• {who} — {mrkdwn(r.user_name, 80)}, strength {r.strength}"


def weekly_summary_message(
    summary: WeeklySummary, *, tz_name: str, links: PeriodClicks | None = None
) -> Message:
    """The Monday post to the admin channel: last week's activity with week-over-week change, then
    per owner what to act on, the newly partnered, open campaigns, and the pipeline now; with `links`
    (short links on, crm.clicks.period_clicks) also the week's top creators by clicks."""
    cur, prev, ch, todo = summary.current, summary.previous, summary.changes, summary.actions
    period = period_label(*cur.period, tz_name)
    fields = [
        MarkdownTextObject(text=f"*{label}*\n{getattr(cur, key):,} ({change(ch[key])})")
        for key, label in _CHANGE_LABELS
    ]
    sections: list[Block] = [
        bullets(
            "Needs attention, per owner",
            [_owner_line(o) for o in todo.owners],
            todo.owners_total,
            noun="owner",
            empty="_Nobody has overdue follow-ups or relationships going cold._",
        ),
        bullets(
            "Moved to partnered this week",
            [_partnered_line(p, tz_name) for p in todo.partnered],
            todo.partnered_total,
            noun="relationship",
            empty="_None this week._",
        ),
        bullets(
            "Open campaigns — assignments by status",
            [_campaign_line(c) for c in todo.campaigns],
            todo.campaigns_total,
            noun="campaign",
            empty="_No open campaigns._",
        ),
        bullets(
            "Interactions by type",
            [_counts_line(cur.interactions_by_type, ch, "interactions_")],
            1,
            noun="line",
            empty="",
        ),
        bullets("Status funnel (now)", [_counts_line(cur.status_funnel)], 1, noun="line", empty=""),
        bullets(
            "Top relationships",
            [_top_line(r) for r in cur.top_relationships],
            len(cur.top_relationships),
            noun="relationship",
            empty="_none_",
        ),
        # Further sections (e.g. top creators by clicks) go here, each one `bullets(...)` block.
    ]
    if links is not None:
        sections.append(
            bullets(
                f"Top creators by clicks ({plural(links.total, 'click')} on short links)",
                [
                    f"• {creator_label(c.name, c.handle, c.platform, limit=100)}: {c.clicks:,}"
                    for c in links.top
                ],
                len(links.top),
                noun="creator",
                empty="_No clicks this week._",
            )
        )
    blocks: list[Block] = [
        header(f"Weekly CRM summary · {period}"),
        context(f"Workspace `{mrkdwn(cur.team_id)}` · compared with {period_label(*prev.period, tz_name)}"),
        SectionBlock(fields=fields),
        *sections,
        context(f"Times in {mrkdwn(tz_name)}. Details any time: `{COMMAND} admin`"),
    ]
    text = (
        f"Weekly CRM summary {period}: {cur.interactions:,} interactions ({change(ch['interactions'])}), "
        f"{cur.new_relationships:,} new relationships ({change(ch['new_relationships'])}), "
        f"{cur.active_users:,} active users ({change(ch['active_users'])})"
    )
    if todo.owners_total:
        text += f"; {plural(todo.owners_total, 'owner')} with follow-ups overdue or relationships going cold"
    return Message(text=text, blocks=blocks)
