"""Campaign messages: `/crm campaign list`, the tracking-link answer, created and saved notes."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from crm.campaigns import FIELD_LABELS
from crm.clicks import ClickCount
from crm.models import Assignment, Campaign, Influencer
from handlers.blocks.fields import who
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import SECTION_FIELD, SECTION_TEXT, clip, link, mrkdwn, plain_of, plural
from handlers.ids import Action, Block

CAMPAIGN_ROWS = 40  # one section each, plus header and context: below the 50-block limit


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
    editable: Collection[uuid.UUID] = (),
    archived_hidden: int = 0,
    clicks: Mapping[uuid.UUID, ClickCount] | None = None,
) -> Message:
    """Summaries are crm CampaignSummary(campaign, assignment_counts); rows whose campaign id is in
    `editable` get an Edit button; `archived_hidden` archived campaigns were left out. With `clicks`
    (short links are on) each row also says its campaign's clicks."""
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
        dates = ""
        if c.start_date or c.end_date:
            dates = f" · {c.start_date or '…'} → {c.end_date or '…'}"
        text = (
            f"*{mrkdwn(c.name, 200)}* · {c.status}{dates} · {_link(c.landing_url, 'landing page')}\n{counts}"
        )
        edit = None
        if c.id in editable:
            edit = ButtonElement(
                text=PlainTextObject(text="Edit"), action_id=Action.CAMPAIGN_EDIT, value=str(c.id)
            )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), accessory=edit))
    notes = []
    if len(summaries) > CAMPAIGN_ROWS:
        notes.append(f"…and {len(summaries) - CAMPAIGN_ROWS} more.")
    if hidden:
        notes.append(hidden)
    if notes:
        blocks.append(context(" ".join(notes)))
    names = ", ".join(s.campaign.name for s in summaries[:10])
    return Message(text=f"{plural(len(summaries), 'campaign')}: {names}", blocks=blocks)


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
        f'Assign influencers with `/crm campaign add "{mrkdwn(campaign.name, 100)}" @handle`.'
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
