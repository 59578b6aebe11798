"""The acting user's own tags: for the tag typeahead of the Edit modal, and to say which tag a search
or a #tag filter that found nothing may have meant (archived relationships' tags are left out:
those creators are off the list)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.errors import InvalidInput
from crm.models import Relationship, User
from crm.relationship_fields import normalize_tags
from crm.suggest import close_matches

USER_TAGS_MAX = 100  # a Slack options response holds at most 100 options


def user_tags(db: Session, *, actor: User, prefix: str = "", limit: int = 25) -> list[str]:
    """The tags on the actor's relationships that start with `prefix`, most used first, then A–Z.

    `prefix` is normalized the way a tag is (trimmed, lower-case, no leading '#', spaces as '-'), so
    "#Veg" finds "vegan". What could never start a tag (a comma list, a symbol no tag may contain)
    finds nothing rather than raising: this answers keystrokes in a typeahead. One statement over the
    actor's rows (index on user_id), unnesting their tags.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= USER_TAGS_MAX:
        raise InvalidInput("limit", f"Ask for 1 to {USER_TAGS_MAX} tags.")
    if not isinstance(prefix, str):
        raise InvalidInput("prefix", "The tag prefix must be text.")
    try:
        normalized = normalize_tags([prefix])
    except InvalidInput:
        return []
    if len(normalized) > 1:
        return []
    start = normalized[0] if normalized else ""
    tags = (
        select(func.unnest(Relationship.tags).label("tag"))
        .where(Relationship.user_id == actor.id, Relationship.archived_at.is_(None))
        .subquery("tags")
    )
    uses = func.count().label("uses")
    stmt = (
        select(tags.c.tag)
        .where(func.starts_with(tags.c.tag, start))
        .group_by(tags.c.tag)
        .order_by(uses.desc(), tags.c.tag.collate("C"))  # byte order: the same on every server
        .limit(limit)
    )
    return list(db.scalars(stmt))


def tags_spelt_like(db: Session, *, actor: User, text: str, limit: int = 2) -> list[str]:
    """The actor's tags spelt close to `text` ("#fitnes" → "fitness"), closest first: what a search
    or a #tag filter that found nothing may have meant. Among their USER_TAGS_MAX most used tags."""
    typed = text.strip().lstrip("#")
    return close_matches(typed, user_tags(db, actor=actor, limit=USER_TAGS_MAX), n=limit)
