"""A click on a candidate button: re-run the subcommand the user meant, for the influencer they picked."""

from __future__ import annotations

import json
import re
import uuid

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from crm.errors import InvalidInput
from crm.models import User
from handlers.commands.context import CommandContext
from handlers.commands.dispatch import SUBCOMMANDS, run
from handlers.home_refresh import request_home_refresh
from handlers.ids import Action
from handlers.uow import unit_of_work

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


def influencer_picked(
    ack, body: dict, action: dict, respond, client: WebClient, db: Session, actor: User, settings
) -> None:
    ack()
    influencer_id, command, args = parse_pick(action.get("value"))
    ctx = CommandContext(
        db=db,
        actor=actor,
        client=client,
        respond=respond,
        trigger_id=body.get("trigger_id"),
        settings=settings,
        picked_influencer_id=influencer_id,
    )
    run(ctx, SUBCOMMANDS[command], args)
    if ctx.home_changed:
        request_home_refresh(db, actor)


def register(app: App) -> None:
    app.action(PICK_PATTERN)(unit_of_work(influencer_picked))
