"""Admin analytics on real PostgreSQL: exact counts when campaigns × interactions × relationships fan out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from crm.analytics import admin_summary, refresh_admin_analytics, weekly_summary
from crm.errors import InvalidInput
from crm.models import INTERACTION_TYPES, Assignment, Campaign, Interaction, User
from tests.factories import make_influencer, make_relationship, make_user
from tests.shared_files import shared_file

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
START, END = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC)

# The spec's admin_analytics view (../shared/spec/database-schema.md), copied verbatim as a query.
SPEC_ADMIN_ANALYTICS = (Path(__file__).parents[2] / "benchmarks" / "spec_admin_analytics.sql").read_text()


@dataclass
class Workspace:
    ana: User
    ben: User
    cara: User
    rels: dict[str, object] = field(default_factory=dict)
    interactions: list[tuple[User, str, datetime]] = field(default_factory=list)


def _days(n: float) -> datetime:
    return NOW - timedelta(days=n)


def _interaction(db, ws: Workspace, user: User, rel, kind: str, when: datetime, campaign=None) -> None:
    db.add(
        Interaction(
            user_id=user.id,
            influencer_id=rel.influencer_id,
            type=kind,
            interaction_date=when,
            campaign=campaign,
        )
    )
    ws.interactions.append((user, kind, when))


@pytest.fixture
def ws(db) -> Workspace:
    """Ana: 3 campaigns × 4 relationships × 7 interactions each; Ben: 2 relationships; Cara: nothing.

    Another team has data in the same period that must never show up.
    """
    w = Workspace(
        ana=make_user(db, display_name="Ana", email="ana@example.com", team_id="T1"),
        ben=make_user(db, display_name="", slack_user_id="UBEN", team_id="T1"),
        cara=make_user(db, display_name="Cara", team_id="T1"),
    )
    campaigns = [
        Campaign(team_id="T1", user_id=w.ana.id, name=f"C{n}", landing_url="https://x.io", status=s)
        for n, s in enumerate(["active", "active", "completed"])
    ]
    db.add_all(campaigns)
    spec = [  # status, strength, created days ago, last contact days ago, status set (row updated) days ago
        ("partnered", 90, 3, 40, 2),
        ("warm", 55, 5, 10, 30),
        ("contacted", 20, 60, None, 60),
        ("saved", 0, 90, None, 90),
    ]
    for n, (status, strength, created, contacted, updated) in enumerate(spec):
        rel = make_relationship(
            db,
            user=w.ana,
            influencer=make_influencer(db, team_id="T1", name=f"Creator {n}", handle=f"c{n}"),
            status=status,
            relationship_strength=strength,
            created_at=_days(created),
            updated_at=_days(updated),
            status_changed_at=_days(updated),
            last_contacted_at=_days(contacted) if contacted is not None else None,
        )
        w.rels[f"ana-{status}"] = rel
        for k in range(7):  # 28 interactions spread over the three campaigns, inside and outside the period
            _interaction(
                db, w, w.ana, rel, INTERACTION_TYPES[(n + k) % 5], _days(k * 4 + n + 0.5), campaigns[k % 3]
            )
    for status, strength, created, contacted in [("warm", 10, 45, None), ("cold", 60, 100, 90)]:
        w.rels[f"ben-{status}"] = rel = make_relationship(
            db,
            user=w.ben,
            influencer=make_influencer(db, team_id="T1"),
            status=status,
            relationship_strength=strength,
            created_at=_days(created),
            updated_at=_days(created),
            status_changed_at=_days(created),
            last_contacted_at=_days(contacted) if contacted is not None else None,
        )
    _interaction(db, w, w.ben, w.rels["ben-warm"], "call", START)  # the start is inside the period
    _interaction(db, w, w.ben, w.rels["ben-warm"], "email", END)  # the end is not
    db.add_all(
        Assignment(campaign=campaigns[i % 3], influencer_id=rel.influencer_id, user_id=w.ana.id, status=s)
        for i, (rel, s) in enumerate(
            zip(list(w.rels.values())[:4], ["planned", "active", "active", "completed"], strict=True)
        )
    )
    # Another workspace, active in the same period, with the strongest relationship of all.
    other = make_user(db, team_id="T2")
    orel = make_relationship(
        db,
        user=other,
        influencer=make_influencer(db, team_id="T2"),
        status="partnered",
        relationship_strength=100,
        created_at=_days(1),
        updated_at=_days(1),
        status_changed_at=_days(1),
        last_contacted_at=_days(50),
    )
    db.add(
        Interaction(
            user_id=other.id, influencer_id=orel.influencer_id, type="meeting", interaction_date=_days(2)
        )
    )
    db.add(Campaign(team_id="T2", user_id=other.id, name="C0", landing_url="https://x.io", status="draft"))
    db.flush()
    return w


def test_summary_counts_are_exact_despite_campaign_interaction_fan_out(db, ws):
    s = admin_summary(db, team_id="T1", start=START, end=END, now=NOW)
    in_period = [(u, kind) for u, kind, when in ws.interactions if START <= when < END]
    assert s.period == (START, END)
    assert s.active_users == len({u.id for u, _ in in_period}) == 2
    assert s.interactions_by_type == {t: Counter(k for _, k in in_period)[t] for t in INTERACTION_TYPES}
    assert s.interactions == len(in_period)
    assert s.new_relationships == 2  # ana's partnered (3 days ago) and warm (5 days ago)
    assert s.status_funnel == {"saved": 1, "contacted": 1, "warm": 2, "cold": 1, "partnered": 1}
    assert s.partnered_in_period == 1
    assert s.campaigns_by_status == {"draft": 0, "active": 2, "paused": 0, "completed": 1, "archived": 0}
    assert s.assignments_by_status == {"planned": 1, "active": 2, "completed": 1, "cancelled": 0}


def test_strongest_and_going_cold_relationships(db, ws):
    s = admin_summary(db, team_id="T1", start=START, end=END, now=NOW)
    assert [(r.user_name, r.strength) for r in s.top_relationships] == [
        ("Ana", 90),
        ("UBEN", 60),
        ("Ana", 55),
        ("Ana", 20),
        ("UBEN", 10),
    ]
    top = s.top_relationships[0]
    assert (top.influencer_name, top.handle, top.platform, top.days_since_contact) == (
        "Creator 0",
        "c0",
        "instagram",
        40,
    )
    # Ana's partnered (40 days) and Ben's never-contacted warm one (added 45 days ago); not Ben's cold
    # one, not Ana's warm one (contacted 10 days ago), not the weak contacted one.
    assert [r.relationship_id for r in s.going_cold] == [ws.rels["ana-partnered"].id, ws.rels["ben-warm"].id]
    assert s.going_cold[1].days_since_contact is None


def test_per_user_rows_are_live_without_any_refresh(db, ws):
    # The view was last refreshed before these rows existed (or never): the figures must not care.
    summary = admin_summary(db, team_id="T1", start=START, end=END, now=NOW)
    assert summary.as_of == NOW
    rows = {r.user_id: r for r in summary.per_user}
    assert set(rows) == {ws.ana.id, ws.ben.id, ws.cara.id}
    ana = rows[ws.ana.id]
    assert (ana.display_name, ana.email) == ("Ana", "ana@example.com")
    assert (
        ana.total_influencers,
        ana.partnered_influencers,
        ana.total_campaigns,
        ana.total_interactions,
    ) == (4, 1, 3, 28)
    assert ana.avg_relationship_strength == Decimal("41.25")
    assert ana.last_activity == _days(10)
    cara = rows[ws.cara.id]
    assert (cara.total_influencers, cara.total_interactions, cara.avg_relationship_strength) == (0, 0, None)
    assert rows[ws.ben.id].total_interactions == 2


def test_live_per_user_rows_agree_with_the_refreshed_view(db, ws):
    refresh_admin_analytics(db)  # CONCURRENTLY, inside this test's transaction: sees its rows
    view = {
        r[0]: tuple(r[1:])
        for r in db.execute(
            text(
                "SELECT user_id, email, total_influencers, partnered_influencers, total_campaigns,"
                " total_interactions, avg_relationship_strength, last_activity FROM admin_analytics"
                " WHERE team_id = 'T1'"
            )
        )
    }
    live = {
        r.user_id: (
            r.email,
            r.total_influencers,
            r.partnered_influencers,
            r.total_campaigns,
            r.total_interactions,
            r.avg_relationship_strength,
            r.last_activity,
        )
        for r in admin_summary(db, team_id="T1", start=START, end=END, now=NOW).per_user
    }
    assert live == view and len(live) == 3


def test_materialized_view_agrees_with_the_spec_view(db, ws):
    refresh_admin_analytics(db)
    ours = {
        r[0]: r[1:]
        for r in db.execute(
            text(
                "SELECT user_id, email, total_influencers, partnered_influencers, total_campaigns,"
                " total_interactions, avg_relationship_strength, last_activity FROM admin_analytics"
            )
        )
    }
    spec = {r[0]: tuple(r[1:]) for r in db.execute(text(SPEC_ADMIN_ANALYTICS))}
    assert len(spec) >= 4
    assert ours == spec  # every column, avg_relationship_strength included, for every user


def test_refresh_falls_back_when_the_view_is_not_populated(db, ws):
    db.execute(text("REFRESH MATERIALIZED VIEW admin_analytics WITH NO DATA"))
    refresh_admin_analytics(db)  # CONCURRENTLY would fail here
    assert db.scalar(text("SELECT ispopulated FROM pg_matviews WHERE matviewname = 'admin_analytics'"))
    refresh_admin_analytics(db, concurrently=False)
    assert (
        db.scalar(text("SELECT total_interactions FROM admin_analytics WHERE user_id = :u"), {"u": ws.ana.id})
        == 28
    )


def test_weekly_summary_compares_with_the_week_before(db, ws):
    week = datetime(2026, 6, 8, tzinfo=UTC)
    w = weekly_summary(db, team_id="T1", week_start=week, now=NOW)
    assert w.current.period == (week, week + timedelta(days=7))
    assert w.previous.period == (week - timedelta(days=7), week)

    def count(lo, hi):
        return len([1 for _, _, when in ws.interactions if lo <= when < hi])

    assert w.current.interactions == count(week, week + timedelta(days=7))
    assert w.previous.interactions == count(week - timedelta(days=7), week)
    assert w.changes["interactions"] == w.current.interactions - w.previous.interactions
    assert w.changes["new_relationships"] == 2 - 0
    assert w.changes["active_users"] == 1 - 2  # ana this week; ana and ben (the call on June 1) before
    assert sum(w.changes[f"interactions_{t}"] for t in INTERACTION_TYPES) == w.changes["interactions"]


@pytest.mark.parametrize(
    ("start", "end"),
    [(END, START), (START, START), (datetime(2026, 6, 1), END)],
)
def test_bad_periods_are_rejected(db, start, end):
    with pytest.raises(InvalidInput) as exc:
        admin_summary(db, team_id="T1", start=start, end=end, now=NOW)
    assert exc.value.field == "period"


def test_the_spec_query_we_compare_against_is_the_spec_verbatim():
    # ../shared/spec/: skipped when absent, except in CI (tests/shared_files.py)
    spec = shared_file("spec", "database-schema.md").read_text()
    body = spec.split("CREATE OR REPLACE VIEW admin_analytics AS\n", 1)[1].split(";", 1)[0] + ";"
    lines = SPEC_ADMIN_ANALYTICS.splitlines(keepends=True)
    ours = "".join(line for line in lines if not line.startswith("--"))
    assert ours.strip("\n") == body.strip("\n")
