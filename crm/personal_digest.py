"""The personal weekly digest: one user's pipeline this week, what went cold, what is due — and the
opt-in that turns it on (App Home).

Everything is the actor's own (WHERE user_id = actor) and on their list (not archived). "This week"
is the 7 days up to `now`. Going cold is crm.going_cold's rule, never a second one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm.clock import resolve_now
from crm.going_cold import GoingCold, going_cold_for
from crm.models import RELATIONSHIP_STATUSES, User

DIGEST_WEEK = timedelta(days=7)
DIGEST_ITEMS = 5  # relationships listed by name per part; the rest are counted


def set_weekly_digest(db: Session, *, actor: User, on: bool, now: datetime | None = None) -> User:
    """Turn the actor's weekly digest on (from `now`, kept if already on) or off; a state, so a
    double click leaves the same."""
    if on and actor.weekly_digest_since is None:
        actor.weekly_digest_since = resolve_now(now)
    elif not on:
        actor.weekly_digest_since = None
    db.flush()
    return actor


@dataclass(frozen=True, slots=True)
class DueItem:
    """A follow-up of the actor's, due in the coming week or already overdue."""

    relationship_id: uuid.UUID
    influencer_name: str
    handle: str
    platform: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class PersonalDigest:
    user_id: uuid.UUID
    slack_user_id: str
    timezone: str
    since: datetime  # the week is [since, as_of)
    as_of: datetime
    pipeline: dict[str, int]  # on the list now, every status
    moved: dict[str, int]  # relationships whose status changed this week, by the status they moved to
    added: int  # relationships added this week
    interactions: int  # interactions the user logged this week
    going_cold: list[GoingCold]  # the longest silent first, at most DIGEST_ITEMS
    going_cold_total: int
    overdue: int  # follow-ups past due now
    due: list[DueItem]  # overdue first, then the coming week's, at most DIGEST_ITEMS
    due_total: int  # overdue + due within the coming week

    @property
    def is_empty(self) -> bool:
        """Nothing on the list and nothing happened: no digest worth a DM."""
        return not (sum(self.pipeline.values()) or self.interactions or self.due_total)


def _counts(db: Session, sql: str, params: dict) -> dict[str, int]:
    counts = dict.fromkeys(RELATIONSHIP_STATUSES, 0)
    for status, n in db.execute(text(sql), params):
        counts[status] = n
    return counts


def personal_digest(db: Session, *, actor: User, now: datetime | None = None) -> PersonalDigest:
    """The actor's digest for the 7 days up to `now`."""
    now = resolve_now(now)
    since = now - DIGEST_WEEK
    mine = {"user": actor.id, "since": since, "now": now}
    pipeline = _counts(
        db,
        """SELECT status, count(*) FROM user_influencers WHERE user_id = :user AND archived_at IS NULL
           GROUP BY status""",
        mine,
    )
    moved = _counts(
        db,
        """SELECT status, count(*) FROM user_influencers
           WHERE user_id = :user AND archived_at IS NULL
             AND status_changed_at >= :since AND status_changed_at < :now
             AND status_changed_at > created_at
           GROUP BY status""",
        mine,
    )
    added = db.scalar(
        text(
            """SELECT count(*) FROM user_influencers WHERE user_id = :user AND archived_at IS NULL
               AND created_at >= :since AND created_at < :now"""
        ),
        mine,
    )
    interactions = db.scalar(
        text(
            """SELECT count(*) FROM interactions WHERE user_id = :user
               AND interaction_date >= :since AND interaction_date < :now"""
        ),
        mine,
    )
    cold, cold_total = going_cold_for(db, actor=actor, now=now, limit=DIGEST_ITEMS)
    due_window = {**mine, "until": now + DIGEST_WEEK, "limit": DIGEST_ITEMS}
    overdue, due_total = db.execute(
        text(
            """SELECT count(*) FILTER (WHERE follow_up_date < :now), count(*) FROM user_influencers
               WHERE user_id = :user AND archived_at IS NULL AND follow_up_date < :until"""
        ),
        due_window,
    ).one()
    due = [
        DueItem(*row)
        for row in db.execute(
            text(
                """SELECT ui.id, i.name, i.handle, i.platform, ui.follow_up_date
                   FROM user_influencers ui JOIN influencers i ON i.id = ui.influencer_id
                   WHERE ui.user_id = :user AND ui.archived_at IS NULL AND ui.follow_up_date < :until
                   ORDER BY ui.follow_up_date, ui.id LIMIT :limit"""
            ),
            due_window,
        )
    ]
    return PersonalDigest(
        user_id=actor.id,
        slack_user_id=actor.slack_user_id,
        timezone=actor.timezone,
        since=since,
        as_of=now,
        pipeline=pipeline,
        moved=moved,
        added=added,
        interactions=interactions,
        going_cold=cold,
        going_cold_total=cold_total,
        overdue=overdue,
        due=due,
        due_total=due_total,
    )
