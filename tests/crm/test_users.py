"""crm.users against real PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from crm.errors import InvalidInput
from crm.users import get_or_create_user, get_user, update_user_profile


def test_first_call_creates_the_user_with_defaults(db):
    user = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    assert user.id is not None
    assert (user.team_id, user.slack_user_id) == ("T0001", "U0001")
    assert user.timezone == "UTC"
    assert user.is_admin is False


def test_second_call_returns_the_same_row_in_one_statement(db, statements):
    first = get_or_create_user(db, team_id="T0001", slack_user_id="U0001", display_name="Ana")
    with statements() as seen:
        again = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    assert again.id == first.id
    assert len(seen) == 1
    assert seen[0].lstrip().upper().startswith("INSERT")
    # Values not given keep what is stored.
    assert again.display_name == "Ana"


def test_given_values_overwrite_stored_ones(db):
    get_or_create_user(db, team_id="T0001", slack_user_id="U0001", email="a@x.io", timezone="UTC")
    user = get_or_create_user(
        db, team_id="T0001", slack_user_id="U0001", email="b@x.io", timezone="Europe/Berlin"
    )
    assert user.email == "b@x.io"
    assert user.timezone == "Europe/Berlin"


def test_same_slack_user_in_another_team_is_another_user(db):
    a = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    b = get_or_create_user(db, team_id="T0002", slack_user_id="U0001")
    assert a.id != b.id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"team_id": "", "slack_user_id": "U1"}, "team_id"),
        ({"team_id": "T1", "slack_user_id": "not an id"}, "slack_user_id"),
        ({"team_id": "T1", "slack_user_id": "U1", "timezone": "Mars/Olympus"}, "timezone"),
        ({"team_id": "T1", "slack_user_id": "U1", "email": "nope"}, "email"),
    ],
)
def test_bad_identity_or_profile_writes_nothing(db, snapshot, kwargs, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        get_or_create_user(db, **kwargs)
    assert err.value.field == field
    assert snapshot() == before


def test_update_profile_validates_then_writes(db, snapshot):
    user = get_or_create_user(db, team_id="T0001", slack_user_id="U0001")
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        update_user_profile(db, user=user, display_name="New", timezone="Not/AZone")
    assert err.value.field == "timezone"
    assert "IANA" in err.value.message
    assert snapshot() == before

    update_user_profile(db, user=user, timezone="America/New_York", is_admin=True, email="ana@x.io")
    db.expire_all()
    stored = get_user(db, user_id=user.id)
    assert stored is not None
    assert (stored.timezone, stored.is_admin, stored.email) == ("America/New_York", True, "ana@x.io")


def test_update_profile_blank_email_clears_it(db):
    user = get_or_create_user(db, team_id="T0001", slack_user_id="U0001", email="a@x.io")
    update_user_profile(db, user=user, email="")
    db.expire_all()
    assert get_user(db, user_id=user.id).email is None


def test_get_user_unknown_id_is_none(db):
    assert get_user(db, user_id=uuid.uuid4()) is None
