"""Interactions: emails, calls, meetings, notes and files a user logs about an influencer.

Logging one is two statements on the happy path:
1. INSERT … SELECT the interaction from the influencer row, so the same statement checks that the
   influencer (and the campaign, if any) is in the actor's workspace; ON CONFLICT (idempotency_key)
   DO NOTHING makes a resubmitted form return the first interaction and write nothing.
2. An upsert of the actor's relationship: puts the influencer on the list if needed, and for an
   email, call or meeting sets last_contacted_at (never backwards), moves `saved` to `contacted` and
   completes a follow-up due by the end of the interaction's local day (the reminder is answered);
   every log recomputes relationship_strength with crm.strength's SQL formula.
3. With a contact cadence (crm.cadence; the upsert also returns its status's default), a contact
   then sets the next follow-up (last contact + cadence) unless a later one was set by hand: one
   more statement, only for those.
When the INSERT adds no row, a slower path works out why (duplicate key, foreign campaign, unknown
influencer) and answers accordingly.

A log just made can be taken back (undo_log): the caller reads the relationship's LogPoint before
the log (before_log) and after it, and Undo deletes the interaction and puts back what the log
changed, while it is still as the log left it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import (
    DateTime,
    String,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.orm import Session, joinedload

from crm.cadence import schedule_after_contact, status_default_sql
from crm.clock import end_of_local_day, resolve_now, zone_of
from crm.errors import Conflict, InvalidInput, NotFound
from crm.followups import set_follow_up
from crm.models import (
    CONTACT_TYPES,
    INTERACTION_TYPES,
    Assignment,
    Campaign,
    Influencer,
    Interaction,
    Relationship,
    User,
)
from crm.relationship_fields import each_creator_once
from crm.relationship_list import OFFSET_MAX
from crm.strength import strength_subquery
from crm.text import clean_text
from crm.urls import validate_http_url

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks drift; a date a few minutes ahead is "now"
OLDEST = timedelta(days=50 * 366)
SUBJECT_MAX = 255
CONTENT_MAX = 20_000
KEY_MAX = 200
TYPE_ALIASES = {"file": "file_upload"}
# Creators one command logs the same interaction with (log_several): its Undo carries each one's
# interaction and before / after points in a Slack button value (2,000 characters).
LOG_AT_ONCE_MAX = 15
NOT_YOURS = "That interaction doesn't exist or isn't yours."


@dataclass(frozen=True, slots=True)
class NewInteraction:
    """What the user logged. `interaction_date` defaults to now; `type` "file" means file_upload."""

    type: str
    subject: str | None = None
    content: str | None = None
    file_url: str | None = None
    interaction_date: datetime | None = None
    campaign_id: uuid.UUID | None = None
    idempotency_key: str | None = None


def _validated(data: NewInteraction, now: datetime) -> NewInteraction:
    """A cleaned copy of `data` with the date filled in; InvalidInput naming the first bad field."""
    kind = (data.type or "").strip().lower() if isinstance(data.type, str) else ""
    kind = TYPE_ALIASES.get(kind, kind)
    if kind not in INTERACTION_TYPES:
        raise InvalidInput("type", f"Type must be one of: {', '.join(INTERACTION_TYPES)}.")
    subject = clean_text(data.subject, field="subject", max_len=SUBJECT_MAX, label="The subject")
    content = clean_text(
        data.content, field="content", max_len=CONTENT_MAX, multiline=True, label="The content"
    )
    file_url = None
    if clean_text(data.file_url, field="file_url", max_len=None, label="The link") is not None:
        file_url = validate_http_url(data.file_url, field="file_url")
    elif kind == "file_upload":
        raise InvalidInput("file_url", "A file upload needs the file's link (http:// or https://).")
    when = data.interaction_date or now
    if not isinstance(when, datetime) or when.utcoffset() is None:
        raise InvalidInput("interaction_date", "The date needs a time zone.")
    if when > now + FUTURE_TOLERANCE:
        raise InvalidInput("interaction_date", "The interaction can't be in the future.")
    if when < now - OLDEST:
        raise InvalidInput("interaction_date", "That date is more than 50 years ago.")
    if data.campaign_id is not None and not isinstance(data.campaign_id, uuid.UUID):
        raise InvalidInput("campaign", "Pick a campaign from the list.")
    key = clean_text(
        data.idempotency_key, field="idempotency_key", max_len=KEY_MAX, label="The idempotency key"
    )
    return NewInteraction(
        type=kind,
        subject=subject,
        content=content,
        file_url=file_url,
        interaction_date=when,
        campaign_id=data.campaign_id,
        idempotency_key=key,
    )


def log_interaction(
    db: Session,
    *,
    actor: User,
    influencer_id: uuid.UUID,
    data: NewInteraction,
    now: datetime | None = None,
    next_follow_up: date | datetime | None = None,
) -> Interaction:
    """Record an interaction and update the actor's relationship (see the module docstring);
    `next_follow_up`, picked with the log, is then set by hand (it wins over a cadence's date)."""
    now = resolve_now(now)
    clean = _validated(data, now)
    when = clean.interaction_date
    assert when is not None

    source = select(
        literal(actor.id, UUID(as_uuid=True)),
        Influencer.id,
        literal(clean.campaign_id, UUID(as_uuid=True)),
        literal(clean.type, String),
        literal(clean.subject, String),
        literal(clean.content, String),
        literal(clean.file_url, String),
        literal(when, DateTime(timezone=True)),
        literal(clean.idempotency_key, String),
    ).where(Influencer.id == influencer_id, Influencer.team_id == actor.team_id)
    if clean.campaign_id is not None:
        source = source.where(
            exists().where(Campaign.id == clean.campaign_id, Campaign.team_id == actor.team_id)
        )
    columns = [
        "user_id",
        "influencer_id",
        "campaign_id",
        "type",
        "subject",
        "content",
        "file_url",
        "interaction_date",
        "idempotency_key",
    ]
    stmt = (
        insert(Interaction)
        .from_select(columns, source)
        .on_conflict_do_nothing(index_elements=[Interaction.idempotency_key])
        .returning(Interaction)
    )
    interaction = db.scalars(stmt).one_or_none()
    if interaction is None:
        return _why_nothing_was_inserted(db, actor=actor, clean=clean)

    relationship, status_default = _upsert_relationship(
        db, actor=actor, influencer_id=influencer_id, clean=clean, now=now
    )
    if clean.type in CONTACT_TYPES:
        schedule_after_contact(db, actor=actor, relationship=relationship, status_default=status_default)
    if next_follow_up is not None:
        set_follow_up(db, actor=actor, influencer_id=influencer_id, due=next_follow_up, now=now)
    return interaction


def _upsert_relationship(
    db: Session, *, actor: User, influencer_id: uuid.UUID, clean: NewInteraction, now: datetime
) -> tuple[Relationship, int | None]:
    """The upserted relationship and its status's default cadence (crm.cadence), in one statement."""
    when = clean.interaction_date
    contact = clean.type in CONTACT_TYPES
    strength = strength_subquery(actor.id, influencer_id, now)
    stmt = insert(Relationship).values(
        user_id=actor.id,
        influencer_id=influencer_id,
        status="contacted" if contact else "saved",
        last_contacted_at=when if contact else None,
        relationship_strength=strength,
    )
    changes: dict[str, object] = {"relationship_strength": strength}
    if contact:
        # A follow-up due any time on the interaction's local day (or earlier) has been answered.
        cutoff = end_of_local_day(when, zone_of(actor.timezone))
        changes |= {
            # greatest() ignores NULL: the first contact sets it, a back-dated one never rewinds it.
            "last_contacted_at": func.greatest(Relationship.last_contacted_at, when),
            "status": case((Relationship.status == "saved", "contacted"), else_=Relationship.status),
            "follow_up_date": case(
                (Relationship.follow_up_date < cutoff, null()), else_=Relationship.follow_up_date
            ),
        }
    stmt = stmt.on_conflict_do_update(
        index_elements=[Relationship.user_id, Relationship.influencer_id], set_=changes
    ).returning(Relationship, status_default_sql(actor.team_id))
    row = db.execute(stmt, execution_options={"populate_existing": True}).one()
    return row[0], row[1]


def _why_nothing_was_inserted(db: Session, *, actor: User, clean: NewInteraction) -> Interaction:
    """The INSERT … SELECT added nothing: return the earlier submission, or raise the reason."""
    if clean.idempotency_key is not None:
        existing = db.scalars(
            select(Interaction).where(Interaction.idempotency_key == clean.idempotency_key)
        ).one_or_none()
        if existing is not None:
            if existing.user_id != actor.id:
                raise Conflict("That form was already submitted by someone else; open it again.")
            return existing
    if clean.campaign_id is not None:
        in_team = db.scalar(
            select(exists().where(Campaign.id == clean.campaign_id, Campaign.team_id == actor.team_id))
        )
        if not in_team:
            raise InvalidInput("campaign", "That campaign isn't in this workspace.")
    raise NotFound("That influencer is not in this workspace's directory.")


@dataclass(frozen=True, slots=True)
class InteractionSummary:
    """One logged interaction as a card lists it, with its campaign's name (None: no campaign)."""

    id: uuid.UUID
    type: str
    subject: str | None
    content: str | None
    file_url: str | None
    interaction_date: datetime
    campaign_name: str | None


_int = Interaction.__table__
_camp = Campaign.__table__
# Built once: the card lists these on every /crm show.
_LATEST = (
    select(
        _int.c.id,
        _int.c.type,
        _int.c.subject,
        _int.c.content,
        _int.c.file_url,
        _int.c.interaction_date,
        _camp.c.name,
    )
    .select_from(_int.outerjoin(_camp, _camp.c.id == _int.c.campaign_id))
    .where(_int.c.user_id == bindparam("user_id"), _int.c.influencer_id == bindparam("influencer_id"))
    .order_by(_int.c.interaction_date.desc(), _int.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def list_interactions(
    db: Session, *, actor: User, influencer_id: uuid.UUID, limit: int = 10, offset: int = 0
) -> list[InteractionSummary]:
    """The actor's interactions with an influencer, newest first (campaign name in the same query),
    from the `offset`-th on (a page of `/crm history`)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise InvalidInput("limit", "Show from 1 to 100 interactions.")
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= OFFSET_MAX:
        raise InvalidInput("offset", f"The offset must be from 0 to {OFFSET_MAX:,}.")
    params = {"user_id": actor.id, "influencer_id": influencer_id, "limit": limit, "offset": offset}
    return [InteractionSummary(*row) for row in db.execute(_LATEST, params)]


def count_interactions(db: Session, *, actor: User, influencer_id: uuid.UUID) -> int:
    """How many interactions the actor logged with the influencer."""
    mine = (Interaction.user_id == actor.id, Interaction.influencer_id == influencer_id)
    return db.scalar(select(func.count()).select_from(Interaction).where(*mine)) or 0


def get_interaction(db: Session, *, actor: User, interaction_id: uuid.UUID) -> Interaction:
    """One of the actor's interactions; NotFound for another user's or a missing one."""
    interaction = db.scalars(
        select(Interaction)
        .options(joinedload(Interaction.influencer, innerjoin=True))
        .where(Interaction.id == interaction_id, Interaction.user_id == actor.id)
    ).one_or_none()
    if interaction is None:
        raise NotFound(NOT_YOURS)
    return interaction


def delete_interaction(
    db: Session, *, actor: User, interaction_id: uuid.UUID, now: datetime | None = None
) -> Relationship | None:
    """Delete one of the actor's interactions; recompute the relationship's strength, and its last
    contact when the deleted one was it (then the latest email, call or meeting left, or none).

    A last contact that came from elsewhere (an import, or later than any logged) stays. Status and
    follow-up are left as they are (they may have been changed since). Returns the updated
    relationship, or None if the influencer is no longer on the actor's list.
    """
    now = resolve_now(now)
    deleted = db.execute(
        delete(Interaction)
        .where(Interaction.id == interaction_id, Interaction.user_id == actor.id)
        .returning(Interaction.influencer_id, Interaction.type, Interaction.interaction_date)
    ).one_or_none()
    if deleted is None:
        raise NotFound(NOT_YOURS)
    influencer_id, kind, when = deleted
    changes: dict[str, object] = {"relationship_strength": strength_subquery(actor.id, influencer_id, now)}
    if kind in CONTACT_TYPES:
        left = (
            select(func.max(Interaction.interaction_date))
            .where(
                Interaction.user_id == actor.id,
                Interaction.influencer_id == influencer_id,
                Interaction.type.in_(CONTACT_TYPES),
            )
            .scalar_subquery()
        )
        changes["last_contacted_at"] = case(
            (Relationship.last_contacted_at == when, left), else_=Relationship.last_contacted_at
        )
    stmt = (
        update(Relationship)
        .where(Relationship.user_id == actor.id, Relationship.influencer_id == influencer_id)
        .values(changes)
        .returning(Relationship)
    )
    return db.scalars(stmt, execution_options={"populate_existing": True}).one_or_none()


def _locked(db: Session, *, actor: User, interaction_id: uuid.UUID) -> Interaction | None:
    """One of the actor's interactions, with its influencer, locked until the commit; None if none."""
    return db.scalars(
        select(Interaction)
        .options(joinedload(Interaction.influencer, innerjoin=True))
        .where(Interaction.id == interaction_id, Interaction.user_id == actor.id)
        .with_for_update(of=Interaction)
    ).one_or_none()


def edit_interaction(
    db: Session,
    *,
    actor: User,
    interaction_id: uuid.UUID,
    data: NewInteraction,
    now: datetime | None = None,
) -> Interaction:
    """Change one of the actor's interactions: its type, subject, content, date, campaign and file
    link, validated as a log is (`data` holds them all: pass the file link it has to keep it).

    The strength is worked out again; the last contact too, when this one was it or now is the
    latest. Status and follow-up stay as they are. NotFound for another user's or a missing one.
    """
    now = resolve_now(now)
    clean = _validated(data, now)
    interaction = _locked(db, actor=actor, interaction_id=interaction_id)
    if interaction is None:
        raise NotFound(NOT_YOURS)
    if clean.campaign_id is not None:
        in_team = exists().where(Campaign.id == clean.campaign_id, Campaign.team_id == actor.team_id)
        if not db.scalar(select(in_team)):
            raise InvalidInput("campaign", "That campaign isn't in this workspace.")
    was_contact = interaction.type in CONTACT_TYPES
    old_date = interaction.interaction_date
    interaction.type, interaction.subject, interaction.content = clean.type, clean.subject, clean.content
    interaction.file_url, interaction.campaign_id = clean.file_url, clean.campaign_id
    interaction.interaction_date = clean.interaction_date
    db.flush()
    mine = (Interaction.user_id == actor.id, Interaction.influencer_id == interaction.influencer_id)
    changes: dict[str, object] = {
        "relationship_strength": strength_subquery(actor.id, interaction.influencer_id, now)
    }
    latest = select(func.max(Interaction.interaction_date)).where(*mine, Interaction.type.in_(CONTACT_TYPES))
    if was_contact:  # it may have been the last contact: the latest left, unless one from elsewhere
        changes["last_contacted_at"] = case(
            (Relationship.last_contacted_at == old_date, latest.scalar_subquery()),
            else_=func.greatest(Relationship.last_contacted_at, latest.scalar_subquery()),
        )
    elif clean.type in CONTACT_TYPES:
        changes["last_contacted_at"] = func.greatest(Relationship.last_contacted_at, clean.interaction_date)
    stmt = (
        update(Relationship)
        .where(Relationship.user_id == actor.id, Relationship.influencer_id == interaction.influencer_id)
        .values(changes)
        .returning(Relationship)
    )
    db.scalars(stmt, execution_options={"populate_existing": True}).one_or_none()
    return interaction


@dataclass(frozen=True, slots=True)
class LogPoint:
    """What a log may change on the actor's relationship besides its strength (which undo_log
    recomputes), and so what its Undo puts back: the status, the follow-up (with whether the
    cadence set it) and the last contact."""

    status: str
    follow_up_date: datetime | None
    follow_up_from_cadence: bool
    last_contacted_at: datetime | None = None

    @classmethod
    def of(cls, relationship: Relationship) -> LogPoint:
        return cls(
            relationship.status,
            relationship.follow_up_date,
            relationship.follow_up_from_cadence,
            relationship.last_contacted_at,
        )

    @property
    def follow_up(self) -> tuple[datetime | None, bool]:
        return self.follow_up_date, self.follow_up_from_cadence


def before_log(db: Session, *, actor: User, influencer_id: uuid.UUID) -> LogPoint | None:
    """The actor's relationship with this influencer as it is before a log (None: not on the list,
    not even archived), locked until the commit so that the log that follows is the next change."""
    relationship = db.scalars(
        select(Relationship)
        .where(Relationship.user_id == actor.id, Relationship.influencer_id == influencer_id)
        .with_for_update()
    ).one_or_none()
    return None if relationship is None else LogPoint.of(relationship)


@dataclass(frozen=True, slots=True)
class UndoneLog:
    """What undo_log did. `relationship` is None when the creator is off the list again (the log
    had put them on it); `status_back` / `follow_up_back`: as before the log (a change made since
    the log stays); `kept`: the log had put them on the list, and they stay, with what was added."""

    influencer: Influencer
    type: str
    relationship: Relationship | None
    status_back: bool = True
    follow_up_back: bool = True
    kept: bool = False


def undo_log(
    db: Session,
    *,
    actor: User,
    interaction_id: uuid.UUID,
    before: LogPoint | None,
    after: LogPoint,
    now: datetime | None = None,
) -> UndoneLog | None:
    """Take back an interaction just logged: delete it (the strength is recomputed), and put back
    the status, the follow-up and the last contact it changed (`before`) while each is still as the
    log left it (`after`).

    When the log had put the creator on the list (`before` None), the relationship goes too, unless
    something was added to it since (another interaction, notes, tags, a priority, a cadence, a
    campaign). None when the interaction is not there: taken back already, or never the actor's.
    """
    interaction = _locked(db, actor=actor, interaction_id=interaction_id)
    if interaction is None:
        return None
    influencer, kind = interaction.influencer, interaction.type
    mine = (Relationship.user_id == actor.id, Relationship.influencer_id == influencer.id)
    found = db.scalars(select(Relationship).where(*mine).with_for_update()).one_or_none()
    was = None if found is None else LogPoint.of(found)  # as it is now, before the delete below
    relationship = delete_interaction(db, actor=actor, interaction_id=interaction_id, now=now)
    if relationship is None or was is None:
        return UndoneLog(influencer, kind, relationship)
    if before is None:
        if was == after and _only_what_the_log_made(db, actor=actor, relationship=relationship):
            db.delete(relationship)
            db.flush()
            return UndoneLog(influencer, kind, None)
        return UndoneLog(influencer, kind, relationship, status_back=False, follow_up_back=False, kept=True)
    if was.status == after.status:
        relationship.status = before.status
    if was.follow_up == after.follow_up:
        relationship.follow_up_date = before.follow_up_date
        relationship.follow_up_from_cadence = before.follow_up_from_cadence
    if was.last_contacted_at == after.last_contacted_at:
        relationship.last_contacted_at = before.last_contacted_at
    db.flush()
    now_at = LogPoint.of(relationship)
    return UndoneLog(
        influencer,
        kind,
        relationship,
        status_back=now_at.status == before.status,
        follow_up_back=now_at.follow_up == before.follow_up,
    )


def _only_what_the_log_made(db: Session, *, actor: User, relationship: Relationship) -> bool:
    """Nothing was added to a relationship a log created, once that log is deleted: no other
    interaction, notes, tags, priority, cadence or campaign of the actor's, and not archived."""
    if relationship.notes or relationship.tags or relationship.priority:
        return False
    if relationship.cadence_days is not None or relationship.archived_at is not None:
        return False
    mine = (Interaction.user_id == actor.id, Interaction.influencer_id == relationship.influencer_id)
    assigned = (Assignment.user_id == actor.id, Assignment.influencer_id == relationship.influencer_id)
    return not db.scalar(select(exists().where(*mine))) and not db.scalar(select(exists().where(*assigned)))


@dataclass(frozen=True, slots=True)
class Logged:
    """One interaction of log_several, with the relationship's point before and after it."""

    interaction: Interaction
    before: LogPoint | None
    after: LogPoint


def log_several(
    db: Session,
    *,
    actor: User,
    influencer_ids: Sequence[uuid.UUID],
    data: NewInteraction,
    now: datetime | None = None,
) -> list[Logged]:
    """Log the same interaction with each influencer (a row each, as log_interaction logs one), in
    order, a repeated id once; at most LOG_AT_ONCE_MAX. With `data.idempotency_key`, each row's key
    is it and the influencer, so a replayed command logs nothing twice. The points before and
    after each log are what undo_log takes back to."""
    unique = each_creator_once(influencer_ids, at_most=LOG_AT_ONCE_MAX, done="are logged with")
    now = resolve_now(now)
    logged = []
    for influencer_id in unique:
        key = f"{data.idempotency_key}:{influencer_id.hex}" if data.idempotency_key else None
        before = before_log(db, actor=actor, influencer_id=influencer_id)
        interaction = log_interaction(
            db, actor=actor, influencer_id=influencer_id, data=replace(data, idempotency_key=key), now=now
        )
        mine = (Relationship.user_id == actor.id, Relationship.influencer_id == influencer_id)
        after = LogPoint.of(db.scalars(select(Relationship).where(*mine)).one())
        logged.append(Logged(interaction, before, after))
    return logged
