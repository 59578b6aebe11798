"""Campaign modals: new campaign, edit campaign, assign an influencer (UTM values prefilled), and the
read-only views shown in their place once saved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from crm.assignments import MAX_UTM_LENGTH
from crm.campaigns import MAX_NAME_LENGTH
from crm.models import CAMPAIGN_STATUSES, Assignment, Campaign, Influencer
from handlers.blocks import fields as f
from handlers.blocks.campaigns import assignment_link, campaign_saved
from handlers.blocks.fields import who
from handlers.blocks.message import context
from handlers.blocks.modals import modal
from handlers.blocks.text import mrkdwn
from handlers.ids import Field
from handlers.ids import View as ViewId


def new_campaign_modal(
    *, name: str | None = None, landing_url: str | None = None, metadata: str = "{}"
) -> View:
    blocks = [
        f.text_input(Field.CAMPAIGN_NAME, "Name", name, optional=False, max_length=MAX_NAME_LENGTH),
        f.url_input(Field.CAMPAIGN_LANDING_URL, "Landing page", landing_url),
        *_utm_default_inputs(None),
        f.date_picker(Field.CAMPAIGN_START, "Starts"),
        f.date_picker(Field.CAMPAIGN_END, "Ends"),
    ]
    return modal(ViewId.NEW_CAMPAIGN, "New campaign", blocks, metadata=metadata, submit="Create")


def _utm_default_inputs(campaign: Campaign | None) -> list[InputBlock]:
    """The campaign's default utm_source, utm_medium and utm_campaign (empty: the built-in defaults)."""
    return [
        f.text_input(
            Field.CAMPAIGN_UTM_SOURCE,
            "utm_source",
            campaign.utm_source if campaign else None,
            max_length=MAX_UTM_LENGTH,
            hint="Default for every assignment; empty means the influencer's platform.",
        ),
        f.text_input(
            Field.CAMPAIGN_UTM_MEDIUM,
            "utm_medium",
            campaign.utm_medium if campaign else None,
            max_length=MAX_UTM_LENGTH,
            hint="Empty means “influencer”.",
        ),
        f.text_input(
            Field.CAMPAIGN_UTM_CAMPAIGN,
            "utm_campaign",
            campaign.utm_campaign if campaign else None,
            max_length=MAX_UTM_LENGTH,
            hint="Empty means the campaign name in plain letters: “Été Glow” → ete-glow.",
        ),
    ]


CAMPAIGN_STATUS_LABELS = {
    "draft": "Draft",
    "active": "Active",
    "paused": "Paused",
    "completed": "Completed",
    "archived": "Archived (hidden from the list, no new assignments)",
}


def campaign_status_select(initial: str) -> InputBlock:
    options = [f.option(CAMPAIGN_STATUS_LABELS[s], s) for s in CAMPAIGN_STATUSES]
    element = StaticSelectElement(
        action_id=Field.CAMPAIGN_STATUS,
        placeholder=PlainTextObject(text="Choose a status"),
        options=options,
        initial_option=next((o for o in options if o.value == initial), None),
    )
    return InputBlock(block_id=Field.CAMPAIGN_STATUS, label=PlainTextObject(text="Status"), element=element)


def edit_campaign_modal(campaign: Campaign, *, metadata: str) -> View:
    """The campaign's name, landing page, UTM defaults, dates and status, prefilled; `metadata` names
    the campaign."""
    blocks = [
        f.text_input(Field.CAMPAIGN_NAME, "Name", campaign.name, optional=False, max_length=MAX_NAME_LENGTH),
        f.url_input(Field.CAMPAIGN_LANDING_URL, "Landing page", campaign.landing_url),
        context("Changing the landing page rebuilds the tracking link of every assignment to this campaign."),
        *_utm_default_inputs(campaign),
        context("The UTM defaults apply to assignments made from now on; links made already keep theirs."),
        f.date_picker(Field.CAMPAIGN_START, "Starts", campaign.start_date),
        f.date_picker(Field.CAMPAIGN_END, "Ends", campaign.end_date),
        campaign_status_select(campaign.status),
    ]
    return modal(ViewId.EDIT_CAMPAIGN, "Edit campaign", blocks, metadata=metadata, submit="Save")


def campaign_saved_modal(
    campaign: Campaign, *, changed: Sequence[str] | None, links_updated: int, short_links: bool = False
) -> View:
    """Shown in place of the edit modal after submit: what changed and how many links were rebuilt."""
    message = campaign_saved(campaign, changed=changed, links_updated=links_updated, short_links=short_links)
    return modal(ViewId.CAMPAIGN_SAVED, "Campaign saved", message.blocks, submit=None, close="Done")


def assign_modal(
    campaign: Campaign,
    influencer: Influencer,
    *,
    utm: Any,
    preview: str,
    metadata: str,
    assigned: str | None = None,
    notes: str | None = None,
) -> View:
    """UTM values prefilled (crm.assignments.default_utm or the stored ones), editable; the link they
    make; notes. `assigned`: the status of the user's assignment when there is one already (with its
    `notes`); the form then edits that assignment's link and notes."""
    lead = f"{who(influencer)} → *{mrkdwn(campaign.name, 200)}*"
    if assigned is not None:
        lead += (
            f"\nAlready assigned by you · *{mrkdwn(assigned, 40)}*. Saving changes its tracking link"
            " and notes."
        )
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=lead)),
        f.text_input(
            Field.ASSIGNMENT_UTM_SOURCE, "utm_source", utm.source, optional=False, max_length=MAX_UTM_LENGTH
        ),
        f.text_input(
            Field.ASSIGNMENT_UTM_MEDIUM, "utm_medium", utm.medium, optional=False, max_length=MAX_UTM_LENGTH
        ),
        f.text_input(
            Field.ASSIGNMENT_UTM_CAMPAIGN,
            "utm_campaign",
            utm.campaign,
            optional=False,
            max_length=MAX_UTM_LENGTH,
        ),
        f.text_input(Field.ASSIGNMENT_UTM_CONTENT, "utm_content", utm.content, max_length=MAX_UTM_LENGTH),
        f.text_input(Field.ASSIGNMENT_UTM_TERM, "utm_term", utm.term, max_length=MAX_UTM_LENGTH),
        f.text_input(Field.ASSIGNMENT_NOTES, "Notes", notes, multiline=True),
        context(f"With these values the link is `{mrkdwn(preview, 2_000)}`"),
    ]
    if assigned is not None:
        return modal(ViewId.ASSIGN_CAMPAIGN, "Edit assignment", blocks, metadata=metadata, submit="Save")
    return modal(ViewId.ASSIGN_CAMPAIGN, "Assign to campaign", blocks, metadata=metadata, submit="Assign")


def assignment_done_modal(
    assignment: Assignment,
    campaign: Campaign,
    influencer: Influencer,
    *,
    created: bool,
    short_url: str | None = None,
    clicks: Any = None,
) -> View:
    """Shown in place of the assign modal after submit (response_action=update): the link to share
    (with short links on, the short link, its clicks and the QR code button too)."""
    message = assignment_link(
        assignment, campaign, influencer, created=created, short_url=short_url, clicks=clicks
    )
    blocks = [*message.blocks, context(f"Also on the card: `/crm show @{mrkdwn(influencer.handle)}`")]
    return modal(ViewId.ASSIGNMENT_DONE, "Tracking link", blocks, submit=None, close="Done")
