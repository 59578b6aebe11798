"""Fixtures for handler tests: the Slack harness (tests/slack) plus helpers to seed and read the DB.

End-to-end tests commit through the real app, so they use `slack_app` (tables truncated after the
test) and read the database with their own short sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.models import Campaign, Influencer, Relationship, User
from tests.factories import make_influencer, make_relationship, make_user
from tests.handlers.slack_checks import check_message, check_view
from tests.slack.conftest import fake_slack, slack_app, slack_app_factory, slack_http  # noqa: F401
from tests.slack.fake_slack import TEAM_ID
from tests.slack.harness import SlackTestApp
from tests.slack.payloads import USER_ID

__all__ = ["TEAM_ID", "USER_ID"]


class Crm:
    """Seed and inspect the database that the app under test writes to."""

    def __init__(self, slack: SlackTestApp) -> None:
        self.slack = slack

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.slack.engine, expire_on_commit=False) as db, db.begin():
            yield db

    def count(self, model, *where) -> int:
        with self.session() as db:
            return db.scalar(select(func.count()).select_from(model).where(*where))

    def one(self, model, *where):
        with self.session() as db:
            return db.scalars(select(model).where(*where)).one()

    def all(self, model, *where) -> list:
        with self.session() as db:
            return list(db.scalars(select(model).where(*where)))

    def of_mine(self, column, *, user: str = USER_ID) -> dict[str, object]:
        """handle → `column` (of Relationship) for each of `user`'s relationships."""
        owner = self.user(user).id
        with self.session() as db:
            rows = db.execute(
                select(Influencer.handle, column)
                .join(Relationship, Relationship.influencer_id == Influencer.id)
                .where(Relationship.user_id == owner)
            )
            return dict(rows.all())

    # ---- seeding, through the ORM (tests/factories.py style) ----------------------------------
    def user(self, slack_user_id: str = USER_ID, *, team_id: str = TEAM_ID, **kw) -> User:
        with self.session() as db:
            found = db.scalars(
                select(User).where(User.team_id == team_id, User.slack_user_id == slack_user_id)
            ).one_or_none()
            return found or make_user(db, team_id=team_id, slack_user_id=slack_user_id, **kw)

    def influencer(self, handle: str, *, team_id: str = TEAM_ID, **kw) -> Influencer:
        with self.session() as db:
            return make_influencer(db, team_id=team_id, handle=handle, **kw)

    def relationship(
        self, handle: str, *, user: str = USER_ID, name: str | None = None, platform: str = "instagram", **kw
    ) -> Relationship:
        """`user`'s relationship with the influencer @handle (created if new, on `platform`)."""
        owner = self.user(user)
        with self.session() as db:
            influencer = db.scalars(
                select(Influencer).where(Influencer.team_id == TEAM_ID, Influencer.handle == handle)
            ).first() or make_influencer(db, handle=handle, name=name or handle, platform=platform)
            rel = make_relationship(db, user=owner, influencer=influencer, **kw)
            rel.influencer = influencer
            return rel

    def campaign(self, name: str, *, user: str = USER_ID, **kw) -> Campaign:
        owner = self.user(user)
        kw.setdefault("landing_url", "https://shop.example.com/spring")
        with self.session() as db:
            campaign = Campaign(team_id=TEAM_ID, user_id=owner.id, name=name, **kw)
            db.add(campaign)
            db.flush()
            return campaign


@pytest.fixture
def crm(slack_app) -> Crm:  # noqa: F811 - the fixture, imported above for pytest
    return Crm(slack_app)


MESSAGE_METHODS = ("response_url", "chat.postMessage", "chat.postEphemeral", "chat.update")
VIEW_METHODS = ("views.open", "views.update", "views.push", "views.publish")


class Run:
    """Send signed requests through the real app and return what it sent to Slack meanwhile."""

    def __init__(self, slack: SlackTestApp) -> None:
        self.slack = slack
        self.payloads = slack.payloads
        self.fake = slack.fake

    def send(self, request) -> Sent:
        before = len(self.fake.calls)
        response = self.slack.send(request)
        return Sent(response, list(self.fake.calls[before:]))

    def command(self, text: str, **kw) -> Sent:
        return self.send(self.payloads.command(text, **kw))

    def click(self, action_id: str, value: str = "", *, view=None, **kw) -> Sent:
        return self.send(
            self.payloads.block_actions([self.payloads.button(action_id, value)], view=view, **kw)
        )

    def submit(self, view: dict, values: dict, **kw) -> Sent:
        return self.send(self.payloads.view_submission(view, values, **kw))


class AckReply:
    """A message carried in the ack's body, looking like a recorded call (method "ack")."""

    method = "ack"

    def __init__(self, body: dict) -> None:
        self.params = body
        self.blocks = body.get("blocks") or []


class Sent:
    """The ack (Bolt response) and the Web API / response_url calls one request caused."""

    def __init__(self, response, calls) -> None:
        self.response = response
        self.calls = calls

    def to(self, method: str) -> list:
        return [c for c in self.calls if c.method == method]

    @property
    def replies(self) -> list:
        """Messages to the user about this request: an ack that carries one (a slash command's
        error is answered in the ack itself), then the response_url posts."""
        in_ack = [AckReply(self.ack)] if self.ack.get("text") else []
        return in_ack + self.to("response_url")

    @property
    def reply(self):
        """The one message to the user (ephemeral reply or error)."""
        replies = self.replies
        assert len(replies) == 1, [(c.method, c.params.get("text")) for c in self.calls]
        return replies[0]

    @property
    def text(self) -> str:
        """Everything the reply says: fallback text and blocks."""
        reply = self.reply
        return f"{reply.params.get('text')} {reply.blocks!r}"

    @property
    def opened(self) -> dict:
        """The view opened by views.open, as the fake answered it (with id and hash)."""
        (call,) = self.to("views.open")
        return call.response["view"]

    @property
    def ack(self) -> dict:
        import json

        return json.loads(self.response.body) if self.response.body else {}


def undo_button(sent: Sent, action_id: str) -> dict:
    """The Undo beside the one section of an answer (several creators logged, tagged, moved; a follow-up)."""
    (section,) = [b for b in sent.reply.blocks if b["type"] == "section"]
    assert section["accessory"]["action_id"] == action_id
    return section["accessory"]


def check_everything_sent(fake) -> None:
    """Every message and view the bot sent passes Slack's validation (tests/handlers/slack_checks.py)."""
    for call in list(fake.calls):
        if call.method in VIEW_METHODS:
            check_view(call.view)
        elif call.method in MESSAGE_METHODS and not call.params.get("delete_original"):
            check_message({"text": call.params.get("text"), "blocks": call.blocks})


@pytest.fixture
def run(slack_app) -> Iterator[Run]:  # noqa: F811
    """Requests through the real app; afterwards, every payload it sent to Slack is checked."""
    runner = Run(slack_app)
    yield runner
    slack_app.drain()
    check_everything_sent(slack_app.fake)


PUBLIC_URL = "https://crm.example.com"  # CRM_PUBLIC_URL of `links_run`: short links are on


@pytest.fixture
def links_run(slack_app_factory) -> Iterator[Run]:  # noqa: F811
    """Requests through an app with CRM_PUBLIC_URL set; every payload it sent is checked afterwards."""
    app = slack_app_factory(public_url=PUBLIC_URL)
    runner = Run(app)
    yield runner
    app.drain()
    check_everything_sent(app.fake)
