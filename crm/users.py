"""Users: the Slack identity (workspace + user id) the CRM records belong to."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from crm.clock import parse_zone
from crm.errors import InvalidInput
from crm.models import User
from crm.text import clean_name, clean_text

DISPLAY_NAME_MAX = 255  # users.display_name is VARCHAR(255)

_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# The user of a Slack identity, built once: every request looks its actor up, and building the
# statement per call cost about as much as running it.
_BY_IDENTITY = select(User).where(
    User.team_id == bindparam("team_id"), User.slack_user_id == bindparam("slack_user_id")
)


def _slack_id(value: str, field: str) -> str:
    cleaned = (value or "").strip()
    if not _SLACK_ID.match(cleaned):
        raise InvalidInput(field, f"“{cleaned}” is not a Slack id (letters and digits, like T0123ABCD).")
    return cleaned


def looks_like_email(text: str) -> bool:
    """Whether `text` is written like an e-mail address (name@domain.tld), as validate_email checks."""
    return bool(_EMAIL.match(text.strip()))


def validate_email(value: str | None) -> str | None:
    """A trimmed e-mail address, None for blank, InvalidInput("email") when it is not one."""
    cleaned = clean_text(value, field="email", max_len=None, label="The e-mail address")
    if cleaned is None:
        return None
    if len(cleaned) > 255 or not _EMAIL.match(cleaned):
        raise InvalidInput("email", f"“{cleaned[:80]}” is not an e-mail address.")
    return cleaned


def _display_name(value: str | None) -> str | None:
    return clean_name(value, field="display_name", max_len=DISPLAY_NAME_MAX, label="The display name")


def get_or_create_user(db: Session, *, team_id: str, slack_user_id: str, timezone: str = "UTC") -> User:
    """The user for a Slack identity, created on first sight with `timezone` (IANA name).

    A known user (every request but a user's first) costs one SELECT that writes and locks nothing,
    so one click never waits for another of the same user's transactions; `timezone` does not
    change a known user's zone (update_user_profile does, from Slack's profile). A first sight
    INSERTs … ON CONFLICT DO NOTHING; when a concurrent first request won that race, the row it
    committed is read back.
    """
    team_id = _slack_id(team_id, "team_id")
    slack_user_id = _slack_id(slack_user_id, "slack_user_id")
    zone = parse_zone(timezone).key
    identity = {"team_id": team_id, "slack_user_id": slack_user_id}
    user = db.scalars(_BY_IDENTITY, identity).one_or_none()
    if user is not None:
        return user
    inserted = db.scalars(
        insert(User)
        .values(team_id=team_id, slack_user_id=slack_user_id, timezone=zone)
        .on_conflict_do_nothing(index_elements=[User.team_id, User.slack_user_id])
        .returning(User)
    ).one_or_none()
    if inserted is not None:
        return inserted
    return db.scalars(_BY_IDENTITY, identity).one()


def update_user_profile(
    db: Session,
    *,
    user: User,
    email: str | None = None,
    display_name: str | None = None,
    timezone: str | None = None,
    is_admin: bool | None = None,
) -> User:
    """Change the given profile fields (None keeps a field); every value is validated before writing."""
    cleaned_email = validate_email(email) if email is not None else None
    cleaned_name = _display_name(display_name) if display_name is not None else None
    zone = parse_zone(timezone).key if timezone is not None else None
    if is_admin is not None and not isinstance(is_admin, bool):
        raise InvalidInput("is_admin", "is_admin must be true or false.")

    if email is not None:
        user.email = cleaned_email
    if display_name is not None:
        user.display_name = cleaned_name
    if zone is not None:
        user.timezone = zone
    if is_admin is not None:
        user.is_admin = is_admin
    db.flush()
    return user


def get_user(db: Session, *, user_id: uuid.UUID) -> User | None:
    """The user with this id, or None."""
    return db.get(User, user_id)
