"""Committed assignments with their short links, for the redirect and click tests: the code under
test (a server, a job) reads them through its own connections, so they cannot stay in a rolled-back
transaction."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm import assignments, campaigns
from crm.models import Assignment, Campaign, User
from tests.factories import make_influencer, make_user


def assign(
    engine: Engine, *, handle: str = "maya", landing: str = "https://shop.example.com/spring"
) -> Assignment:
    """A new creator `handle` assigned to the "Spring Sale" campaign of one owner in T1 (both made on
    the first call, reused after)."""
    with Session(engine, expire_on_commit=False) as db, db.begin():
        user = db.scalar(select(User).where(User.slack_user_id == "UOWNER0001"))
        user = user or make_user(db, team_id="T1", slack_user_id="UOWNER0001")
        campaign = db.scalar(select(Campaign).where(Campaign.name == "Spring Sale"))
        campaign = campaign or campaigns.create_campaign(
            db, actor=user, name="Spring Sale", landing_url=landing
        )
        influencer = make_influencer(db, team_id="T1", handle=handle, name=handle.title())
        assignment, _ = assignments.assign_influencer(
            db, actor=user, campaign_id=campaign.id, influencer_id=influencer.id
        )
        return assignment
