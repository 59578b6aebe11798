"""Modal submissions (and the openers that fill modals from crm data, handlers/views/openers.py)."""

from __future__ import annotations

from slack_bolt import App

from handlers.ids import View
from handlers.views.campaigns import assign_submitted, edit_campaign_submitted, new_campaign_submitted
from handlers.views.imports import columns_submitted, import_submitted
from handlers.views.interactions import edit_interaction_submitted, log_interaction_submitted
from handlers.views.relationships import (
    add_influencer_submitted,
    edit_submitted,
    follow_up_submitted,
    notes_submitted,
)


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    app.view(View.LOG_INTERACTION)(log_interaction_submitted)
    app.view(View.EDIT_INTERACTION)(edit_interaction_submitted)
    app.view(View.EDIT_RELATIONSHIP)(edit_submitted)
    app.view(View.NOTES)(notes_submitted)
    app.view(View.FOLLOW_UP)(follow_up_submitted)
    app.view(View.ADD_INFLUENCER)(add_influencer_submitted)
    app.view(View.NEW_CAMPAIGN)(new_campaign_submitted)
    app.view(View.EDIT_CAMPAIGN)(edit_campaign_submitted)
    app.view(View.ASSIGN_CAMPAIGN)(assign_submitted)
    app.view(View.IMPORT)(import_submitted)
    app.view(View.IMPORT_COLUMNS)(columns_submitted)
