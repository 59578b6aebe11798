"""`/crm history`'s pages (from the command or a card's History), their Previous / Next, and Edit (the
form) and Delete on each interaction.

`history_page()` reads one page of the acting user's interactions with a creator and builds the
message: the command shows the first page with it, and a click shows the page its button names (or,
after a Delete, the page the row was on), replacing the message in place. Values came back from
Slack: parsed strictly (handlers.blocks.history), the creator looked up in the clicker's workspace,
and only the clicker's own interactions read or deleted. A Delete is claimed once (request_key): a
replay deletes nothing, and a second click finds it gone and says so.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_bolt import App, BoltContext
from sqlalchemy.orm import Session

from crm import influencers, interactions
from crm.clock import zone_of
from crm.errors import NotFound
from crm.models import Influencer, User
from handlers.blocks.history import (
    HISTORY_PAGE,
    history_message,
    parse_page_value,
    parse_row_value,
    what_was_deleted,
)
from handlers.blocks.message import Message
from handlers.blocks.text import fmt_datetime
from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import ReplyTarget, open_modal, reply
from handlers.views.openers import edit_interaction_modal_for

GONE = "That interaction was deleted already."


def history_page(
    db: Session, actor: User, influencer: Influencer, *, offset: int, tz: ZoneInfo, done: str = ""
) -> Message:
    """The page of the actor's history with `influencer` that starts at `offset`; the last page
    when fewer are left than that (some were deleted since the message was drawn)."""
    total = interactions.count_interactions(db, actor=actor, influencer_id=influencer.id)
    if offset >= total:
        offset = max(total - 1, 0) // HISTORY_PAGE * HISTORY_PAGE
    items = interactions.list_interactions(
        db, actor=actor, influencer_id=influencer.id, limit=HISTORY_PAGE, offset=offset
    )
    return history_message(influencer, items, total, offset=offset, tz=tz, done=done)


def history_clicked(body: dict, context: BoltContext) -> None:
    """History on a card: the first page, as a new message (as Show posts the card)."""
    influencer_id = parse_id(action_of(body).get("value"), field="influencer", what="influencer")
    with scope(context) as s:
        influencer = influencers.get_influencer(s.db, team_id=s.actor.team_id, influencer_id=influencer_id)
        message = history_page(s.db, s.actor, influencer, offset=0, tz=zone_of(s.actor.timezone))
    reply(context, message)


def history_page_clicked(body: dict, context: BoltContext) -> None:
    influencer_id, offset = parse_page_value(action_of(body).get("value"))
    with scope(context) as s:
        influencer = influencers.get_influencer(s.db, team_id=s.actor.team_id, influencer_id=influencer_id)
        message = history_page(s.db, s.actor, influencer, offset=offset, tz=zone_of(s.actor.timezone))
    reply(context, message, replace_original=True)


def delete_clicked(body: dict, context: BoltContext) -> None:
    interaction_id, influencer_id, offset = parse_row_value(action_of(body).get("value"))
    with scope(context, once=request_key(body)) as s:
        tz = zone_of(s.actor.timezone)
        influencer = influencers.get_influencer(s.db, team_id=s.actor.team_id, influencer_id=influencer_id)
        done = GONE
        if not s.replayed:
            try:
                found = interactions.get_interaction(s.db, actor=s.actor, interaction_id=interaction_id)
            except NotFound:  # deleted by an earlier click, or never the clicker's: nothing to delete
                found = None
            if found is not None and found.influencer_id == influencer.id:
                interactions.delete_interaction(s.db, actor=s.actor, interaction_id=interaction_id)
                done = what_was_deleted(found.type, fmt_datetime(found.interaction_date, tz))
                s.refresh_home()
        message = history_page(s.db, s.actor, influencer, offset=offset, tz=tz, done=done)
    reply(context, message, replace_original=True)


def edit_clicked(body: dict, context: BoltContext) -> None:
    interaction_id, _, offset = parse_row_value(action_of(body).get("value"))
    with scope(context) as s:
        target = ReplyTarget.of(context)
        view = edit_interaction_modal_for(
            s.db, s.actor, interaction_id=interaction_id, offset=offset, reply_to=target
        )
    open_modal(context, body.get("trigger_id"), view)


def register(app: App) -> None:
    app.action(Action.CARD_HISTORY)(after_ack(history_clicked))
    app.action(Action.HISTORY_PREVIOUS)(after_ack(history_page_clicked))
    app.action(Action.HISTORY_NEXT)(after_ack(history_page_clicked))
    app.action(Action.INTERACTION_DELETE)(after_ack(delete_clicked))
    app.action(Action.INTERACTION_EDIT)(after_ack(edit_clicked))
