"""Campaign modals submitted: new campaign, campaign edit, and an assignment whose link is shown in
its place; also what `/crm campaign edit` and `show` share with the Edit and Show buttons: the edit
modal's opener and the campaign's card.

Who may edit a campaign: its creator, or a CRM admin (CRM_ADMIN_USER_IDS). Slack workspace admins
are not admins of campaigns unless listed there: asking Slack would slow every edit, and the flag
stored at first sight goes stale.
"""

from __future__ import annotations

import uuid
from typing import Any

from slack_bolt import BoltContext
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from crm import assignments, campaigns, clicks
from crm.campaign_roster import campaign_roster
from crm.errors import InvalidInput
from crm.models import Campaign, User
from handlers.blocks.campaign_modals import assignment_done_modal, campaign_saved_modal, edit_campaign_modal
from handlers.blocks.campaigns import ROSTER_ROWS, campaign_card, campaign_created
from handlers.blocks.message import Message
from handlers.blocks.modals import modal
from handlers.forms import dump_metadata, form_values, load_metadata, metadata_id
from handlers.ids import Field
from handlers.ids import View as ViewId
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import Scope, request_key, scope
from handlers.short_links import link_and_clicks
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
EDIT_FIELDS = {
    "name": Field.CAMPAIGN_NAME,
    "landing_url": Field.CAMPAIGN_LANDING_URL,
    "url": Field.CAMPAIGN_LANDING_URL,
    "start_date": Field.CAMPAIGN_START,
    "end_date": Field.CAMPAIGN_END,
    "status": Field.CAMPAIGN_STATUS,
    "utm_source": Field.CAMPAIGN_UTM_SOURCE,
    "utm_medium": Field.CAMPAIGN_UTM_MEDIUM,
    "utm_campaign": Field.CAMPAIGN_UTM_CAMPAIGN,
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


def is_crm_admin(settings: Any, actor: User) -> bool:
    """Whether the actor is listed in CRM_ADMIN_USER_IDS."""
    return actor.slack_user_id in (settings.admin_user_ids or ())


def campaign_edit_modal_for(db: Session, actor: User, *, campaign_id: uuid.UUID, crm_admin: bool) -> View:
    """The edit modal for a campaign the actor may edit (Forbidden otherwise, before any form opens)."""
    campaign = campaigns.editable_campaign(db, actor=actor, campaign_id=campaign_id, crm_admin=crm_admin)
    return edit_campaign_modal(campaign, metadata=dump_metadata(c=campaign.id))


def campaign_card_for(db: Session, settings: Any, actor: User, campaign: Campaign) -> Message:
    """The card of a campaign (resolved in the actor's workspace): its assignments the actor may
    see (a CRM admin: everyone's), with clicks when short links are on, and Edit for its editors."""
    admin = is_crm_admin(settings, actor)
    roster = campaign_roster(db, actor=actor, campaign=campaign, everyone=admin, limit=ROSTER_ROWS)
    by_link = total = None
    if settings.public_url:
        by_link = clicks.counts_by_assignment(db, assignment_ids=[row.assignment_id for row in roster.rows])
        total = clicks.counts_by_campaign(db, campaign_ids=[campaign.id]).get(campaign.id)
    return campaign_card(
        campaign,
        roster,
        everyone=admin,
        editable=campaigns.may_edit(campaign, actor, crm_admin=admin),
        public_url=settings.public_url,
        clicks=by_link,
        campaign_clicks=total,
    )


def read_campaign_changes(values: dict) -> campaigns.CampaignChanges:
    """The edit form as CampaignChanges: every field is set (an empty date or UTM default clears it;
    an empty name or landing page is refused by crm), except a status, or UTM defaults, that the
    form did not send (one opened before it had them)."""

    def utm(field: Field) -> str | None:
        return (values.get(field) or "") if field in values else None

    return campaigns.CampaignChanges(
        name=values.get(Field.CAMPAIGN_NAME) or "",
        landing_url=values.get(Field.CAMPAIGN_LANDING_URL) or "",
        utm_source=utm(Field.CAMPAIGN_UTM_SOURCE),
        utm_medium=utm(Field.CAMPAIGN_UTM_MEDIUM),
        utm_campaign=utm(Field.CAMPAIGN_UTM_CAMPAIGN),
        status=values.get(Field.CAMPAIGN_STATUS),
        start_date=values.get(Field.CAMPAIGN_START),
        end_date=values.get(Field.CAMPAIGN_END),
    )


def edit_campaign_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    """Save the edit; the modal is replaced by what changed and how many links were rebuilt.

    The campaign id comes back from Slack in private_metadata: crm re-checks the workspace and who
    may edit it, so a forged id is refused inline and nothing is written.
    """
    values = form_values(view)
    settings = runtime_of(context).settings
    with scope(context, once=request_key(body)) as s:
        admin = is_crm_admin(settings, s.actor)

        def campaign_id() -> uuid.UUID:
            found = metadata_id(load_metadata(view), "c")
            if found is None:
                raise InvalidInput("form", "This form is damaged; close it and open it again.")
            return found

        if s.replayed:  # submitted twice: the first one saved it; say so again
            outcome = attempt(
                ack,
                s,
                lambda: campaigns.editable_campaign(
                    s.db, actor=s.actor, campaign_id=campaign_id(), crm_admin=admin
                ),
                fields=EDIT_FIELDS,
                fallback=Field.CAMPAIGN_NAME,
            )
            if outcome.rejected:
                return
            done = campaign_saved_modal(outcome.value, changed=None, links_updated=0)
        else:
            outcome = attempt(
                ack,
                s,
                lambda: campaigns.update_campaign(
                    s.db,
                    actor=s.actor,
                    campaign_id=campaign_id(),
                    changes=read_campaign_changes(values),
                    crm_admin=admin,
                ),
                fields=EDIT_FIELDS,
                fallback=Field.CAMPAIGN_NAME,
            )
            if outcome.rejected:
                return
            update = outcome.value
            if update.changed:
                s.refresh_home()  # its name or status may be on the editor's App Home
            done = campaign_saved_modal(
                update.campaign,
                changed=update.changed,
                links_updated=update.links_updated,
                short_links=bool(settings.public_url),
            )
    ack(response_action="update", view=done)


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
            utm, notes = read_utm(values), values.get(Field.ASSIGNMENT_NOTES)
            assignment, created = assignments.assign_influencer(
                s.db,
                actor=s.actor,
                campaign_id=campaign_id,
                influencer_id=influencer_id,
                utm=utm,
                notes=notes,
            )
            if not created:  # assigning again: the form's values replace the stored ones
                assignment = assignments.update_assignment(
                    s.db, actor=s.actor, assignment_id=assignment.id, utm=utm, notes=notes
                )
            return assignment, created

        # Conflict (a teammate's assignment) and NotFound (forged ids) have no field: on the first input.
        outcome = attempt(ack, s, save, fields=ASSIGN_FIELDS, fallback=Field.ASSIGNMENT_UTM_SOURCE)
        if outcome.rejected:
            return
        assignment, created = outcome.value
        if created:
            s.refresh_home()  # App Home lists the campaigns with open assignments
        short_url, count = link_and_clicks(s.db, runtime_of(context).settings, assignment)
        done = assignment_done_modal(
            assignment,
            assignment.campaign,
            assignment.influencer,
            created=created,
            short_url=short_url,
            clicks=count,
        )
    ack(response_action="update", view=done)
