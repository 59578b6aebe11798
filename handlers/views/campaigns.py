"""Campaign modals submitted: new campaign, and an assignment whose link is shown in its place."""

from __future__ import annotations

from slack_bolt import BoltContext

from crm import assignments, campaigns
from crm.errors import InvalidInput
from handlers.blocks.campaign_modals import assignment_done_modal
from handlers.blocks.campaigns import campaign_created
from handlers.blocks.modals import modal
from handlers.forms import form_values, load_metadata, metadata_id
from handlers.ids import Field
from handlers.ids import View as ViewId
from handlers.runtime.scope import Scope, request_key, scope
from handlers.views.common import attempt

NEW_FIELDS = {
    "name": Field.CAMPAIGN_NAME,
    "landing_url": Field.CAMPAIGN_LANDING_URL,
    "url": Field.CAMPAIGN_LANDING_URL,
    "utm_source": Field.CAMPAIGN_UTM_SOURCE,
    "utm_medium": Field.CAMPAIGN_UTM_MEDIUM,
    "utm_campaign": Field.CAMPAIGN_UTM_CAMPAIGN,
    "start_date": Field.CAMPAIGN_START,
    "end_date": Field.CAMPAIGN_END,
}
ASSIGN_FIELDS = {
    "utm_source": Field.ASSIGNMENT_UTM_SOURCE,
    "utm_medium": Field.ASSIGNMENT_UTM_MEDIUM,
    "utm_campaign": Field.ASSIGNMENT_UTM_CAMPAIGN,
    "utm_content": Field.ASSIGNMENT_UTM_CONTENT,
    "utm_term": Field.ASSIGNMENT_UTM_TERM,
    "url": Field.ASSIGNMENT_UTM_CAMPAIGN,  # the link got too long: shorten a value
    "notes": Field.ASSIGNMENT_NOTES,
}


def new_campaign_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    values = form_values(view)
    with scope(context, once=request_key(body)) as s:
        if s.replayed:
            # Submitted twice: the first created it; this answer shows it as created too.
            name = values.get(Field.CAMPAIGN_NAME) or ""
            created = campaigns.resolve_campaign(s.db, team_id=s.actor.team_id, ref=name)
        else:
            outcome = attempt(
                ack, s, lambda: _create(s, values), fields=NEW_FIELDS, fallback=Field.CAMPAIGN_NAME
            )
            if outcome.rejected:
                return
            created = outcome.value
        message = campaign_created(created)
    done = modal(ViewId.CAMPAIGN_CREATED, "Campaign created", message.blocks, submit=None, close="Done")
    ack(response_action="update", view=done)


def _create(s: Scope, values: dict):
    """The new campaign from the form. A duplicate name (Conflict, no field) belongs on the name."""
    return campaigns.create_campaign(
        s.db,
        actor=s.actor,
        name=values.get(Field.CAMPAIGN_NAME) or "",
        landing_url=values.get(Field.CAMPAIGN_LANDING_URL) or "",
        utm_source=values.get(Field.CAMPAIGN_UTM_SOURCE),
        utm_medium=values.get(Field.CAMPAIGN_UTM_MEDIUM),
        utm_campaign=values.get(Field.CAMPAIGN_UTM_CAMPAIGN),
        start_date=values.get(Field.CAMPAIGN_START),
        end_date=values.get(Field.CAMPAIGN_END),
    )


def read_utm(values: dict) -> assignments.UtmValues:
    return assignments.UtmValues(
        source=values.get(Field.ASSIGNMENT_UTM_SOURCE) or "",
        medium=values.get(Field.ASSIGNMENT_UTM_MEDIUM) or "",
        campaign=values.get(Field.ASSIGNMENT_UTM_CAMPAIGN) or "",
        content=values.get(Field.ASSIGNMENT_UTM_CONTENT),
        term=values.get(Field.ASSIGNMENT_UTM_TERM),
    )


def assign_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    values = form_values(view)
    metadata = load_metadata(view)
    with scope(context) as s:  # setting the same values again is harmless: no request key needed

        def save():
            campaign_id, influencer_id = metadata_id(metadata, "c"), metadata_id(metadata, "i")
            if campaign_id is None or influencer_id is None:
                raise InvalidInput("form", "This form is damaged; close it and open it again.")
            utm = read_utm(values)
            assignment, created = assignments.assign_influencer(
                s.db,
                actor=s.actor,
                campaign_id=campaign_id,
                influencer_id=influencer_id,
                utm=utm,
                notes=values.get(Field.ASSIGNMENT_NOTES),
            )
            if not created:  # assigning again: the form's values replace the stored ones
                assignment = assignments.update_assignment_utm(
                    s.db, actor=s.actor, assignment_id=assignment.id, utm=utm
                )
            return assignment, created

        # Conflict (a teammate's assignment) and NotFound (forged ids) have no field: on the first input.
        outcome = attempt(ack, s, save, fields=ASSIGN_FIELDS, fallback=Field.ASSIGNMENT_UTM_SOURCE)
        if outcome.rejected:
            return
        assignment, created = outcome.value
        done = assignment_done_modal(assignment, assignment.campaign, assignment.influencer, created=created)
    ack(response_action="update", view=done)
