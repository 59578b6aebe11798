"""The Show button on a `/crm campaign list` row (the campaign's card), the card's Edit button (the
campaign's edit modal), the menu on each of your rows of the card (move the assignment along, in
place; or show its tracking link), and Undo under the answers to assigning several creators at once
and to moving several assignments along.

Each value came back from Slack: crm re-checks the workspace, for Edit who may edit the campaign
(handlers/views/campaigns.py), and for a row that the assignment is the clicker's, before anything
is shown, opened or changed.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm import assignments, campaigns
from crm.errors import InvalidInput
from handlers.blocks.assignment_changes import (
    parse_assign_undo,
    parse_status_undo,
    statuses_put_back,
    taken_back,
)
from handlers.blocks.campaigns import ROW_LINK, assignment_link, parse_row_value
from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import open_modal, reply
from handlers.short_links import link_and_clicks
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


def row_chosen(body: dict, context: BoltContext) -> None:
    option = action_of(body).get("selected_option")
    raw = option.get("value") if isinstance(option, dict) else None
    try:
        kind, assignment_id = parse_row_value(raw if isinstance(raw, str) else "")
    except ValueError:
        raise InvalidInput("assignment", "That assignment could not be found.") from None
    settings = runtime_of(context).settings
    with scope(context) as s:
        assignment = assignments.get_assignment_by_id(s.db, actor=s.actor, assignment_id=assignment_id)
        if kind == ROW_LINK:
            short_url, count = link_and_clicks(s.db, settings, assignment)
            message = assignment_link(
                assignment,
                assignment.campaign,
                assignment.influencer,
                created=False,
                short_url=short_url,
                clicks=count,
            )
        else:
            assignments.set_assignment_status(
                s.db,
                actor=s.actor,
                campaign_id=assignment.campaign_id,
                influencer_id=assignment.influencer_id,
                status=kind,
            )
            s.refresh_home()  # App Home lists the campaigns with open assignments
            message = campaign_card_for(s.db, settings, s.actor, assignment.campaign)
    reply(context, message, replace_original=kind != ROW_LINK)  # the card, redrawn with the new status


def assign_undo_clicked(body: dict, context: BoltContext) -> None:
    """Undo under the answer to assigning several: takes back those still untouched. Clicking again
    deletes nothing more (what is left has changed since, or is gone) and says so; a replayed click
    changes nothing and says what is left."""
    try:
        campaign_id, assignment_ids = parse_assign_undo(action_of(body).get("value"))
    except ValueError:
        raise InvalidInput("assignment", "Those assignments could not be found.") from None
    with scope(context, once=request_key(body)) as s:
        campaign = campaigns.get_campaign(s.db, team_id=s.actor.team_id, campaign_id=campaign_id)
        ids = {"actor": s.actor, "campaign_id": campaign.id, "assignment_ids": assignment_ids}
        if s.replayed:
            kept = assignments.assignments_among(s.db, **ids)
            removed = len(set(assignment_ids)) - len(kept)
        else:
            removed, kept = assignments.take_back(s.db, **ids)
            if removed:
                s.refresh_home()  # App Home lists the campaigns with open assignments
        message = taken_back(campaign, removed, kept)
    reply(context, message, replace_original=True)


def status_undo_clicked(body: dict, context: BoltContext) -> None:
    """Undo under the answer to moving several assignments: each still at the status set goes back
    to the one it had. Clicking again finds them put back and changes nothing. A replayed click
    changes nothing either: applying it again would undo a move made since."""
    try:
        campaign_id, status, before = parse_status_undo(action_of(body).get("value"))
    except ValueError:
        raise InvalidInput("assignment", "Those assignments could not be found.") from None
    with scope(context, once=request_key(body)) as s:
        campaign = campaigns.get_campaign(s.db, team_id=s.actor.team_id, campaign_id=campaign_id)
        if s.replayed:
            mine = assignments.assignments_among(
                s.db, actor=s.actor, campaign_id=campaign.id, assignment_ids=list(before)
            )
            kept = [a for a in mine if a.status != before[a.id]]
            back = len(mine) - len(kept)
        else:
            back, kept = assignments.put_back_statuses(
                s.db, actor=s.actor, campaign_id=campaign.id, moved_to=status, before=before
            )
            if back:
                s.refresh_home()  # App Home lists the campaigns with open assignments
        message = statuses_put_back(campaign, back, kept)
    reply(context, message, replace_original=True)


def register(app: App) -> None:
    app.action(Action.CAMPAIGN_EDIT)(after_ack(edit_clicked))
    app.action(Action.CAMPAIGN_SHOW)(after_ack(show_clicked))
    app.action(Action.CAMPAIGN_ROW)(after_ack(row_chosen))
    app.action(Action.ASSIGN_UNDO)(after_ack(assign_undo_clicked))
    app.action(Action.ASSIGN_STATUS_UNDO)(after_ack(status_undo_clicked))
