"""Search the team directory by name, e-mail address and every profile's handle (or a pasted profile
link), and the acting user's own tags and notes.

Core PostgreSQL only (no pg_trgm, no unaccent): names, tags and notes are compared without their
accents through crm_fold() (migration 0012, crm.text.fold). A weighted `to_tsvector('simple', …)`
document matched with a prefix tsquery (every word must appear; "berl" finds "berlin") ranks the
hits, and LIKE catches substrings full-text search misses (e.g. "aya" in "maya_fit"). Tags and
notes come only from the actor's own relationship row, joined with `user_id = actor` in the join
condition, so a colleague's private notes never match, nor an archived relationship's. Extra
points for exact handle/name/tag hits put the obvious answer first.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import Float, and_, case, cast, func, literal, literal_column, or_, select, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from crm.errors import InvalidInput
from crm.models import Influencer, InfluencerProfile, Relationship, User
from crm.profiles import BareHandle, Profile, parse_reference, platform_named
from crm.text import clean_text, escape_like, fold

QUERY_MAX = 200
# ts_rank weights for labels {D, C, B, A}: name/handle (A) 1.0, tags (B) 0.6, notes (C) 0.3.
TS_WEIGHTS = literal_column("'{0.1, 0.3, 0.6, 1.0}'::float4[]")
MAX_WORDS = 8
# How far into the hits a page may start (/crm find pages by offset, like crm.relationship_list).
OFFSET_MAX = 1_000
# How close a name that matched no one must be to a creator's to be offered instead (difflib ratio,
# accents and case aside): "luka haddad" is 0.91 from "luca haddad", "hadad" 0.91 from "haddad",
# "maria" 0.67 from "mara".
SPELLED_LIKE_CUTOFF = 0.8
# The most names of the actor's list compared (difflib, in Python): 25-31 ms for this many, measured.
SPELLED_LIKE_POOL = 5_000


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the influencer, the actor's relationship with them (if any) and a relevance score."""

    influencer: Influencer
    relationship: Relationship | None
    rank: float


def _weighted(text_expr, weight: str):
    """to_tsvector('simple', text) labelled with a weight (A ranks above B above C); NULL counts as empty."""
    # setweight() takes a "char"; an untyped SQL literal resolves to it, a bound VARCHAR does not.
    return func.setweight(
        func.to_tsvector("simple", func.coalesce(text_expr, "")), literal_column(f"'{weight}'")
    )


def _profile_of(text: str) -> Profile | BareHandle | None:
    try:
        return parse_reference(text)
    except InvalidInput:
        return None


