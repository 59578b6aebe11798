"""Log-interaction modal submitted: validate, record once (idempotent per view), set the next
follow-up when one was picked (in the same transaction), refresh App Home, and after the commit
tell the user what was logged where they opened the form (its private_metadata's reply target), or
in their DM with the bot when it was opened from App Home.
And the edit form of a `/crm history` row: saved once, and that page redrawn."""

from __future__ import annotations

from datetime import datetime

from slack_bolt import BoltContext

from crm import clock, interactions, scoped
from crm.clock import zone_of
from handlers.actions.history import history_page
from handlers.blocks.history import what_was_edited
from handlers.blocks.logged import logged_message
from handlers.blocks.text import fmt_datetime
from handlers.forms import form_values, load_metadata, parse_id, required_id
from handlers.ids import Field
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import ReplyTarget, reply
from handlers.views.common import attempt, form_reply_target, reject

FIELDS = {
    "influencer": Field.INTERACTION_INFLUENCER,
    "influencer_id": Field.INTERACTION_INFLUENCER,
    "type": Field.INTERACTION_TYPE,
    "subject": Field.INTERACTION_SUBJECT,
    "content": Field.INTERACTION_CONTENT,
    "file_url": Field.INTERACTION_FILE,
    "interaction_date": Field.INTERACTION_DATE,
    "date": Field.INTERACTION_DATE,
    "campaign": Field.INTERACTION_CAMPAIGN,
    "campaign_id": Field.INTERACTION_CAMPAIGN,
    "follow_up": Field.INTERACTION_FOLLOW_UP,
}
# The edit form has no influencer, follow-up or file field: a file type without a file is said on
# the type, and anything without a field of its own (a damaged form, a deleted one) too.
EDIT_FIELDS = {
    "type": Field.INTERACTION_TYPE,
    "file_url": Field.INTERACTION_TYPE,
    "subject": Field.INTERACTION_SUBJECT,
    "content": Field.INTERACTION_CONTENT,
    "interaction_date": Field.INTERACTION_DATE,
    "campaign": Field.INTERACTION_CAMPAIGN,
}


def idempotency_key(view: dict) -> str:
    """The same view submitted twice (a double click, a retried request) records one interaction."""
    return f"view:{view.get('id')}:{view.get('hash')}"


def read_interaction(view: dict, *, now: datetime) -> tuple[dict[str, str], dict]:
    """(errors by block id, parsed values) from the submitted log modal; nothing is looked up here.

    Only what the form requires is checked here (an influencer and a type, both at once); the values
    themselves (type, file link, date) are validated once, by crm.interactions, and its errors land
    on their fields through FIELDS.
    """
    values = form_values(view)
    source = load_metadata(view).get("src")
    errors: dict[str, str] = {}
    if not values.get(Field.INTERACTION_INFLUENCER):
        errors[Field.INTERACTION_INFLUENCER] = "Pick the influencer."
    kind = values.get(Field.INTERACTION_TYPE)
    if not kind:
        errors[Field.INTERACTION_TYPE] = "Pick a type: email, call, meeting, note or file."
    files = values.get(Field.INTERACTION_FILE) or []
    file_url = next((f.get("permalink") for f in files if f.get("permalink")), None)
    when = values.get(Field.INTERACTION_DATE) or now
    content = values.get(Field.INTERACTION_CONTENT)
    if source and file_url:  # both a file and the message it came from: keep the message link in the text
        content = f"{content}\n\nFrom Slack: {source}" if content else f"From Slack: {source}"
    parsed = {
        "influencer": values.get(Field.INTERACTION_INFLUENCER),
        "campaign": values.get(Field.INTERACTION_CAMPAIGN),
        "follow_up": values.get(Field.INTERACTION_FOLLOW_UP),  # a date, or None: keep the follow-up
        "data": {
            "type": kind,
            "subject": values.get(Field.INTERACTION_SUBJECT),
            "content": content,
            "file_url": file_url or source,
            "interaction_date": when,
        },
    }
    return errors, parsed


