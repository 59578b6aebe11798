"""Which creator a reference names: a profile link, `@handle`, `@handle platform`, an e-mail
address, or a name.

Every command that names a creator goes through resolve_influencer: a profile beats a name, so
"@maya" is the creator with that handle even when someone else is called Maya, and a reference
that fits several creators equally is Ambiguous (with the candidates, for buttons). Full-text
search is crm.search; the directory's writes are crm.influencers.
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import Session

from crm.errors import Ambiguous, InvalidInput, NoMatch
from crm.models import Influencer, InfluencerProfile
from crm.profiles import BareHandle, Profile, on_platform, parse_reference, platform_named
from crm.text import clean_name, escape_like, fold
from crm.urls import looks_like_url
from crm.users import looks_like_email


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
    """Creators matching `ref` with a match tier: 0 one of their profiles or their e-mail address,
    1 exact name, 2 name or handle prefix."""
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
    # An e-mail address names the creator saved with it (a creator's reply is in your inbox).
    email_hit = literal(False)
    if parsed is None and looks_like_email(cleaned):
        email_hit = func.lower(Influencer.email) == cleaned.lower()
    tier = case((profile_hit, 0), (email_hit, 0), (name_exact, 1), else_=2)
    rows = db.execute(
        select(Influencer, tier)
        .where(Influencer.team_id == team_id, or_(profile_hit, email_hit, name_exact, name_prefix))
        .order_by(tier, func.lower(Influencer.name), Influencer.platform, Influencer.id)
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


def find_influencers(db: Session, *, team_id: str, ref: str, limit: int = 10) -> list[Influencer]:
    """Creators in the team matching `ref`: a profile (any platform) first, then name matches."""
    return [influencer for influencer, _ in _ranked(db, team_id=team_id, ref=ref, limit=limit)]


def resolve_influencer(db: Session, *, team_id: str, ref: str) -> Influencer:
    """The one creator `ref` means; NoMatch (a NotFound) when none, Ambiguous (with candidates) when several.

    `ref` is a profile link, `@handle` (any of a creator's profiles), `@handle platform`, an e-mail
    address, or a name.
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