def search(db: Session, *, actor: User, text: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
    """Influencers in the actor's team matching `text`, best first, from hit number `offset` on (one
    SQL statement)."""
    cleaned = (clean_text(text, field="text", max_len=None, label="The search") or "").lower().lstrip("@#")
    if not cleaned:
        raise InvalidInput("text", "Type a name, handle, tag or word from your notes to search for.")
    if len(cleaned) > QUERY_MAX:
        raise InvalidInput("text", f"Search for at most {QUERY_MAX} characters.")
    if not 1 <= limit <= 100:
        raise InvalidInput("limit", "The limit must be from 1 to 100.")
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= OFFSET_MAX:
        raise InvalidInput("offset", f"Page through at most the first {OFFSET_MAX:,} results.")
    # Names, tags and notes are matched without their accents (crm.text.fold, crm_fold in SQL).
    folded = fold(cleaned)
    # Letters and digits only: the tsquery is assembled from these, so nothing else may reach it.
    words = re.findall(r"[^\W_]+", folded)[:MAX_WORDS]
    tags = sorted({word.lstrip("#") for word in cleaned.split()} | {cleaned.replace(" ", "-")})

    # Only relationships on the actor's list: an archived one's tags and notes do not match, and
    # its creator shows as not on the list (with Add, which restores it).
    rel_join = and_(
        Relationship.influencer_id == Influencer.id,
        Relationship.user_id == actor.id,
        Relationship.archived_at.is_(None),
    )
    # Every profile's handle counts, not only the primary one's (@priya on YouTube, priya.r on TikTok).
    handles = (
        select(func.string_agg(InfluencerProfile.handle, " "))
        .where(InfluencerProfile.influencer_id == Influencer.id)
        .scalar_subquery()
    )
    team_profiles = select(InfluencerProfile.influencer_id).where(InfluencerProfile.team_id == actor.team_id)
    folded_name = Influencer.name_folded
    folded_notes = func.crm_fold(Relationship.notes)
    document = (
        _weighted(folded_name, "A")
        .op("||")(_weighted(handles, "A"))
        .op("||")(_weighted(func.crm_fold(func.array_to_string(Relationship.tags, " ")), "B"))
        .op("||")(_weighted(folded_notes, "C"))
    )
    if words:
        query = func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
        fts_hit = document.op("@@")(query)
        fts_rank = func.ts_rank(TS_WEIGHTS, document, query)
    else:  # only punctuation typed: substring matching alone
        fts_hit, fts_rank = literal(False), literal(0.0)

    pattern = "%" + escape_like(cleaned) + "%"
    folded_pattern = "%" + escape_like(folded) + "%"
    tag_array = cast(tags, ARRAY(String))
    tag_hit = func.coalesce(Relationship.tags.op("&&")(tag_array), False)
    handle_exact = Influencer.id.in_(team_profiles.where(func.lower(InfluencerProfile.handle) == cleaned))
    handle_like = func.coalesce(handles.ilike(pattern), False)
    email_like = func.coalesce(Influencer.email.ilike(pattern), False)  # "maya@eats.example", "eats.example"
    # A pasted profile link finds its creator, however it is written (crm.profiles).
    profile_hit = literal(False)
    if isinstance(profile := _profile_of(text), Profile):
        profile_hit = Influencer.id.in_(
            team_profiles.where(InfluencerProfile.identity_key == profile.identity)
        )

    def bonus(condition, points: float):
        return case((condition, points), else_=0.0)

    rank = (
        type_coerce(fts_rank, Float)
        + bonus(profile_hit, 2.0)
        + bonus(handle_exact, 1.0)
        + bonus(folded_name == folded, 0.8)
        + bonus(handle_like, 0.3)
        + bonus(func.lower(Influencer.email) == cleaned, 2.0)
        + bonus(email_like, 0.3)
        + bonus(folded_name.like(folded_pattern), 0.2)
        + bonus(tag_hit, 0.6)
        + bonus(func.coalesce(folded_notes.like(folded_pattern), False), 0.1)
        + bonus(Relationship.id.is_not(None), 0.05)
    ).label("rank")

    stmt = (
        select(Influencer, Relationship, rank)
        .outerjoin(Relationship, rel_join)
        .where(
            Influencer.team_id == actor.team_id,
            or_(
                fts_hit,
                profile_hit,
                handle_like,
                email_like,
                folded_name.like(folded_pattern),
                tag_hit,
                folded_notes.like(folded_pattern),
            ),
        )
        .order_by(rank.desc(), func.lower(Influencer.name), Influencer.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        SearchHit(influencer=influencer, relationship=relationship, rank=float(score))
        for influencer, relationship, score in db.execute(stmt).all()
    ]


def spelled_like(db: Session, *, actor: User, ref: str, limit: int = 3) -> list[Influencer]:
    """Creators on the actor's list whose name or handle is spelt close to `ref`, which matched no
    one ("luka haddad" → Luca Haddad, "@luka.travels" → @luca.travels): the whole name, or for one
    word any of their profiles' handles or any word of the name. Best first.

    Only the actor's own list, at most SPELLED_LIKE_POOL names, compared in Python: core PostgreSQL
    has no similarity operator (pg_trgm is a contrib extension), and this runs only after a miss.
    """
    words = ref.split()
    if len(words) == 2 and words[0].startswith("@") and platform_named(words[1]) is not None:
        words = words[:1]  # "@luca.travels instagram" when they are on TikTok: the handle is close
    typed = fold(" ".join(words).lstrip("@"))
    if not typed or len(typed) > QUERY_MAX:
        return []
    handles = (  # every profile's handle: @priya on YouTube, priya.r on TikTok
        select(func.string_agg(func.lower(InfluencerProfile.handle), " "))
        .where(InfluencerProfile.influencer_id == Influencer.id)
        .scalar_subquery()
    )
    rows = db.execute(  # plain rows: only the few close ones are loaded as creators, below
        select(Influencer.id, Influencer.name_folded, handles)
        .join(Relationship, Relationship.influencer_id == Influencer.id)
        .where(Relationship.user_id == actor.id, Relationship.archived_at.is_(None))
        .order_by(Relationship.updated_at.desc())
        .limit(SPELLED_LIKE_POOL)
    ).all()
    cutoff = SPELLED_LIKE_CUTOFF
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(typed)  # difflib caches the second sequence
    scored = []
    for influencer_id, name, their_handles in rows:
        parts = [name] if " " in typed else [name, *(their_handles or "").split(), *name.split()]
        best = 0.0
        for part in parts:
            matcher.set_seq1(part)
            if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
                best = max(best, matcher.ratio())
        if best >= cutoff:
            scored.append((-best, name, influencer_id))
    ids = [influencer_id for *_, influencer_id in sorted(scored)[:limit]]
    found = {i.id: i for i in db.scalars(select(Influencer).where(Influencer.id.in_(ids)))} if ids else {}
    return [found[influencer_id] for influencer_id in ids]
