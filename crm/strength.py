"""Relationship strength: a deterministic 0–100 score of one relationship's interactions at `now`.

The formula (one place, used by Python and SQL alike):

    S     = Σ  WEIGHTS[type] · 2^(−age_days / HALF_LIFE_DAYS)     over the relationship's interactions
    score = ⌊ 100 · (1 − e^(−S / SATURATION)) + ½ ⌋                 (rounded half up, 0 ≤ score ≤ 100)

- WEIGHTS rank the effort an interaction shows: meeting 10 > call 6 > email 3 > note = file_upload 1.
- Recency: an interaction loses half its weight every HALF_LIFE_DAYS (30). An interaction dated after
  `now` counts as happening at `now` (age 0), so a future date cannot inflate the score.
- Saturation: 1 − e^(−S/20) turns the unbounded sum into 0–100 with diminishing returns: one meeting
  today scores 39, one email today 14, a meeting 30 days ago 22; two meetings (1 and 3 days ago) and
  two calls (today and 2 days ago) 79. No interactions → 0.
- Properties (tested): bounded 0..100; an older interaction never counts more than a newer one of the
  same type; adding an interaction never lowers the score; more time passing never raises it.
- Exponents are clamped at −700 so PostgreSQL's exp() never underflows (it raises instead of returning
  0); the clamp changes nothing visible (e^−700 ≈ 1e−304).

`explain()` says what drives a score: interactions by type over the last 90 days, days since the last
contact, and the score 30 days on if nothing happens (the same formula at now + 30 days).
`score()` evaluates it in Python; `weighted_sum_sql()` / `score_sql()` build the same expression as
SQLAlchemy Core from the same constants for `recompute` (one relationship) and `recompute_all` (every
relationship in one UPDATE … FROM, for the nightly decay).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Float, and_, bindparam, case, cast, extract, func, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from crm.clock import resolve_now
from crm.errors import NotFound
from crm.models import Interaction, Relationship

WEIGHTS: dict[str, float] = {"meeting": 10.0, "call": 6.0, "email": 3.0, "note": 1.0, "file_upload": 1.0}
HALF_LIFE_DAYS = 30
SATURATION = 20.0
MIN_EXPONENT = -700.0

_HALF_LIFE_SECONDS = HALF_LIFE_DAYS * 86400.0
_LN2 = math.log(2.0)


def _decay_exponent(age_seconds: float) -> float:
    return max(MIN_EXPONENT, -_LN2 * max(0.0, age_seconds) / _HALF_LIFE_SECONDS)


def _score_from_sum(total: float) -> int:
    return math.floor(100.0 * (1.0 - math.exp(max(MIN_EXPONENT, -total / SATURATION))) + 0.5)


def score(interactions: Iterable[tuple[str, datetime]], *, now: datetime) -> int:
    """The strength (0–100) of (type, date) interactions at `now`; see the module docstring."""
    now = resolve_now(now)
    terms = []
    for kind, when in interactions:
        age = (now - resolve_now(when)).total_seconds()
        terms.append(WEIGHTS.get(kind, 0.0) * math.exp(_decay_exponent(age)))
    return _score_from_sum(math.fsum(terms))


@dataclass(frozen=True, slots=True)
class StrengthExplanation:
    """What drives a relationship's score: interactions by type in the last EXPLAIN_WINDOW, days since
    the last contact, the score now and the score it will have PROJECTION later if nothing happens."""

    score: int
    projected: int  # at now + PROJECTION, over the same interactions
    recent_by_type: dict[str, int]  # type → count in the last EXPLAIN_WINDOW, most weighty type first
    days_since_contact: int | None  # None: never contacted


EXPLAIN_WINDOW = timedelta(days=90)
PROJECTION = timedelta(days=30)


def explain(
    interactions: Iterable[tuple[str, datetime]], *, last_contacted_at: datetime | None, now: datetime
) -> StrengthExplanation:
    """The explanation of `score(interactions, now=now)` (see StrengthExplanation)."""
    now = resolve_now(now)
    items = [(kind, resolve_now(when)) for kind, when in interactions]
    counts: dict[str, int] = {}
    for kind in sorted(WEIGHTS, key=lambda k: -WEIGHTS[k]):
        n = sum(1 for k, when in items if k == kind and now - when <= EXPLAIN_WINDOW)
        if n:
            counts[kind] = n
    since = None if last_contacted_at is None else max(0, (now - last_contacted_at).days)
    return StrengthExplanation(
        score=score(items, now=now),
        projected=score(items, now=now + PROJECTION),
        recent_by_type=counts,
        days_since_contact=since,
    )


_int = Interaction.__table__
# Built once: every card explains its strength.
_TYPES_AND_DATES = select(_int.c.type, _int.c.interaction_date).where(
    _int.c.user_id == bindparam("user_id"), _int.c.influencer_id == bindparam("influencer_id")
)


def explain_relationship(
    db: Session,
    *,
    user_id: uuid.UUID,
    influencer_id: uuid.UUID,
    last_contacted_at: datetime | None,
    now: datetime,
) -> StrengthExplanation:
    """`explain` over one relationship's interactions (one statement on the per-relationship index)."""
    rows = db.execute(_TYPES_AND_DATES, {"user_id": user_id, "influencer_id": influencer_id})
    return explain([(kind, when) for kind, when in rows], last_contacted_at=last_contacted_at, now=now)


