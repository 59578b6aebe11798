"""`/crm`: one slash command, subcommands in a dispatch table (handlers/commands/dispatch.py)."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from crm.models import User
from handlers.commands.context import CommandContext
from handlers.commands.dispatch import dispatch
from handlers.home_refresh import request_home_refresh
from handlers.ids import COMMAND
from handlers.uow import unit_of_work


def crm_command(ack, command: dict, respond, client: WebClient, db: Session, actor: User, settings) -> None:
    """Ack at once (modal subcommands need the trigger_id fresh), then parse, run, reply."""
    ack()
    text = command.get("text") or ""
    ctx = CommandContext(
        db=db,
        actor=actor,
        client=client,
        respond=respond,
        trigger_id=command.get("trigger_id"),
        settings=settings,
        text=text,
    )
    dispatch(ctx, text)
    if ctx.home_changed:
        request_home_refresh(db, actor)


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    app.command(COMMAND)(unit_of_work(crm_command))
