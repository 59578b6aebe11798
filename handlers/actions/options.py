"""Options for external selects: influencers in the log modal, tags in the edit modal.

Slack waits 3 s for options, so each answer is one indexed query (or none).
"""

from __future__ import annotations

from slack_bolt import App
from sqlalchemy.orm import Session

from crm import influencers, relationships
from crm.errors import InvalidInput
from crm.models import User
from handlers.blocks.fields import influencer_option, tag_option
from handlers.ids import Field
from handlers.uow import unit_of_work

OPTION_LIMIT = 20


def influencer_options(ack, payload: dict, db: Session, actor: User) -> None:
    """Typed text → matching influencers of the workspace (mine first); nothing typed → my strongest."""
    typed = (payload.get("value") or "").strip()
    if typed:
        found = [
            hit.influencer for hit in influencers.search(db, actor=actor, text=typed, limit=OPTION_LIMIT)
        ]
    else:
        page = relationships.list_relationships(
            db, actor=actor, filters=relationships.RelationshipFilter(limit=OPTION_LIMIT)
        )
        found = [rel.influencer for rel in page.items]
    ack(options=[influencer_option(i) for i in found])


def tag_options(ack, payload: dict) -> None:
    """What was typed, normalised (crm.relationships.normalize_tags), offered as the tag to add.

    This is how a Slack multi-select takes new values: it can only submit options it was offered,
    so the typed text is offered as one. Tags already on the relationship are its initial options.
    Text that is not a valid tag gets no option (the menu shows "no results").
    """
    typed = (payload.get("value") or "").strip()
    try:
        tags = relationships.normalize_tags([typed]) if typed else []
    except InvalidInput:
        tags = []
    ack(options=[tag_option(t) for t in tags])


def register(app: App) -> None:
    app.options(Field.INTERACTION_INFLUENCER)(unit_of_work(influencer_options))
    app.options(Field.RELATIONSHIP_TAGS)(unit_of_work(tag_options))
