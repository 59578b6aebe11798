"""Options for external selects: influencers in the log modal, tags in the edit modal.

Slack waits 3 s for options, so each answer is one indexed query (or none).
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm import relationship_fields, relationship_list, search, tags
from crm.errors import InvalidInput
from handlers.blocks.fields import influencer_option, tag_option
from handlers.ids import Field
from handlers.runtime.scope import scope

OPTION_LIMIT = 20


def _typed(payload: dict) -> str:
    value = payload.get("value")
    return value.strip() if isinstance(value, str) else ""


def influencer_options(ack, payload: dict, context: BoltContext) -> None:
    """Typed text → matching influencers of the workspace (mine first); nothing typed → my strongest."""
    typed = _typed(payload)
    with scope(context) as s:
        if typed:
            hits = search.search(s.db, actor=s.actor, text=typed, limit=OPTION_LIMIT)
            found = [hit.influencer for hit in hits]
        else:
            page = relationship_list.list_relationships(
                s.db, actor=s.actor, filters=relationship_list.RelationshipFilter(limit=OPTION_LIMIT)
            )
            found = [rel.influencer for rel in page.items]
    ack(options=[influencer_option(i) for i in found])


def tag_options(ack, payload: dict, context: BoltContext) -> None:
    """What was typed, as a tag, then the actor's own tags that start with it, most used first.

    The typed text (normalised by crm.relationship_fields.normalize_tags) comes first, so Enter keeps what
    was typed: a Slack multi-select can only submit options it was offered, so this is also how a
    new tag gets in. Then the actor's existing tags with that prefix (crm.tags.user_tags, one
    statement over the actor's rows), for consistent tagging. Text that cannot be a tag offers only
    the existing tags it starts (usually none: the menu shows "no results"). Tags already on the
    relationship are the element's initial options.
    """
    typed = _typed(payload)
    try:
        new = relationship_fields.normalize_tags([typed]) if typed else []
    except InvalidInput:
        new = []
    with scope(context) as s:
        existing = tags.user_tags(s.db, actor=s.actor, prefix=typed, limit=OPTION_LIMIT)
    offered = new[:1] + [t for t in existing if t not in new]
    ack(options=[tag_option(t) for t in offered[:OPTION_LIMIT]])


def register(app: App) -> None:
    app.options(Field.INTERACTION_INFLUENCER)(influencer_options)
    app.options(Field.RELATIONSHIP_TAGS)(tag_options)
