"""crm.relationship_list and crm.dashboard: filtered lists, the card, pipeline counts, the home view."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from crm.dashboard import (
    days_since_contact,
    home_dashboard,
    pipeline_counts,
    relationship_card,
    relationship_card_for,
)
from crm.errors import Ambiguous, Conflict, InvalidInput, NotFound
from crm.followups import due_follow_ups
from crm.influencers import link_profile
from crm.models import RELATIONSHIP_STATUSES, Assignment, Campaign, Interaction
from crm.relationship_list import RelationshipFilter, list_relationships
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def book(db):
    """The actor's list of five relationships, plus a colleague's that must never show up."""
    me = make_user(db, team_id="T1")
    colleague = make_user(db, team_id="T1")
    spec = {
        # name: status, priority, strength, last contact (days ago), follow-up (days from now), tags
        "Ana": ("warm", 5, 40, 2, 1, ["vegan"]),
        "Ben": ("saved", 1, 0, None, None, []),
        "Cleo": ("partnered", 3, 80, 40, -2, ["vegan", "berlin"]),
        "Dev": ("contacted", 3, 20, 10, 10, ["berlin"]),
        "Eve": ("cold", 0, 5, 100, None, []),
    }
    rels = {}
    for name, (status, priority, strength, contact, follow, tags) in spec.items():
        rels[name] = make_relationship(
            db,
            user=me,
            influencer=make_influencer(db, team_id="T1", name=name, handle=name.lower()),
            status=status,
            priority=priority,
            relationship_strength=strength,
            last_contacted_at=None if contact is None else NOW - contact * DAY,
            follow_up_date=None if follow is None else NOW + follow * DAY,
            tags=tags,
        )
    make_relationship(
        db, user=colleague, influencer=make_influencer(db, team_id="T1"), status="warm", tags=["vegan"]
    )
    return me, rels


def names(page_or_list):
    items = page_or_list.items if hasattr(page_or_list, "items") else page_or_list
    return [r.influencer.name for r in items]


def test_default_is_by_strength_with_total(db, book):
    me, _ = book
    page = list_relationships(db, actor=me)
    assert names(page) == ["Cleo", "Ana", "Dev", "Eve", "Ben"]
    assert page.total == 5


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (RelationshipFilter(statuses=("warm",)), ["Ana"]),
        (RelationshipFilter(tag="#Vegan"), ["Cleo", "Ana"]),
        (RelationshipFilter(min_priority=3), ["Cleo", "Ana", "Dev"]),
        (RelationshipFilter(follow_up_before=NOW + 5 * DAY, sort="follow_up"), ["Cleo", "Ana"]),
        (RelationshipFilter(sort="priority"), ["Ana", "Cleo", "Dev", "Ben", "Eve"]),
        (RelationshipFilter(sort="last_contact"), ["Ana", "Dev", "Cleo", "Eve", "Ben"]),
        (RelationshipFilter(sort="follow_up"), ["Cleo", "Ana", "Dev", "Ben", "Eve"]),
        (RelationshipFilter(tag="berlin", min_priority=3, sort="priority"), ["Cleo", "Dev"]),
    ],
)
def test_filters_and_sorts(db, book, filters, expected):
    me, _ = book
    page = list_relationships(db, actor=me, filters=filters)
    assert names(page) == expected
    assert page.total == len(expected)


def test_pages_share_one_total_in_one_statement(db, book, statements):
    me, _ = book
    with statements() as seen:
        first = list_relationships(db, actor=me, filters=RelationshipFilter(limit=2))
        [r.influencer.handle for r in first.items]
    assert len(seen) == 1
    second = list_relationships(db, actor=me, filters=RelationshipFilter(limit=2, offset=2))
    assert names(first) + names(second) == ["Cleo", "Ana", "Dev", "Eve"]
    assert (first.total, second.total, second.offset) == (5, 5, 2)
    assert (first.has_previous, first.has_next, second.has_previous, second.has_next) == (
        False,
        True,
        True,
        True,
    )


def test_a_page_past_the_end_is_the_last_page(db, book):
    """A Next button made when the list was longer never leads to an empty page."""
    me, _ = book
    beyond = list_relationships(db, actor=me, filters=RelationshipFilter(limit=2, offset=10))
    assert (names(beyond), beyond.total, beyond.offset) == (["Ben"], 5, 4)
    assert (beyond.has_previous, beyond.has_next) == (True, False)
    gone = RelationshipFilter(statuses=("warm",), tag="nope", offset=40)
    nothing = list_relationships(db, actor=me, filters=gone)
    assert (nothing.items, nothing.total, nothing.offset) == ([], 0, 0)


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (RelationshipFilter(statuses=("hot",)), "status"),
        (RelationshipFilter(min_priority=9), "priority"),
        (RelationshipFilter(tag="a,b"), "tag"),
        (RelationshipFilter(sort="name"), "sort"),
        (RelationshipFilter(limit=0), "limit"),
        (RelationshipFilter(limit=101), "limit"),
        (RelationshipFilter(offset=-1), "offset"),
        (RelationshipFilter(offset=10**20), "offset"),  # would overflow PostgreSQL's bigint
        (RelationshipFilter(follow_up_before=datetime(2026, 12, 1)), "follow_up_before"),
    ],
)
def test_bad_filters(db, book, filters, field):
    me, _ = book
    with pytest.raises(InvalidInput) as err:
        list_relationships(db, actor=me, filters=filters)
    assert err.value.field == field


def _plans(db, run) -> list[str]:
    """EXPLAIN of each statement `run` issues, with sequential scans discouraged (tiny tables)."""
    captured = []
    conn = db.connection()

    def grab(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(conn, "before_cursor_execute", grab)
    db.execute(text("SET LOCAL enable_seqscan = off"))
    plans = [
        "\n".join(conn.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all())
        for statement, parameters in captured
    ]
    db.execute(text("SET LOCAL enable_seqscan = on"))
    return plans


def _plan(db, run) -> str:
    """The EXPLAIN output of every statement `run` issues, as one text."""
    return "\n".join(_plans(db, run))


def test_list_and_due_use_the_per_user_indexes(db, book):
    me, _ = book
    list_plan = _plan(db, lambda: list_relationships(db, actor=me))
    per_user = ("ix_user_influencers_user_id_status", "ix_user_influencers_user_strength")
    assert any(index in list_plan for index in per_user)
    assert "idx_user_influencers_relationship_strength" not in list_plan  # walks every user's rows
    due_plan = _plan(db, lambda: due_follow_ups(db, actor=me, now=NOW))
    assert "ix_user_influencers_follow_up_set" in due_plan


def test_pipeline_counts_every_status(db, book):
    me, _ = book
    counts = pipeline_counts(db, actor=me)
    assert list(counts) == list(RELATIONSHIP_STATUSES)
    assert counts == {"saved": 1, "contacted": 1, "warm": 1, "cold": 1, "partnered": 1}
    assert pipeline_counts(db, actor=make_user(db, team_id="T1")) == dict.fromkeys(RELATIONSHIP_STATUSES, 0)


def test_card_has_recent_interactions_and_my_assignments(db, book):
    me, rels = book
    cleo = rels["Cleo"]
    colleague = make_user(db, team_id="T1")
    for days in range(7):
        db.add(
            Interaction(
                user_id=me.id,
                influencer_id=cleo.influencer_id,
                type="email",
                subject=f"day {days}",
                interaction_date=NOW - days * DAY,
            )
        )
    db.add(Interaction(user_id=colleague.id, influencer_id=cleo.influencer_id, type="call", subject="theirs"))
    campaign = Campaign(team_id="T1", user_id=me.id, name="Spring", landing_url="https://shop.example")
    other_campaign = Campaign(
        team_id="T1", user_id=colleague.id, name="Fall", landing_url="https://shop.example"
    )
    db.add_all([campaign, other_campaign])
    db.flush()
    db.add(Assignment(campaign_id=campaign.id, influencer_id=cleo.influencer_id, user_id=me.id))
    db.add(Assignment(campaign_id=other_campaign.id, influencer_id=cleo.influencer_id, user_id=colleague.id))
    db.flush()

    card = relationship_card(db, actor=me, influencer_id=cleo.influencer_id, recent=3)
    assert card.relationship.id == cleo.id and card.influencer.name == "Cleo"
    assert [i.subject for i in card.recent_interactions] == ["day 0", "day 1", "day 2"]
    assert [a.campaign_name for a in card.assignments] == ["Spring"]


def test_card_of_an_influencer_not_on_my_list_is_not_found(db, book):
    me, _ = book
    with pytest.raises(NotFound):
        relationship_card(db, actor=me, influencer_id=make_influencer(db, team_id="T1").id)


def test_home_dashboard(db, book):
    me, rels = book
    db.add(
        Interaction(user_id=me.id, influencer_id=rels["Ana"].influencer_id, type="call", interaction_date=NOW)
    )
    db.flush()
    home = home_dashboard(db, actor=me, now=NOW)
    assert names(home.due) == ["Cleo"]  # Ana's follow-up is tomorrow, Cleo's two days overdue
    assert home.overdue_count == 1
    assert home.pipeline["warm"] == 1 and sum(home.pipeline.values()) == 5
    assert names(home.strongest) == ["Cleo", "Ana", "Dev", "Eve"]  # Ben has strength 0
    # Contacted/warm/partnered and not contacted for 30+ days: only Cleo (Eve is cold).
    assert names(home.neglected) == ["Cleo"]
    assert [i.influencer.name for i in home.recent] == ["Ana"]


def _card_fixture(db, me, rels):
    """Cleo gets two interactions (one in a campaign), one assignment of mine and one of a colleague's."""
    cleo = rels["Cleo"]
    colleague = make_user(db, team_id="T1")
    spring = Campaign(team_id="T1", user_id=me.id, name="Spring", landing_url="https://shop.example")
    fall = Campaign(team_id="T1", user_id=colleague.id, name="Fall", landing_url="https://shop.example")
    db.add_all([spring, fall])
    db.flush()
    db.add_all(
        [
            Interaction(
                user_id=me.id,
                influencer_id=cleo.influencer_id,
                type="call",
                campaign_id=spring.id,
                interaction_date=NOW - DAY,
            ),
            Interaction(user_id=me.id, influencer_id=cleo.influencer_id, type="email", interaction_date=NOW),
            Assignment(campaign_id=spring.id, influencer_id=cleo.influencer_id, user_id=me.id),
            Assignment(campaign_id=fall.id, influencer_id=rels["Ana"].influencer_id, user_id=colleague.id),
        ]
    )
    db.flush()
    return cleo


