"""`/crm admin summary`: the weekly summary of the last 7 days, now, in the admin's DM with its chart.

A DM rather than an ephemeral reply: an ephemeral message has no thread to hold the chart, cannot
carry a file, and is gone when Slack reloads, while the Monday summary is something admins come back
to. The figures are read inside the command's transaction (the same crm functions as the Monday
job, so the two agree); the DM, the chart upload into its thread and the ephemeral "it is in your
DM" go out after the commit, in the background. A chart that cannot be drawn or uploaded is logged
and the reply says the summary came without it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient

from crm import analytics
from crm.weekly_trends import WeeklyTrends, weekly_trends
from handlers.blocks.help import Usage
from handlers.blocks.message import Message
from handlers.blocks.weekly import period_label, weekly_summary_message
from handlers.commands.context import CommandContext, UsageError
from handlers.runtime.chart_upload import upload_chart
from handlers.runtime.slack_calls import ReplyTarget, deliver_reply, in_background

ADMIN_SUMMARY = Usage(
    "admin summary",
    "admins: the weekly summary of the last 7 days, with its chart, in your DM",
    "/crm admin summary",
)
SENT = "The summary of the last 7 days is in your DM, with its chart in the thread."
SENT_WITHOUT_CHART = "The summary of the last 7 days is in your DM; its chart could not be made this time."
NOT_SENT = "The summary could not be sent to your DM because Slack did not take it — please try again."

log = logging.getLogger(__name__)


def send_summary(
    client: WebClient, target: ReplyTarget, message: Message, trends: WeeklyTrends, title: str
) -> None:
    """Post the summary to the admin's DM, its chart into that message's thread, then say so."""
    try:
        posted = client.chat_postMessage(channel=target.user_id, **message.to_dict())
    except Exception as exc:  # Slack refused or did not answer: tell the admin, log ids only
        log.warning("admin summary DM to %s failed (%s)", target.user_id, type(exc).__name__)
        deliver_reply(
            client, target, {"text": NOT_SENT, "response_type": "ephemeral", "replace_original": False}
        )
        return
    charted = upload_chart(
        client, channel=posted["channel"], thread_ts=posted["ts"], trends=trends, title=title
    )
    text = SENT if charted else SENT_WITHOUT_CHART
    deliver_reply(client, target, {"text": text, "response_type": "ephemeral", "replace_original": False})


def admin_weekly_summary(ctx: CommandContext, args: list[str]) -> None:
    """The summary as the Monday job builds it, for the 7 days up to now in the admin's timezone."""
    if args:
        raise UsageError(ADMIN_SUMMARY, "`admin summary` takes nothing after it.")
    end = ctx.now.astimezone(ctx.tz)
    start = end - timedelta(days=7)
    summary = analytics.weekly_summary(ctx.db, team_id=ctx.team_id, week_start=start, now=ctx.now)
    trends = weekly_trends(ctx.db, team_id=ctx.team_id, end=end)
    tz_name = ctx.actor.timezone
    message = weekly_summary_message(summary, tz_name=tz_name)
    title = f"CRM trends · 8 weeks to {period_label(start, end, tz_name).split(' – ')[-1]}"
    client, target = ctx.bolt.client, ReplyTarget.of(ctx.bolt)
    ctx.outgoing.append(
        lambda: in_background(ctx.bolt, lambda: send_summary(client, target, message, trends, title))
    )