# The formula's parts that do not depend on `now`, built once: building the whole expression per
# statement cost ~0.45 ms (App Home's going-cold list builds it twice per refresh).
_TIMESTAMP = DateTime(timezone=True)
_ZERO = literal(0.0, Float)
_WEIGHT = case(
    *((Interaction.type == kind, literal(w, Float)) for kind, w in WEIGHTS.items()),
    else_=_ZERO,
)
_MIN_EXPONENT = literal(MIN_EXPONENT, Float)
_MINUS_LN2 = literal(-_LN2, Float)
_HALF_LIFE = literal(_HALF_LIFE_SECONDS, Float)
_SATURATION = literal(SATURATION, Float)
_HUNDRED = literal(100.0, Float)
_ONE = literal(1.0, Float)


def weighted_sum_sql(now: datetime) -> ColumnElement[float]:
    """SQL aggregate: Σ weight · decay over the `interactions` rows in scope (NULL when none)."""
    age = func.greatest(
        _ZERO, cast(extract("epoch", literal(now, _TIMESTAMP) - Interaction.interaction_date), Float)
    )
    exponent = func.greatest(_MIN_EXPONENT, _MINUS_LN2 * age / _HALF_LIFE)
    return func.sum(_WEIGHT * func.exp(exponent))


def score_sql(total: ColumnElement[float]) -> ColumnElement[int]:
    """SQL: the 0–100 score for a weighted sum (NULL sum → 0)."""
    saturation = func.greatest(_MIN_EXPONENT, -func.coalesce(total, _ZERO) / _SATURATION)
    return cast(
        func.floor(_HUNDRED * (_ONE - func.exp(saturation)) + 0.5),
        Relationship.relationship_strength.type,
    )


def strength_subquery(user_id, influencer_id, now: datetime):
    """A scalar subquery computing the score of (user_id, influencer_id)'s interactions at `now`."""
    return (
        select(score_sql(weighted_sum_sql(now)))
        .where(Interaction.user_id == user_id, Interaction.influencer_id == influencer_id)
        .scalar_subquery()
    )


def recompute(
    db: Session, *, user_id: uuid.UUID, influencer_id: uuid.UUID, now: datetime | None = None
) -> int:
    """Store and return the relationship's strength at `now`; NotFound when there is no relationship."""
    now = resolve_now(now)
    stmt = (
        update(Relationship)
        .where(Relationship.user_id == user_id, Relationship.influencer_id == influencer_id)
        .values(
            relationship_strength=strength_subquery(Relationship.user_id, Relationship.influencer_id, now)
        )
        .returning(Relationship)
    )
    relationship = db.scalars(stmt, execution_options={"populate_existing": True}).one_or_none()
    if relationship is None:
        raise NotFound("That influencer isn't on the list.")
    return relationship.relationship_strength


def recompute_all(db: Session, *, now: datetime | None = None) -> int:
    """Recompute every relationship's strength at `now` in one UPDATE … FROM; returns rows changed.

    Interactions are aggregated once per (user, influencer) and joined to the relationships (those
    with no interactions get 0); only rows whose value changes are written. Relationship objects
    already loaded in `db` are expired so they reread the new values.
    """
    now = resolve_now(now)
    sums = (
        select(
            Interaction.user_id,
            Interaction.influencer_id,
            weighted_sum_sql(now).label("total"),
        )
        .group_by(Interaction.user_id, Interaction.influencer_id)
        .subquery("sums")
    )
    rel = Relationship.__table__
    scored = (
        select(rel.c.id, score_sql(sums.c.total).label("score"))
        .outerjoin(
            sums,
            and_(sums.c.user_id == rel.c.user_id, sums.c.influencer_id == rel.c.influencer_id),
        )
        .subquery("scored")
    )
    target = rel.alias("target")
    stmt = (
        update(target)
        .where(target.c.id == scored.c.id, target.c.relationship_strength != scored.c.score)
        .values(relationship_strength=scored.c.score)
    )
    changed = db.execute(stmt).rowcount
    for obj in list(db.identity_map.values()):
        if isinstance(obj, Relationship):
            db.expire(obj, ["relationship_strength", "updated_at"])
    return changed
