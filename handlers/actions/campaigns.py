"""The Edit button on a `/crm campaign list` row: opens the campaign's edit modal.

The button's value is a campaign id that came back from Slack: crm re-checks the workspace and who
may edit it (handlers/views/campaigns.py) before any form opens.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import open_modal
from handlers.views.campaigns import campaign_edit_modal_for, is_crm_admin


def edit_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    campaign_id = parse_id(action.get("value"), field="campaign", what="campaign")
    with scope(context) as s:
        admin = is_crm_admin(runtime_of(context).settings, s.actor)
        view = campaign_edit_modal_for(s.db, s.actor, campaign_id=campaign_id, crm_admin=admin)
    open_modal(context, body.get("trigger_id"), view)


def register(app: App) -> None:
    app.action(Action.CAMPAIGN_EDIT)(after_ack(edit_clicked))
