"""Load several short lists of ORM objects in one SQL statement: a "wide" UNION ALL.

Slack paths must stay within a few statements per request (issue 3: at most 4 per /crm command), and
a card or the App Home needs several small lists. Each list here is one part of a UNION ALL: a SELECT
with its own WHERE, ORDER BY and LIMIT (so each part keeps its own index plan) that fills in the
columns of the entities it reads and leaves every other entity's columns NULL. Two extra columns say
which part a row belongs to and its position there. The union is read back through `aliased()`
entities, so results are ordinary mapped objects in the session's identity map; an entity whose
columns are all NULL in a row comes back as None. Parts may also carry plain values (e.g. counts).

Build a union once (`build_union` under `@built_once`) and run it with bind parameters: assembling a
statement this wide costs several times what PostgreSQL spends running it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Row, Select, String, cast, func, literal, null, select, union_all
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session, aliased, contains_eager
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from crm.models import Base


@dataclass(frozen=True, slots=True)
class Part:
    """One SELECT of the union.

    `entities` maps each entity this part reads to the table (or alias) in `select_from` holding its
    columns; `values` are extra named columns (NULL in parts without them). A row's position is
    row_number() OVER (ORDER BY `order_by`), or `position` when the part computes it itself (a
    subquery that picks its rows before a join does).
    """

    name: str
    select_from: FromClause
    entities: Mapping[type[Base], FromClause]
    where: Sequence[ColumnElement] = ()
    order_by: Sequence[ColumnElement] = ()
    limit: int | ColumnElement | None = None
    group_by: Sequence[ColumnElement] = ()
    values: Mapping[str, ColumnElement] = field(default_factory=dict)
    position: ColumnElement | None = None


def _label(entity: type[Base], key: str) -> str:
    return f"{entity.__table__.name}__{key}"


def _attribute(entity: type[Base]) -> str:
    """The name a row carries the entity under: Relationship -> row.relationship."""
    return entity.__name__.lower()


@dataclass(frozen=True, slots=True)
class UnionQuery:
    """A built union: `run` it with the values of its bind parameters."""

    statement: Select
    names: tuple[str, ...]

    def run(self, db: Session, params: Mapping[str, object]) -> dict[str, list[Row]]:
        """Rows per part name (every part present, maybe empty), each part in its own order."""
        out: dict[str, list[Row]] = {name: [] for name in self.names}
        for row in db.execute(self.statement, dict(params)):
            out[row.part].append(row)
        return out


def build_union(
    parts: Sequence[Part], *, eager: Sequence[tuple[type[Base], str, type[Base]]] = ()
) -> UnionQuery:
    """The one statement for `parts`. Build it once (`@built_once`) with bindparam()s for the
    per-call values: building a statement this wide costs several times what PostgreSQL spends on it.

    Each row has one attribute per entity (lower-case class name: `row.relationship`) and one per
    value name. `eager` lists (entity, relationship attribute, target entity) triples filled from the
    same row with contains_eager, e.g. (Relationship, "influencer", Influencer): the target's columns
    must be present wherever the parent's are, or the attribute is set to None.
    """
    entities: list[type[Base]] = []
    value_types: dict[str, object] = {}
    for part in parts:
        entities += [e for e in part.entities if e not in entities]
        for name, expression in part.values.items():
            value_types.setdefault(name, expression.type)

    selects = []
    for part in parts:
        columns = [
            literal(part.name, String).label("part"),
            (
                part.position
                if part.position is not None
                else func.row_number().over(order_by=list(part.order_by))
            ).label("position"),
        ]
        for entity in entities:
            source = part.entities.get(entity)
            for column in entity.__table__.columns:
                value = source.c[column.key] if source is not None else cast(null(), column.type)
                columns.append(value.label(_label(entity, column.key)))
        for name, type_ in value_types.items():
            value = part.values.get(name)
            columns.append((value if value is not None else cast(null(), type_)).label(name))
        stmt = select(*columns).select_from(part.select_from).where(*part.where)
        if part.group_by:
            stmt = stmt.group_by(*part.group_by)
        if part.order_by:
            stmt = stmt.order_by(*part.order_by)
        if part.limit is not None:
            stmt = stmt.limit(part.limit)
        selects.append(stmt)

    union = union_all(*selects).subquery("parts")
    aliases = {entity: aliased(entity, union, name=_attribute(entity)) for entity in entities}
    statement = (
        select(
            union.c.part,
            *aliases.values(),
            *(union.c[name] for name in value_types),
        )
        .order_by(union.c.part, union.c.position)
        .options(
            *(
                contains_eager(getattr(aliases[parent], attribute).of_type(aliases[target]))
                for parent, attribute, target in eager
                if parent in aliases and target in aliases  # a part left out leaves nothing to fill
            )
        )
    )
    return UnionQuery(statement=statement, names=tuple(part.name for part in parts))


def built_once(builder: Callable[[], UnionQuery]) -> Callable[[], UnionQuery]:
    """Memoize a union builder safely for threads: build it and compile it once, under a lock.

    Not functools.cache: a SQLAlchemy statement fills in parts of itself lazily the first time it is
    compiled, and several threads compiling one shared statement for the first time at once were seen
    to race (NoSuchColumnError, "cartesian product" warnings, results missing rows), and the damage
    stayed for the life of the process. Compiling it here, before any other thread can see it, leaves
    later compiles (one per engine, by SQLAlchemy's compiled cache) only reading it.
    """
    lock = threading.Lock()
    built: list[UnionQuery] = []

    @functools.wraps(builder)
    def get() -> UnionQuery:
        if not built:
            with lock:
                if not built:
                    query = builder()
                    query.statement.compile(dialect=psycopg_dialect())
                    built.append(query)
        return built[0]

    return get
