"""Carrying out an import plan: all of it or none of it, and nothing twice.

Everything runs in a savepoint of the caller's transaction: an error anywhere (the database, a
profile taken by someone else since the plan was made) rolls the whole import back and is raised;
the caller commits. Each creator is found again by its profiles at apply time and each field is
compared again, so applying the same file twice changes nothing the second time and says so.

Creators are applied in batches of APPLY_BATCH with a handful of statements per batch (look up
profiles, insert new creators and their profiles, load and insert relationships, flush the
changes) instead of the several statements per creator that crm.influencers.save_influencer and
crm.relationships.add_to_list take one at a time: 10,000 creators in ~40 batches.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from crm.errors import Conflict, Forbidden, InvalidInput
from crm.imports.limits import APPLY_BATCH
from crm.imports.plan import COLUMN_OF, ImportPlan, PlannedCreator, changes_to
from crm.influencers import UNIQUE_PROFILE, named_by_handle
from crm.models import Influencer, InfluencerProfile, Relationship, User
from crm.profiles import PROFILES_MAX, Profile

# A new relationship's columns as the database defaults them (each import row sets the same keys).
_NEW_RELATIONSHIP = {
    "status": "saved",
    "priority": 0,
    "tags": [],
    "notes": None,
    "follow_up_date": None,
    "last_contacted_at": None,
    "cadence_days": None,
}
_CHANGED_MEANWHILE = (
    "Someone changed these creators while the import ran ({what}); nothing was imported. "
    "Run the import again to see a fresh preview."
)


@dataclass
class ImportResult:
    created: int = 0  # creators new to the workspace
    added: int = 0  # creators put on (or back on) the actor's list
    updated: int = 0  # relationships whose fields changed
    unchanged: int = 0
    profiles_linked: int = 0  # profiles added to creators already in the directory
    invalid: int = 0  # rows left out
    partial: int = 0  # rows imported without some of their values

    @property
    def changes(self) -> int:
        return self.created + self.added + self.updated + self.profiles_linked


def apply_import(
    db: Session, *, actor: User, plan: ImportPlan, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Import the plan's creators for `actor` (never commits); progress(done, total) after each batch."""
    if plan.user_id != actor.id or plan.team_id != actor.team_id:
        raise Forbidden("That import was planned for someone else.")
    result = ImportResult(invalid=len(plan.invalid), partial=len(plan.partial))
    total = len(plan.creators)
    with db.begin_nested():
        for start in range(0, total, APPLY_BATCH):
            batch = plan.creators[start : start + APPLY_BATCH]
            _apply_batch(db, actor=actor, batch=batch, result=result)
            if progress is not None:
                progress(start + len(batch), total)
    return result


def _apply_batch(db: Session, *, actor: User, batch: Sequence[PlannedCreator], result: ImportResult) -> None:
    owner = _owners(db, team_id=actor.team_id, identities=[p.identity for c in batch for p in c.profiles])
    influencer_of: dict[int, uuid.UUID] = {}  # index in batch → influencer id
    new: list[int] = []
    for i, creator in enumerate(batch):
        owners = {owner[p.identity] for p in creator.profiles if p.identity in owner}
        if len(owners) > 1:
            raise Conflict(
                _CHANGED_MEANWHILE.format(what="two of their profiles now belong to different creators")
            )
        if owners:
            influencer_of[i] = owners.pop()
        else:
            new.append(i)
    existed = set(influencer_of)
    _create_influencers(db, actor=actor, batch=batch, new=new, influencer_of=influencer_of)
    result.created += len(new)
    _fill_in_directory(db, batch=batch, influencer_of={i: influencer_of[i] for i in existed})
    result.profiles_linked += _link_profiles(
        db, actor=actor, batch=batch, owner=owner, influencer_of={i: influencer_of[i] for i in existed}
    )
    _apply_relationships(
        db, actor=actor, batch=batch, influencer_of=influencer_of, existed=existed, result=result
    )


def _owners(db: Session, *, team_id: str, identities: list[str]) -> dict[str, uuid.UUID]:
    """identity key → the creator it belongs to in the team, for the keys already in the directory."""
    rows = db.execute(
        select(InfluencerProfile.identity_key, InfluencerProfile.influencer_id).where(
            InfluencerProfile.team_id == team_id, InfluencerProfile.identity_key.in_(identities)
        )
    )
    return {identity: influencer_id for identity, influencer_id in rows}


def _profile_row(influencer_id: uuid.UUID, team_id: str, profile: Profile, *, primary: bool) -> dict:
    return {
        "influencer_id": influencer_id,
        "team_id": team_id,
        "platform": profile.platform,
        "handle": profile.handle,
        "url": profile.url,
        "identity_key": profile.identity,
        "is_primary": primary,
    }


def _insert_profiles(db: Session, rows: list[dict]) -> set[str]:
    """Insert profile rows in order (the card lists profiles in the order they were linked); the
    identity keys inserted (a key taken meanwhile is skipped, not an error)."""
    if not rows:
        return set()
    stmt = (
        pg_insert(InfluencerProfile.__table__)
        .values(created_at=func.clock_timestamp())
        .on_conflict_do_nothing(constraint=UNIQUE_PROFILE)
        .returning(InfluencerProfile.identity_key)
    )
    return set(db.scalars(stmt, rows))


