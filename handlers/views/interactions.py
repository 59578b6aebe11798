"""Log-interaction modal submitted: validate, record once (idempotent per view), set the next
follow-up when one was picked (in the same transaction), refresh App Home, and after the commit
tell the user what was logged where they opened the form (its private_metadata's reply target)."""

from __future__ import annotations

from datetime import datetime

from slack_bolt import BoltContext

from crm import clock, interactions, scoped
from crm.clock import zone_of
from handlers.blocks.logged import logged_message
from handlers.forms import form_values, load_metadata, parse_id
from handlers.ids import Field
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import reply
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
            campaign = parsed["campaign"]
            data = interactions.NewInteraction(
                **parsed["data"],
                campaign_id=parse_id(campaign, field="campaign", what="campaign") if campaign else None,
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
        # Where the form was opened (a command, a card, a reminder, a message): say what was logged.
        # From App Home there is no such place; the page itself refreshes.
        target = form_reply_target(view, context)
        if target is not None:
            logged, before = outcome.value
            relationship = scoped.get_relationship(
                s.db, actor=s.actor, influencer_id=logged.influencer_id, archived_ok=True
            )
            tz = zone_of(s.actor.timezone)
            answer = logged_message(logged, relationship, before=before, tz=tz, now=now)
    ack()
    if target is not None:
        reply(context, answer, to=target)
