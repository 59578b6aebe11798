"""crm/exports.py against PostgreSQL: the columns import reads, the user's timezone, filters,
ownership, campaign permissions, and formula-injection neutralizing (a property test)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm import exports
from crm.errors import Forbidden, NotFound
from crm.models import Assignment, Campaign
from crm.relationship_list import RelationshipFilter
from tests.factories import make_influencer, make_relationship, make_user

BOM = b"\xef\xbb\xbf"
HEADER = [
    "name",
    "platform",
    "handle",
    "profile_url",
    "email",
    "followers",
    "status",
    "priority",
    "tags",
    "notes",
    "follow_up",
    "last_contacted",
    "cadence",
]


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def test_relationships_have_the_import_columns_in_the_users_timezone(db):
    alice = make_user(db, timezone="Europe/Berlin")
    maya = make_influencer(
        db,
        handle="maya",
        name="Maya López",
        profile_url="https://instagram.com/maya",
        email="m@x.io",
        follower_count=12500,
    )
    make_relationship(
        db,
        user=alice,
        influencer=maya,
        status="warm",
        priority=4,
        tags=["skincare", "vegan"],
        notes="Line one\nline two, with comma",
        follow_up_date=datetime(2026, 12, 24, 8, 0, tzinfo=UTC),
        last_contacted_at=datetime(2026, 7, 1, 12, 30, tzinfo=UTC),
        cadence_days=14,
    )
    rows = rows_of(exports.relationships_csv(db, actor=alice, filters=RelationshipFilter()))
    assert rows[0] == HEADER == list(exports.RELATIONSHIP_COLUMNS)
    assert rows[1] == [
        "Maya López",
        "instagram",
        "maya",
        "https://instagram.com/maya",
        "m@x.io",
        "12500",
        "warm",
        "4",
        "skincare; vegan",
        "Line one\nline two, with comma",
        "2026-12-24T09:00:00+01:00",  # winter in Berlin
        "2026-07-01T14:30:00+02:00",  # summer in Berlin
        "2 weeks",  # the cadence as /crm cadence reads it
    ]


def test_only_my_relationships_archived_only_when_asked_and_filters_apply(db):
    alice, bob = make_user(db), make_user(db)
    for handle, status, tags, priority in [
        ("ana", "warm", ["skincare"], 3),
        ("ben", "warm", ["food"], 5),
        ("cat", "cold", ["skincare"], 1),
    ]:
        make_relationship(
            db,
            user=alice,
            influencer=make_influencer(db, handle=handle, name=handle.title()),
            status=status,
            tags=tags,
            priority=priority,
        )
    gone = make_influencer(db, handle="dan", name="Dan")
    make_relationship(db, user=alice, influencer=gone, archived_at=datetime.now(UTC))
    make_relationship(db, user=bob, influencer=make_influencer(db, handle="eve", name="Eve"))

    def names(**kw) -> list[str]:
        data = exports.relationships_csv(db, actor=alice, filters=RelationshipFilter(**kw))
        return [row[0] for row in rows_of(data)[1:]]

    assert names() == ["Ana", "Ben", "Cat"]  # not Bob's Eve, not archived Dan; by name
    assert names(statuses=("warm",)) == ["Ana", "Ben"]
    assert names(statuses=("warm", "cold")) == ["Ana", "Ben", "Cat"]  # any of them
    assert names(statuses=("cold", "saved")) == ["Cat"]
    assert names(tag="skincare") == ["Ana", "Cat"]
    assert names(statuses=("warm",), min_priority=4) == ["Ben"]
    assert names(archived=True) == ["Dan"]


def test_cells_a_spreadsheet_would_run_are_neutralized(db):
    alice = make_user(db)
    evil = make_influencer(db, handle="evil", name='=HYPERLINK("http://x.io","click")')
    make_relationship(db, user=alice, influencer=evil, notes="-2+3", tags=["@sum"])
    row = rows_of(exports.relationships_csv(db, actor=alice, filters=RelationshipFilter()))[1]
    assert row[0] == '\'=HYPERLINK("http://x.io","click")'
    assert row[8] == "'@sum" and row[9] == "'-2+3"


@given(st.text(max_size=30))
def test_neutralize_never_leaves_a_formula_and_changes_only_what_it_must(value):
    out = exports.neutralize(value)
    assert not out.startswith(exports.FORMULA_TRIGGERS)
    if value.startswith(exports.FORMULA_TRIGGERS):
        assert out == "'" + value
    else:
        assert out == value


def test_team_export_has_every_users_rows_each_in_their_zone_and_a_user_column(db):
    alice = make_user(db, slack_user_id="UALICE", timezone="America/New_York")
    bob = make_user(db, slack_user_id="UBOB", timezone="Asia/Tokyo")
    other_team = make_user(db, team_id="T0002", slack_user_id="UOTHER")
    due = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    make_relationship(db, user=alice, influencer=make_influencer(db, name="Ana"), follow_up_date=due)
    make_relationship(db, user=bob, influencer=make_influencer(db, name="Ben"), follow_up_date=due)
    make_relationship(db, user=other_team, influencer=make_influencer(db, team_id="T0002", name="Zed"))
    rows = rows_of(exports.team_csv(db, team_id="T0001"))
    assert rows[0] == [*HEADER, "user"]
    assert [(r[0], r[10], r[-1]) for r in rows[1:]] == [
        ("Ana", "2026-12-24T07:00:00-05:00", "UALICE"),
        ("Ben", "2026-12-24T21:00:00+09:00", "UBOB"),
    ]
    assert [r[0] for r in rows_of(exports.team_csv(db, team_id="T0001", user_id="UBOB"))[1:]] == ["Ben"]
    with pytest.raises(NotFound):
        exports.team_csv(db, team_id="T0001", user_id="UOTHER")


def test_campaign_export_mine_for_anyone_everyones_for_a_crm_admin(db):
    alice, bob, carol = make_user(db), make_user(db), make_user(db)
    campaign = Campaign(team_id="T0001", user_id=alice.id, name="Spring Sale", landing_url="https://s.io")
    db.add(campaign)
    db.flush()
    for user, name in [(alice, "Ana"), (bob, "Ben")]:
        db.add(
            Assignment(
                campaign_id=campaign.id,
                influencer_id=make_influencer(db, name=name, handle=name.lower()).id,
                user_id=user.id,
                utm_source="instagram",
                utm_medium="influencer",
                utm_campaign="spring-sale",
                utm_content=name.lower(),
                utm_url=f"https://s.io/?utm_content={name.lower()}",
                status="active",
                notes="+1 post",
            )
        )
    db.flush()
    rows = rows_of(exports.campaign_csv(db, actor=bob, campaign_id=campaign.id))
    assert rows[0] == list(exports.CAMPAIGN_COLUMNS) and "clicks" not in rows[0]
    assert len(rows) == 2
    ben = dict(zip(rows[0], rows[1], strict=True))
    assert ben["name"] == "Ben" and ben["campaign"] == "Spring Sale" and ben["status"] == "active"
    assert ben["utm_link"] == "https://s.io/?utm_content=ben" and ben["utm_content"] == "ben"
    assert ben["notes"] == "'+1 post"
    everyone = rows_of(exports.campaign_csv(db, actor=carol, campaign_id=campaign.id, crm_admin=True))
    assert [r[1] for r in everyone[1:]] == ["Ana", "Ben"]
    with pytest.raises(Forbidden):  # carol assigned no one, and is not an admin
        exports.campaign_csv(db, actor=carol, campaign_id=campaign.id)
    stranger = make_user(db, team_id="T0002")
    with pytest.raises(NotFound):
        exports.campaign_csv(db, actor=stranger, campaign_id=campaign.id, crm_admin=True)
