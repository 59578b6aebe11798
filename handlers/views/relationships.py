"""Relationship modals submitted: edit, notes, follow-up, add influencer."""

from __future__ import annotations

from slack_bolt import BoltContext

from crm import clock, duplicates, followups, influencers, relationships
from crm.cadence import parse_cadence
from crm.errors import InvalidInput
from handlers.blocks.fields import kept_note
from handlers.blocks.merge import same_person_hint
from handlers.blocks.modals import influencer_added_modal
from handlers.forms import form_values, load_metadata, required_id
from handlers.ids import Field
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import Scope, request_key, scope
from handlers.runtime.slack_calls import ReplyTarget, reply
from handlers.views.common import attempt, form_reply_target
from handlers.views.openers import card_for

EDIT_FIELDS = {
    "status": Field.RELATIONSHIP_STATUS,
    "priority": Field.RELATIONSHIP_PRIORITY,
    "tags": Field.RELATIONSHIP_TAGS,
    "tag": Field.RELATIONSHIP_TAGS,
    "follow_up": Field.RELATIONSHIP_FOLLOW_UP,
    "notes": Field.RELATIONSHIP_NOTES,
    "name": Field.INFLUENCER_NAME,
    "email": Field.INFLUENCER_EMAIL,
    "cadence": Field.RELATIONSHIP_CADENCE,
}
ADD_FIELDS = {
    "influencer": Field.INFLUENCER_REF,
    "ref": Field.INFLUENCER_REF,
    "profile_url": Field.INFLUENCER_REF,
    "platform": Field.INFLUENCER_PLATFORM,
    "name": Field.INFLUENCER_NAME,
    "email": Field.INFLUENCER_EMAIL,
}


def read_edit(values: dict, metadata: dict) -> relationships.RelationshipEdit:
    """The edit form's values (handlers.forms.form_values) as a RelationshipEdit.

    Notes are left alone when the modal could not show them, and the follow-up when its date is the
    one the modal was opened with (metadata "f"), so its exact time and an overdue date survive.
    """
    editable_notes = metadata.get("n") == "1" and Field.RELATIONSHIP_NOTES in values
    priority = values.get(Field.RELATIONSHIP_PRIORITY)
    if priority is not None and not (priority.isascii() and priority.isdigit()):  # "²".isdigit() too
        raise InvalidInput(Field.RELATIONSHIP_PRIORITY, "Pick one of the options.")
    due = values.get(Field.RELATIONSHIP_FOLLOW_UP)
    untouched = "f" in metadata and (due.isoformat() if due else "") == metadata["f"]
    return relationships.RelationshipEdit(
        status=values.get(Field.RELATIONSHIP_STATUS) or relationships.KEEP,
        priority=int(priority) if priority is not None else relationships.KEEP,
        tags=values.get(Field.RELATIONSHIP_TAGS) or [],
        follow_up=relationships.KEEP if untouched else due,
        notes=values.get(Field.RELATIONSHIP_NOTES) if editable_notes else relationships.KEEP,
        cadence=_cadence(values),
    )


def _cadence(values: dict):
    """The cadence field read by crm.cadence (empty: none); KEEP for a form opened before it existed."""
    if Field.RELATIONSHIP_CADENCE not in values:
        return relationships.KEEP
    typed = values.get(Field.RELATIONSHIP_CADENCE)
    return parse_cadence(typed) if typed else None


def _card_for_target(s: Scope, target: ReplyTarget | None, context: BoltContext, influencer_id, *, now):
    """The card as the save left it, to redraw where the form was opened from (None: App Home)."""
    if target is None:
        return None
    return card_for(s.db, s.actor, influencer_id, public_url=runtime_of(context).settings.public_url, now=now)


