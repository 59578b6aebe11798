"""Modals filled from crm data, and the relationship card: the one place each is built.

Shared by /crm subcommands, card and App Home buttons, and the message shortcut. Each builder reads
inside the listener's transaction and returns the View (or the card's Message); the listener opens
or sends it after the commit (handlers/runtime/slack_calls), a modal well within the trigger_id's 3 s.

Forms opened from a message (a card, a command's answer) keep where that message is (`reply_to`,
in private_metadata), so that what their submission changes is shown there.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from crm import campaigns, clock, dashboard, interactions, scoped
from crm.clock import zone_of
from crm.models import Influencer, User
from handlers.blocks.cards import card_message
from handlers.blocks.message import Message
from handlers.blocks.modals import (
    edit_interaction_modal,
    edit_relationship_modal,
    follow_up_modal,
    log_interaction_modal,
    notes_editable,
    notes_modal,
)
from handlers.forms import dump_metadata
from handlers.runtime.slack_calls import ReplyTarget


def log_modal_for(
    db: Session,
    actor: User,
    *,
    influencer: Influencer | None = None,
    named: Sequence[Influencer] = (),
    interaction_type: str | None = None,
    content: str | None = None,
    source_url: str | None = None,
    reply_to: ReplyTarget | None = None,
    now: datetime | None = None,
) -> View:
    """The log-interaction modal; `source_url` (a message permalink) and `reply_to` (where it was
    opened: the confirmation goes there) travel in private_metadata, `named` (the creators a
    message names) is explained in the influencer field's hint."""
    team_campaigns = [s.campaign for s in campaigns.list_campaigns(db, team_id=actor.team_id)]
    return log_interaction_modal(
        influencer=influencer,
        named=named,
        campaigns=team_campaigns,
        now=now or clock.now(),
        interaction_type=interaction_type,
        content=content,
        source_url=source_url,
        metadata=dump_metadata(src=source_url, **(reply_to.metadata() if reply_to else {})),
    )


def edit_interaction_modal_for(
    db: Session, actor: User, *, interaction_id: uuid.UUID, offset: int, reply_to: ReplyTarget | None
) -> View:
    """Edit one of the actor's interactions (crm.interactions.get_interaction: NotFound when not
    theirs); `reply_to` and `offset`: the `/crm history` page it was opened from, redrawn on save."""
    interaction = interactions.get_interaction(db, actor=actor, interaction_id=interaction_id)
    team_campaigns = [c.campaign for c in campaigns.list_campaigns(db, team_id=actor.team_id)]
    target = reply_to.metadata() if reply_to else {}
    metadata = dump_metadata(i=interaction.id, o=str(offset), **target)
    return edit_interaction_modal(
        interaction, campaigns=team_campaigns, tz=zone_of(actor.timezone), metadata=metadata
    )


def card_for(
    db: Session, actor: User, influencer_id: uuid.UUID, *, public_url: str | None, now: datetime | None = None
) -> Message:
    """The actor's card of this creator (crm.dashboard.relationship_card: NotFound when not theirs)."""
    at = now or clock.now()
    card = dashboard.relationship_card(db, actor=actor, influencer_id=influencer_id, now=at)
    return card_message(card, tz=zone_of(actor.timezone), now=at, public_url=public_url)


def edit_modal_for(
    db: Session, actor: User, *, influencer_id: uuid.UUID, reply_to: ReplyTarget | None = None
) -> View:
    """Edit status, priority, tags, follow-up and notes of the actor's relationship (NotFound if
    none); `reply_to`: the card it was opened from, redrawn after the save."""
    rel = scoped.get_relationship(db, actor=actor, influencer_id=influencer_id)
    tz = zone_of(actor.timezone)
    # The follow-up date as shown ("f"), so an untouched date is kept as it is: an overdue one would
    # otherwise be refused as "in the past" and block saving the other fields.
    shown = rel.follow_up_date.astimezone(tz).date().isoformat() if rel.follow_up_date else ""
    notes = "1" if notes_editable(rel.notes) else "0"
    metadata = dump_metadata(r=rel.id, n=notes, f=shown, **(reply_to.metadata() if reply_to else {}))
    return edit_relationship_modal(rel, rel.influencer, tz=tz, metadata=metadata)


def follow_up_modal_for(
    db: Session, actor: User, *, influencer_id: uuid.UUID, reply_to: ReplyTarget | None = None
) -> View:
    """The follow-up form of the actor's relationship; `reply_to` as for edit_modal_for."""
    rel = scoped.get_relationship(db, actor=actor, influencer_id=influencer_id)
    metadata = dump_metadata(i=influencer_id, **(reply_to.metadata() if reply_to else {}))
    return follow_up_modal(rel, rel.influencer, tz=zone_of(actor.timezone), metadata=metadata)


def notes_modal_for(db: Session, actor: User, *, influencer: Influencer) -> View:
    rel = scoped.get_relationship(db, actor=actor, influencer_id=influencer.id)
    return notes_modal(rel, influencer, metadata=dump_metadata(i=influencer.id))
