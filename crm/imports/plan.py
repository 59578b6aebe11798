"""What an import would do, worked out without writing anything.

Rows naming the same creator — sharing any profile by crm.profiles' identity rules, however the
link is written — are merged into one planned creator (the duplicates inside the file); for each
field the first row with a value wins, and tags are pooled. Each creator is then looked up by its
profiles: new to the workspace, in the directory but not on the actor's list (or archived: it
comes back), or on the list, with the fields the import would change. A blank cell changes nothing;
tags are added to the ones already there, other fields are replaced. A value that cannot be read is
left out and the rest of its row imported (crm.imports.rows); the plan lists them by row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.clock import now as clock_now
from crm.errors import InvalidInput
from crm.imports.columns import ColumnMap
from crm.imports.limits import LOOKUP_BATCH
from crm.imports.rows import InvalidRow, RowData, left_out, read_row
from crm.imports.table import Table
from crm.models import Influencer, InfluencerProfile, Relationship, User
from crm.profiles import PROFILES_MAX, Profile
from crm.relationship_fields import TAGS_MAX
from crm.text import fold

# Relationship fields an import sets, in the order a summary lists them.
RELATIONSHIP_FIELDS = ("status", "priority", "tags", "notes", "follow_up", "last_contacted", "cadence")
COLUMN_OF = {"follow_up": "follow_up_date", "last_contacted": "last_contacted_at", "cadence": "cadence_days"}


@dataclass
class PlannedCreator:
    """One creator of the file: its rows, profiles, merged values and what the import does to it."""

    rows: list[int]
    profiles: list[Profile]
    name: str | None = None
    email: str | None = None
    followers: int | None = None
    values: dict[str, object] = field(default_factory=dict)  # relationship field → value from the file
    influencer_id: uuid.UUID | None = None
    anchor: Profile | None = None  # a profile the directory already has (None: a new creator)
    on_list: bool = False
    archived: bool = False
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)  # field → (old, new)
    # (row, name) of the rows that give it another name than the one kept (the first row's).
    other_names: list[tuple[int, str]] = field(default_factory=list)
    left_out: list[tuple[int, str]] = field(default_factory=list)  # (row, why a value is not imported)

    @property
    def kind(self) -> str:
        """new (not in the directory), add (not on the list, or archived), update, unchanged."""
        if self.influencer_id is None:
            return "new"
        if not self.on_list or self.archived:
            return "add"
        return "update" if self.changes else "unchanged"


@dataclass(frozen=True, slots=True)
class PartialRow:
    """A row imported without some of its values, and why each is left out."""

    number: int
    handle: str  # the creator's first profile, to find the row by
    reasons: list[str]


@dataclass
class ImportPlan:
    team_id: str
    user_id: uuid.UUID
    total_rows: int
    creators: list[PlannedCreator]
    invalid: list[InvalidRow]
    ignored_columns: list[str]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.creators if c.kind == kind)

    @property
    def merged(self) -> list[PlannedCreator]:
        """The creators the file names more than once (each on several rows)."""
        return [c for c in self.creators if len(c.rows) > 1]

    @property
    def on_list(self) -> list[PlannedCreator]:
        return [c for c in self.creators if c.on_list and not c.archived]

    @property
    def partial(self) -> list[PartialRow]:
        """The rows imported without some of their values, in file order."""
        reasons: dict[int, list[str]] = {}
        handle: dict[int, str] = {}
        for creator in self.creators:
            for number, reason in creator.left_out:
                reasons.setdefault(number, []).append(reason)
                handle[number] = creator.profiles[0].handle
        return [PartialRow(n, handle[n], reasons[n]) for n in sorted(reasons)]


def plan_import(db: Session, *, actor: User, table: Table, mapping: ColumnMap) -> ImportPlan:
    """What importing `table` read through `mapping` would do for `actor`; writes nothing.

    InvalidInput("mapping") when a field comes from several columns, or no column names a creator.
    """
    if mapping.duplicates:
        listed = "; ".join(f"{f}: {', '.join(h)}" for f, h in mapping.duplicates.items())
        raise InvalidInput("mapping", f"Several columns hold the same thing ({listed}); keep one of each.")
    if not (mapping.of("handle") or mapping.of("profile_url")):
        raise InvalidInput("mapping", "No column holds a handle or a profile link; say which one does.")
    now = clock_now()
    good: list[RowData] = []
    invalid: list[InvalidRow] = []
    for number, cells in table.rows:
        read = read_row(number, cells, mapping, actor=actor, now=now)
        (invalid if isinstance(read, InvalidRow) else good).append(read)
    creators = _merge(good, invalid)
    _look_up(db, actor=actor, creators=creators, invalid=invalid)
    invalid.sort(key=lambda r: r.number)
    return ImportPlan(
        team_id=actor.team_id,
        user_id=actor.id,
        total_rows=len(table.rows),
        creators=creators,
        invalid=invalid,
        ignored_columns=mapping.ignored,
    )


def _merge(rows: list[RowData], invalid: list[InvalidRow]) -> list[PlannedCreator]:
    """Rows sharing a profile, directly or through other rows, become one creator (union-find)."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, row in enumerate(rows):
        for profile in row.profiles:
            j = first_with.setdefault(profile.identity, i)
            parent[root(i)] = root(j)
    groups: dict[int, list[RowData]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(root(i), []).append(row)
    creators = []
    for group in sorted(groups.values(), key=lambda g: g[0].number):
        creator = PlannedCreator(rows=[r.number for r in group], profiles=[])
        for row in group:
            for profile in row.profiles:
                if profile.identity not in {p.identity for p in creator.profiles}:
                    creator.profiles.append(profile)
            if row.name and creator.name and fold(row.name) != fold(creator.name):
                creator.other_names.append((row.number, row.name))
            creator.name = creator.name or row.name
            creator.left_out += [(row.number, reason) for reason in row.left_out]
            creator.email = creator.email or row.email
            creator.followers = row.followers if creator.followers is None else creator.followers
            for name in ("status", "priority", "notes", "follow_up", "last_contacted", "cadence"):
                if getattr(row, name) is not None:
                    creator.values.setdefault(name, getattr(row, name))
            if row.tags:
                pooled = creator.values.setdefault("tags", [])
                pooled += [t for t in row.tags if t not in pooled]
        if len(creator.profiles) > PROFILES_MAX:
            invalid.extend(
                InvalidRow(n, [f"A creator can have at most {PROFILES_MAX} profiles."]) for n in creator.rows
            )
            continue
        creators.append(creator)
    return creators


def _look_up(db: Session, *, actor: User, creators: list[PlannedCreator], invalid: list[InvalidRow]) -> None:
    """Fill in each creator's directory entry and relationship; creators whose profiles belong to
    different creators in the directory become invalid rows."""
    keys = [p.identity for c in creators for p in c.profiles]
    owner: dict[str, tuple[uuid.UUID, str]] = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        found = db.execute(
            select(InfluencerProfile.identity_key, InfluencerProfile.influencer_id, Influencer.name)
            .join(Influencer, Influencer.id == InfluencerProfile.influencer_id)
            .where(
                InfluencerProfile.team_id == actor.team_id,
                InfluencerProfile.identity_key.in_(keys[start : start + LOOKUP_BATCH]),
            )
        )
        owner.update({key: (influencer_id, name) for key, influencer_id, name in found})
    kept = []
    for creator in creators:
        owners = {owner[p.identity] for p in creator.profiles if p.identity in owner}
        if len(owners) > 1:
            names = " and ".join(f"“{name}”" for _, name in sorted(owners, key=lambda o: o[1]))
            reason = f"Its profiles belong to different creators ({names}); merge them first (/crm merge)."
            invalid.extend(InvalidRow(n, [reason]) for n in creator.rows)
            continue
        if owners:
            creator.influencer_id = next(iter(owners))[0]
            creator.anchor = next(p for p in creator.profiles if p.identity in owner)
        kept.append(creator)
    creators[:] = kept
    ids = [c.influencer_id for c in creators if c.influencer_id is not None]
    relationships: dict[uuid.UUID, Relationship] = {}
    for start in range(0, len(ids), LOOKUP_BATCH):
        relationships.update(
            (r.influencer_id, r)
            for r in db.scalars(
                select(Relationship).where(
                    Relationship.user_id == actor.id,
                    Relationship.influencer_id.in_(ids[start : start + LOOKUP_BATCH]),
                )
            )
        )
    for creator in creators:
        relationship = relationships.get(creator.influencer_id) if creator.influencer_id else None
        creator.on_list = relationship is not None
        creator.archived = relationship is not None and relationship.archived_at is not None
        try:
            creator.changes = changes_to(relationship, creator.values)
        except InvalidInput as exc:  # too many tags with the ones the creator has: import it without
            if exc.field != "tags":
                raise
            creator.values.pop("tags")
            creator.left_out.append((creator.rows[0], left_out("tags", exc.message)))
            creator.changes = changes_to(relationship, creator.values)


def changes_to(
    relationship: Relationship | None, values: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """field → (current, new) for each value that differs from the relationship (from the
    defaults when there is none). Tags are added to the current ones."""
    changes: dict[str, tuple[object, object]] = {}
    for name in RELATIONSHIP_FIELDS:
        if name not in values:
            continue
        current = _current(relationship, name)
        new = values[name]
        if name == "tags":
            new = list(current) + [t for t in new if t not in current]
            if len(new) > TAGS_MAX:
                raise InvalidInput(
                    "tags", f"With these tags the creator would have more than {TAGS_MAX} tags."
                )
        if new != current:
            changes[name] = (current, new)
    return changes


def _current(relationship: Relationship | None, name: str) -> object:
    if relationship is None:
        return {"status": "saved", "priority": 0, "tags": []}.get(name)
    value = getattr(relationship, COLUMN_OF.get(name, name))
    if isinstance(value, datetime):
        return value
    return list(value) if name == "tags" else value
