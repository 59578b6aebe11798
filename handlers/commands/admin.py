"""`/crm admin`: the workspace summary, only for CRM admins and Slack workspace admins/owners."""

from __future__ import annotations

from datetime import timedelta

from crm import analytics
from handlers.blocks.admin import admin_refusal, admin_summary_message
from handlers.blocks.help import Usage
from handlers.commands.context import CommandContext, UsageError

ADMIN = Usage("admin [days]", "workspace analytics for admins (default: last 30 days)", "/crm admin 7")
DEFAULT_DAYS = 30
MAX_DAYS = 366


def is_admin(ctx: CommandContext) -> bool:
    """Listed in CRM_ADMIN_USER_IDS, or an admin/owner of the Slack workspace according to users.info.

    users.info is asked each time (after the ack) rather than trusting a stored flag, so a demoted
    admin loses access at once.
    """
    slack_user_id = ctx.actor.slack_user_id
    if slack_user_id in (ctx.settings.admin_user_ids or ()):
        return True
    user = ctx.client.users_info(user=slack_user_id).get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def admin(ctx: CommandContext, args: list[str]) -> None:
    if not is_admin(ctx):  # first, so that nobody else learns anything, not even the usage
        ctx.reply(admin_refusal())
        return
    if len(args) > 1 or (
        args and not (args[0].isascii() and args[0].isdigit() and 1 <= int(args[0]) <= MAX_DAYS)
    ):
        raise UsageError(ADMIN, f"The period is a number of days from 1 to {MAX_DAYS}.")
    days = int(args[0]) if args else DEFAULT_DAYS
    summary = analytics.admin_summary(
        ctx.db, team_id=ctx.team_id, start=ctx.now - timedelta(days=days), end=ctx.now
    )
    ctx.reply(admin_summary_message(summary, tz=ctx.tz, now=ctx.now))
