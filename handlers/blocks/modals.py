"""Modals about relationships: log interaction, edit an interaction, edit, notes, follow-up, add influencer.

`metadata` is the JSON string built by handlers.forms.dump_metadata; the submission re-checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from crm.cadence import as_words as cadence_words
from crm.influencers import NAME_MAX
from crm.interactions import SUBJECT_MAX
from crm.models import Campaign, Influencer, Interaction, Relationship
from handlers.blocks import fields as f
from handlers.blocks.fields import who
from handlers.blocks.message import context
from handlers.blocks.text import INPUT_MAX, link, mrkdwn, plain
from handlers.ids import Field
from handlers.ids import View as ViewId

CONTEXT_NOTES = 2_900
NAMED_SHOWN = 3  # creators shown in the log modal's hint when a message names several


def modal(
    callback_id: ViewId,
    title: str,
    blocks: Sequence[Any],
    *,
    metadata: str = "{}",
    submit: str | None = "Save",
    close: str = "Cancel",
) -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title),
        submit=PlainTextObject(text=submit) if submit else None,
        close=PlainTextObject(text=close),
        blocks=list(blocks),
        private_metadata=metadata,
    )


def _named_hint(influencer: Influencer | None, named: Sequence[Influencer]) -> str | None:
    """The influencer field's hint about the creators a message names (plain text, so names are safe)."""
    if influencer is not None and any(c.id == influencer.id for c in named):
        return "Chosen because the message names them (their profile, @handle or e-mail)."
    if influencer is None and len(named) > 1:
        names = ", ".join(plain(c.name, 60) for c in named[:NAMED_SHOWN])
        more = f" and {len(named) - NAMED_SHOWN:,} more" if len(named) > NAMED_SHOWN else ""
        return f"The message names {len(named):,} creators ({names}{more}); pick the one this is about."
    return None


def log_interaction_modal(
    *,
    influencer: Influencer | None,
    campaigns: Sequence[Campaign],
    now: datetime,
    metadata: str,
    interaction_type: str | None = None,
    content: str | None = None,
    source_url: str | None = None,
    named: Sequence[Influencer] = (),
) -> View:
    """Influencer (prefilled when known), type, subject, content, date and time, the next follow-up,
    campaign, file.

    `named` are the creators the logged message names: the influencer field's hint says why one is
    preselected, or that several are named and none was chosen.
    """
    influencer_block = f.influencer_select(influencer)
    hint = _named_hint(influencer, named)
    if hint:
        influencer_block.hint = PlainTextObject(text=hint)
    blocks: list[Any] = [
        influencer_block,
        f.interaction_type_select(interaction_type),
        f.text_input(Field.INTERACTION_SUBJECT, "Subject", max_length=SUBJECT_MAX),
        f.text_input(
            Field.INTERACTION_CONTENT,
            "Details",
            content,
            multiline=True,
            placeholder="What was said, agreed, sent…",
        ),
        f.datetime_picker(Field.INTERACTION_DATE, "When", now),
        f.date_picker(
            Field.INTERACTION_FOLLOW_UP,
            "Next follow-up",
            hint="The bot reminds you that day. Leave empty to keep the follow-up as it is.",
        ),
    ]
    campaign_block = f.campaign_select(campaigns)
    if campaign_block is not None:
        blocks.append(campaign_block)
    blocks.append(f.file_input())
    if source_url:
        note = (
            f"From {link(source_url, 'this Slack message') or 'a Slack message'}; its link is saved with it."
        )
        if content and len(content) > INPUT_MAX:
            note += f" The message was cut to {INPUT_MAX:,} characters."
        blocks.append(context(note))
    return modal(ViewId.LOG_INTERACTION, "Log interaction", blocks, metadata=metadata)


def edit_interaction_modal(
    interaction: Interaction, *, campaigns: Sequence[Campaign], tz: ZoneInfo, metadata: str
) -> View:
    """Type, subject, details, date and time, and campaign of a logged interaction, prefilled.

    Its campaign is offered even when it is archived (an empty field would drop it). Details longer
    than a Slack text field are left out, and kept as they are; a file stays attached.
    """
    offered = list(campaigns)
    if interaction.campaign is not None and all(c.id != interaction.campaign_id for c in offered):
        offered.insert(0, interaction.campaign)
    when = interaction.interaction_date.astimezone(tz)
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=who(interaction.influencer))),
        f.interaction_type_select(interaction.type),
        f.text_input(Field.INTERACTION_SUBJECT, "Subject", interaction.subject, max_length=SUBJECT_MAX),
    ]
    if len(interaction.content or "") <= INPUT_MAX:
        details = f.text_input(Field.INTERACTION_CONTENT, "Details", interaction.content, multiline=True)
        blocks.append(details)
    else:
        size = len(interaction.content or "")
        kept = f"Details are {size:,} characters, more than this form holds: they stay as they are."
        blocks.append(context(kept))
    blocks.append(f.datetime_picker(Field.INTERACTION_DATE, "When", when))
    initial = str(interaction.campaign_id) if interaction.campaign_id else None
    if (campaign_block := f.campaign_select(offered, initial)) is not None:
        blocks.append(campaign_block)
    if attached := link(interaction.file_url, "file", limit=500):
        blocks.append(context(f"Its {attached} stays attached."))
    return modal(ViewId.EDIT_INTERACTION, "Edit interaction", blocks, metadata=metadata)


