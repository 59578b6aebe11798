"""Opening modals: the one place each modal is filled from crm data before views.open.

Shared by /crm subcommands, card and App Home buttons, and the message shortcut. Called right after
ack(): Slack's trigger_id is good for 3 s, so only a query or two happens before views.open.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from crm import campaigns, relationships
from crm.clock import zone_of
from crm.models import Influencer, User
from handlers.blocks.campaign_modals import new_campaign_modal
from handlers.blocks.modals import (
    add_influencer_modal,
    edit_relationship_modal,
    follow_up_modal,
    log_interaction_modal,
    notes_editable,
    notes_modal,
)
from handlers.forms import dump_metadata


def open_log_modal(
    client: WebClient,
    db: Session,
    actor: User,
    trigger_id: str,
    *,
    influencer: Influencer | None = None,
    interaction_type: str | None = None,
    content: str | None = None,
    source_url: str | None = None,
    now: datetime | None = None,
) -> None:
    """The log-interaction modal; `source_url` (a message permalink) travels in private_metadata."""
    team_campaigns = [s.campaign for s in campaigns.list_campaigns(db, team_id=actor.team_id)]
    view = log_interaction_modal(
        influencer=influencer,
        campaigns=team_campaigns,
        now=now or datetime.now(UTC),
        interaction_type=interaction_type,
        content=content,
        source_url=source_url,
        metadata=dump_metadata(src=source_url),
    )
    client.views_open(trigger_id=trigger_id, view=view)


def open_edit_modal(
    client: WebClient, db: Session, actor: User, trigger_id: str, *, influencer_id: uuid.UUID
) -> None:
    """Edit status, priority, tags, follow-up and notes of the actor's relationship (NotFound if none)."""
    rel = relationships.get_relationship(db, actor=actor, influencer_id=influencer_id)
    tz = zone_of(actor.timezone)
    # The follow-up date as shown ("f"), so an untouched date is kept as it is: an overdue one would
    # otherwise be refused as "in the past" and block saving the other fields.
    shown = rel.follow_up_date.astimezone(tz).date().isoformat() if rel.follow_up_date else ""
    metadata = dump_metadata(r=rel.id, n="1" if notes_editable(rel.notes) else "0", f=shown)
    view = edit_relationship_modal(rel, rel.influencer, tz=tz, metadata=metadata)
    client.views_open(trigger_id=trigger_id, view=view)


def open_follow_up_modal(
    client: WebClient, db: Session, actor: User, trigger_id: str, *, influencer_id: uuid.UUID
) -> None:
    rel = relationships.get_relationship(db, actor=actor, influencer_id=influencer_id)
    view = follow_up_modal(
        rel, rel.influencer, tz=zone_of(actor.timezone), metadata=dump_metadata(i=influencer_id)
    )
    client.views_open(trigger_id=trigger_id, view=view)


def open_notes_modal(
    client: WebClient, db: Session, actor: User, trigger_id: str, *, influencer: Influencer
) -> None:
    rel = relationships.get_relationship(db, actor=actor, influencer_id=influencer.id)
    client.views_open(
        trigger_id=trigger_id, view=notes_modal(rel, influencer, metadata=dump_metadata(i=influencer.id))
    )


def open_add_influencer_modal(client: WebClient, trigger_id: str) -> None:
    client.views_open(trigger_id=trigger_id, view=add_influencer_modal())


def open_new_campaign_modal(
    client: WebClient, trigger_id: str, *, name: str | None = None, landing_url: str | None = None
) -> None:
    client.views_open(trigger_id=trigger_id, view=new_campaign_modal(name=name, landing_url=landing_url))
