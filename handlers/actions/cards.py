"""Buttons on cards, lists and App Home: open the right modal, or show / add a relationship.

Every button value is an influencer id that came back from Slack: it is parsed strictly and then
only used through crm calls that check the workspace and filter by the acting user.
"""

from __future__ import annotations

from datetime import UTC, datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from sqlalchemy.orm import Session

from crm import influencers, relationships
from crm.clock import zone_of
from crm.models import User
from handlers.blocks.cards import relationship_card
from handlers.blocks.message import Message
from handlers.blocks.text import mrkdwn, plain_of
from handlers.forms import parse_id
from handlers.home_refresh import request_home_refresh
from handlers.ids import Action
from handlers.uow import unit_of_work
from handlers.views.openers import (
    open_add_influencer_modal,
    open_edit_modal,
    open_follow_up_modal,
    open_log_modal,
    open_new_campaign_modal,
)


def _influencer_id(action: dict):
    return parse_id(action.get("value"), field="influencer", what="influencer")


def log_clicked(ack, body: dict, action: dict, client: WebClient, db: Session, actor: User) -> None:
    ack()
    influencer = influencers.get_influencer(db, team_id=actor.team_id, influencer_id=_influencer_id(action))
    open_log_modal(client, db, actor, body["trigger_id"], influencer=influencer)


def edit_clicked(ack, body: dict, action: dict, client: WebClient, db: Session, actor: User) -> None:
    ack()
    open_edit_modal(client, db, actor, body["trigger_id"], influencer_id=_influencer_id(action))


def follow_up_clicked(ack, body: dict, action: dict, client: WebClient, db: Session, actor: User) -> None:
    ack()
    open_follow_up_modal(client, db, actor, body["trigger_id"], influencer_id=_influencer_id(action))


def _card(db: Session, actor: User, influencer_id) -> Message:
    card = relationships.relationship_card(db, actor=actor, influencer_id=influencer_id)
    now = datetime.now(UTC)
    return relationship_card(
        card.relationship,
        card.influencer,
        card.recent_interactions,
        card.assignments,
        tz=zone_of(actor.timezone),
        now=now,
    )


def show_clicked(ack, action: dict, respond, db: Session, actor: User) -> None:
    ack()
    message = _card(db, actor, _influencer_id(action))
    respond(response_type="ephemeral", replace_original=False, **message.to_dict())


def add_clicked(ack, action: dict, respond, db: Session, actor: User) -> None:
    ack()
    influencer = influencers.get_influencer(db, team_id=actor.team_id, influencer_id=_influencer_id(action))
    _, created = relationships.add_to_list(db, actor=actor, influencer_id=influencer.id)
    text = f"Added *{mrkdwn(influencer.name, 200)}* to your list." if created else "Already on your list."
    note = SectionBlock(text=MarkdownTextObject(text=text))
    message = Message(text=plain_of(text), blocks=[note, *_card(db, actor, influencer.id).blocks])
    respond(response_type="ephemeral", replace_original=False, **message.to_dict())
    if created:
        request_home_refresh(db, actor)


def home_add_clicked(ack, body: dict, client: WebClient) -> None:
    ack()
    open_add_influencer_modal(client, body["trigger_id"])


def home_log_clicked(ack, body: dict, client: WebClient, db: Session, actor: User) -> None:
    ack()
    open_log_modal(client, db, actor, body["trigger_id"])


def home_campaign_clicked(ack, body: dict, client: WebClient) -> None:
    ack()
    open_new_campaign_modal(client, body["trigger_id"])


def register(app: App) -> None:
    # Every listener goes through unit_of_work, also those that use no database (the session then
    # never connects): it reports errors raised after ack() (handlers/uow.py).
    app.action(Action.CARD_LOG)(unit_of_work(log_clicked))
    app.action(Action.CARD_EDIT)(unit_of_work(edit_clicked))
    app.action(Action.CARD_FOLLOW_UP)(unit_of_work(follow_up_clicked))
    app.action(Action.SHOW)(unit_of_work(show_clicked))
    app.action(Action.ADD_TO_LIST)(unit_of_work(add_clicked))
    app.action(Action.HOME_ADD_INFLUENCER)(unit_of_work(home_add_clicked))
    app.action(Action.HOME_LOG_INTERACTION)(unit_of_work(home_log_clicked))
    app.action(Action.HOME_NEW_CAMPAIGN)(unit_of_work(home_campaign_clicked))
