"""The Merge and Cancel buttons under a `/crm merge` preview, and "Merge into …" under a creator just
added who may be a second entry of someone (it answers with that preview).

The Merge button's value (both creators' ids) came back from Slack: it is parsed strictly, and
crm.merge re-reads both creators in the clicker's workspace, checks they are still two, and locks
them before anything moves. A replay of the same click (same trigger id) is applied once; a second
real click finds the absorbed creator gone and says so, changing nothing.
"""

from __future__ import annotations

import json
import re
import uuid

from slack_bolt import App, BoltContext

from crm import merge
from crm.clock import zone_of
from crm.errors import InvalidInput
from handlers.blocks.merge import ALREADY_DONE, CANCELLED, merge_done, merge_preview
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import reply

BROKEN = "That Merge button no longer works; run `/crm merge` again. Nothing was changed."


def parse_merge_value(value: object) -> tuple[uuid.UUID, uuid.UUID]:
    """(survivor id, absorbed id) from a Merge button's value; InvalidInput for anything else."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
        if not isinstance(data, dict) or set(data) != {"s", "a"}:
            raise ValueError
        return uuid.UUID(data["s"]), uuid.UUID(data["a"])
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput("merge", BROKEN) from None


def merge_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    survivor_id, absorbed_id = parse_merge_value(action.get("value"))
    with scope(context, once=request_key(body)) as s:
        if s.replayed:
            message = ALREADY_DONE
        else:
            plan = merge.merge_influencers(
                s.db, actor=s.actor, survivor_id=survivor_id, absorbed_id=absorbed_id
            )
            s.refresh_home()
            message = merge_done(plan)
    reply(context, message, replace_original=True)


def preview_clicked(body: dict, context: BoltContext) -> None:
    """ "Merge into …": the /crm merge preview of those two (re-read in the clicker's workspace), below."""
    action = action_of(body)
    survivor_id, absorbed_id = parse_merge_value(action.get("value"))
    with scope(context) as s:
        plan = merge.preview_merge(s.db, actor=s.actor, survivor_id=survivor_id, absorbed_id=absorbed_id)
        message = merge_preview(plan, tz=zone_of(s.actor.timezone))
    reply(context, message)


def cancel_clicked(body: dict, context: BoltContext) -> None:
    reply(context, CANCELLED, replace_original=True)


def register(app: App) -> None:
    app.action(Action.MERGE_CONFIRM)(after_ack(merge_clicked))
    app.action(Action.MERGE_CANCEL)(after_ack(cancel_clicked))
    # One button per creator it may be a second entry of: "creator-merge-preview-0", "-1", …
    app.action(re.compile(rf"^{re.escape(Action.MERGE_PREVIEW)}(-\d+)?$"))(after_ack(preview_clicked))
