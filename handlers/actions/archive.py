"""Undo under `/crm remove`'s answer and Restore on a `/crm list archived` row.

The value is an influencer id that came back from Slack: parsed strictly, then restored only
through crm.archive, which filters by the acting user, so a forged value (another user's
relationship, another team's creator) finds nothing and changes nothing. Restoring is idempotent
and the request is claimed once (request_key), so a double click or a replay applies once.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm import archive
from crm.scoped import get_relationship
from handlers.blocks.archive import restored_message
from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import reply


def _restore(body: dict, action: dict, context: BoltContext, *, replace_original: bool) -> None:
    influencer_id = parse_id(action.get("value"), field="influencer", what="influencer")
    with scope(context, once=request_key(body)) as s:
        if s.replayed:  # applied already: a later `/crm remove` must not be undone by a replay
            rel = get_relationship(s.db, actor=s.actor, influencer_id=influencer_id, archived_ok=True)
            restored = False
        else:
            rel, restored = archive.restore_relationship(s.db, actor=s.actor, influencer_id=influencer_id)
        if restored:
            s.refresh_home()
        message = restored_message(rel.influencer, restored=restored)
    reply(context, message, replace_original=replace_original)


def undo_clicked(body: dict, context: BoltContext) -> None:
    """Undo: restore it and replace the "Removed …" message, so its Undo button goes away."""
    action = action_of(body)
    _restore(body, action, context, replace_original=True)


def restore_clicked(body: dict, context: BoltContext) -> None:
    """Restore on an archived row: restore it and answer below the list."""
    action = action_of(body)
    _restore(body, action, context, replace_original=False)


def register(app: App) -> None:
    app.action(Action.REMOVE_UNDO)(after_ack(undo_clicked))
    app.action(Action.RESTORE)(after_ack(restore_clicked))
