"""Campaign messages: `/crm campaign list` and `show`, the tracking-link answer, created and saved notes.

The answers to assigning several creators and moving assignments, with their Undo, are in
handlers.blocks.assignment_changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    SectionBlock,
)

from crm.campaign_roster import Roster, RosterRow
from crm.campaigns import FIELD_LABELS
from crm.clicks import ClickCount
from crm.links import short_link
from crm.models import ASSIGNMENT_STATUSES, Assignment, Campaign, Influencer
from handlers.blocks.fields import creator_label, who
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import (
    SECTION_FIELD,
    SECTION_TEXT,
    clip,
    link,
    mrkdwn,
    plain_of,
    plural,
)
from handlers.ids import Action, Block

CAMPAIGN_ROWS = 40  # one section each, plus header and context: below the 50-block limit
ROSTER_ROWS = 40  # a campaign card's assignments, one section each, plus at most 6 other blocks


def _link(url: str, label: str) -> str:
    """A mrkdwn link when the URL fits in a block, else the plain (escaped, clipped) URL."""
    return link(url, label, limit=2_000) or mrkdwn(url, 2_000)


def clicks_text(count: ClickCount | None) -> str:
    """'12 clicks · 3 in the last 7 days' (short links' clicks, crm.clicks)."""
    count = count or ClickCount()
    return f"{plural(count.total, 'click')} · {count.last_7_days:,} in the last 7 days"


def campaign_list(
    summaries: Sequence[Any],
    *,
    archived_hidden: int = 0,
    clicks: Mapping[uuid.UUID, ClickCount] | None = None,
) -> Message:
    """Summaries are crm CampaignSummary(campaign, assignment_counts); each row has a Show button
    (its card, with Edit for those who may edit it); `archived_hidden` archived campaigns were left
    out. With `clicks` (short links are on) each row also says its campaign's clicks."""
    hidden = (
        f"{plural(archived_hidden, 'archived campaign')} not shown: `/crm campaign list all`."
        if archived_hidden
        else ""
    )
    if not summaries:
        text = 'No campaigns yet. Create one with `/crm campaign new "Spring Sale" https://shop.example.com`.'
        if archived_hidden:
            text = f"No active campaigns; {hidden}"
        return Message(text=plain_of(text), blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
    blocks: list[Any] = [header(f"Campaigns ({len(summaries)})")]
    for summary in summaries[:CAMPAIGN_ROWS]:
        c: Campaign = summary.campaign
        counts = (
            ", ".join(f"{n} {status}" for status, n in summary.assignment_counts.items() if n) or "nobody yet"
        )
        if clicks is not None:
            counts += f" · {clicks_text(clicks.get(c.id))}"
        landing = _link(c.landing_url, "landing page")
        text = f"*{mrkdwn(c.name, 200)}* · {c.status}{_dates(c)} · {landing}\n{counts}"
        show = ButtonElement(
            text=PlainTextObject(text="Show"), action_id=Action.CAMPAIGN_SHOW, value=str(c.id)
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), accessory=show))
    notes = []
    if len(summaries) > CAMPAIGN_ROWS:
        notes.append(f"…and {len(summaries) - CAMPAIGN_ROWS} more.")
    if hidden:
        notes.append(hidden)
    if notes:
        blocks.append(context(" ".join(notes)))
    names = ", ".join(s.campaign.name for s in summaries[:10])
    return Message(text=f"{plural(len(summaries), 'campaign')}: {names}", blocks=blocks)


def _dates(campaign: Campaign) -> str:
    """' · 2026-03-01 → 2026-03-31', or '' when the campaign has no dates."""
    if not (campaign.start_date or campaign.end_date):
        return ""
    return f" · {campaign.start_date or '…'} → {campaign.end_date or '…'}"


# The card's menu on each of your rows: move the assignment along, or show its tracking link.
ROW_MOVES = {
    "planned": "Back to planned",
    "active": "Mark active",
    "completed": "Mark completed",
    "cancelled": "Mark cancelled",
}
ROW_LINK = "link"


def row_value(kind: str, assignment_id: uuid.UUID) -> str:
    """A row menu option's value: 'completed:<assignment id>', or 'link:<assignment id>'."""
    return f"{kind}:{assignment_id}"


def parse_row_value(value: str) -> tuple[str, uuid.UUID]:
    """(a status or ROW_LINK, the assignment id) of a row menu option; ValueError when it is not one
    of ours (the value came back from Slack)."""
    kind, _, raw_id = value.partition(":")
    if kind not in (*ASSIGNMENT_STATUSES, ROW_LINK):
        raise ValueError(f"unexpected row choice: {kind[:20]!r}")
    return kind, uuid.UUID(raw_id)


