"""Campaign messages: `/crm campaign list`, the tracking-link answer, and a created-campaign note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from crm.models import Assignment, Campaign, Influencer
from handlers.blocks.message import Message, context, header
from handlers.blocks.text import SECTION_FIELD, SECTION_TEXT, clip, link, mrkdwn, plural

CAMPAIGN_ROWS = 40  # one section each, plus header and context: below the 50-block limit


def _link(url: str, label: str) -> str:
    """A mrkdwn link when the URL fits in a block, else the plain (escaped, clipped) URL."""
    return link(url, label, limit=2_000) or mrkdwn(url, 2_000)


def campaign_list(summaries: Sequence[Any]) -> Message:
    """Summaries are crm CampaignSummary(campaign, assignment_counts)."""
    if not summaries:
        text = 'No campaigns yet. Create one with `/crm campaign new "Spring Sale" https://shop.example.com`.'
        return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])
    blocks: list[Any] = [header(f"Campaigns ({len(summaries)})")]
    for summary in summaries[:CAMPAIGN_ROWS]:
        c: Campaign = summary.campaign
        counts = (
            ", ".join(f"{n} {status}" for status, n in summary.assignment_counts.items() if n) or "nobody yet"
        )
        dates = ""
        if c.start_date or c.end_date:
            dates = f" · {c.start_date or '…'} → {c.end_date or '…'}"
        text = (
            f"*{mrkdwn(c.name, 200)}* · {c.status}{dates} · {_link(c.landing_url, 'landing page')}\n{counts}"
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT))))
    if len(summaries) > CAMPAIGN_ROWS:
        blocks.append(context(f"…and {len(summaries) - CAMPAIGN_ROWS} more."))
    names = ", ".join(s.campaign.name for s in summaries[:10])
    return Message(text=f"{plural(len(summaries), 'campaign')}: {names}", blocks=blocks)


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
    assignment: Assignment, campaign: Campaign, influencer: Influencer, *, created: bool
) -> Message:
    """The tracking link of an assignment, as a copyable code span, with its UTM values."""
    url = assignment.utm_url or ""
    verb = "Assigned" if created else "Tracking link for"
    lead = f"{verb} *{mrkdwn(influencer.name, 200)}* (@{mrkdwn(influencer.handle, 100)}) " + (
        f"to *{mrkdwn(campaign.name, 200)}*" if created else f"in *{mrkdwn(campaign.name, 200)}*"
    )
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=f"{lead} · status {assignment.status}")),
        SectionBlock(text=MarkdownTextObject(text=f"```{mrkdwn(url, SECTION_TEXT - 10)}```")),
    ]
    fields = utm_fields(assignment)
    if fields:
        blocks.append(SectionBlock(fields=fields))
    return Message(text=f"Tracking link for {influencer.name} in {campaign.name}: {url}", blocks=blocks)
