"""Buttons on the follow-up reminder DM: Done, Snooze (1 day / 3 days / 1 week), Log interaction.

Values carry a relationship id that came back from Slack: it is parsed strictly and only used through
crm calls that filter by the acting user, so another user's follow-up is refused (NotFound, shown
by the app's error handler) and left unchanged. After Done / Snooze the DM is rewritten through the
response_url so the clicked item shows its new state instead of stale buttons. Both are states, not
appends: a double click or a replay sets the same state again.
"""

from __future__ import annotations

import uuid

from slack_bolt import App, BoltContext

from crm import followups, scoped
from crm.clock import zone_of
from crm.errors import InvalidInput
from handlers.blocks.digests import parse_snooze_value, resolved_item
from handlers.blocks.text import fmt_datetime, mrkdwn
from handlers.forms import parse_id
from handlers.ids import FollowUpAction
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import open_modal, reply
from handlers.views.openers import log_modal_for

FIELD = "follow_up"


def _relationship_id(action: dict) -> uuid.UUID:
    return parse_id(action.get("value"), field=FIELD, what="follow-up")


def _show_new_state(context: BoltContext, body: dict, relationship_id: uuid.UUID, note: str) -> None:
    """Replace the clicked item's buttons with `note` in the DM; elsewhere answer with `note` alone."""
    message = body.get("message") or {}
    if isinstance(message, dict) and isinstance(message.get("blocks"), list) and message["blocks"]:
        blocks = resolved_item(message["blocks"], relationship_id, note)
        reply(context, {"text": message.get("text") or note, "blocks": blocks}, replace_original=True)
    else:  # e.g. an ephemeral card: Slack sends no message to rewrite
        reply(context, {"text": note})


def done_clicked(ack, body: dict, action: dict, context: BoltContext) -> None:
    ack()
    relationship_id = _relationship_id(action)
    with scope(context) as s:
        rel = followups.complete_follow_up(s.db, actor=s.actor, relationship_id=relationship_id)
        s.refresh_home()
        name = rel.influencer.name
    _show_new_state(context, body, relationship_id, f"✅ Done: follow-up with *{mrkdwn(name, 200)}* cleared")


def snooze_chosen(ack, body: dict, action: dict, context: BoltContext) -> None:
    ack()
    option = action.get("selected_option")
    raw = option.get("value") if isinstance(option, dict) else None
    raw = raw if isinstance(raw, str) else ""  # a forged option: "not found" below, like a bad value
    try:
        relationship_id, days = parse_snooze_value(raw)
    except ValueError:
        raise InvalidInput(FIELD, "That follow-up could not be found.") from None
    with scope(context) as s:
        rel = followups.snooze_follow_up(s.db, actor=s.actor, relationship_id=relationship_id, days=days)
        s.refresh_home()
        when = fmt_datetime(rel.follow_up_date, zone_of(s.actor.timezone))
        name = rel.influencer.name
    note = f"💤 Snoozed: follow-up with *{mrkdwn(name, 200)}* is now due {when}"
    _show_new_state(context, body, relationship_id, note)


def log_clicked(ack, body: dict, action: dict, context: BoltContext) -> None:
    ack()
    with scope(context) as s:
        rel = scoped.get_relationship_by_id(
            s.db, actor=s.actor, relationship_id=_relationship_id(action)
        )
        view = log_modal_for(s.db, s.actor, influencer=rel.influencer)
    open_modal(context, body.get("trigger_id"), view)


def register(app: App) -> None:
    app.action(FollowUpAction.DONE)(done_clicked)
    app.action(FollowUpAction.SNOOZE)(snooze_chosen)
    app.action(FollowUpAction.LOG)(log_clicked)
