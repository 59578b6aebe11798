"""Buttons on the follow-up reminder DM: Done, Snooze (1 day / 3 days / 1 week), Log interaction.

Values carry a relationship id that came back from Slack: it is parsed strictly and only used through
crm calls that filter by the acting user, so another user's follow-up is refused (NotFound, shown
by the app's error handler) and left unchanged. After Done / Snooze the DM is rewritten through the
response_url so the clicked item shows its new state instead of stale buttons.
"""

from __future__ import annotations

import uuid

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from crm import followups, relationships
from crm.clock import zone_of
from crm.errors import InvalidInput
from crm.models import User
from handlers.blocks.digests import parse_snooze_value, resolved_item
from handlers.blocks.text import fmt_datetime, mrkdwn
from handlers.events.home import refresh_home
from handlers.forms import parse_id
from handlers.ids import FollowUpAction
from handlers.uow import unit_of_work
from handlers.views.openers import open_log_modal

FIELD = "follow_up"


def _relationship_id(action: dict) -> uuid.UUID:
    return parse_id(action.get("value"), field=FIELD, what="follow-up")


def _show_new_state(body: dict, respond, relationship_id: uuid.UUID, note: str) -> None:
    """Replace the clicked item's buttons with `note` in the DM; elsewhere answer with `note` alone."""
    message = body.get("message") or {}
    if message.get("blocks"):
        respond(
            replace_original=True,
            text=message.get("text") or note,
            blocks=resolved_item(message["blocks"], relationship_id, note),
        )
    else:  # e.g. an ephemeral card: Slack sends no message to rewrite
        respond(response_type="ephemeral", replace_original=False, text=note)


def done_clicked(ack, body: dict, action: dict, respond, client: WebClient, db: Session, actor: User) -> None:
    ack()
    relationship_id = _relationship_id(action)
    rel = followups.complete_follow_up(db, actor=actor, relationship_id=relationship_id)
    _show_new_state(
        body,
        respond,
        relationship_id,
        f"✅ Done: follow-up with *{mrkdwn(rel.influencer.name, 200)}* cleared",
    )
    refresh_home(client, db, actor)


def snooze_chosen(
    ack, body: dict, action: dict, respond, client: WebClient, db: Session, actor: User
) -> None:
    ack()
    raw = (action.get("selected_option") or {}).get("value") or ""
    try:
        relationship_id, days = parse_snooze_value(raw)
    except ValueError:
        raise InvalidInput(FIELD, "That follow-up could not be found.") from None
    rel = followups.snooze_follow_up(db, actor=actor, relationship_id=relationship_id, days=days)
    when = fmt_datetime(rel.follow_up_date, zone_of(actor.timezone))
    note = f"💤 Snoozed: follow-up with *{mrkdwn(rel.influencer.name, 200)}* is now due {when}"
    _show_new_state(body, respond, relationship_id, note)
    refresh_home(client, db, actor)


def log_clicked(ack, body: dict, action: dict, client: WebClient, db: Session, actor: User) -> None:
    ack()
    rel = relationships.get_relationship_by_id(db, actor=actor, relationship_id=_relationship_id(action))
    open_log_modal(client, db, actor, body["trigger_id"], influencer=rel.influencer)


def register(app: App) -> None:
    app.action(FollowUpAction.DONE)(unit_of_work(done_clicked))
    app.action(FollowUpAction.SNOOZE)(unit_of_work(snooze_chosen))
    app.action(FollowUpAction.LOG)(unit_of_work(log_clicked))
