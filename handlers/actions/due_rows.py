"""The menu on each row of `/crm due` (and `due week`), and on App Home's due follow-ups: Done,
Snooze, Log interaction, Show card.

Done and Snooze change the follow-up and redraw the list in place (its first page, as the list now
is), with a line saying what was done; on App Home the page's refresh shows it. Log interaction
opens the log form for that creator (its answer comes back to the list's channel); Show card posts
the card.

The option's value (crm choice, list kind, relationship id) came back from Slack: it is parsed
strictly (handlers/blocks/lists.parse_due_value), and the relationship is only reached through crm
calls that filter by the acting user, so another user's follow-up is refused and left unchanged.
Done and Snooze set a state, not an append: a double click sets the same state again.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm import clock, followups, scoped
from crm.clock import zone_of
from crm.errors import InvalidInput
from handlers.actions.paging import list_page
from handlers.blocks.digests import done_note, snoozed_note
from handlers.blocks.lists import SNOOZE_DAYS, ListQuery, parse_due_value, with_note
from handlers.blocks.text import fmt_datetime
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import ReplyTarget, open_modal, reply
from handlers.views.openers import card_for, log_modal_for


def due_row_chosen(body: dict, context: BoltContext) -> None:
    option = action_of(body).get("selected_option")
    raw = option.get("value") if isinstance(option, dict) else None
    try:
        choice, kind, relationship_id = parse_due_value(raw if isinstance(raw, str) else "")
    except ValueError:
        raise InvalidInput("follow_up", "That follow-up could not be found.") from None
    now = clock.now()
    with scope(context) as s:
        if choice == "log":
            rel = scoped.get_relationship_by_id(s.db, actor=s.actor, relationship_id=relationship_id)
            view = log_modal_for(s.db, s.actor, influencer=rel.influencer, reply_to=ReplyTarget.of(context))
        elif choice == "show":
            rel = scoped.get_relationship_by_id(s.db, actor=s.actor, relationship_id=relationship_id)
            public_url = runtime_of(context).settings.public_url
            card = card_for(s.db, s.actor, rel.influencer_id, public_url=public_url, now=now)
        else:
            tz = zone_of(s.actor.timezone)
            if choice == "done":
                rel = followups.complete_follow_up(s.db, actor=s.actor, relationship_id=relationship_id)
                due = rel.follow_up_date
                note = done_note(rel.influencer.name, fmt_datetime(due, tz) if due is not None else None)
            else:
                days = SNOOZE_DAYS[choice]
                rel = followups.snooze_follow_up(
                    s.db, actor=s.actor, relationship_id=relationship_id, days=days, now=now
                )
                note = snoozed_note(rel.influencer.name, fmt_datetime(rel.follow_up_date, tz))
            s.refresh_home()
            if not _on_app_home(body):
                page = list_page(s.db, s.actor, ListQuery(kind=kind), now=now)
    if choice == "log":
        open_modal(context, body.get("trigger_id"), view)
    elif choice == "show":
        reply(context, card)
    elif not _on_app_home(body):  # the list as it is now, with what was done above it
        reply(context, with_note(page, note), replace_original=True)


def _on_app_home(body: dict) -> bool:
    """A click on App Home's due rows: the page's refresh shows what changed, no message needed."""
    container = body.get("container")
    return isinstance(container, dict) and container.get("type") == "view"


def register(app: App) -> None:
    app.action(Action.DUE_ROW)(after_ack(due_row_chosen))
