"""Influencers: the workspace-wide directory of creators — save, name, link profiles, find, resolve.

A creator is known by its profiles (crm.profiles decides when two are the same); its name is free
text everyone in the workspace sees. The influencer row's platform, handle and profile_url are its
primary profile, kept in step here. Full-text search lives in crm.search.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, case, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.errors import Ambiguous, Conflict, InvalidInput, NoMatch, NotFound
from crm.models import Influencer, InfluencerProfile
from crm.profiles import (
    PROFILES_MAX,
    BareHandle,
    Profile,
    describe,
    on_platform,
    parse_profile,
    parse_reference,
    platform_named,
    validate_platform,
)
from crm.text import clean_name, escape_like, fold
from crm.urls import looks_like_url, validate_http_url
from crm.users import validate_email

# The platform of a bare handle when nothing says otherwise: the most common one for influencer work.
DEFAULT_PLATFORM = "instagram"
FOLLOWER_COUNT_MAX = 10**12
NAME_MAX = 255
UNIQUE_PROFILE = "uq_influencer_profiles_team_id_identity_key"


def _clean_name(name: str | None) -> str | None:
    return clean_name(name, field="name", max_len=NAME_MAX, label="The name")


def _clean_follower_count(count: int | None) -> int | None:
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= FOLLOWER_COUNT_MAX:
        raise InvalidInput("follower_count", "The follower count must be a whole number, 0 or more.")
    return count


def _by_identity(db: Session, *, team_id: str, identity: str) -> InfluencerProfile | None:
    return db.scalars(
        select(InfluencerProfile).where(
            InfluencerProfile.team_id == team_id, InfluencerProfile.identity_key == identity
        )
    ).one_or_none()


def _profile_for_bare_handle(db: Session, *, team_id: str, handle: str) -> Profile:
    """The profile a bare `@handle` means when saving: the creator who has that handle (their
    instagram profile among several), else the handle on instagram. Ambiguous between creators."""
    found = db.scalars(
        select(InfluencerProfile)
        .where(InfluencerProfile.team_id == team_id, func.lower(InfluencerProfile.handle) == handle.lower())
        .order_by(InfluencerProfile.is_primary.desc(), InfluencerProfile.platform, InfluencerProfile.id)
    ).all()
    on_default = [p for p in found if p.platform == DEFAULT_PLATFORM]
    owners = {p.influencer_id for p in found}
    if len(owners) > 1:
        if len(on_default) != 1:
            candidates = list(dict.fromkeys(p.influencer for p in found))
            raise Ambiguous(f"@{handle} is the handle of several creators; say which platform.", candidates)
        found = on_default
    if found:
        chosen = (on_default or found)[0]
        return Profile(chosen.platform, chosen.handle, chosen.url, chosen.identity_key)
    return on_platform(handle, DEFAULT_PLATFORM)


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
    """Get or create the creator whose profile `ref` names (a link, or a handle on `platform`).

    A bare handle without a platform means the creator who already has that handle (their
    instagram profile among several; Ambiguous between creators), else the handle on instagram
    (DEFAULT_PLATFORM). `profile_url`, when it names another profile, is linked to the same creator
    (Conflict if it belongs to someone else). The name defaults to the handle. Saving an existing
    creator fills in what the directory lacks (e-mail, a name still equal to the handle) and updates
    the follower count when given; it never overwrites other data a colleague entered.
    """
    chosen = validate_platform(platform) if platform is not None else None
    parsed = parse_reference(ref)
    if isinstance(parsed, BareHandle):
        if chosen is None:
            profile = _profile_for_bare_handle(db, team_id=team_id, handle=parsed.handle)
        else:
            profile = on_platform(parsed.handle, chosen)
    else:
        profile = parse_profile(ref, platform=chosen)
    extra = _second_profile(profile_url, profile)
    cleaned_name = _clean_name(name)
    clean_email = validate_email(email)
    count = _clean_follower_count(follower_count)

    existing = _by_identity(db, team_id=team_id, identity=profile.identity)
    if existing is None:
        influencer = _create(db, team_id=team_id, profile=profile, name=cleaned_name or profile.handle)
        if influencer is None:  # a concurrent save won the race: its row is the one
            existing = _by_identity(db, team_id=team_id, identity=profile.identity)
            assert existing is not None
    if existing is not None:
        influencer = existing.influencer
        _fill_in_name(influencer, cleaned_name)
    if clean_email and not influencer.email:
        influencer.email = clean_email
    if count is not None and count != influencer.follower_count:
        influencer.follower_count = count
    db.flush()
    if extra is not None:
        _link(db, influencer=influencer, profile=extra)
    return influencer


def _fill_in_name(influencer: Influencer, name: str | None) -> None:
    """Give the creator `name` while its name is still its handle (never overwrite a chosen one)."""
    if name and influencer.name == influencer.handle and name != influencer.name:
        influencer.name = name


def complete_influencer(
    db: Session,
    *,
    team_id: str,
    influencer_id: uuid.UUID,
    name: str | None = None,
    profile_url: str | None = None,
    email: str | None = None,
) -> Influencer:
    """What `save_influencer` adds to a creator found some other way (picked from candidates): the
    name while it is still the handle, an e-mail while it has none, and the profile `profile_url`
    names (Conflict if another creator's). NotFound outside the team."""
    clean_email = validate_email(email)
    influencer = get_influencer(db, team_id=team_id, influencer_id=influencer_id)
    _fill_in_name(influencer, _clean_name(name))
    if clean_email and not influencer.email:
        influencer.email = clean_email
    db.flush()
    if profile_url:
        url = validate_http_url(profile_url, field="profile_url")
        _link(db, influencer=influencer, profile=parse_profile(url))
    return influencer


def _second_profile(profile_url: str | None, profile: Profile) -> Profile | None:
    """The profile `profile_url` names when it is not `profile` itself (None when it is, or none)."""
    if not profile_url:
        return None
    url = validate_http_url(profile_url, field="profile_url")
    try:
        linked = parse_reference(url)
    except InvalidInput as exc:
        raise InvalidInput("profile_url", exc.message) from None
    assert isinstance(linked, Profile)  # an http(s) URL always parses as a link
    return None if linked.identity == profile.identity else linked


def _create(db: Session, *, team_id: str, profile: Profile, name: str) -> Influencer | None:
    """A new creator with `profile` as its primary one; None if the profile was taken meanwhile."""
    influencer = Influencer(
        team_id=team_id, name=name, platform=profile.platform, handle=profile.handle, profile_url=profile.url
    )
    db.add(influencer)
    db.flush()
    if _insert_profile(db, influencer=influencer, profile=profile, primary=True) is None:
        db.delete(influencer)
        db.flush()
        return None
    return influencer


def _insert_profile(
    db: Session, *, influencer: Influencer, profile: Profile, primary: bool
) -> InfluencerProfile | None:
    """Insert the profile row; None when its identity is already taken in the team (no error, so
    the transaction goes on)."""
    row = db.scalars(
        insert(InfluencerProfile)
        .values(
            influencer_id=influencer.id,
            team_id=influencer.team_id,
            platform=profile.platform,
            handle=profile.handle,
            url=profile.url,
            identity_key=profile.identity,
            is_primary=primary,
            # The card lists profiles in the order they were linked, even within one transaction.
            created_at=func.clock_timestamp(),
        )
        .on_conflict_do_nothing(constraint=UNIQUE_PROFILE)
        .returning(InfluencerProfile)
    ).one_or_none()
    db.expire(influencer, ["profiles"])
    return row


def link_profile(
    db: Session, *, team_id: str, influencer_id: uuid.UUID, ref: str, platform: str | None = None
) -> tuple[InfluencerProfile, bool]:
    """Add the profile `ref` names (a link, or a handle on `platform`) to the creator; (profile,
    created). Already theirs: (it, False). Another creator's: Conflict naming that creator."""
    influencer = get_influencer(db, team_id=team_id, influencer_id=influencer_id)
    return _link(db, influencer=influencer, profile=parse_profile(ref, platform=platform))


def _link(db: Session, *, influencer: Influencer, profile: Profile) -> tuple[InfluencerProfile, bool]:
    existing = _by_identity(db, team_id=influencer.team_id, identity=profile.identity)
    if existing is None:
        have = db.scalar(select(func.count()).where(InfluencerProfile.influencer_id == influencer.id))
        if have >= PROFILES_MAX:
            raise InvalidInput("profile", f"A creator can have at most {PROFILES_MAX} profiles.")
        created = _insert_profile(db, influencer=influencer, profile=profile, primary=False)
        if created is not None:
            return created, True
        existing = _by_identity(db, team_id=influencer.team_id, identity=profile.identity)
        assert existing is not None
    if existing.influencer_id == influencer.id:
        return existing, False
    other = existing.influencer
    raise Conflict(
        f"{describe(profile)} already belongs to “{other.name}” (@{other.handle} · {other.platform}); "
        f"a profile can belong to one creator only. If they are the same person, merge them: "
        f"{merge_command(influencer, other)}"
    )


def merge_command(keep: Influencer, other: Influencer) -> str:
    """The `/crm merge` line that folds `other` into `keep`, each named by its primary profile."""
    return f"/crm merge @{keep.handle} {keep.platform} @{other.handle} {other.platform}"


def likely_same_person(db: Session, *, influencer: Influencer, limit: int = 3) -> list[Influencer]:
    """Other creators in the team who may be this one under a second entry: one of its handles on
    another platform, or the same name (accents and case aside). Oldest first, at most `limit`."""
    handles = select(func.lower(InfluencerProfile.handle)).where(
        InfluencerProfile.influencer_id == influencer.id
    )
    same_handle = select(InfluencerProfile.influencer_id).where(
        InfluencerProfile.team_id == influencer.team_id,
        func.lower(InfluencerProfile.handle).in_(handles),
    )
    return list(
        db.scalars(
            select(Influencer)
            .where(
                Influencer.team_id == influencer.team_id,
                Influencer.id != influencer.id,
                or_(Influencer.id.in_(same_handle), Influencer.name_folded == fold(influencer.name)),
            )
            .order_by(Influencer.created_at, Influencer.id)
            .limit(limit)
        )
    )


def rename_influencer(db: Session, *, team_id: str, influencer_id: uuid.UUID, name: str) -> Influencer:
    """Give the creator a new name (everyone in the workspace sees it); InvalidInput("name") if blank."""
    cleaned = _clean_name(name)
    if not cleaned:
        raise InvalidInput("name", "Give the new name, e.g. “Priya Raman”.")
    influencer = get_influencer(db, team_id=team_id, influencer_id=influencer_id)
    if influencer.name != cleaned:
        influencer.name = cleaned
        db.flush()
    return influencer


def set_email(db: Session, *, team_id: str, influencer_id: uuid.UUID, email: str | None) -> Influencer:
    """Give the creator this e-mail address (None clears it; everyone in the workspace sees it);
    InvalidInput("email") when it is not one."""
    cleaned = validate_email(email)
    influencer = get_influencer(db, team_id=team_id, influencer_id=influencer_id)
    if influencer.email != cleaned:
        influencer.email = cleaned
        db.flush()
    return influencer


def _profile_of(text: str) -> Profile | BareHandle | None:
    """What a reference names as a profile: a link, `@handle`, or `@handle platform`; None for a name."""
    words = text.split()
    if len(words) == 2 and (platform := platform_named(words[1])) is not None:
        try:
            parsed = parse_reference(words[0])
            if isinstance(parsed, BareHandle):
                return on_platform(parsed.handle, platform)
        except InvalidInput:
            return None
    try:
        return parse_reference(text)
    except InvalidInput:
        if looks_like_url(text):
            raise
        return None  # not a handle (e.g. "Maya Lopez"): match by name only


def _reference(ref: str) -> tuple[str, Profile | BareHandle | None]:
    """`ref` cleaned, and the profile it names (None: a name)."""
    cleaned = clean_name(ref, field="influencer", max_len=None, label="The influencer")
    if not cleaned:
        raise InvalidInput("influencer", "Give the influencer's @handle, profile link or name.")
    return cleaned, _profile_of(cleaned)


def profile_reference(ref: str) -> Profile | BareHandle | None:
    """The profile `ref` names (a link, `@handle`, `@handle platform`), None for a name; InvalidInput
    as resolve_influencer answers it (a blank reference, a bad link)."""
    return _reference(ref)[1]


def _creators_with_profile(hit) -> Select[tuple[Influencer]]:
    return (
        select(Influencer)
        .join(InfluencerProfile, InfluencerProfile.influencer_id == Influencer.id)
        .where(InfluencerProfile.team_id == bindparam("team_id"), hit)
        .order_by(func.lower(Influencer.name), Influencer.platform, Influencer.id)
        .limit(bindparam("limit"))
    )


# Built once (bindparams): resolving an @handle starts most commands.
_WITH_IDENTITY = _creators_with_profile(InfluencerProfile.identity_key == bindparam("identity"))
_WITH_HANDLE = _creators_with_profile(func.lower(InfluencerProfile.handle) == bindparam("handle"))


def _profile_matches(
    db: Session, *, team_id: str, parsed: Profile | BareHandle, limit: int
) -> list[Influencer]:
    """Creators with the profile `parsed` names (tier 0 of _ranked), in _ranked's order."""
    if isinstance(parsed, Profile):
        stmt, params = _WITH_IDENTITY, {"identity": parsed.identity}
    else:
        stmt, params = _WITH_HANDLE, {"handle": parsed.handle.lower()}
    return list(db.scalars(stmt, params | {"team_id": team_id, "limit": limit}).unique())


def _ranked(db: Session, *, team_id: str, ref: str, limit: int) -> list[tuple[Influencer, int]]:
    """Creators matching `ref` with a match tier: 0 one of their profiles, 1 exact name, 2 name or
    handle prefix."""
    cleaned, parsed = _reference(ref)
    if not 1 <= limit <= 100:
        raise InvalidInput("limit", "The limit must be from 1 to 100.")

    team_profiles = select(InfluencerProfile.influencer_id).where(InfluencerProfile.team_id == team_id)
    lower_handle = func.lower(InfluencerProfile.handle)
    profile_hit = literal(False)
    if isinstance(parsed, Profile):
        profile_hit = Influencer.id.in_(
            team_profiles.where(InfluencerProfile.identity_key == parsed.identity)
        )
    elif isinstance(parsed, BareHandle):
        profile_hit = Influencer.id.in_(team_profiles.where(lower_handle == parsed.handle.lower()))
    if isinstance(parsed, Profile):
        # A link names one profile; matching names against a URL would only add noise.
        name_exact = name_prefix = literal(False)
    else:
        typed = (cleaned[1:] if cleaned.startswith("@") else cleaned).lower()
        # Names without their accents on both sides (crm.text.fold, crm_fold in SQL): "zoe" finds Zoë.
        name_text = fold(typed)
        prefix = escape_like(name_text) + "%"
        folded_name = Influencer.name_folded
        name_exact = folded_name == name_text
        name_prefix = or_(
            folded_name.like(prefix),
            folded_name.like("% " + prefix),
            Influencer.id.in_(team_profiles.where(lower_handle.like(escape_like(typed) + "%"))),
        )
    tier = case((profile_hit, 0), (name_exact, 1), else_=2)
    rows = db.execute(
        select(Influencer, tier)
        .where(Influencer.team_id == team_id, or_(profile_hit, name_exact, name_prefix))
        .order_by(tier, func.lower(Influencer.name), Influencer.platform, Influencer.id)
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


def find_influencers(db: Session, *, team_id: str, ref: str, limit: int = 10) -> list[Influencer]:
    """Creators in the team matching `ref`: a profile (any platform) first, then name matches."""
    return [influencer for influencer, _ in _ranked(db, team_id=team_id, ref=ref, limit=limit)]


def resolve_influencer(db: Session, *, team_id: str, ref: str) -> Influencer:
    """The one creator `ref` means; NoMatch (a NotFound) when none, Ambiguous (with candidates) when several.

    `ref` is a profile link, `@handle` (any of a creator's profiles), `@handle platform`, or a name.
    Only the best tier counts: a profile beats a name, so "@maya" resolves to the handle even when
    someone is also called Maya.
    """
    _, parsed = _reference(ref)
    # A profile reference (the common `@handle`) is looked up alone first: when it matches, names
    # cannot matter (a profile beats a name), and the plain statement costs less than the ranking.
    matches = _profile_matches(db, team_id=team_id, parsed=parsed, limit=10) if parsed is not None else []
    rows = [(influencer, 0) for influencer in matches] or _ranked(db, team_id=team_id, ref=ref, limit=10)
    if not rows:
        typed = ref.strip()[:80]
        raise NoMatch(f"No influencer matches “{typed}”.", ref=typed, is_profile=parsed is not None)
    best = rows[0][1]
    candidates = [influencer for influencer, tier in rows if tier == best]
    if len(candidates) > 1:
        raise Ambiguous(f"“{ref.strip()[:80]}” matches several influencers; pick one.", candidates)
    return candidates[0]


_IN_TEAM = select(Influencer).where(
    Influencer.id == bindparam("influencer_id"), Influencer.team_id == bindparam("team_id")
)


def get_influencer(db: Session, *, team_id: str, influencer_id: uuid.UUID) -> Influencer:
    """The influencer with this id in the team; NotFound for another team's (or no) influencer."""
    params = {"influencer_id": influencer_id, "team_id": team_id}
    influencer = db.scalars(_IN_TEAM, params).one_or_none()
    if influencer is None:
        raise NotFound("That influencer is not in this workspace's directory.")
    return influencer


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """One of a creator's profiles as a card lists it."""

    platform: str
    handle: str
    url: str | None
    identity_key: str


_prof = InfluencerProfile.__table__
# Primary first, then in the order they were linked (as Influencer.profiles is ordered).
_PROFILES = (
    select(_prof.c.platform, _prof.c.handle, _prof.c.url, _prof.c.identity_key)
    .where(_prof.c.influencer_id == bindparam("influencer_id"))
    .order_by(_prof.c.is_primary.desc(), _prof.c.created_at, _prof.c.id)
)


def list_profiles(db: Session, *, influencer_id: uuid.UUID) -> list[ProfileSummary]:
    """The creator's profiles, primary first, then in the order they were linked."""
    return [ProfileSummary(*row) for row in db.execute(_PROFILES, {"influencer_id": influencer_id})]
