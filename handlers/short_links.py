"""What a tracking-link answer shows of an assignment's short link: its address and its clicks.

One helper for `/crm utm` (handlers/commands/campaigns.py) and the assign form's answer
(handlers/views/campaigns.py). When CRM_PUBLIC_URL is not set there is no short link: (None, None),
and the answer shows the long UTM link only, as before short links existed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm.clicks import ClickCount, counts_by_assignment
from crm.links import short_link
from crm.models import Assignment


def link_and_clicks(
    db: Session, settings: Any, assignment: Assignment
) -> tuple[str | None, ClickCount | None]:
    """(the short link, its clicks so far), or (None, None) when short links are off."""
    if not settings.public_url:
        return None, None
    counts = counts_by_assignment(db, assignment_ids=[assignment.id])
    return short_link(settings.public_url, assignment.short_code), counts.get(assignment.id, ClickCount())
