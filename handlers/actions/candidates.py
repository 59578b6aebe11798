"""A click on a candidate button: re-run the subcommand the user meant, for the influencer they picked."""

from __future__ import annotations

import json
import re
import uuid

from slack_bolt import App, BoltContext

from crm.errors import InvalidInput
from handlers.commands.context import CommandContext
from handlers.commands.dispatch import SUBCOMMANDS, run
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import request_key, scope

# Candidate buttons share one actions block, so each gets its own action id: influencer-pick-0, -1, …
PICK_PATTERN = re.compile(rf"^{re.escape(Action.PICK_INFLUENCER)}(-\d+)?$")

_BROKEN = "That button no longer works; run the command again."


def parse_pick(value: str | None) -> tuple[uuid.UUID, str, list[str]]:
    """(influencer id, subcommand name, its arguments) from a candidate button's value.

    The value came back from Slack: anything but the exact shape we wrote is refused.
    """
    try:
        data = json.loads(value or "")
        influencer_id = uuid.UUID(data["i"])
        command, args = data["c"], data["a"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("command", _BROKEN) from None
    if command not in SUBCOMMANDS or not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise InvalidInput("command", _BROKEN)
    return influencer_id, command, args


def influencer_picked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    influencer_id, command, args = parse_pick(action.get("value"))
    sub = SUBCOMMANDS[command]
    with scope(context, once=request_key(body) if sub.writes else None) as s:
        if s.replayed:
            return
        ctx = CommandContext(
            db=s.db,
            actor=s.actor,
            bolt=context,
            trigger_id=body.get("trigger_id"),
            settings=runtime_of(context).settings,
            picked_influencer_id=influencer_id,
        )
        run(ctx, sub, args)
        if ctx.home_changed:
            s.refresh_home()
    ctx.send()


def register(app: App) -> None:
    app.action(PICK_PATTERN)(after_ack(influencer_picked))
