"""Influencers: the workspace-wide directory of creators — save, name, link profiles, look up by id.

A creator is known by its profiles (crm.profiles decides when two are the same); its name is free
text everyone in the workspace sees. The influencer row's platform, handle and profile_url are its
primary profile, kept in step here. Which creator a typed reference names is crm.references;
full-text search is crm.search; second entries of one person are crm.duplicates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.duplicates import merge_command
from crm.errors import Ambiguous, Conflict, InvalidInput, NotFound
from crm.models import Influencer, InfluencerProfile
from crm.profiles import (
    PROFILES_MAX,
    BareHandle,
    Profile,
    creator_name,
    describe,
    on_platform,
    parse_profile,
    parse_reference,
    validate_platform,
)
from crm.text import clean_name, fold
from crm.urls import validate_http_url
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


def kept_over(influencer: Influencer, *, name: str | None, email: str | None) -> dict[str, str]:
    """The stored values save_influencer kept over different ones given: {"name": …, "email": …}.

    Saving fills in only what the directory lacks, so a creator saved before as "Maya L." stays so
    when `/crm add "Maya Lopez" @maya` names them again; the caller says so instead of staying
    silent. Compared as stored: cleaned, and names without regard to case or accents.
    """
    kept: dict[str, str] = {}
    given_name, given_email = _clean_name(name), validate_email(email)
    if given_name and fold(given_name) != fold(influencer.name):
        kept["name"] = influencer.name
    if given_email and influencer.email and given_email.lower() != influencer.email.lower():
        kept["email"] = influencer.email
    return kept


def named_by_handle(influencer: Influencer) -> bool:
    """Whether the creator has no name of its own: its name is its handle, as `/crm add @lena_fit`
    saves it, however written ("lena_fit", "@Lena_Fit")."""
    return influencer.name.strip().lstrip("@").lower() == influencer.handle.lower()


def _fill_in_name(influencer: Influencer, name: str | None) -> None:
    """Give the creator `name` while its name is still its handle (never overwrite a chosen one)."""
    if name and named_by_handle(influencer) and name != influencer.name:
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
    owner = creator_name(other.name, other.handle, other.platform)
    raise Conflict(
        f"{describe(profile)} already belongs to {owner}; "
        f"a profile can belong to one creator only. If they are the same person, merge them: "
        f"{merge_command(influencer, other)}"
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