def test_card_loads_everything_the_card_shows(db, book, statements):
    """Three statements (relationship with the creator and their number of profiles, interactions,
    assignments), each with what it shows joined in, as plain rows; what drives the strength is
    worked out from the interactions read, which are all of them."""
    me, rels = book
    cleo = _card_fixture(db, me, rels)
    db.expunge_all()  # nothing may come for free from the identity map
    with statements() as loading:
        card = relationship_card(db, actor=me, influencer_id=cleo.influencer_id)
    shown = (
        card.influencer.name,
        card.influencer.handle,
        card.influencer.profile_count,
        [(i.type, i.campaign_name) for i in card.recent_interactions],
        [(a.campaign_name, a.status) for a in card.assignments],
        card.profiles,
    )
    assert len(loading) == 3
    assert shown == ("Cleo", "cleo", 1, [("email", None), ("call", "Spring")], [("Spring", "planned")], [])
    assert db.identity_map.values() == []  # no ORM entities: the card is read as rows


def test_card_of_more_interactions_than_it_lists_reads_their_types_for_the_strength(db, book, statements):
    """Showing one of Cleo's two interactions: one more statement (the interactions' types and
    dates) explains the strength, as the list alone would have."""
    me, rels = book
    cleo = _card_fixture(db, me, rels)
    with statements() as loading:
        card = relationship_card(db, actor=me, influencer_id=cleo.influencer_id, recent=1, now=NOW)
    assert len(loading) == 4 and [i.type for i in card.recent_interactions] == ["email"]
    assert (
        card.strength == relationship_card(db, actor=me, influencer_id=cleo.influencer_id, now=NOW).strength
    )


