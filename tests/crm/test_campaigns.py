"""Campaigns and assignments against real PostgreSQL: validation, uniqueness, UTM links, ownership."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from crm.assignments import (
    NotAssigned,
    UtmValues,
    assign_influencer,
    default_utm,
    get_assignment,
    get_assignment_by_id,
    list_assignments,
    preview_link,
    regenerate_link,
    set_assignment_status,
    update_assignment,
)
from crm.campaigns import (
    CampaignChanges,
    campaign_names,
    create_campaign,
    editable_campaign,
    get_campaign,
    list_campaigns,
    resolve_campaign,
    update_campaign,
)
from crm.errors import Ambiguous, Conflict, Forbidden, InvalidInput, NotFound
from crm.models import Assignment, Campaign
from crm.relationships import KEEP
from crm.utm import build_utm_url
from tests.factories import make_influencer, make_user

LANDING = "https://shop.example.com/spring?ref=crm#buy"


def _utm(url: str) -> dict[str, str]:
    return {k: v for k, v in parse_qsl(urlsplit(url).query) if k.startswith("utm_")}


def _count(db: Session, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def owner(db):
    return make_user(db, display_name="Ana")


@pytest.fixture
def teammate(db):
    return make_user(db, display_name="Ben")


@pytest.fixture
def maya(db):
    return make_influencer(db, handle="Maya.Creates", name="Maya Lopez", platform="tiktok")


def test_create_stores_normalized_defaults_and_owner(db, owner):
    c = create_campaign(
        db, actor=owner, name="  Spring Sale 2026 ", landing_url=LANDING, utm_source=" News Letter "
    )
    assert (c.name, c.team_id, c.user_id, c.status) == ("Spring Sale 2026", owner.team_id, owner.id, "active")
    assert (c.utm_source, c.utm_medium, c.utm_campaign) == ("news-letter", None, None)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"landing_url": "ftp://example.com/x"}, "landing_url"),
        ({"landing_url": "example.com/page"}, "landing_url"),
        ({"landing_url": "https:///nohost"}, "landing_url"),
        ({"landing_url": "https://example.com/" + "p" * 2000}, "landing_url"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"utm_campaign": "c" * 101}, "utm_campaign"),
        ({"start_date": date(2026, 5, 2), "end_date": date(2026, 5, 1)}, "end_date"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(db, owner, kwargs, field):
    args = {"name": "Launch", "landing_url": LANDING, **kwargs}
    with pytest.raises(InvalidInput) as exc:
        create_campaign(db, actor=owner, **args)
    assert exc.value.field == field
    assert _count(db, Campaign) == 0


def test_names_are_unique_per_team_case_insensitively(db, owner):
    create_campaign(db, actor=owner, name="Summer Drop", landing_url=LANDING)
    assert len(create_campaign(db, actor=owner, name="x" * 100, landing_url=LANDING).name) == 100
    with pytest.raises(Conflict) as exc:
        create_campaign(db, actor=owner, name="SUMMER drop", landing_url=LANDING)
    assert "SUMMER drop" in exc.value.message
    other_team = make_user(db, team_id="T0002")
    assert create_campaign(db, actor=other_team, name="summer drop", landing_url=LANDING).team_id == "T0002"


def test_names_are_saved_without_bidi_controls_or_zero_width_characters(db, owner):
    """A name that reads differently from what it is (RLO, zero-width space) is saved as it reads, so
    it cannot pass for another campaign or reach teammates disguised; emoji ZWJ sequences stay whole."""
    c = create_campaign(db, actor=owner, name="\u202eSpring\u200b Sale\u2069", landing_url=LANDING)
    assert c.name == "Spring Sale"
    with pytest.raises(Conflict):
        create_campaign(db, actor=owner, name="Spring\ufeff Sale", landing_url=LANDING)
    assert resolve_campaign(db, team_id=owner.team_id, ref="Spring\u200b Sale").id == c.id
    renamed = update_campaign(
        db, actor=owner, campaign_id=c.id, changes=CampaignChanges(name="👩\u200d💻 Launch\u2066")
    )
    assert renamed.campaign.name == "👩\u200d💻 Launch"
    with pytest.raises(InvalidInput) as err:
        create_campaign(db, actor=owner, name="\u200b\u2060", landing_url=LANDING)
    assert err.value.field == "name"


def test_concurrent_duplicate_name_becomes_conflict(clean_tables):
    """The name check cannot see an uncommitted twin; the unique index must turn into a Conflict."""
    with Session(clean_tables) as a, Session(clean_tables) as b:
        actor_a = make_user(a)
        a.commit()
        actor_b = b.get(type(actor_a), actor_a.id)
        create_campaign(a, actor=actor_a, name="Race", landing_url=LANDING)  # flushed, not committed
        outcome: list[object] = []

        def second() -> None:
            try:
                outcome.append(create_campaign(b, actor=actor_b, name="race", landing_url=LANDING))
            except Exception as exc:
                outcome.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        with clean_tables.connect() as watcher:  # wait until b blocks on a's row in the unique index
            for _ in range(200):
                waiting = watcher.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                )
                if waiting or not thread.is_alive():
                    break
                time.sleep(0.05)
        assert waiting == 1, "the second insert never waited on the first"
        a.commit()
        thread.join(10)
        assert isinstance(outcome[0], Conflict)
        b.rollback()
        assert b.scalar(select(func.count()).select_from(Campaign)) == 1


def test_list_counts_assignments_per_status_and_hides_archived(db, owner, maya):
    a = create_campaign(db, actor=owner, name="b-campaign", landing_url=LANDING)
    b = create_campaign(db, actor=owner, name="A-campaign", landing_url=LANDING)
    archived = create_campaign(db, actor=owner, name="old", landing_url=LANDING)
    update_campaign(db, actor=owner, campaign_id=archived.id, changes=CampaignChanges(status="archived"))
    create_campaign(db, actor=make_user(db, team_id="T0002"), name="elsewhere", landing_url=LANDING)
    others = [make_influencer(db) for _ in range(3)]
    for inf in [maya, *others]:
        assign_influencer(db, actor=owner, campaign_id=a.id, influencer_id=inf.id)
    set_assignment_status(db, actor=owner, campaign_id=a.id, influencer_id=maya.id, status="active")
    set_assignment_status(db, actor=owner, campaign_id=a.id, influencer_id=others[0].id, status="Completed")

    summaries = list_campaigns(db, team_id=owner.team_id)
    assert [s.campaign.id for s in summaries] == [b.id, a.id]
    assert summaries[1].assignment_counts == {"planned": 2, "active": 1, "completed": 1, "cancelled": 0}
    assert summaries[0].assignment_counts == {"planned": 0, "active": 0, "completed": 0, "cancelled": 0}
    all_names = [s.campaign.name for s in list_campaigns(db, team_id=owner.team_id, include_archived=True)]
    assert all_names == ["A-campaign", "b-campaign", "old"]


def test_get_and_resolve_campaign(db, owner):
    spring = create_campaign(db, actor=owner, name="Spring Launch", landing_url=LANDING)
    spring_sale = create_campaign(db, actor=owner, name="Spring Sale", landing_url=LANDING)
    create_campaign(db, actor=owner, name="100%_Organic", landing_url=LANDING)
    outsider = make_user(db, team_id="T0002")
    with pytest.raises(NotFound):
        get_campaign(db, team_id=outsider.team_id, campaign_id=spring.id)
    assert resolve_campaign(db, team_id=owner.team_id, ref="spring sale") == spring_sale
    assert resolve_campaign(db, team_id=owner.team_id, ref="launch") == spring
    with pytest.raises(NotFound):  # a whole name (or id) only
        resolve_campaign(db, team_id=owner.team_id, ref="launch", partial=False)
    assert resolve_campaign(db, team_id=owner.team_id, ref="SPRING SALE", partial=False) == spring_sale
    assert resolve_campaign(db, team_id=owner.team_id, ref=str(spring.id)) == spring
    with pytest.raises(Ambiguous) as exc:
        resolve_campaign(db, team_id=owner.team_id, ref="spring")
    assert {c.id for c in exc.value.candidates} == {spring.id, spring_sale.id}
    with pytest.raises(NotFound):  # % and _ are matched literally, not as wildcards
        resolve_campaign(db, team_id=owner.team_id, ref="0%_O_g")
    with pytest.raises(NotFound):
        resolve_campaign(db, team_id=outsider.team_id, ref="Spring Launch")


def test_a_campaign_is_found_with_or_without_its_accents(db, owner):
    ete = create_campaign(db, actor=owner, name="Été 2026", landing_url=LANDING)
    assert resolve_campaign(db, team_id=owner.team_id, ref="ete 2026", partial=False) == ete
    assert resolve_campaign(db, team_id=owner.team_id, ref="ETE") == ete  # part of the name
    # When two names differ only by their accents, the exact spelling picks one, and the
    # unaccented one is the other campaign, not a guess.
    plain = create_campaign(db, actor=owner, name="Ete 2026", landing_url=LANDING)
    assert resolve_campaign(db, team_id=owner.team_id, ref="été 2026", partial=False) == ete
    assert resolve_campaign(db, team_id=owner.team_id, ref="ete 2026", partial=False) == plain
    with pytest.raises(Ambiguous):
        resolve_campaign(db, team_id=owner.team_id, ref="ete")


def test_assign_uses_documented_defaults_and_stores_the_link(db, owner, maya):
    c = create_campaign(db, actor=owner, name="Spring Sale 2026", landing_url=LANDING)
    assignment, created = assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    assert created and assignment.user_id == owner.id and assignment.status == "planned"
    expected = {
        "utm_source": "tiktok",
        "utm_medium": "influencer",
        "utm_campaign": "spring-sale-2026",
        "utm_content": "maya.creates",
    }
    assert _utm(assignment.utm_url) == expected
    assert (assignment.utm_source, assignment.utm_content, assignment.utm_term) == (
        "tiktok",
        "maya.creates",
        None,
    )
    assert assignment.utm_url.startswith("https://shop.example.com/spring?ref=crm&")
    assert assignment.utm_url.endswith("#buy")
    assert preview_link(c, maya) == assignment.utm_url


def test_campaign_defaults_override_platform_and_name(db, owner, maya):
    c = create_campaign(
        db,
        actor=owner,
        name="Fall",
        landing_url=LANDING,
        utm_source="creators",
        utm_medium="Paid Social",
        utm_campaign="fall_26",
    )
    assert default_utm(c, maya) == UtmValues("creators", "paid-social", "fall_26", "maya.creates")


@pytest.mark.parametrize(
    ("name", "utm_campaign"),
    [
        ("Spring Sale", "spring-sale"),
        ("Été Glow 2026!", "ete-glow-2026"),  # accents off, punctuation a separator
        ("Día de  Muertos", "dia-de-muertos"),
        ("Summer Sweat '26", "summer-sweat-26"),
        ("Back-to-School_Drop", "back-to-school-drop"),
        ("春のセール", "春のセール"),  # another script keeps its letters
        ("Straße Glow", "straße-glow"),  # a letter with no plain form: the name as typed, lower-cased
        ("!!!", "!!!"),  # nothing left to join: the name itself
    ],
)
def test_the_default_utm_campaign_is_the_name_in_plain_letters(db, owner, maya, name, utm_campaign):
    c = create_campaign(db, actor=owner, name=name, landing_url=LANDING)
    assert default_utm(c, maya).campaign == utm_campaign
    assignment, _ = assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    assert _utm(assignment.utm_url)["utm_campaign"] == utm_campaign  # as stored and linked


def test_assign_again_is_a_no_op_and_teammate_gets_conflict(db, owner, teammate, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    first, _ = assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    again, created = assign_influencer(
        db, actor=owner, campaign_id=c.id, influencer_id=maya.id, utm=UtmValues("x", "y", "z")
    )
    assert (again.id, created, again.utm_source) == (first.id, False, "tiktok")
    with pytest.raises(Conflict) as exc:
        assign_influencer(db, actor=teammate, campaign_id=c.id, influencer_id=maya.id)
    assert "teammate" in exc.value.message and "Ana" not in exc.value.message
    assert _count(db, Assignment) == 1


def test_assign_rejects_other_team_archived_and_bad_utm(db, owner, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    foreign = make_influencer(db, team_id="T0002")
    with pytest.raises(NotFound):
        assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=foreign.id)
    with pytest.raises(NotFound):
        assign_influencer(
            db, actor=make_user(db, team_id="T0002"), campaign_id=c.id, influencer_id=foreign.id
        )
    with pytest.raises(InvalidInput) as exc:
        assign_influencer(
            db, actor=owner, campaign_id=c.id, influencer_id=maya.id, utm=UtmValues("a", " ", "c")
        )
    assert exc.value.field == "utm_medium"
    with pytest.raises(InvalidInput) as exc:
        assign_influencer(
            db, actor=owner, campaign_id=c.id, influencer_id=maya.id, utm=UtmValues("a", "b", "c" * 101)
        )
    assert exc.value.field == "utm_campaign"
    update_campaign(db, actor=owner, campaign_id=c.id, changes=CampaignChanges(status="archived"))
    with pytest.raises(InvalidInput) as exc:
        assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    assert exc.value.field == "campaign"
    assert _count(db, Assignment) == 0


def test_assignment_status_changes_and_ownership(db, owner, teammate, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    assignment, _ = assign_influencer(
        db, actor=owner, campaign_id=c.id, influencer_id=maya.id, notes=" brief "
    )
    assert assignment.notes == "brief"
    had = "planned"
    for status in ("active", "completed", "cancelled", "planned"):
        moved, before = set_assignment_status(
            db, actor=owner, campaign_id=c.id, influencer_id=maya.id, status=status
        )
        assert (moved.status, before) == (status, had)
        had = status
    with pytest.raises(InvalidInput) as exc:
        set_assignment_status(db, actor=owner, campaign_id=c.id, influencer_id=maya.id, status="done")
    assert exc.value.field == "status"
    with pytest.raises(NotFound):
        set_assignment_status(db, actor=teammate, campaign_id=c.id, influencer_id=maya.id, status="active")
    with pytest.raises(NotFound):
        get_assignment(db, actor=teammate, campaign_id=c.id, influencer_id=maya.id)
    with pytest.raises(NotFound):
        get_assignment_by_id(db, actor=teammate, assignment_id=assignment.id)
    with pytest.raises(NotFound):
        get_assignment_by_id(db, actor=owner, assignment_id=uuid.uuid4())
    assert list_assignments(db, actor=teammate) == []
    assert list_assignments(db, actor=owner, campaign_id=c.id) == [assignment]
    db.expire_all()
    assert get_assignment_by_id(db, actor=owner, assignment_id=assignment.id).status == "planned"


def test_update_assignment_rebuilds_the_link_and_guards_ownership(db, owner, teammate, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    assignment, _ = assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    before = assignment.utm_url
    with pytest.raises(NotFound):
        update_assignment(
            db, actor=teammate, assignment_id=assignment.id, utm=UtmValues("a", "b", "c"), notes="mine now"
        )
    with pytest.raises(InvalidInput):
        update_assignment(
            db, actor=owner, assignment_id=assignment.id, utm=UtmValues("", "b", "c"), notes="lost"
        )
    db.expire_all()
    assert get_assignment_by_id(db, actor=owner, assignment_id=assignment.id).utm_url == before

    updated = update_assignment(
        db,
        actor=owner,
        assignment_id=assignment.id,
        utm=UtmValues("IG Stories", "influencer", "launch", None, "Shoes"),
        notes="  Two reels,\nsigned  ",
    )
    assert updated.notes == "Two reels,\nsigned"
    assert updated.utm_url == build_utm_url(
        LANDING, source="ig-stories", medium="influencer", campaign="launch", term="shoes"
    )
    assert (updated.utm_source, updated.utm_content, updated.utm_term) == ("ig-stories", None, "shoes")


def test_regenerate_link_after_the_landing_url_was_edited(db, owner, teammate, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    assignment, _ = assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    c.landing_url = "https://new.example.com/launch"  # edited outside update_campaign
    db.flush()
    with pytest.raises(NotFound):
        regenerate_link(db, actor=teammate, assignment_id=assignment.id)
    regenerated = regenerate_link(db, actor=owner, assignment_id=assignment.id)
    assert regenerated.utm_url == (
        "https://new.example.com/launch?utm_source=tiktok&utm_medium=influencer&utm_campaign=launch"
        "&utm_content=maya.creates"
    )


def test_update_campaign_rebuilds_every_assignment_and_checks_permissions(db, owner, teammate, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    other = make_influencer(db, handle="leo", platform="youtube")
    mine, _ = assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    theirs, _ = assign_influencer(db, actor=teammate, campaign_id=c.id, influencer_id=other.id)
    with pytest.raises(Forbidden) as refused:
        update_campaign(db, actor=teammate, campaign_id=c.id, changes=CampaignChanges(name="Mine now"))
    assert "“Launch” (Ana)" in refused.value.message and "CRM admin" in refused.value.message
    with pytest.raises(InvalidInput) as exc:
        update_campaign(
            db,
            actor=owner,
            campaign_id=c.id,
            changes=CampaignChanges(landing_url="https://x.io/" + "p" * 1990),
        )
    assert exc.value.field == "landing_url"
    create_campaign(db, actor=owner, name="Taken", landing_url=LANDING)
    with pytest.raises(Conflict):
        update_campaign(db, actor=owner, campaign_id=c.id, changes=CampaignChanges(name="taken"))
    db.expire_all()
    assert (c.name, c.landing_url) == ("Launch", LANDING)

    # A CRM admin (the caller says so: CRM_ADMIN_USER_IDS) may edit anyone's campaign.
    admin = make_user(db)
    update = update_campaign(
        db,
        actor=admin,
        campaign_id=c.id,
        changes=CampaignChanges(landing_url="http://b.example/"),
        crm_admin=True,
    )
    assert (update.changed, update.links_updated) == (("landing_url",), 2)
    db.expire_all()
    assert mine.utm_url.startswith("http://b.example/?utm_source=tiktok&")
    assert theirs.utm_url.startswith("http://b.example/?utm_source=youtube&")


def test_only_the_creator_or_a_crm_admin_may_edit(db, owner, teammate):
    """The stored Slack workspace-admin flag is not enough (it is only read at first sight); a
    campaign whose creator is gone is the CRM admins'; another workspace's campaign is not found."""
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    assert editable_campaign(db, actor=owner, campaign_id=c.id) == c
    assert editable_campaign(db, actor=teammate, campaign_id=c.id, crm_admin=True) == c
    workspace_admin = make_user(db, is_admin=True)
    with pytest.raises(Forbidden):
        editable_campaign(db, actor=workspace_admin, campaign_id=c.id)
    with pytest.raises(NotFound):
        editable_campaign(db, actor=make_user(db, team_id="T0002"), campaign_id=c.id, crm_admin=True)
    c.user_id = None  # the creator's user row was deleted (ON DELETE SET NULL)
    db.flush()
    db.expire(c)
    with pytest.raises(Forbidden) as refused:
        update_campaign(db, actor=owner, campaign_id=c.id, changes=CampaignChanges(status="paused"))
    assert "()" not in refused.value.message
    assert (
        update_campaign(
            db, actor=teammate, campaign_id=c.id, changes=CampaignChanges(status="paused"), crm_admin=True
        ).campaign.status
        == "paused"
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (CampaignChanges(name="Launch 2"), {"name": "Launch 2"}),
        (
            CampaignChanges(landing_url="https://new.example.com/l"),
            {"landing_url": "https://new.example.com/l"},
        ),
        (CampaignChanges(status="Paused"), {"status": "paused"}),
        (CampaignChanges(start_date=date(2026, 5, 1)), {"start_date": date(2026, 5, 1)}),
        (CampaignChanges(end_date=None), {"end_date": None}),  # None clears a date, KEEP leaves it
        (CampaignChanges(utm_medium="Paid Social"), {"utm_medium": "paid-social"}),
    ],
)
def test_update_changes_only_the_given_field_and_reports_it(db, owner, changes, expected):
    c = create_campaign(
        db,
        actor=owner,
        name="Launch",
        landing_url=LANDING,
        start_date=date(2026, 4, 1),
        end_date=date(2026, 6, 30),
    )
    before = {
        f: getattr(c, f) for f in ("name", "landing_url", "status", "start_date", "end_date", "utm_medium")
    }
    update = update_campaign(db, actor=owner, campaign_id=c.id, changes=changes)
    db.expire_all()
    after = {f: getattr(get_campaign(db, team_id=owner.team_id, campaign_id=c.id), f) for f in before}
    assert after == {**before, **expected}
    assert update.changed == tuple(expected)
    assert update.links_updated == 0


def test_unchanged_values_report_nothing_and_dates_are_checked_together(db, owner, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING, start_date=date(2026, 4, 1))
    assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    same = update_campaign(
        db,
        actor=owner,
        campaign_id=c.id,
        changes=CampaignChanges(name="Launch", landing_url=LANDING, status="active", start_date=KEEP),
    )
    assert (same.changed, same.links_updated) == ((), 0)
    with pytest.raises(InvalidInput) as exc:  # the stored start date and the new end date disagree
        update_campaign(db, actor=owner, campaign_id=c.id, changes=CampaignChanges(end_date=date(2026, 3, 1)))
    assert exc.value.field == "end_date"
    with pytest.raises(InvalidInput) as exc:
        update_campaign(db, actor=owner, campaign_id=c.id, changes=CampaignChanges(status="finished"))
    assert exc.value.field == "status"


def test_a_new_landing_url_keeps_each_assignments_own_utm_values(db, owner, teammate, maya):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    mine, _ = assign_influencer(
        db,
        actor=owner,
        campaign_id=c.id,
        influencer_id=maya.id,
        utm=UtmValues("newsletter", "email", "launch-q2", "maya-reel", "shoes"),
    )
    leo = make_influencer(db, handle="leo", platform="youtube")
    assign_influencer(db, actor=teammate, campaign_id=c.id, influencer_id=leo.id)
    update = update_campaign(
        db,
        actor=owner,
        campaign_id=c.id,
        changes=CampaignChanges(landing_url="https://new.example.com/q2?x=1"),
    )
    assert update.links_updated == 2
    db.expire_all()
    assert mine.utm_url == build_utm_url(
        "https://new.example.com/q2?x=1",
        source="newsletter",
        medium="email",
        campaign="launch-q2",
        content="maya-reel",
        term="shoes",
    )
    assert all(
        a.utm_url.startswith("https://new.example.com/q2?x=1&") for a in list_assignments(db, actor=teammate)
    )


def test_an_assignment_made_during_a_landing_page_edit_gets_the_new_page(clean_tables):
    """The edit locks the campaign; an assign waits for its commit, then builds the new link."""
    with Session(clean_tables) as a, Session(clean_tables) as b:
        owner_a = make_user(a)
        c = create_campaign(a, actor=owner_a, name="Race", landing_url=LANDING)
        influencer_id = make_influencer(a).id
        a.commit()
        owner_b = b.get(type(owner_a), owner_a.id)
        update_campaign(  # flushed and locked, not committed
            a,
            actor=owner_a,
            campaign_id=c.id,
            changes=CampaignChanges(landing_url="https://new.example.com/"),
        )
        outcome: list[object] = []

        def assign() -> None:
            try:
                outcome.append(
                    assign_influencer(b, actor=owner_b, campaign_id=c.id, influencer_id=influencer_id)
                )
            except Exception as exc:
                outcome.append(exc)

        thread = threading.Thread(target=assign)
        thread.start()
        with clean_tables.connect() as watcher:
            for _ in range(200):
                waiting = watcher.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                )
                if waiting or not thread.is_alive():
                    break
                time.sleep(0.05)
        assert waiting == 1, "the assign never waited for the edit"
        a.commit()
        thread.join(10)
        assignment, created = outcome[0]
        assert created and assignment.utm_url.startswith("https://new.example.com/?utm_source=")
        b.commit()


def test_a_missing_assignment_says_who_is_not_on_which_campaign(db, owner, teammate, maya):
    c = create_campaign(db, actor=owner, name="Spring Sale", landing_url=LANDING)
    with pytest.raises(NotAssigned) as err:
        set_assignment_status(db, actor=owner, campaign_id=c.id, influencer_id=maya.id, status="active")
    who = "“Maya Lopez” (@Maya.Creates · TikTok)"
    assert err.value.message == f"{who} is not assigned to “Spring Sale” by you."
    assert not err.value.by_teammate
    assign_influencer(db, actor=teammate, campaign_id=c.id, influencer_id=maya.id)
    with pytest.raises(NotAssigned) as err:
        get_assignment(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    assert err.value.by_teammate and "teammate" in err.value.message and "Ben" not in err.value.message
    plain = make_influencer(db, handle="leo", name="leo")
    with pytest.raises(NotAssigned) as err:
        get_assignment(db, actor=owner, campaign_id=c.id, influencer_id=plain.id)
    assert err.value.message.startswith("“leo” (@leo · Instagram) is not assigned")


def test_campaign_names_cover_the_workspace_archived_too(db, owner):
    create_campaign(db, actor=owner, name="Spring Sale", landing_url=LANDING)
    old = create_campaign(db, actor=owner, name="Old Drop", landing_url=LANDING)
    update_campaign(db, actor=owner, campaign_id=old.id, changes=CampaignChanges(status="archived"))
    create_campaign(db, actor=make_user(db, team_id="T0002"), name="Elsewhere", landing_url=LANDING)
    assert campaign_names(db, team_id=owner.team_id) == ["Old Drop", "Spring Sale"]


def test_assign_says_which_of_campaign_and_influencer_was_not_found(db, owner, maya, statements):
    c = create_campaign(db, actor=owner, name="Launch", landing_url=LANDING)
    with pytest.raises(NotFound) as err:
        assign_influencer(db, actor=owner, campaign_id=uuid.uuid4(), influencer_id=maya.id)
    assert err.value.message == "Campaign not found."
    with pytest.raises(NotFound) as err:
        assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=uuid.uuid4())
    assert err.value.message == "Influencer not found."
    with statements() as seen:
        assign_influencer(db, actor=owner, campaign_id=c.id, influencer_id=maya.id)
    assert len(seen) == 2  # campaign + influencer in one SELECT, then INSERT … RETURNING the row
