""" "Open my card" under a creator's link unfurl: the clicker's own card, shown to them alone.

The button value is an influencer id that came back from Slack: the creator is looked up in the
clicker's workspace (another workspace's id is "not in this workspace's directory") and the card is
the clicker's own relationship (crm.dashboard.relationship_card filters by the acting user). A
clicker who does not track the creator is told so, with an Add button.

A click inside an unfurl comes from a message attachment (container type "message_attachment",
is_app_unfurl) that may carry no `channel` and no response_url, so the answer goes out as an
ephemeral message in the container's channel, and as a DM when that is not possible
(handlers/runtime/slack_calls.deliver_reply).
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm import influencers
from crm.errors import Conflict, NotFound
from handlers.blocks.unfurls import not_on_my_list
from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import ReplyTarget, reply
from handlers.views.openers import card_for


def reply_target(body: dict, context: BoltContext) -> ReplyTarget:
    """Where to answer a click in an unfurl: its response_url if any, else the channel of its
    container (Bolt reads only a top-level `channel`), else a DM."""
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    channel = context.channel_id or container.get("channel_id")
    return ReplyTarget(context.user_id, channel if isinstance(channel, str) else None, context.response_url)


def open_my_card_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    influencer_id = parse_id(action.get("value"), field="influencer", what="influencer")
    with scope(context) as s:
        influencer = influencers.get_influencer(s.db, team_id=s.actor.team_id, influencer_id=influencer_id)
        try:
            message = card_for(
                s.db, s.actor, influencer.id, public_url=runtime_of(context).settings.public_url
            )
        except (NotFound, Conflict):  # not on the clicker's list, or removed from it: offer Add
            message = not_on_my_list(influencer)
    reply(context, message, to=reply_target(body, context))


def register(app: App) -> None:
    app.action(Action.UNFURL_OPEN_CARD)(after_ack(open_my_card_clicked))