def _row_menu(row: RosterRow) -> OverflowMenuElement:
    moves = [
        Option(text=label, value=row_value(status, row.assignment_id))
        for status, label in ROW_MOVES.items()
        if status != row.status
    ]
    link = Option(text="Tracking link", value=row_value(ROW_LINK, row.assignment_id))
    return OverflowMenuElement(action_id=Action.CAMPAIGN_ROW, options=[*moves, link])


def _roster_line(row: RosterRow, *, public_url: str | None, clicks: Mapping[uuid.UUID, ClickCount]) -> str:
    line = f"{creator_label(row.name, row.handle, row.platform)} · *{row.status}*"
    if not row.mine:
        line += f" · assigned by {mrkdwn(row.assigned_by, 100)}"
    if public_url:
        short = mrkdwn(short_link(public_url, row.short_code), 500)
        line += f"\n{short} · {clicks_text(clicks.get(row.assignment_id))}"
    elif row.utm_url:
        line += f"\n{_link(row.utm_url, 'tracking link')}"
    return line


def campaign_card(
    campaign: Campaign,
    roster: Roster,
    *,
    everyone: bool,
    editable: bool,
    public_url: str | None = None,
    clicks: Mapping[uuid.UUID, ClickCount] | None = None,
    campaign_clicks: ClickCount | None = None,
) -> Message:
    """`/crm campaign show`: the campaign, its assignments by status and the ones the actor may see
    (crm.campaign_roster: their own, or with `everyone` a CRM admin's view of all), each with its
    short link and clicks when `public_url` is set (short links are on), else its tracking link.
    Each of the actor's own rows has a menu (move it along, show its tracking link); an Edit
    button when `editable`."""
    quoted = f'"{mrkdwn(campaign.name, 100)}"'
    summary = f"*{campaign.status}*{_dates(campaign)} · {_link(campaign.landing_url, 'landing page')}"
    counts = ", ".join(f"{n} {status}" for status, n in roster.counts.items() if n)
    summary += f"\n{plural(roster.total, 'assignment')}" + (f": {counts}" if counts else "")
    if public_url:
        summary += f" · {clicks_text(campaign_clicks)}"
    blocks: list[Any] = [header(campaign.name), SectionBlock(text=MarkdownTextObject(text=summary))]
    if editable:
        edit = ButtonElement(
            text=PlainTextObject(text="Edit"), action_id=Action.CAMPAIGN_EDIT, value=str(campaign.id)
        )
        blocks.append(ActionsBlock(block_id=Block.CAMPAIGN_ACTIONS, elements=[edit]))
    whose = "Everyone's assignments" if everyone else "Your assignments"
    if roster.rows:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{whose} ({roster.visible:,})*")))
    clicks = clicks or {}
    for row in roster.rows[:ROSTER_ROWS]:
        line = _roster_line(row, public_url=public_url, clicks=clicks)
        menu = _row_menu(row) if row.mine else None  # only who assigned them moves them along
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(line, SECTION_TEXT)), accessory=menu))
    notes = []
    shown = min(len(roster.rows), ROSTER_ROWS)
    if roster.visible > shown:
        notes.append(
            f"…and {roster.visible - shown:,} more: `/crm campaign export {quoted}` lists every one,"
            " with its link."
        )
    if campaign.status == "archived":
        notes.append("It is archived: it takes no new assignments (Edit changes its status).")
    elif not roster.rows:
        notes.append(
            f"You have assigned no one to it yet: `/crm campaign add {quoted} @handle`"
            " (or several: `@maya @zoe #tag`)."
        )
    else:
        notes.append(f"Assign more: `/crm campaign add {quoted} @handle` (or several: `@maya @zoe #tag`).")
    if roster.by_teammates:
        notes.append(
            f"{plural(roster.by_teammates, 'assignment')} by teammates not shown: yours are listed, "
            "and CRM admins see everyone's."
        )
    blocks.append(context(" ".join(notes)))
    text = f"{campaign.name}: {plural(roster.total, 'assignment')}"
    return Message(text=text, blocks=blocks)


