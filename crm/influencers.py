"""Influencers: the workspace-wide directory of creators — save, find, resolve.

Parsing a reference (@maya, a profile link) lives in crm.influencer_refs, full-text search in
crm.search.
"""

from __future__ import annotations

import uuid

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.errors import Ambiguous, InvalidInput, NotFound
from crm.influencer_refs import InfluencerRef, parse_influencer_ref
from crm.models import PLATFORMS, Influencer
from crm.text import clean_name, escape_like
from crm.urls import looks_like_url, validate_http_url
from crm.users import validate_email

# The platform of a bare handle when nothing says otherwise: the most common one for influencer work.
DEFAULT_PLATFORM = "instagram"
FOLLOWER_COUNT_MAX = 10**12


def validate_platform(platform: str) -> str:
    """A known platform name (case-insensitive), or InvalidInput("platform")."""
    cleaned = (platform or "").strip().lower()
    if cleaned == "twitter":
        cleaned = "x"
    if cleaned not in PLATFORMS:
        raise InvalidInput("platform", f"Platform must be one of: {', '.join(PLATFORMS)}.")
    return cleaned


def _clean_name(name: str | None) -> str | None:
    return clean_name(name, field="name", max_len=255, label="The name")


def _clean_follower_count(count: int | None) -> int | None:
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= FOLLOWER_COUNT_MAX:
        raise InvalidInput("follower_count", "The follower count must be a whole number, 0 or more.")
    return count


def save_influencer(
    db: Session,
    *,
    team_id: str,
    ref: str,
    platform: str | None = None,
    profile_url: str | None = None,
    name: str | None = None,
    email: str | None = None,
    follower_count: int | None = None,
) -> Influencer:
    """Get or create the influencer `ref` names in the team directory (unique by platform + handle).

    The platform comes from `platform`, else from a profile link in `ref`. For a bare handle with
    neither, an existing influencer with that handle is reused when there is exactly one (or one on
    instagram among several); otherwise the influencer is saved on instagram (DEFAULT_PLATFORM).
    The name defaults to the handle. Saving an existing influencer fills in what the directory lacks
    (profile link, e-mail, a name still equal to the handle) and updates the follower count when
    given; it never overwrites other data a colleague entered.
    """
    parsed = parse_influencer_ref(ref)
    chosen = validate_platform(platform) if platform is not None else None
    if chosen and parsed.platform and chosen != parsed.platform:
        raise InvalidInput(
            "platform", f"The link is a {parsed.platform} profile but the platform given is {chosen}."
        )
    url = validate_http_url(profile_url, field="profile_url") if profile_url else parsed.profile_url
    cleaned_name = _clean_name(name)
    clean_email = validate_email(email)
    count = _clean_follower_count(follower_count)

    chosen = chosen or parsed.platform
    if chosen is None:
        same_handle = db.scalars(
            select(Influencer)
            .where(Influencer.team_id == team_id, func.lower(Influencer.handle) == parsed.handle.lower())
            .order_by(Influencer.platform)
        ).all()
        if len(same_handle) > 1:
            on_default = [i for i in same_handle if i.platform == DEFAULT_PLATFORM]
            if not on_default:
                raise Ambiguous(
                    f"@{parsed.handle} exists on several platforms; say which one.", list(same_handle)
                )
            same_handle = on_default
        chosen = same_handle[0].platform if same_handle else DEFAULT_PLATFORM

    existing = _by_handle(db, team_id=team_id, platform=chosen, handle=parsed.handle)
    if existing is None:
        created = db.scalars(
            insert(Influencer)
            .values(
                team_id=team_id,
                platform=chosen,
                handle=parsed.handle,
                name=cleaned_name or parsed.handle,
                profile_url=url,
                email=clean_email,
                follower_count=count,
            )
            .on_conflict_do_nothing()
            .returning(Influencer)
        ).one_or_none()
        if created is not None:
            return created
        # A concurrent save won the race; fall through and treat its row as existing.
        existing = _by_handle(db, team_id=team_id, platform=chosen, handle=parsed.handle)
        assert existing is not None
    _fill_in(existing, profile_url=url, name=cleaned_name, email=clean_email, follower_count=count)
    db.flush()
    return existing