def _create_influencers(
    db: Session,
    *,
    actor: User,
    batch: Sequence[PlannedCreator],
    new: list[int],
    influencer_of: dict[int, uuid.UUID],
) -> None:
    """New creators with all their profiles, the first one primary."""
    if not new:
        return
    rows = []
    for i in new:
        first = batch[i].profiles[0]
        rows.append(
            {
                "team_id": actor.team_id,
                "name": batch[i].name or first.handle,
                "platform": first.platform,
                "handle": first.handle,
                "profile_url": first.url,
                "email": batch[i].email,
                "follower_count": batch[i].followers,
            }
        )
    ids = db.scalars(insert(Influencer).returning(Influencer.id, sort_by_parameter_order=True), rows).all()
    profiles = []
    for i, influencer_id in zip(new, ids, strict=True):
        influencer_of[i] = influencer_id
        profiles += [
            _profile_row(influencer_id, actor.team_id, p, primary=n == 0)
            for n, p in enumerate(batch[i].profiles)
        ]
    inserted = _insert_profiles(db, profiles)
    if len(inserted) != len(profiles):
        raise Conflict(_CHANGED_MEANWHILE.format(what="a creator in the file was added meanwhile"))


def _fill_in_directory(
    db: Session, *, batch: Sequence[PlannedCreator], influencer_of: dict[int, uuid.UUID]
) -> None:
    """What the directory lacks, as crm.influencers.save_influencer fills it: an e-mail, a name
    that is still the handle; never other data a colleague entered. A follower count given is the
    latest, so it replaces the one there, as save_influencer does."""
    wanted = {
        i: influencer_of[i]
        for i in influencer_of
        if batch[i].name or batch[i].email or batch[i].followers is not None
    }
    if not wanted:
        return
    loaded = {
        influencer.id: influencer
        for influencer in db.scalars(select(Influencer).where(Influencer.id.in_(set(wanted.values()))))
    }
    for i, influencer_id in wanted.items():
        influencer, creator = loaded[influencer_id], batch[i]
        if creator.name and named_by_handle(influencer) and creator.name != influencer.name:
            influencer.name = creator.name
        if creator.email and not influencer.email:
            influencer.email = creator.email
        if creator.followers is not None and creator.followers != influencer.follower_count:
            influencer.follower_count = creator.followers


def _link_profiles(
    db: Session,
    *,
    actor: User,
    batch: Sequence[PlannedCreator],
    owner: dict[str, uuid.UUID],
    influencer_of: dict[int, uuid.UUID],
) -> int:
    """Add the file's other profiles to creators already in the directory; how many were added."""
    rows = [
        _profile_row(influencer_of[i], actor.team_id, p, primary=False)
        for i in influencer_of
        for p in batch[i].profiles
        if p.identity not in owner
    ]
    if not rows:
        return 0
    adding: dict[uuid.UUID, int] = {}
    for row in rows:
        adding[row["influencer_id"]] = adding.get(row["influencer_id"], 0) + 1
    have = {
        influencer_id: count
        for influencer_id, count in db.execute(
            select(InfluencerProfile.influencer_id, func.count())
            .where(InfluencerProfile.influencer_id.in_(adding))
            .group_by(InfluencerProfile.influencer_id)
        )
    }
    if any(have.get(influencer_id, 0) + n > PROFILES_MAX for influencer_id, n in adding.items()):
        raise InvalidInput("profile", f"A creator can have at most {PROFILES_MAX} profiles.")
    inserted = _insert_profiles(db, rows)
    if len(inserted) != len(rows):
        raise Conflict(
            _CHANGED_MEANWHILE.format(what="a profile in the file was linked to a creator meanwhile")
        )
    return len(rows)


def _apply_relationships(
    db: Session,
    *,
    actor: User,
    batch: Sequence[PlannedCreator],
    influencer_of: dict[int, uuid.UUID],
    existed: set[int],
    result: ImportResult,
) -> None:
    """Put each creator on the actor's list (or back on it) and set the fields that differ."""
    current = {
        r.influencer_id: r
        for r in db.scalars(
            select(Relationship).where(
                Relationship.user_id == actor.id, Relationship.influencer_id.in_(set(influencer_of.values()))
            )
        )
    }
    missing: list[dict] = []
    for i, influencer_id in influencer_of.items():
        relationship = current.get(influencer_id)
        if relationship is None:
            values = {
                COLUMN_OF.get(name, name): new for name, (_, new) in changes_to(None, batch[i].values).items()
            }
            missing.append(
                {**_NEW_RELATIONSHIP, "user_id": actor.id, "influencer_id": influencer_id, **values}
            )
            result.added += i in existed
            continue
        added = relationship.archived_at is not None
        relationship.archived_at = None
        changes = changes_to(relationship, batch[i].values)
        for name, (_, new) in changes.items():
            setattr(relationship, COLUMN_OF.get(name, name), new)
        if "follow_up" in changes:  # a date from the file is one set by hand, not by the cadence
            relationship.follow_up_from_cadence = False
        if added:
            result.added += 1
        elif changes:
            result.updated += 1
        else:
            result.unchanged += 1
    db.flush()
    if missing:
        stmt = (
            pg_insert(Relationship.__table__)
            .on_conflict_do_nothing(index_elements=["user_id", "influencer_id"])
            .returning(Relationship.id)
        )
        if len(db.scalars(stmt, missing).all()) != len(missing):
            raise Conflict(_CHANGED_MEANWHILE.format(what="some were put on your list meanwhile"))
