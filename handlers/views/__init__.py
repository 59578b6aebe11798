"""Modal submissions (and the openers that fill modals from crm data, handlers/views/openers.py)."""

from __future__ import annotations

from slack_bolt import App

from handlers.ids import View
from handlers.uow import unit_of_work
from handlers.views.campaigns import assign_submitted, new_campaign_submitted
from handlers.views.interactions import log_interaction_submitted
from handlers.views.relationships import (
    add_influencer_submitted,
    edit_submitted,
    follow_up_submitted,
    notes_submitted,
)


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    app.view(View.LOG_INTERACTION)(unit_of_work(log_interaction_submitted))
    app.view(View.EDIT_RELATIONSHIP)(unit_of_work(edit_submitted))
    app.view(View.NOTES)(unit_of_work(notes_submitted))
    app.view(View.FOLLOW_UP)(unit_of_work(follow_up_submitted))
    app.view(View.ADD_INFLUENCER)(unit_of_work(add_influencer_submitted))
    app.view(View.NEW_CAMPAIGN)(unit_of_work(new_campaign_submitted))
    app.view(View.ASSIGN_CAMPAIGN)(unit_of_work(assign_submitted))