def test_card_of_a_handle_finds_the_creator_and_the_relationship_in_one_statement(db, book, statements):
    """`/crm show @cleo`: the relationship is found with the creator, one statement fewer than
    resolving the handle first; the card is the same as relationship_card's."""
    me, rels = book
    cleo = _card_fixture(db, me, rels)
    with statements() as loading:
        card = relationship_card_for(db, actor=me, ref="@Cleo", now=NOW)
    assert len(loading) == 3
    assert card == relationship_card(db, actor=me, influencer_id=cleo.influencer_id, now=NOW)
    by_link = relationship_card_for(db, actor=me, ref="https://instagram.com/cleo", now=NOW)
    assert by_link.relationship.id == cleo.id


def test_card_of_a_reference_answers_as_resolving_it_does(db, book):
    me, rels = book
    _card_fixture(db, me, rels)
    assert relationship_card_for(db, actor=me, ref="Cleo").influencer.name == "Cleo"  # a name
    assert relationship_card_for(db, actor=me, ref="cle").influencer.name == "Cleo"  # a prefix
    with pytest.raises(NotFound, match="No influencer matches “@nobody”"):
        relationship_card_for(db, actor=me, ref="@nobody")
    stranger = make_influencer(db, team_id="T1", handle="stranger", name="Stan Ger")
    named = re.escape("“Stan Ger” (@stranger · Instagram) isn't on your list. Add them with")
    with pytest.raises(NotFound, match=named):
        relationship_card_for(db, actor=me, ref="@stranger")
    make_influencer(db, team_id="T2", handle="elsewhere")  # another workspace's creator
    make_relationship(db, user=me, influencer=stranger, archived_at=NOW)
    with pytest.raises(Conflict, match="archived — /crm restore @stranger first"):
        relationship_card_for(db, actor=me, ref="@stranger")
    with pytest.raises(NotFound, match="No influencer matches"):
        relationship_card_for(db, actor=me, ref="@elsewhere")
    twin = make_influencer(db, team_id="T1", handle="cleo", platform="tiktok", name="Cleo Two")
    with pytest.raises(Ambiguous) as ambiguous:
        relationship_card_for(db, actor=me, ref="@cleo")
    assert {c.id for c in ambiguous.value.candidates} == {rels["Cleo"].influencer_id, twin.id}
    card = relationship_card_for(db, actor=me, ref="@cleo instagram")
    assert card.relationship.id == rels["Cleo"].id
    with pytest.raises(InvalidInput):
        relationship_card_for(db, actor=me, ref="   ")


