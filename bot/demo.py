"""`crm-bot demo-data`: fill a workspace with a realistic sample, the same every time for a seed.

The sample: 5 teammates in different timezones, 60 creators across platforms, each teammate's list
with relationships in every status (tags, notes, priorities, follow-ups due today, later and overdue),
several hundred interactions over the last six months, and 3 campaigns with assignments and UTM links.
Each relationship is saved, and moves along its pipeline, on past dates (its status history), so the
weekly chart and the admin figures of a fresh sample have a past.

Idempotent: the whole plan is drawn from `random.Random(seed)` before touching the database, and every
write is a get-or-create (users by Slack id, influencers by handle, campaigns by name, interactions by a
deterministic idempotency key), so running it again changes no counts. It goes through the crm services
(the same validation as Slack) in one transaction: on an error nothing is written. Overdue follow-ups are
set on the model directly because set_follow_up rightly refuses dates in the past.

The sample only goes into a demo workspace (a TDEMO… team id, bot/demo_workspace.py): the scheduled
jobs never post for one, so its reminders and weekly summary never reach a real Slack channel.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from tqdm import tqdm

from bot.config import Settings
from bot.db import make_engine, transaction
from bot.demo_workspace import check_demo_team_id
from bot.migrate import upgrade
from crm import analytics, campaigns, users
from crm.assignments import assign_influencer, set_assignment_status
from crm.clock import follow_up_instant, local_today, resolve_now, zone_of
from crm.errors import DomainError
from crm.influencers import link_profile, save_influencer
from crm.interactions import NewInteraction, log_interaction
from crm.models import Assignment, Campaign, Influencer, Interaction, Relationship, User
from crm.relationships import add_to_list, set_notes, set_priority, set_status, update_tags
from crm.strength import recompute_all

TEAMMATES = [  # slack id, name, email, timezone, admin
    ("UDEMO00001", "Priya Shah", "priya@demo.example", "America/New_York", True),
    ("UDEMO00002", "Lukas Weber", "lukas@demo.example", "Europe/Berlin", False),
    ("UDEMO00003", "Sofia Martínez", "sofia@demo.example", "America/Mexico_City", False),
    ("UDEMO00004", "Kenji Watanabe", "kenji@demo.example", "Asia/Tokyo", False),
    ("UDEMO00005", "Amara Okafor", "amara@demo.example", "Africa/Lagos", False),
]
FIRST = [
    "Maya",
    "Leo",
    "Aisha",
    "Jonas",
    "Chloe",
    "Mateo",
    "Zara",
    "Noah",
    "Lina",
    "Omar",
    "Ivy",
    "Diego",
    "Nina",
    "Kai",
    "Sara",
    "Theo",
    "Lea",
    "Ravi",
    "Emma",
    "Luca",
]
LAST = [
    "Lopez",
    "Kim",
    "Novak",
    "Haddad",
    "Brennan",
    "Silva",
    "Fischer",
    "Tanaka",
    "Moreau",
    "Adeyemi",
    "Costa",
    "Walsh",
    "Ortiz",
    "Berg",
    "Rossi",
]
NICHES = {
    "beauty": ("glow", "skin", "makeup"),
    "fitness": ("lifts", "runs", "fit"),
    "food": ("eats", "kitchen", "bakes"),
    "travel": ("travels", "roams", "abroad"),
    "tech": ("tech", "codes", "gadgets"),
    "gaming": ("plays", "gg", "live"),
    "parenting": ("mama", "family", "kids"),
    "fashion": ("style", "wears", "closet"),
}
PLATFORMS = ["instagram"] * 8 + ["tiktok"] * 6 + ["youtube"] * 4 + ["x"] * 2 + ["twitch", "linkedin", "blog"]
# Status, share of relationships, interactions (min, max), days back (min, max) they span.
STATUSES = [
    ("saved", 0.2, (0, 1), (1, 60)),
    ("contacted", 0.25, (1, 4), (3, 90)),
    ("warm", 0.25, (3, 8), (2, 120)),
    ("cold", 0.1, (2, 5), (60, 180)),
    ("partnered", 0.2, (5, 12), (1, 180)),
]
TYPES = ["email"] * 9 + ["call"] * 3 + ["meeting"] * 2 + ["note"] * 4 + ["file_upload"] * 2
SUBJECTS = {
    "email": [
        "Intro and rate card",
        "Brief for review",
        "Follow-up on pricing",
        "Content calendar",
        "Thanks!",
    ],
    "call": ["Kick-off call", "Rates and deliverables", "Quick check-in", "Performance review"],
    "meeting": ["Studio visit", "Quarterly planning", "Coffee at the launch event"],
    "note": ["Audience skews 25-34", "Prefers WhatsApp", "Agency contact: see notes", "Great engagement"],
    "file_upload": ["Signed contract", "Media kit", "Creative brief"],
}
NOTES = [
    "Met at the creator summit; responsive and detail-oriented.",
    "Rates went up last quarter; bundle stories with the reel.",
    "Audience is mostly US and UK, strong saves on tutorials.",
    "Wants product early for unboxing. Agency handles contracts.",
]
CAMPAIGNS = [  # name, owner index, landing URL, utm (source, medium, campaign), status, niches
    (
        "Spring Glow 2026",
        2,
        "https://shop.lumenskin.example/spring-glow?ref=creators",
        (None, "influencer", None),
        "completed",
        ("beauty", "fashion"),
    ),
    (
        "Summer Sweat Challenge",
        1,
        "https://stridegear.example/summer-challenge#join",
        (None, None, "summer-sweat-26"),
        "active",
        ("fitness", "food", "travel"),
    ),
    (
        "Back to School Tech Drop",
        0,
        "https://nimbus-tech.example/back-to-school",
        ("creators", "paid-social", None),
        "draft",
        ("tech", "gaming", "parenting"),
    ),
]


@dataclass
class PlannedRelationship:
    user: int
    influencer: int
    status: str
    tags: list[str]
    priority: int
    notes: str | None
    follow_up_days: int | None  # from today, local: 0 today, negative overdue, None unset
    interactions: list[tuple[str, str, float]] = field(default_factory=list)  # type, subject, days ago
    history: list[tuple[str, float]] = field(default_factory=list)  # status, days ago; oldest first


@dataclass
class Plan:
    influencers: list[tuple[str, str, str, int, str]]  # name, handle, platform, followers, niche
    relationships: list[PlannedRelationship]
    assignments: list[tuple[int, int, str]]  # campaign index, relationship index, status


def make_plan(seed: int) -> Plan:
    """The whole sample as plain data, from the seed alone (so a rerun plans exactly the same)."""
    rng = random.Random(seed)
    names = rng.sample([f"{f} {last}" for f in FIRST for last in LAST], 60)
    influencers, handles = [], set()
    for name in names:
        niche = rng.choice(list(NICHES))
        first, last = name.lower().split()
        handle = rng.choice([f"{first}.{rng.choice(NICHES[niche])}", f"{first}{last}", f"{first}_{last[:3]}"])
        while handle in handles:
            handle += str(rng.randint(1, 9))
        handles.add(handle)
        followers = int(10 ** rng.uniform(3.5, 6.5))  # 3k to 3M, log-uniform like real audiences
        influencers.append((name, handle, rng.choice(PLATFORMS), followers, niche))
    relationships = []
    for user in range(len(TEAMMATES)):
        for influencer in rng.sample(range(len(influencers)), rng.randint(15, 22)):
            status, _, count, (lo, hi) = rng.choices(STATUSES, weights=[s[1] for s in STATUSES])[0]
            niche = influencers[influencer][4]
            tags = [
                niche,
                *rng.sample(
                    [
                        "micro" if influencers[influencer][3] < 100_000 else "macro",
                        "ugc",
                        "q3-shortlist",
                        "eco",
                        "video-first",
                        "long-term",
                    ],
                    rng.randint(0, 2),
                ),
            ]
            follow_up = rng.choice([None, None, 0, -rng.randint(1, 10), rng.randint(1, 21)])
            if status == "cold":
                follow_up = None
            kinds = [rng.choice(TYPES if status != "saved" else ["note"]) for _ in range(rng.randint(*count))]
            rel = PlannedRelationship(
                user, influencer, status, tags, rng.randint(0, 5), rng.choice([None, *NOTES]), follow_up
            )
            rel.interactions = sorted(
                ((k, rng.choice(SUBJECTS[k]), rng.uniform(lo, hi)) for k in kinds), key=lambda i: -i[2]
            )
            relationships.append(rel)
    history_rng = random.Random(f"history:{seed}")  # its own stream: the plan above stays as it was
    for rel in relationships:
        rel.history = _history(rel, history_rng)
    for user in range(len(TEAMMATES)):  # everyone has one follow-up due today and one overdue
        mine = [r for r in relationships if r.user == user and r.status != "cold"]
        if len(mine) >= 2:
            mine[0].follow_up_days, mine[1].follow_up_days = 0, -3
    assignments = []
    choices = {
        "completed": ["completed"] * 3 + ["cancelled"],
        "active": ["planned", "active", "active", "completed"],
        "draft": ["planned"],
    }
    for c, (*_, status, niches) in enumerate(CAMPAIGNS):
        # An influencer is on a campaign once: of teammates sharing one, the first listed assigns it.
        fits = {}
        for i, r in enumerate(relationships):
            if r.status in ("warm", "partnered") and influencers[r.influencer][4] in niches:
                fits.setdefault(r.influencer, i)
        for i in rng.sample(sorted(fits.values()), min(len(fits), 8)):
            assignments.append((c, i, rng.choice(choices[status])))
    return Plan(influencers, relationships, assignments)


# The statuses a relationship passed through on its way to where it is now, oldest first.
PATHS = {
    "saved": ["saved"],
    "contacted": ["saved", "contacted"],
    "warm": ["saved", "contacted", "warm"],
    "cold": ["saved", "contacted", "warm", "cold"],
    "partnered": ["saved", "contacted", "warm", "partnered"],
}


def _history(rel: PlannedRelationship, rng: random.Random) -> list[tuple[str, float]]:
    """When the relationship took each status on its path, in days ago: saved a few days before the
    first interaction, the final status at the last one (cold some weeks after it), the steps
    between at random moments in between."""
    contacts = [days for _, _, days in rel.interactions]
    first = max(contacts) + rng.uniform(1, 14) if contacts else rng.uniform(1, 90)
    last = min(contacts) if contacts else first
    path = PATHS[rel.status]
    if rel.status == "cold":
        last = max(0.5, last - rng.uniform(14, 45))
    between = sorted((rng.uniform(last, first) for _ in path[1:-1]), reverse=True)
    days = [first, *between, last] if len(path) > 1 else [first]
    return list(zip(path, days, strict=True))


def _replay_history(db, relationship: Relationship, history: list[tuple[str, float]], now: datetime) -> None:
    """Walk a new relationship through its planned statuses at their past dates, so that the weekly
    chart and the admin figures have a past. The triggers record each status (0011) at now(); setting
    status_changed_at alone then re-dates the step just recorded, so the history stays theirs."""
    for n, (status, days_ago) in enumerate(history):
        at = now - timedelta(days=days_ago)
        if n == 0:
            relationship.created_at = at
        else:
            relationship.status = status
            db.flush()
        relationship.status_changed_at = at
        db.flush()


def apply_plan(db, plan: Plan, *, team_id: str, seed: int, now: datetime, progress: tqdm) -> dict[str, int]:
    """Write the plan through the crm services; returns the workspace's row counts afterwards."""
    people: list[User] = []
    for slack_id, name, email, tz, admin in TEAMMATES:
        user = users.get_or_create_user(db, team_id=team_id, slack_user_id=slack_id, timezone=tz)
        people.append(
            users.update_user_profile(
                db, user=user, email=email, display_name=name, timezone=tz, is_admin=admin
            )
        )
        progress.update()
    creators: list[Influencer] = []
    for n, (name, handle, platform, followers, _) in enumerate(plan.influencers):
        creator = save_influencer(
            db, team_id=team_id, ref=handle, platform=platform, name=name, follower_count=followers
        )
        if n % 4 == 0:  # a quarter are on a second platform too (linking again changes nothing)
            second = "tiktok" if platform != "tiktok" else "instagram"
            link_profile(db, team_id=team_id, influencer_id=creator.id, ref=handle, platform=second)
        creators.append(creator)
        progress.update()
    owned: list[Campaign] = []
    for name, owner, landing, (source, medium, utm_campaign), status, _ in CAMPAIGNS:
        existing = db.scalar(select(Campaign).where(Campaign.team_id == team_id, Campaign.name == name))
        campaign = existing or campaigns.create_campaign(
            db,
            actor=people[owner],
            name=name,
            landing_url=landing,
            utm_source=source,
            utm_medium=medium,
            utm_campaign=utm_campaign,
            start_date=(now - timedelta(days=120)).date(),
        )
        campaigns.update_campaign(
            db, actor=people[owner], campaign_id=campaign.id, changes=campaigns.CampaignChanges(status=status)
        )
        owned.append(campaign)
        progress.update()
    campaign_of = {i: c for c, i, _ in plan.assignments}
    for n, rel in enumerate(plan.relationships):
        actor, creator = people[rel.user], creators[rel.influencer]
        relationship, created = add_to_list(db, actor=actor, influencer_id=creator.id)
        if created:
            _replay_history(db, relationship, rel.history, now)
        for k, (kind, subject, days_ago) in enumerate(rel.interactions):
            on_campaign = n in campaign_of and kind in ("email", "meeting", "file_upload") and days_ago < 90
            data = NewInteraction(
                type=kind,
                subject=subject,
                file_url=f"https://files.demo.example/{creator.handle}/{k}.pdf"
                if kind == "file_upload"
                else None,
                interaction_date=now - timedelta(days=days_ago),
                campaign_id=owned[campaign_of[n]].id if on_campaign else None,
                idempotency_key=f"demo:{team_id}:{seed}:{n}:{k}",
            )
            log_interaction(db, actor=actor, influencer_id=creator.id, data=data, now=now)
            progress.update()
        set_status(db, actor=actor, influencer_id=creator.id, status=rel.status)
        update_tags(db, actor=actor, influencer_id=creator.id, add=rel.tags)
        set_priority(db, actor=actor, influencer_id=creator.id, priority=rel.priority)
        if rel.notes:
            set_notes(db, actor=actor, influencer_id=creator.id, text=rel.notes, append=False)
        tz = zone_of(actor.timezone)
        relationship.follow_up_date = (
            None
            if rel.follow_up_days is None
            else follow_up_instant(local_today(now, tz) + timedelta(days=rel.follow_up_days), tz)
        )  # overdue dates are history, which set_follow_up refuses: set directly for every case alike
        progress.update()
    for c, i, status in plan.assignments:
        rel = plan.relationships[i]
        actor, creator = people[rel.user], creators[rel.influencer]
        assign_influencer(db, actor=actor, campaign_id=owned[c].id, influencer_id=creator.id)
        set_assignment_status(
            db, actor=actor, campaign_id=owned[c].id, influencer_id=creator.id, status=status
        )
        progress.update()
    db.flush()
    recompute_all(db, now=now)
    analytics.refresh_admin_analytics(db)
    progress.update()
    team_users = select(User.id).where(User.team_id == team_id)
    return {
        "users": len(people),
        "influencers": db.scalar(select(func.count()).where(Influencer.team_id == team_id)),
        "relationships": db.scalar(select(func.count()).where(Relationship.user_id.in_(team_users))),
        "interactions": db.scalar(select(func.count()).where(Interaction.user_id.in_(team_users))),
        "campaigns": db.scalar(select(func.count()).where(Campaign.team_id == team_id)),
        "assignments": db.scalar(select(func.count()).where(Assignment.user_id.in_(team_users))),
    }


def main(settings: Settings, database_url: str, args: argparse.Namespace) -> int:
    """Migrate to head, then create (or complete) the sample workspace `args.team_id` from `args.seed`."""
    problem = check_demo_team_id(args.team_id)
    if problem is not None:
        print(f"crm-bot demo-data: {problem}", file=sys.stderr)
        return 1
    upgrade(database_url)
    plan = make_plan(args.seed)
    steps = len(TEAMMATES) + len(plan.influencers) + len(CAMPAIGNS) + len(plan.assignments) + 1
    steps += sum(1 + len(r.interactions) for r in plan.relationships)
    now = resolve_now(None)
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        with (
            tqdm(total=steps, desc="demo data", unit="row", file=sys.stderr) as progress,
            transaction(engine) as db,
        ):
            counts = apply_plan(db, plan, team_id=args.team_id, seed=args.seed, now=now, progress=progress)
    except DomainError as exc:
        print(f"crm-bot demo-data: {exc.message}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"Demo workspace {args.team_id}: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    return 0
