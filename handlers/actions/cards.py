"""Buttons on cards, lists and App Home: open the right modal, or show / add a relationship.

Every button value is an influencer id that came back from Slack: it is parsed strictly and then
only used through crm calls that check the workspace and filter by the acting user.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from crm import archive, influencers, relationships
from handlers.blocks.campaign_modals import new_campaign_modal
from handlers.blocks.message import Message
from handlers.blocks.modals import add_influencer_modal
from handlers.blocks.text import mrkdwn, plain_of
from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import ReplyTarget, open_modal, reply
from handlers.views.openers import card_for, edit_modal_for, follow_up_modal_for, log_modal_for


def _influencer_id(action: dict):
    return parse_id(action.get("value"), field="influencer", what="influencer")


def log_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    with scope(context) as s:
        influencer = influencers.get_influencer(
            s.db, team_id=s.actor.team_id, influencer_id=_influencer_id(action)
        )
        view = log_modal_for(s.db, s.actor, influencer=influencer, reply_to=ReplyTarget.of(context))
    open_modal(context, body.get("trigger_id"), view)


def edit_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    with scope(context) as s:
        target = ReplyTarget.of(context)
        view = edit_modal_for(s.db, s.actor, influencer_id=_influencer_id(action), reply_to=target)
    open_modal(context, body.get("trigger_id"), view)


def follow_up_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    with scope(context) as s:
        target = ReplyTarget.of(context)
        view = follow_up_modal_for(s.db, s.actor, influencer_id=_influencer_id(action), reply_to=target)
    open_modal(context, body.get("trigger_id"), view)


def show_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    with scope(context) as s:
        public_url = runtime_of(context).settings.public_url
        message = card_for(s.db, s.actor, _influencer_id(action), public_url=public_url)
    reply(context, message)


def add_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    with scope(context, once=request_key(body)) as s:
        influencer = influencers.get_influencer(
            s.db, team_id=s.actor.team_id, influencer_id=_influencer_id(action)
        )
        created = was_archived = False
        if not s.replayed:
            was_archived = archive.is_archived(s.db, actor=s.actor, influencer_id=influencer.id)
            _, created = relationships.add_to_list(s.db, actor=s.actor, influencer_id=influencer.id)
        if created:
            s.refresh_home()
        card = card_for(s.db, s.actor, influencer.id, public_url=runtime_of(context).settings.public_url)
    name = f"*{mrkdwn(influencer.name, 200)}*"
    if was_archived:
        text = f"{name} is back on your list, as it was when you removed them."
    else:
        text = f"Added {name} to your list." if created else "Already on your list."
    note = SectionBlock(text=MarkdownTextObject(text=text))
    reply(context, Message(text=plain_of(text), blocks=[note, *card.blocks]))


def home_add_clicked(body: dict, context: BoltContext) -> None:
    open_modal(context, body.get("trigger_id"), add_influencer_modal())


def home_log_clicked(body: dict, context: BoltContext) -> None:
    with scope(context) as s:
        view = log_modal_for(s.db, s.actor)
    open_modal(context, body.get("trigger_id"), view)


def home_campaign_clicked(body: dict, context: BoltContext) -> None:
    open_modal(context, body.get("trigger_id"), new_campaign_modal())


def register(app: App) -> None:
    app.action(Action.CARD_LOG)(after_ack(log_clicked))
    app.action(Action.CARD_EDIT)(after_ack(edit_clicked))
    app.action(Action.CARD_FOLLOW_UP)(after_ack(follow_up_clicked))
    app.action(Action.SHOW)(after_ack(show_clicked))
    app.action(Action.ADD_TO_LIST)(after_ack(add_clicked))
    app.action(Action.HOME_ADD_INFLUENCER)(after_ack(home_add_clicked))
    app.action(Action.HOME_LOG_INTERACTION)(after_ack(home_log_clicked))
    app.action(Action.HOME_NEW_CAMPAIGN)(after_ack(home_campaign_clicked))
