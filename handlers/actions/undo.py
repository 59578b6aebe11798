"""Undo under `/crm status`'s, `/crm note`'s, `/crm followup`'s and several-creator `/crm tag`'s and
`/crm priority`'s answers, and under the log form's: the status, the notes, the tags, the
priorities, the follow-ups or the log go back to what they were, while they are still as the
command left them (a change since is the user's newer choice).

The value came back from Slack: parsed strictly (handlers.blocks.undo, follow_up_undo and logged:
InvalidInput for a value not ours), then applied only through crm.relationships.undo_status /
undo_note / undo_statuses / undo_priorities / untag_several, crm.followups.undo_follow_ups and
crm.interactions.undo_log, which filter by the clicking user. The request is claimed once
(request_key): a replay applies nothing, and a second click finds it undone and says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App, BoltContext

from crm import clock, followups, interactions, relationships
from crm.clock import zone_of
from crm.models import Relationship
from crm.scoped import get_relationship
from handlers.blocks.follow_up_undo import follow_ups_undone_message, parse_follow_ups_undo
from handlers.blocks.logged import log_undone_message, parse_log_undo
from handlers.blocks.undo import (
    note_undone_message,
    parse_note_undo,
    parse_priorities_undo,
    parse_status_undo,
    parse_statuses_undo,
    parse_tag_undo,
    priorities_undone_message,
    status_undone_message,
    statuses_undone_message,
    tags_undone_message,
)
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.scope import Scope, request_key, scope
from handlers.runtime.slack_calls import reply


def status_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    influencer_id, status, previous = parse_status_undo(action.get("value"))
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # applied already: a status set again since must not be undone by a replay
            rel = get_relationship(s.db, actor=s.actor, influencer_id=influencer_id)
            back = rel.status == previous
        else:
            rel, back = relationships.undo_status(
                s.db, actor=s.actor, influencer_id=influencer_id, changed_to=status, back_to=previous
            )
            s.refresh_home()
        message = status_undone_message(rel.influencer, status=rel.status, back=back)
    reply(context, message, replace_original=True)


def note_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    influencer_id, before, after = parse_note_undo(action.get("value"))
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # applied already: a note appended again since must not be taken out by a replay
            rel = get_relationship(s.db, actor=s.actor, influencer_id=influencer_id)
            back = relationships.notes_mark(rel.notes) == before
        else:
            rel, back = relationships.undo_note(
                s.db, actor=s.actor, influencer_id=influencer_id, before=before, after=after
            )
        message = note_undone_message(rel.influencer, back=back)
    reply(context, message, replace_original=True)


def log_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    entries = parse_log_undo(action.get("value"))  # one log, or each of `/crm log` with several
    now = clock.now()
    with scope(context, once=request_key(body)) as s:
        undone = [None] * len(entries)  # a replay: taken back already, and that is the answer
        if not s.replayed:
            undone = [
                interactions.undo_log(
                    s.db, actor=s.actor, interaction_id=interaction_id, before=before, after=after, now=now
                )
                for interaction_id, before, after in entries
            ]
            if any(u is not None for u in undone):
                s.refresh_home()
        message = log_undone_message(undone, tz=zone_of(s.actor.timezone), now=now)
    reply(context, message, replace_original=True)


def tag_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    changes = parse_tag_undo(action.get("value"))
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # applied already: tags changed again since must not be undone by a replay
            back = [get_relationship(s.db, actor=s.actor, influencer_id=i) for i, _, _ in changes]
        else:
            back = relationships.untag_several(s.db, actor=s.actor, changes=changes)
        message = tags_undone_message(back)
    reply(context, message, replace_original=True)


def _as_they_are(
    s: Scope, back_to: Sequence[tuple[uuid.UUID, Any]], value_of: Callable[[Relationship], Any]
) -> list[tuple[Relationship, bool]]:
    """A replayed Undo's answer, changing nothing: each relationship, and whether it is as the
    Undo left it (`value_of` it is the value it had)."""
    results = []
    for influencer_id, had in back_to:
        relationship = get_relationship(s.db, actor=s.actor, influencer_id=influencer_id)
        results.append((relationship, value_of(relationship) == had))
    return results


def statuses_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    status, back_to = parse_statuses_undo(action.get("value"))
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # applied already: a status set again since must not be undone by a replay
            results = _as_they_are(s, back_to, lambda rel: rel.status)
        else:
            results = relationships.undo_statuses(s.db, actor=s.actor, changed_to=status, back_to=back_to)
            s.refresh_home()
        message = statuses_undone_message(status, results)
    reply(context, message, replace_original=True)


def priorities_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    priority, back_to = parse_priorities_undo(action.get("value"))
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # applied already: a priority set again since must not be undone by a replay
            results = _as_they_are(s, back_to, lambda rel: rel.priority)
        else:
            results = relationships.undo_priorities(s.db, actor=s.actor, changed_to=priority, back_to=back_to)
            s.refresh_home()
        message = priorities_undone_message(results)
    reply(context, message, replace_original=True)


def follow_ups_undo_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    set_to, back_to = parse_follow_ups_undo(action.get("value"))
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # applied already: a follow-up set again since must not be undone by a replay
            had = [(influencer_id, (previous, cadence)) for influencer_id, previous, cadence in back_to]
            results = _as_they_are(s, had, lambda rel: (rel.follow_up_date, rel.follow_up_from_cadence))
        else:
            results = followups.undo_follow_ups(s.db, actor=s.actor, set_to=set_to, back_to=back_to)
            s.refresh_home()
        message = follow_ups_undone_message(results, tz=zone_of(s.actor.timezone))
    reply(context, message, replace_original=True)


def register(app: App) -> None:
    app.action(Action.STATUS_UNDO)(after_ack(status_undo_clicked))
    app.action(Action.NOTE_UNDO)(after_ack(note_undo_clicked))
    app.action(Action.LOG_UNDO)(after_ack(log_undo_clicked))
    app.action(Action.TAG_UNDO)(after_ack(tag_undo_clicked))
    app.action(Action.STATUSES_UNDO)(after_ack(statuses_undo_clicked))
    app.action(Action.PRIORITIES_UNDO)(after_ack(priorities_undo_clicked))
    app.action(Action.FOLLOW_UPS_UNDO)(after_ack(follow_ups_undo_clicked))
