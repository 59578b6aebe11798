"""Seeding and reading helpers shared by the reminder job tests (committed rows: jobs use own sessions)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.db import transaction
from crm.models import Delivery, User
from tests.factories import make_influencer, make_relationship, make_user


def seed_user(
    engine, *, tz: str, due: list[datetime], slack_user_id: str | None = None, names: list[str] | None = None
) -> User:
    """A user with one relationship per due instant (influencers named `names` when given)."""
    with transaction(engine) as db:
        user = make_user(db, timezone=tz, slack_user_id=slack_user_id)
        for k, at in enumerate(due):
            kw = {"name": names[k]} if names else {}
            make_relationship(db, user=user, influencer=make_influencer(db, **kw), follow_up_date=at)
        return user


def add_follow_ups(engine, user: User, due: list[datetime]) -> None:
    """More relationships for `user`, one per due instant."""
    with transaction(engine) as db:
        for at in due:
            make_relationship(db, user=user, influencer=make_influencer(db), follow_up_date=at)


def deliveries(engine) -> list[Delivery]:
    with transaction(engine) as db:
        return list(db.scalars(select(Delivery).order_by(Delivery.due_at)))


def dm_channels(fake) -> list[str]:
    return [c.params["channel"] for c in fake.calls_to("chat.postMessage")]


def dm_channel(user: User) -> str:
    """The DM channel id the fake Web API's conversations.open gives for `user`."""
    return "D" + user.slack_user_id[1:]
