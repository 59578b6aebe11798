"""`/crm`: one slash command, subcommands in a dispatch table (handlers/commands/dispatch.py); and
the Run button under a usage error, which runs the command as it was probably meant."""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm.errors import InvalidInput
from handlers.blocks.text import BUTTON_VALUE
from handlers.commands.admin import slack_admin
from handlers.commands.context import CommandContext
from handlers.commands.dispatch import dispatch, lookup
from handlers.commands.tokens import tokenize
from handlers.ids import COMMAND, Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import request_key, scope
from handlers.runtime.slack_calls import reply

ALREADY_DONE = "That request was already carried out; it was applied once."


def crm_command(body: dict, context: BoltContext) -> None:
    """After the ack: parse, run the subcommand in one transaction, then reply and open modals."""
    _run(body, context, body.get("text") or "")


def meant_clicked(body: dict, context: BoltContext) -> None:
    """Run under a usage error (handlers.blocks.help.run_meant): the command as it was probably
    meant, run as if the clicker had typed it. The value came back from Slack, and it is only ever
    command text: parsed and checked as typed text is, for the clicker."""
    text = action_of(body).get("value")
    if not isinstance(text, str) or not text.strip() or len(text) > BUTTON_VALUE:
        raise InvalidInput("command", "That button no longer works; run the command again.")
    _run(body, context, text)


def _run(body: dict, context: BoltContext, text: str) -> None:
    sub, _ = lookup(tokenize(text))
    settings = runtime_of(context).settings
    admin = None
    configured_admin = context.user_id in (settings.admin_user_ids or ())
    if sub is not None and sub.needs_admin_check and context.user_id and not configured_admin:
        admin = slack_admin(context.client, context.user_id)  # Slack, before any transaction
    with scope(context, once=request_key(body) if sub is not None and sub.writes else None) as s:
        if s.replayed:
            ctx = None
        else:
            ctx = CommandContext(
                db=s.db,
                actor=s.actor,
                bolt=context,
                trigger_id=body.get("trigger_id"),
                settings=settings,
                text=text,
                slack_admin=admin,
            )
            dispatch(ctx, text)
            if ctx.home_changed:
                s.refresh_home()
    if ctx is None:  # a replay: applied once already
        reply(context, {"text": ALREADY_DONE})
        return
    ctx.send()


def register(app: App) -> None:
    """Register this surface's listeners on `app`."""
    app.command(COMMAND)(after_ack(crm_command))
    app.action(Action.RUN_MEANT)(after_ack(meant_clicked))