def edit_relationship_modal(
    relationship: Relationship, influencer: Influencer, *, tz: ZoneInfo, metadata: str
) -> View:
    """Name, e-mail, status, priority, tags, follow-up date and notes, prefilled with the current values.

    The name and e-mail are the creator's, in the workspace directory: changing them here changes
    them for everyone.

    Notes longer than Slack's 3,000-character input cannot be edited here without losing text, so
    the field is left out and the modal says to use the notes modal instead (which appends).
    """
    rel = relationship
    due = rel.follow_up_date.astimezone(tz).date() if rel.follow_up_date else None
    blocks: list[Any] = [
        SectionBlock(text=MarkdownTextObject(text=who(influencer))),
        f.text_input(
            Field.INFLUENCER_NAME,
            "Name",
            influencer.name,
            optional=False,
            max_length=NAME_MAX,
            hint="Everyone in your workspace sees this name.",
        ),
        f.email_input(
            Field.INFLUENCER_EMAIL, "E-mail", influencer.email, hint="Everyone in your workspace sees it."
        ),
        f.status_select(rel.status),
        f.priority_select(rel.priority),
        f.tags_select(rel.tags),
        f.date_picker(
            Field.RELATIONSHIP_FOLLOW_UP, "Follow-up date", due, hint="Leave empty for no follow-up."
        ),
        f.text_input(
            Field.RELATIONSHIP_CADENCE,
            "Contact cadence",
            cadence_words(rel.cadence_days),
            max_length=40,
            placeholder="e.g. 2w, 10 days, monthly",
            hint="How often to contact them: each email, call or meeting sets the next follow-up. "
            "Empty: none.",
        ),
    ]
    if notes_editable(rel.notes):
        blocks.append(f.text_input(Field.RELATIONSHIP_NOTES, "Notes", rel.notes, multiline=True))
    else:
        blocks.append(
            context(
                f"Notes are {len(rel.notes or ''):,} characters, more than a Slack text field holds; "
                "add to them with `/crm note` instead."
            )
        )
    return modal(ViewId.EDIT_RELATIONSHIP, "Edit relationship", blocks, metadata=metadata)


def notes_editable(notes: str | None) -> bool:
    return len(notes or "") <= INPUT_MAX


def notes_modal(relationship: Relationship, influencer: Influencer, *, metadata: str) -> View:
    """The current notes (their newest part) and a field to append a dated note."""
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=who(influencer)))]
    if relationship.notes:
        excerpt = mrkdwn(relationship.notes, CONTEXT_NOTES, from_end=True)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Notes so far*\n{excerpt}")))
    blocks.append(f.text_input(Field.RELATIONSHIP_NOTE_APPEND, "Add a note", multiline=True, optional=False))
    return modal(ViewId.NOTES, "Notes", blocks, metadata=metadata, submit="Add note")


def follow_up_modal(
    relationship: Relationship, influencer: Influencer, *, tz: ZoneInfo, metadata: str
) -> View:
    due = relationship.follow_up_date.astimezone(tz).date() if relationship.follow_up_date else None
    blocks = [
        SectionBlock(text=MarkdownTextObject(text=who(influencer))),
        f.date_picker(
            Field.RELATIONSHIP_FOLLOW_UP,
            "Follow up on",
            due,
            hint="You get a reminder at 09:00 that day. Leave empty to clear the follow-up.",
        ),
    ]
    return modal(ViewId.FOLLOW_UP, "Follow-up", blocks, metadata=metadata)


def add_influencer_modal(*, metadata: str = "{}") -> View:
    blocks = [
        f.text_input(
            Field.INFLUENCER_REF,
            "Handle or profile link",
            optional=False,
            max_length=500,
            placeholder="@maya or https://instagram.com/maya",
        ),
        f.platform_select(),
        f.text_input(Field.INFLUENCER_NAME, "Name", max_length=255, placeholder="Maya Lopez"),
        f.email_input(Field.INFLUENCER_EMAIL, "E-mail", None, hint="Everyone in your workspace sees it."),
    ]
    return modal(ViewId.ADD_INFLUENCER, "Add influencer", blocks, metadata=metadata, submit="Add")


def influencer_added_modal(influencer: Influencer, notes: str, *, created: bool = True) -> View:
    """What the Add influencer modal turns into when there is more to say than "added": the creator
    may be a second entry of someone (handlers.blocks.merge.same_person_hint), was on the list
    already, or kept its saved name (handlers.blocks.fields.kept_note). Read-only: Done closes it."""
    lead = (
        f"Added {who(influencer)} to your list." if created else f"{who(influencer)} is already on your list."
    )
    blocks = [SectionBlock(text=MarkdownTextObject(text=f"{lead}\n{notes.strip()}".strip()))]
    title = "Influencer added" if created else "Already on your list"
    return modal(ViewId.INFLUENCER_ADDED, title, blocks, submit=None, close="Done")
