"""`/crm admin`: the workspace summary, only for CRM admins and Slack workspace admins/owners."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient

from crm import analytics, clicks
from crm.errors import InvalidInput
from crm.suggest import did_you_mean
from handlers.blocks.admin import admin_refusal, admin_summary_message
from handlers.blocks.help import Usage
from handlers.commands.admin_summary import admin_weekly_summary
from handlers.commands.cadence import admin_cadence
from handlers.commands.context import CommandContext, UsageError
from handlers.runtime.clients import quick_client

ADMIN = Usage(
    "admin [days] | admin summary | admin cadence",
    "workspace analytics for admins (default: last 30 days); `summary`: the weekly summary, in your DM;"
    " `cadence`: the default cadence per status",
    "/crm admin 7",
)
ADMIN_WORDS = ("summary", "cadence")  # what may follow `admin` besides a number of days
# What a non-admin is told they cannot do, by the word after `admin` (anything else: the summary).
REFUSED = {
    "": "see the workspace summary",
    "cadence": "set the workspace's default cadences",
    "summary": "send the weekly summary",
}
DEFAULT_DAYS = 30
MAX_DAYS = 366
# users.info for the admin check is asked before the transaction; it may take this long.
ADMIN_CHECK_TIMEOUT = 1.0
CHECK_FAILED = "Slack did not confirm that you are a workspace admin just now — please try again in a minute."

log = logging.getLogger(__name__)


def slack_admin(client: WebClient, slack_user_id: str) -> bool | None:
    """Whether Slack says this user is a workspace admin or owner; None when Slack did not answer.

    Asked each time (before the transaction, bounded) rather than trusting a stored flag, so a
    demoted admin loses access at once.
    """
    quick = quick_client(client, ADMIN_CHECK_TIMEOUT)
    try:
        user = quick.users_info(user=slack_user_id).get("user") or {}
    except Exception as exc:  # Slack down, slow, rate limited: the check is inconclusive
        log.warning("admin check: users.info failed (%s)", type(exc).__name__)
        return None
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def admin(ctx: CommandContext, args: list[str]) -> None:
    # First, so that nobody else learns anything, not even the usage.
    if ctx.actor.slack_user_id not in (ctx.settings.admin_user_ids or ()):
        if ctx.slack_admin is None:
            raise InvalidInput("command", CHECK_FAILED)
        if not ctx.slack_admin:
            ctx.reply(admin_refusal(REFUSED.get(args[0].lower() if args else "", REFUSED[""])))
            return
    if args and args[0].lower() == "cadence":
        admin_cadence(ctx, args[1:])
        return
    if args and args[0].lower() == "summary":
        admin_weekly_summary(ctx, args[1:])
        return
    if args and not (args[0].isascii() and args[0].isdigit()):
        raise UsageError(ADMIN, _not_admin_word(args[0]))
    if len(args) > 1 or (args and not 1 <= int(args[0]) <= MAX_DAYS):
        raise UsageError(ADMIN, f"The period is a number of days from 1 to {MAX_DAYS}.")
    days = int(args[0]) if args else DEFAULT_DAYS
    # Every figure is read now, live (crm/analytics.py says why not from the materialized view).
    summary = analytics.admin_summary(
        ctx.db, team_id=ctx.team_id, start=ctx.now - timedelta(days=days), end=ctx.now, now=ctx.now
    )
    links = None
    if ctx.settings.public_url:  # short links are on: the period's clicks and top creators by clicks
        since = ctx.now - timedelta(days=days)
        links = clicks.period_clicks(ctx.db, team_id=ctx.team_id, since=since, until=ctx.now)
    ctx.reply(admin_summary_message(summary, tz=ctx.tz, now=ctx.now, links=links))


def _not_admin_word(word: str) -> str | None:
    """`/crm admin sumary`: the word named, with the admin word it may have meant; `help`: none."""
    if word.lower() in ("help", "?"):
        return None
    guess = did_you_mean(word.lower(), ADMIN_WORDS)
    problem = (
        f"“{word[:40]}” is not a number of days. {guess} After `admin` comes a number of days"
        f" (1 to {MAX_DAYS}), `summary` or `cadence`."
    )
    return " ".join(problem.split())