def campaign_saved(
    campaign: Campaign, *, changed: Sequence[str] | None, links_updated: int, short_links: bool = False
) -> Message:
    """The answer to an edit: which fields changed (crm.campaigns.FIELD_LABELS keys; None when not
    known, for a repeated submit) and how many tracking links the new landing page rebuilt. With
    `short_links` (CRM_PUBLIC_URL is set) nothing needs re-sharing: the short links follow."""
    name = f"*{mrkdwn(campaign.name, 200)}*"
    if changed is None:
        lines = [f"Saved {name}."]
    elif not changed:
        lines = [f"Nothing changed in {name}."]
    else:
        labels = ", ".join(FIELD_LABELS[field] for field in changed)
        lines = [f"Saved {name}: {labels} changed."]
    if changed and {"utm_source", "utm_medium", "utm_campaign"} & set(changed):
        lines.append("Assignments made from now on take the new UTM defaults; links made already keep them.")
    if changed and "landing_url" in changed:
        if links_updated and short_links:
            lines.append(
                f"{plural(links_updated, 'tracking link')} now "
                f"{'leads' if links_updated == 1 else 'lead'} to the new landing page "
                f"({_link(campaign.landing_url, 'open')}). The short links already shared keep working "
                "and go there now: nothing to re-share."
            )
        elif links_updated:
            lines.append(
                f"{plural(links_updated, 'tracking link')} now "
                f"{'points' if links_updated == 1 else 'point'} to the new landing page "
                f"({_link(campaign.landing_url, 'open')}) — share the new "
                f"{'one' if links_updated == 1 else 'ones'}: "
                f'`/crm utm "{mrkdwn(campaign.name, 100)}" @handle`.'
            )
        else:
            lines.append("No tracking links to update: nobody is assigned yet.")
    status = f"Status: *{campaign.status}*."
    if campaign.status == "archived":
        status += " Archived campaigns are hidden from `/crm campaign list` (see `/crm campaign list all`)"
        status += " and take no new assignments."
    lines.append(status)
    text = "\n".join(lines)
    return Message(text=plain_of(text), blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def campaign_created(campaign: Campaign) -> Message:
    text = (
        f"Created campaign *{mrkdwn(campaign.name, 200)}* → {_link(campaign.landing_url, 'landing page')}.\n"
        f'Assign influencers with `/crm campaign add "{mrkdwn(campaign.name, 100)}" @handle`'
        " (several at once: `@maya @zoe #tag`)."
    )
    return Message(
        text=f"Created campaign {campaign.name}", blocks=[SectionBlock(text=MarkdownTextObject(text=text))]
    )


def utm_fields(assignment: Assignment) -> list[MarkdownTextObject]:
    pairs = [
        ("utm_source", assignment.utm_source),
        ("utm_medium", assignment.utm_medium),
        ("utm_campaign", assignment.utm_campaign),
        ("utm_content", assignment.utm_content),
        ("utm_term", assignment.utm_term),
    ]
    return [
        MarkdownTextObject(text=f"*{name}*\n{mrkdwn(value, SECTION_FIELD - 20)}")
        for name, value in pairs
        if value
    ]


def assignment_link(
    assignment: Assignment,
    campaign: Campaign,
    influencer: Influencer,
    *,
    created: bool,
    short_url: str | None = None,
    clicks: ClickCount | None = None,
) -> Message:
    """The tracking link of an assignment, as a copyable code span, with its UTM values.

    With `short_url` (CRM_PUBLIC_URL is set): the short link to share first, the full link under it,
    the clicks so far and a "QR code" button whose value is the assignment id (re-checked on click).
    """
    url = assignment.utm_url or ""
    verb = "Assigned" if created else "Tracking link for"
    lead = f"{verb} {who(influencer)} " + (
        f"to *{mrkdwn(campaign.name, 200)}*" if created else f"in *{mrkdwn(campaign.name, 200)}*"
    )
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=f"{lead} · status {assignment.status}"))]
    if short_url:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=f"*Short link*\n```{mrkdwn(short_url, 500)}```")),
            SectionBlock(
                text=MarkdownTextObject(text=f"*Full link*\n```{mrkdwn(url, SECTION_TEXT - 30)}```")
            ),
            context(f"Clicks: {clicks_text(clicks)} (people only; link previews and prefetches not counted)"),
            ActionsBlock(
                block_id=Block.LINK_ACTIONS,
                elements=[
                    ButtonElement(
                        text=PlainTextObject(text="QR code"),
                        action_id=Action.LINK_QR,
                        value=str(assignment.id),
                    )
                ],
            ),
        ]
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"```{mrkdwn(url, SECTION_TEXT - 10)}```")))
    fields = utm_fields(assignment)
    if fields:
        blocks.append(SectionBlock(fields=fields))
    text = f"Tracking link for {influencer.name} in {campaign.name}: {url}"
    if short_url:
        text = f"Short link for {influencer.name} in {campaign.name}: {short_url} (full link: {url})"
    return Message(text=text, blocks=blocks)