def _by_handle(db: Session, *, team_id: str, platform: str, handle: str) -> Influencer | None:
    return db.scalars(
        select(Influencer).where(
            Influencer.team_id == team_id,
            Influencer.platform == platform,
            func.lower(Influencer.handle) == handle.lower(),
        )
    ).one_or_none()


def _fill_in(
    influencer: Influencer,
    *,
    profile_url: str | None,
    name: str | None,
    email: str | None,
    follower_count: int | None,
) -> None:
    if profile_url and not influencer.profile_url:
        influencer.profile_url = profile_url
    if email and not influencer.email:
        influencer.email = email
    if name and influencer.name == influencer.handle and name != influencer.name:
        influencer.name = name
    if follower_count is not None and follower_count != influencer.follower_count:
        influencer.follower_count = follower_count


def _ranked(db: Session, *, team_id: str, ref: str, limit: int) -> list[tuple[Influencer, int]]:
    """Influencers matching `ref` with a match tier: 0 exact handle, 1 exact name, 2 name/handle prefix."""
    cleaned = clean_name(ref, field="influencer", max_len=None, label="The influencer")
    if not cleaned:
        raise InvalidInput("influencer", "Give the influencer's @handle, profile link or name.")
    if not 1 <= limit <= 100:
        raise InvalidInput("limit", "The limit must be from 1 to 100.")
    parsed: InfluencerRef | None
    try:
        parsed = parse_influencer_ref(cleaned)
    except InvalidInput:
        if looks_like_url(cleaned):
            raise
        parsed = None  # not a handle (e.g. "Maya Lopez"): match by name only

    name_text = (cleaned[1:] if cleaned.startswith("@") else cleaned).lower()
    lower_name, lower_handle = func.lower(Influencer.name), func.lower(Influencer.handle)
    handle_hit = literal(False)
    if parsed is not None:
        handle_hit = lower_handle == parsed.handle.lower()
        if parsed.platform:
            handle_hit = handle_hit & (Influencer.platform == parsed.platform)
    if parsed is not None and parsed.platform:
        # A link names one profile; matching names against a URL would only add noise.
        name_exact = name_prefix = literal(False)
    else:
        prefix = escape_like(name_text) + "%"
        name_exact = lower_name == name_text
        name_prefix = or_(lower_name.like(prefix), lower_name.like("% " + prefix), lower_handle.like(prefix))
    tier = case((handle_hit, 0), (name_exact, 1), else_=2)
    rows = db.execute(
        select(Influencer, tier)
        .where(Influencer.team_id == team_id, or_(handle_hit, name_exact, name_prefix))
        .order_by(tier, lower_name, Influencer.platform, Influencer.id)
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


def find_influencers(db: Session, *, team_id: str, ref: str, limit: int = 10) -> list[Influencer]:
    """Influencers in the team matching `ref`: exact handle (any platform) first, then name matches."""
    return [influencer for influencer, _ in _ranked(db, team_id=team_id, ref=ref, limit=limit)]


def resolve_influencer(db: Session, *, team_id: str, ref: str) -> Influencer:
    """The one influencer `ref` means; NotFound when none, Ambiguous (with candidates) when several.

    Only the best tier counts: an exact handle beats a name, so "@maya" resolves to the handle even
    when someone is also called Maya.
    """
    rows = _ranked(db, team_id=team_id, ref=ref, limit=10)
    if not rows:
        raise NotFound(f"No influencer matches “{ref.strip()[:80]}”.")
    best = rows[0][1]
    candidates = [influencer for influencer, tier in rows if tier == best]
    if len(candidates) > 1:
        raise Ambiguous(f"“{ref.strip()[:80]}” matches several influencers; pick one.", candidates)
    return candidates[0]


def get_influencer(db: Session, *, team_id: str, influencer_id: uuid.UUID) -> Influencer:
    """The influencer with this id in the team; NotFound for another team's (or no) influencer."""
    influencer = db.scalars(
        select(Influencer).where(Influencer.id == influencer_id, Influencer.team_id == team_id)
    ).one_or_none()
    if influencer is None:
        raise NotFound("That influencer is not in this workspace's directory.")
    return influencer
