"""Carrying out an import plan: all of it or none of it, and nothing twice.

Everything runs in a savepoint of the caller's transaction: an error anywhere (the database, a
profile taken by someone else since the plan was made) rolls the whole import back and is raised;
the caller commits. Each creator is found again by its profiles at apply time and each field is
compared again, so applying the same file twice changes nothing the second time and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crm.errors import Forbidden
from crm.imports.limits import PROGRESS_EVERY
from crm.imports.plan import COLUMN_OF, ImportPlan, PlannedCreator, changes_to
from crm.influencers import link_profile, save_influencer
from crm.models import User
from crm.profiles import Profile
from crm.relationships import add_to_list


@dataclass
class ImportResult:
    created: int = 0  # creators new to the workspace
    added: int = 0  # creators put on (or back on) the actor's list
    updated: int = 0  # relationships whose fields changed
    unchanged: int = 0
    profiles_linked: int = 0  # profiles added to creators already in the directory
    invalid: int = 0  # rows left out

    @property
    def changes(self) -> int:
        return self.created + self.added + self.updated + self.profiles_linked


def apply_import(
    db: Session, *, actor: User, plan: ImportPlan, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Import the plan's creators for `actor` (never commits); progress(done, total) as it goes."""
    if plan.user_id != actor.id or plan.team_id != actor.team_id:
        raise Forbidden("That import was planned for someone else.")
    result = ImportResult(invalid=len(plan.invalid))
    total = len(plan.creators)
    with db.begin_nested():
        for done, creator in enumerate(plan.creators, start=1):
            _apply_one(db, actor=actor, creator=creator, result=result)
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
    return result


def _ref(profile: Profile) -> dict[str, str]:
    return {"ref": profile.url or profile.handle, "platform": profile.platform}


def _apply_one(db: Session, *, actor: User, creator: PlannedCreator, result: ImportResult) -> None:
    anchor = creator.anchor or creator.profiles[0]
    influencer = save_influencer(
        db, team_id=actor.team_id, name=creator.name, email=creator.email, **_ref(anchor)
    )
    if creator.influencer_id is None:
        result.created += 1
    for profile in creator.profiles:
        if profile.identity != anchor.identity:
            _, linked = link_profile(db, team_id=actor.team_id, influencer_id=influencer.id, **_ref(profile))
            result.profiles_linked += linked and creator.influencer_id is not None
    relationship, added = add_to_list(db, actor=actor, influencer_id=influencer.id)
    changes = changes_to(relationship, creator.values)
    for name, (_, new) in changes.items():
        setattr(relationship, COLUMN_OF.get(name, name), new)
    if changes:
        db.flush()
    if added and creator.influencer_id is not None:
        result.added += 1
    elif changes and not added:
        result.updated += 1
    elif not added:
        result.unchanged += 1
