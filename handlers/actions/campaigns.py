"""The Show button on a `/crm campaign list` row (the campaign's card) and the card's Edit button
(the campaign's edit modal).

Each button's value is a campaign id that came back from Slack: crm re-checks the workspace, and
for Edit who may edit it (handlers/views/campaigns.py), before anything is shown or opened.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm import campaigns
from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import open_modal, reply
from handlers.views.campaigns import campaign_card_for, campaign_edit_modal_for, is_crm_admin


def edit_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    campaign_id = parse_id(action.get("value"), field="campaign", what="campaign")
    with scope(context) as s:
        admin = is_crm_admin(runtime_of(context).settings, s.actor)
        view = campaign_edit_modal_for(s.db, s.actor, campaign_id=campaign_id, crm_admin=admin)
    open_modal(context, body.get("trigger_id"), view)


def show_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    campaign_id = parse_id(action.get("value"), field="campaign", what="campaign")
    with scope(context) as s:
        campaign = campaigns.get_campaign(s.db, team_id=s.actor.team_id, campaign_id=campaign_id)
        message = campaign_card_for(s.db, runtime_of(context).settings, s.actor, campaign)
    reply(context, message)


def register(app: App) -> None:
    app.action(Action.CAMPAIGN_EDIT)(after_ack(edit_clicked))
    app.action(Action.CAMPAIGN_SHOW)(after_ack(show_clicked))