def test_card_lists_the_profiles_of_a_creator_with_several(db, book, statements):
    me, rels = book
    cleo = rels["Cleo"]
    link_profile(db, team_id="T1", influencer_id=cleo.influencer_id, ref="https://www.tiktok.com/@cleo.t")
    with statements() as loading:
        card = relationship_card_for(db, actor=me, ref="@cleo.t")
    assert len(loading) == 4  # the profiles are one more statement, only for two or more
    assert card.influencer.profile_count == 2
    assert [(p.platform, p.handle) for p in card.profiles] == [("instagram", "cleo"), ("tiktok", "cleo.t")]


def test_card_without_recent_interactions(db, book):
    me, rels = book
    cleo = _card_fixture(db, me, rels)
    card = relationship_card(db, actor=me, influencer_id=cleo.influencer_id, recent=0)
    assert card.recent_interactions == [] and [a.campaign_name for a in card.assignments] == ["Spring"]
    with pytest.raises(InvalidInput):
        relationship_card(db, actor=me, influencer_id=cleo.influencer_id, recent=51)


def test_home_dashboard_loads_everything_home_shows(db, book, statements):
    """Nine short statements (due, overdue, pipeline, strongest, neglected, recent, going cold's count
    and rows, open campaigns); building the Home tab afterwards issues no SQL."""
    me, rels = book
    db.add(
        Interaction(user_id=me.id, influencer_id=rels["Dev"].influencer_id, type="call", interaction_date=NOW)
    )
    db.flush()
    db.expunge_all()
    with statements() as loading:
        home = home_dashboard(db, actor=me, now=NOW)
    with statements() as showing:
        shown = [
            names(home.due),
            names(home.strongest),
            names(home.neglected),
            [(i.type, i.influencer.name) for i in home.recent],
            home.pipeline,
            home.overdue_count,
            [c.influencer_name for c in home.going_cold],
        ]
    assert len(loading) == 9  # two of them for going cold: its count, then its rows
    assert showing == []
    assert shown == [
        ["Cleo"],
        ["Cleo", "Ana", "Dev", "Eve"],
        ["Cleo"],
        [("call", "Dev")],
        {"saved": 1, "contacted": 1, "warm": 1, "cold": 1, "partnered": 1},
        1,
        ["Cleo"],  # the neglected warm or partnered one is going cold too
    ]


def test_home_dashboard_shows_the_oldest_ten_due_and_counts_every_overdue(db):
    me = make_user(db, team_id="T1")
    for n in range(14):
        make_relationship(
            db,
            user=me,
            influencer=make_influencer(db, team_id="T1", name=f"Due {n:02d}"),
            follow_up_date=NOW - (n + 2) * DAY,
            status="warm",
            last_contacted_at=NOW - DAY,
        )
    home = home_dashboard(db, actor=me, now=NOW)
    assert names(home.due) == [f"Due {n:02d}" for n in range(13, 3, -1)]
    assert (home.due_count, home.overdue_count) == (14, 14) and home.pipeline["warm"] == 14
    assert (home.strongest, home.neglected, home.recent) == ([], [], [])