def _campaign_id(picked: str | None):
    """The campaign picked in a form (a value that came back from Slack), or None for none."""
    return parse_id(picked, field="campaign", what="campaign") if picked else None


def log_interaction_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    now = clock.now()
    errors, parsed = read_interaction(view, now=now)
    if errors:
        reject(ack, errors)
        return
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # submitted twice: recorded once, and both answers close the modal
            ack()
            return

        def record():
            data = interactions.NewInteraction(
                **parsed["data"],
                campaign_id=_campaign_id(parsed["campaign"]),
                idempotency_key=idempotency_key(view),
            )
            influencer_id = parse_id(parsed["influencer"], field="influencer", what="influencer")
            before = interactions.before_log(s.db, actor=s.actor, influencer_id=influencer_id)
            logged = interactions.log_interaction(
                s.db,
                actor=s.actor,
                influencer_id=influencer_id,
                data=data,
                now=now,
                next_follow_up=parsed["follow_up"],
            )
            return logged, before

        outcome = attempt(ack, s, record, fields=FIELDS, fallback=Field.INTERACTION_INFLUENCER)
        if outcome.rejected:
            return
        s.refresh_home()
        logged, before = outcome.value
        relationship = scoped.get_relationship(
            s.db, actor=s.actor, influencer_id=logged.influencer_id, archived_ok=True
        )
        answer = logged_message(logged, relationship, before=before, tz=zone_of(s.actor.timezone), now=now)
    ack()
    # Where the form was opened (a command, a card, a reminder, a message), say what was logged,
    # with Undo. From App Home there is no such place: the DM with the bot, where Home's other
    # answers (Show card, Show campaign) go, while the page refreshes.
    reply(context, answer, to=form_reply_target(view, context) or ReplyTarget.of(context))


def _page_offset(metadata: dict[str, str]) -> int:
    """The `/crm history` page the edit form was opened from (0, the first, when it is not readable)."""
    offset = metadata.get("o", "")
    return int(offset) if offset.isascii() and offset.isdigit() and len(offset) <= 6 else 0


def edit_interaction_submitted(ack, body: dict, view: dict, context: BoltContext) -> None:
    """The edit form of a `/crm history` row: validated by crm (errors on their fields), saved once,
    and the history page it was opened from redrawn in place, saying what was saved."""
    values = form_values(view)
    if not values.get(Field.INTERACTION_TYPE):
        reject(ack, {Field.INTERACTION_TYPE: "Pick a type: email, call, meeting, note or file."})
        return
    now = clock.now()
    page = target = None
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # saved already: both answers close the modal
            ack()
            return

        def save():
            current = interactions.get_interaction(s.db, actor=s.actor, interaction_id=required_id(view, "i"))
            data = interactions.NewInteraction(
                type=values[Field.INTERACTION_TYPE],
                subject=values.get(Field.INTERACTION_SUBJECT),
                # Details too long for the form were left out of it: they stay as they are.
                content=values.get(Field.INTERACTION_CONTENT)
                if Field.INTERACTION_CONTENT in values
                else current.content,
                file_url=current.file_url,
                interaction_date=values.get(Field.INTERACTION_DATE) or current.interaction_date,
                campaign_id=_campaign_id(values.get(Field.INTERACTION_CAMPAIGN)),
            )
            return interactions.edit_interaction(
                s.db, actor=s.actor, interaction_id=current.id, data=data, now=now
            )

        outcome = attempt(ack, s, save, fields=EDIT_FIELDS, fallback=Field.INTERACTION_TYPE)
        if outcome.rejected:
            return
        s.refresh_home()
        target = form_reply_target(view, context)
        if target is not None:
            edited, tz = outcome.value, zone_of(s.actor.timezone)
            done = what_was_edited(edited.type, fmt_datetime(edited.interaction_date, tz))
            offset = _page_offset(load_metadata(view))
            page = history_page(s.db, s.actor, edited.influencer, offset=offset, tz=tz, done=done)
    ack()
    if page is not None:  # the history page the form was opened from, redrawn with what was saved
        reply(context, page, replace_original=True, to=target)