def edit_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    now = clock.now()
    card = target = None
    with scope(context, once=request_key(body)) as s:
        if not s.replayed:

            def save():
                values = form_values(view)  # inside save(): a forged value is an inline error
                relationship_id = required_id(view, "r")  # re-checked: edit_relationship filters by actor
                edit = read_edit(values, load_metadata(view))
                rel = relationships.edit_relationship(
                    s.db, actor=s.actor, relationship_id=relationship_id, edit=edit, now=now
                )
                # The name is required, so it is missing only from a form opened before it had the field.
                if (name := values.get(Field.INFLUENCER_NAME)) is not None:
                    influencers.rename_influencer(
                        s.db, team_id=s.actor.team_id, influencer_id=rel.influencer_id, name=name
                    )
                if Field.INFLUENCER_EMAIL in values:  # absent from a form opened before it had the field
                    influencers.set_email(
                        s.db,
                        team_id=s.actor.team_id,
                        influencer_id=rel.influencer_id,
                        email=values[Field.INFLUENCER_EMAIL],
                    )
                return rel

            outcome = attempt(ack, s, save, fields=EDIT_FIELDS, fallback=Field.RELATIONSHIP_STATUS)
            if outcome.rejected:
                return
            s.refresh_home()
            target = form_reply_target(view, context)
            card = _card_for_target(s, target, context, outcome.value.influencer_id, now=now)
    ack()
    if card is not None:  # the card the form was opened from, redrawn in place with what was saved
        reply(context, card, replace_original=True, to=target)


def notes_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    text = form_values(view).get(Field.RELATIONSHIP_NOTE_APPEND)
    fields = {"notes": Field.RELATIONSHIP_NOTE_APPEND, "text": Field.RELATIONSHIP_NOTE_APPEND}
    with scope(context, once=request_key(body)) as s:
        if not s.replayed:  # appending twice would duplicate the note

            def save():
                influencer_id = required_id(view, "i")
                if not text:
                    raise InvalidInput("notes", "Write the note to add.")
                return relationships.set_notes(
                    s.db, actor=s.actor, influencer_id=influencer_id, text=text, append=True
                )

            if attempt(ack, s, save, fields=fields, fallback=Field.RELATIONSHIP_NOTE_APPEND).rejected:
                return
    ack()  # notes are not on the Home tab: nothing to re-publish


def follow_up_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    due = form_values(view).get(Field.RELATIONSHIP_FOLLOW_UP)  # a date, or None to clear
    now = clock.now()
    card = target = None
    with scope(context, once=request_key(body)) as s:
        if not s.replayed:

            def save():
                influencer_id = required_id(view, "i")
                return followups.set_follow_up(
                    s.db, actor=s.actor, influencer_id=influencer_id, due=due, now=now
                )

            fields = {"follow_up": Field.RELATIONSHIP_FOLLOW_UP}
            outcome = attempt(ack, s, save, fields=fields, fallback=Field.RELATIONSHIP_FOLLOW_UP)
            if outcome.rejected:
                return
            s.refresh_home()
            target = form_reply_target(view, context)
            card = _card_for_target(s, target, context, outcome.value.influencer_id, now=now)
    ack()
    if card is not None:  # the card the form was opened from, redrawn in place with what was saved
        reply(context, card, replace_original=True, to=target)


def add_influencer_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    """Save and add; the modal closes, unless there is more to say (as `/crm add` says it): the
    creator may be a second entry of someone saved already (the merge line that makes them one),
    was on the list already, or kept the name saved before."""
    values = form_values(view)
    added_view = None
    with scope(context, once=request_key(body)) as s:
        if not s.replayed:

            def save():
                influencer = influencers.save_influencer(
                    s.db,
                    team_id=s.actor.team_id,
                    ref=values.get(Field.INFLUENCER_REF) or "",
                    platform=values.get(Field.INFLUENCER_PLATFORM),
                    name=values.get(Field.INFLUENCER_NAME),
                    email=values.get(Field.INFLUENCER_EMAIL),
                )
                _, created = relationships.add_to_list(s.db, actor=s.actor, influencer_id=influencer.id)
                return influencer, created

            # An ambiguous bare handle ("exists on several platforms") is answered on the platform field.
            outcome = attempt(ack, s, save, fields=ADD_FIELDS, fallback=Field.INFLUENCER_PLATFORM)
            if outcome.rejected:
                return
            influencer, created = outcome.value
            others = duplicates.likely_same_person(s.db, influencer=influencer) if created else []
            name = values.get(Field.INFLUENCER_NAME)
            email = values.get(Field.INFLUENCER_EMAIL)
            notes = kept_note(influencers.kept_over(influencer, name=name, email=email))
            if others:
                notes += "\n" + same_person_hint(influencer, others)
            if notes or not created:
                added_view = influencer_added_modal(influencer, notes, created=created)
            s.refresh_home()
    if added_view is None:
        ack()
    else:
        ack(response_action="update", view=added_view)