def test_home_counts_overdue_as_the_rows_do_past_the_due_instant_not_the_day(db):
    """At 15:00 a follow-up due at 09:00 today is overdue (its row says so), and counted so; one at
    18:00 is due later today; tomorrow's is not due. In the user's zone, not UTC."""
    me = make_user(db, team_id="T1", timezone="America/New_York")  # NOW is 10:00 there
    local = {
        "two days late": NOW - 2 * DAY,
        "09:00 today": NOW - timedelta(hours=1),
        "18:00 today": NOW + timedelta(hours=8),
        "tomorrow 09:00": NOW + DAY - timedelta(hours=1),
    }
    for name, due in local.items():
        make_relationship(
            db, user=me, influencer=make_influencer(db, team_id="T1", name=name), follow_up_date=due
        )
    home = home_dashboard(db, actor=me, now=NOW)
    assert names(home.due) == ["two days late", "09:00 today", "18:00 today"]
    assert (home.due_count, home.overdue_count) == (3, 2)
    assert home.overdue_count == sum(r.follow_up_date < NOW for r in home.due)


def test_most_neglected_is_longest_without_contact_first_whatever_the_priority(db):
    me = make_user(db, team_id="T1")
    spec = {  # name: priority, last contact (days ago; None: never), added (days ago)
        "Top priority, 35 days": (5, 35, 100),
        "No priority, 90 days": (0, 90, 100),
        "Never contacted, added 60 days ago": (3, None, 60),
        "Never contacted, added last week": (5, None, 7),  # not neglected yet
        "Contacted yesterday": (5, 1, 100),
    }
    for name, (priority, contact, added) in spec.items():
        make_relationship(
            db,
            user=me,
            influencer=make_influencer(db, team_id="T1", name=name),
            status="warm",
            priority=priority,
            last_contacted_at=None if contact is None else NOW - contact * DAY,
            created_at=NOW - added * DAY,
        )
    home = home_dashboard(db, actor=me, now=NOW)
    assert names(home.neglected) == [
        "No priority, 90 days",
        "Never contacted, added 60 days ago",
        "Top priority, 35 days",
    ]
    assert [days_since_contact(r, NOW) for r in home.neglected] == [90, 60, 35]


def test_home_dashboard_of_a_new_user_is_empty(db):
    home = home_dashboard(db, actor=make_user(db, team_id="T1"), now=NOW)
    assert (home.due, home.due_count, home.overdue_count) == ([], 0, 0)
    assert (home.strongest, home.neglected, home.recent) == ([], [], [])
    assert home.pipeline == dict.fromkeys(RELATIONSHIP_STATUSES, 0)


def test_card_and_home_read_every_statement_through_a_per_user_index(db, book):
    me, rels = book
    cleo = _card_fixture(db, me, rels)
    card_plans = _plans(
        db, lambda: relationship_card(db, actor=me, influencer_id=cleo.influencer_id, recent=1)
    )
    home_plans = _plans(db, lambda: home_dashboard(db, actor=me, now=NOW))
    assert len(card_plans) == 4 and len(home_plans) == 9
    for plan in card_plans + home_plans:
        assert "Seq Scan" not in plan, plan
        # The date-only and strength-only indexes read every user's rows.
        assert "idx_interactions_date" not in plan, plan
        assert "idx_user_influencers_relationship_strength" not in plan, plan
    relationship, interactions, assignments, strength = card_plans
    # Either per-user interaction index serves the strength explanation too.
    assert "ix_interactions_user_influencer_recent" in strength or "ix_interactions_user_recent" in strength
    assert "uq_user_influencers_user_id_influencer_id" in relationship
    # Either per-user interaction index serves the card (the planner picks by table size).
    assert (
        "ix_interactions_user_influencer_recent" in interactions
        or "ix_interactions_user_recent" in interactions
    )
    assert (
        "idx_campaign_influencers_user_id" in assignments
        or "idx_campaign_influencers_influencer_id" in assignments
    )
    due, overdue, pipeline, strongest, neglected, recent, cold_count, cold_rows, campaigns = home_plans
    assert "idx_campaign_influencers_user_id" in campaigns
    assert "ix_user_influencers_follow_up_set" in due and "ix_user_influencers_follow_up_set" in overdue
    assert "ix_user_influencers_user_strength" in strongest
    assert "ix_interactions_user_recent" in recent
    # Counts and the neglected filter read the actor's rows through whichever user_id index the
    # planner prefers for the table's size.
    for plan in (pipeline, neglected, cold_count, cold_rows):
        assert re.search(
            r"(Scan using|Scan on) (ix_user_influencers_user_|uq_user_influencers_user_id_)", plan
        )
