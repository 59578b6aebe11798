"""Buttons on the reminder DM: Done, Snooze (1 day / 3 days / 1 week), Log interaction on a follow-up;
Log contact, Snooze a week, Mark cold on a relationship going cold (also on App Home).

Values carry a relationship id that came back from Slack: it is parsed strictly and only used through
crm calls that filter by the acting user, so another user's follow-up is refused (NotFound, shown
by the app's error handler) and left unchanged. After Done / Snooze the DM is rewritten through the
response_url so the clicked item shows its new state instead of stale buttons. Both are states, not
appends: a double click or a replay sets the same state again.
"""

from __future__ import annotations

import uuid

from slack_bolt import App, BoltContext
from slack_sdk.models.blocks import SectionBlock

from crm import followups, going_cold, scoped
from crm.clock import zone_of
from crm.errors import InvalidInput
from handlers.blocks.digests import ACTIONS_BLOCK, done_note, parse_snooze_value, resolved_item, snoozed_note
from handlers.blocks.going_cold import ACTIONS_BLOCK as COLD_ACTIONS_BLOCK
from handlers.blocks.going_cold import marked_cold, parse_undo_value
from handlers.blocks.text import fmt_date, fmt_datetime, mrkdwn, plain_of
from handlers.forms import parse_id
from handlers.ids import FollowUpAction, GoingColdAction
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import ReplyTarget, open_modal, reply
from handlers.views.openers import log_modal_for

FIELD = "follow_up"


def _relationship_id(action: dict) -> uuid.UUID:
    return parse_id(action.get("value"), field=FIELD, what="follow-up")


def _show_new_state(
    context: BoltContext,
    body: dict,
    relationship_id: uuid.UUID,
    note: str,
    *,
    prefix: str = ACTIONS_BLOCK,
    replacement: SectionBlock | None = None,
) -> None:
    """Replace the clicked item's buttons with `note` (or `replacement`) in the DM; elsewhere (App
    Home, an ephemeral card) answer with it alone."""
    message = body.get("message") or {}
    if isinstance(message, dict) and isinstance(message.get("blocks"), list) and message["blocks"]:
        blocks = resolved_item(
            message["blocks"], relationship_id, note, prefix=prefix, replacement=replacement
        )
        reply(context, {"text": message.get("text") or note, "blocks": blocks}, replace_original=True)
    elif replacement is not None:  # App Home: the note, with its Undo, as a message of its own
        reply(context, {"text": plain_of(note), "blocks": [replacement.to_dict()]})
    else:  # e.g. an ephemeral card: Slack sends no message to rewrite
        reply(context, {"text": note})


def done_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    relationship_id = _relationship_id(action)
    with scope(context) as s:
        rel = followups.complete_follow_up(s.db, actor=s.actor, relationship_id=relationship_id)
        s.refresh_home()
        name, due = rel.influencer.name, rel.follow_up_date
        next_one = fmt_datetime(due, zone_of(s.actor.timezone)) if due is not None else None
    _show_new_state(context, body, relationship_id, done_note(name, next_one))


def snooze_chosen(body: dict, context: BoltContext) -> None:
    action = action_of(body)
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
    _show_new_state(context, body, relationship_id, snoozed_note(name, when))


def log_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    with scope(context) as s:
        rel = scoped.get_relationship_by_id(s.db, actor=s.actor, relationship_id=_relationship_id(action))
        view = log_modal_for(s.db, s.actor, influencer=rel.influencer, reply_to=ReplyTarget.of(context))
    open_modal(context, body.get("trigger_id"), view)


def cold_snooze_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    relationship_id = _relationship_id(action)
    with scope(context) as s:
        rel = going_cold.snooze_going_cold(s.db, actor=s.actor, relationship_id=relationship_id)
        s.refresh_home()
        until = fmt_date(rel.cold_snoozed_until, zone_of(s.actor.timezone))
        name = rel.influencer.name
    note = f"💤 *{mrkdwn(name, 200)}* is off the going-cold list until {until}"
    _show_new_state(context, body, relationship_id, note, prefix=COLD_ACTIONS_BLOCK)


def cold_mark_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    relationship_id = _relationship_id(action)
    with scope(context) as s:
        rel, previous = going_cold.mark_cold(s.db, actor=s.actor, relationship_id=relationship_id)
        s.refresh_home()
        name = rel.influencer.name
    note = f"🧊 *{mrkdwn(name, 200)}* is now cold"
    undo = marked_cold(relationship_id, note, previous)
    _show_new_state(context, body, relationship_id, note, prefix=COLD_ACTIONS_BLOCK, replacement=undo)


def cold_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    try:
        relationship_id, status = parse_undo_value(
            action.get("value") if isinstance(action.get("value"), str) else ""
        )
    except ValueError:
        raise InvalidInput(FIELD, "That relationship could not be found.") from None
    with scope(context) as s:
        rel = going_cold.undo_mark_cold(s.db, actor=s.actor, relationship_id=relationship_id, status=status)
        s.refresh_home()
        name, now_status = rel.influencer.name, rel.status
    note = f"↩️ *{mrkdwn(name, 200)}* is {now_status} again"
    _show_new_state(context, body, relationship_id, note, prefix=COLD_ACTIONS_BLOCK)


def register(app: App) -> None:
    app.action(FollowUpAction.DONE)(after_ack(done_clicked))
    app.action(FollowUpAction.SNOOZE)(after_ack(snooze_chosen))
    app.action(FollowUpAction.LOG)(after_ack(log_clicked))
    # The going-cold rows' buttons (reminder DM and App Home); Log contact opens the same form.
    app.action(GoingColdAction.LOG)(after_ack(log_clicked))
    app.action(GoingColdAction.SNOOZE)(after_ack(cold_snooze_clicked))
    app.action(GoingColdAction.MARK_COLD)(after_ack(cold_mark_clicked))
    app.action(GoingColdAction.UNDO_MARK_COLD)(after_ack(cold_undo_clicked))
