"""The weekly chart's data: a workspace's pipeline by status at the end of each week, interactions per week.

"Pipeline at the end of a week" counts the relationships that existed then (created before the
week's end, not archived by then) in the status they had then, read from relationship_status_changes
(migration 0011): the latest status recorded before the week's end. That history starts when 0011
ran, seeded with each relationship's current status at its status_changed_at; no earlier status
was ever stored, so before a relationship's first recorded row it is counted in that first status
(its total is right, its status is the earliest one known). Archiving is read from `archived_at`
as it is now: a relationship archived and restored since counts as on the list throughout.

Weeks are half-open [start, end) in the workspace's timezone, oldest first, the last one ending at
`end`. Plain data for crm.charts; no Slack here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from crm.errors import InvalidInput
from crm.models import RELATIONSHIP_STATUSES

CHART_WEEKS = 8


@dataclass(frozen=True, slots=True)
class WeeklyTrends:
    """Per week, oldest first: when it started, the pipeline at its end by status, its interactions."""

    week_starts: list[datetime]
    end: datetime  # the end of the last week
    pipeline: dict[str, list[int]]  # every status → one count per week
    interactions: list[int]

    @property
    def week_ends(self) -> list[datetime]:
        return [*self.week_starts[1:], self.end]


def week_bounds(end: datetime, weeks: int = CHART_WEEKS) -> list[datetime]:
    """The `weeks` + 1 boundaries of the weeks ending at `end`, oldest first.

    Each is the same local wall-clock time seven calendar days apart in `end`'s timezone, so a week
    across a DST change is 167 or 169 hours long, as people count it.
    """
    if end.tzinfo is None:
        raise InvalidInput("period", "The weeks' end must include a timezone.")
    return [datetime.combine(end.date() - timedelta(weeks=weeks - k), end.timetz()) for k in range(weeks + 1)]


# Every relationship of the team existing at a week's end, with the status it had then. The two
# scalar subqueries each read one relationship's history through its (relationship_id, changed_at)
# index: the latest row before the end, else the first row (see the module docstring).
_PIPELINE = """
    SELECT w.i, coalesce(
               (SELECT h.status FROM relationship_status_changes h
                WHERE h.relationship_id = ui.id AND h.changed_at < w.week_end
                ORDER BY h.changed_at DESC, h.id DESC LIMIT 1),
               (SELECT h.status FROM relationship_status_changes h
                WHERE h.relationship_id = ui.id ORDER BY h.changed_at, h.id LIMIT 1),
               ui.status) AS status,
           count(*)
    FROM unnest(CAST(:ends AS timestamptz[])) WITH ORDINALITY AS w(week_end, i)
    JOIN user_influencers ui
      ON ui.created_at < w.week_end AND (ui.archived_at IS NULL OR ui.archived_at >= w.week_end)
    JOIN users u ON u.id = ui.user_id
    WHERE u.team_id = :team
    GROUP BY 1, 2
"""

_INTERACTIONS = """
    SELECT w.i, count(x.id)
    FROM unnest(CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[])) WITH ORDINALITY
         AS w(week_start, week_end, i)
    JOIN interactions x ON x.interaction_date >= w.week_start AND x.interaction_date < w.week_end
    JOIN users u ON u.id = x.user_id
    WHERE u.team_id = :team
    GROUP BY 1
"""


def weekly_trends(db: Session, *, team_id: str, end: datetime, weeks: int = CHART_WEEKS) -> WeeklyTrends:
    """The `weeks` weeks ending at `end`: pipeline by status at each week's end, interactions in each."""
    bounds = week_bounds(end, weeks)
    starts, ends = bounds[:-1], bounds[1:]
    pipeline = {status: [0] * weeks for status in RELATIONSHIP_STATUSES}
    for i, status, n in db.execute(text(_PIPELINE), {"ends": ends, "team": team_id}):
        pipeline[status][i - 1] = n
    interactions = [0] * weeks
    for i, n in db.execute(text(_INTERACTIONS), {"starts": starts, "ends": ends, "team": team_id}):
        interactions[i - 1] = n
    return WeeklyTrends(week_starts=starts, end=bounds[-1], pipeline=pipeline, interactions=interactions)
