"""Validation of the fields a user edits on a relationship: status, priority, notes, tags.

Pure functions (no database) shared by the relationship services, the edit form and list filters.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence

from crm.errors import InvalidInput
from crm.models import RELATIONSHIP_STATUSES
from crm.text import clean_text

TAG_MAX_LENGTH = 30
TAGS_MAX = 20
NOTES_MAX = 10_000
_TAG = re.compile(r"^[\w\-.+&/]+$")


def validate_status(status: str) -> str:
    """A known status (case-insensitive), or InvalidInput("status")."""
    cleaned = (status or "").strip().lower() if isinstance(status, str) else ""
    if cleaned not in RELATIONSHIP_STATUSES:
        raise InvalidInput("status", f"Status must be one of: {', '.join(RELATIONSHIP_STATUSES)}.")
    return cleaned


PRIORITY_MAX = 5  # priorities are whole numbers from 0 (none) to PRIORITY_MAX (top)


def validate_priority(priority: int) -> int:
    """A whole number 0..PRIORITY_MAX, or InvalidInput("priority")."""
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= PRIORITY_MAX:
        raise InvalidInput("priority", f"Priority must be a whole number from 0 to {PRIORITY_MAX}.")
    return priority


def validate_notes(text: str | None) -> str | None:
    """Notes as stored (crm.text, multi-line), None when blank; InvalidInput("notes") when too long."""
    return clean_text(text, field="notes", max_len=NOTES_MAX, multiline=True, label="Notes")


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, lower-case, without a leading '#', inner spaces as '-', de-duplicated.

    Commas separate tags inside one string ("vegan, berlin"). Each tag is at most 30 characters of
    letters, digits and - _ . + & /; at most 20 tags. Anything else is InvalidInput("tags").
    """
    if isinstance(tags, str):
        tags = [tags]
    out: list[str] = []
    for item in tags:
        for piece in str(item).split(","):
            # clean_text first: control characters go, whitespace runs become one space (then '-').
            tag = "-".join((clean_text(piece, field="tags", max_len=None) or "").lstrip("#").lower().split())
            if not tag:
                continue
            if len(tag) > TAG_MAX_LENGTH:
                raise InvalidInput("tags", f"Tag “{tag[:40]}” is longer than {TAG_MAX_LENGTH} characters.")
            if not _TAG.match(tag):
                raise InvalidInput("tags", f"Tag “{tag}” may use only letters, digits and - _ . + & /.")
            if tag not in out:
                out.append(tag)
    if len(out) > TAGS_MAX:
        raise InvalidInput("tags", f"A relationship can have at most {TAGS_MAX} tags.")
    return out


def each_creator_once(influencer_ids: Sequence[uuid.UUID], *, at_most: int, done: str) -> list[uuid.UUID]:
    """The influencers one command changes, in order, a repeated one once: at least one, at most
    `at_most` ("At most 50 creators `done` at once; these are 51.")."""
    unique = list(dict.fromkeys(influencer_ids))
    if not 1 <= len(unique) <= at_most:
        raise InvalidInput(
            "influencers", f"At most {at_most} creators {done} at once; these are {len(unique)}."
        )
    return unique
