"""`/crm admin summary`: the weekly summary of the last 7 days, now, in the admin's DM with its chart.

A DM rather than an ephemeral reply: an ephemeral message has no thread to hold the chart, cannot
carry a file, and is gone when Slack reloads, while the Monday summary is something admins come back
to. The summary's figures are read inside the command's transaction (the same crm functions as the
Monday job, so the two agree); the DM, then the chart (its figures read in a short transaction of
their own, drawn, uploaded into the DM's thread) and the ephemeral "it is in your DM" go out after
the commit, in the background. A chart whose figures, drawing or upload fail is logged and the reply
says the summary came without it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm import analytics
from crm.clicks import period_clicks
from crm.weekly_trends import WeeklyTrends, weekly_trends
from handlers.blocks.help import Usage
from handlers.blocks.message import Message
from handlers.blocks.weekly import chart_title, weekly_summary_message
from handlers.commands.context import CommandContext, UsageError
from handlers.runtime.chart_upload import upload_chart
from handlers.runtime.errors import log_failure
from handlers.runtime.runtime import runtime_of
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


def _trends(engine: Engine, *, team_id: str, end: datetime) -> WeeklyTrends | None:
    """The chart's figures in a short transaction of their own; None (logged) when they cannot be read."""
    try:
        with Session(engine) as db, db.begin():
            return weekly_trends(db, team_id=team_id, end=end)
    except Exception as exc:  # the summary is sent; only its chart is missing
        log_failure(f"reading the weekly chart's data for {team_id}", exc)
        return None


def send_summary(
    client: WebClient,
    target: ReplyTarget,
    message: Message,
    engine: Engine,
    *,
    team_id: str,
    end: datetime,
    tz_name: str,
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
    trends = _trends(engine, team_id=team_id, end=end)
    charted = trends is not None and upload_chart(
        client,
        channel=posted["channel"],
        thread_ts=posted["ts"],
        trends=trends,
        title=chart_title(trends, tz_name),
    )
    text = SENT if charted else SENT_WITHOUT_CHART
    deliver_reply(client, target, {"text": text, "response_type": "ephemeral", "replace_original": False})


def admin_weekly_summary(ctx: CommandContext, args: list[str]) -> None:
    """The summary as the Monday job builds it, for the 7 days up to now in the admin's timezone; the
    chart's figures are read after the commit, beside the upload, so they never hold the summary up."""
    if args:
        raise UsageError(ADMIN_SUMMARY, "`admin summary` takes nothing after it.")
    end = ctx.now.astimezone(ctx.tz)
    start = end - timedelta(days=7)
    summary = analytics.weekly_summary(ctx.db, team_id=ctx.team_id, week_start=start, now=ctx.now)
    links = None
    if ctx.settings.public_url:  # short links on: the week's top creators by clicks, as on Monday
        links = period_clicks(ctx.db, team_id=ctx.team_id, since=start, until=end)
    message = weekly_summary_message(summary, tz_name=ctx.actor.timezone, links=links)
    client, target, engine = ctx.bolt.client, ReplyTarget.of(ctx.bolt), runtime_of(ctx.bolt).engine
    team_id, tz_name = ctx.team_id, ctx.actor.timezone
    ctx.outgoing.append(
        lambda: in_background(
            ctx.bolt,
            lambda: send_summary(client, target, message, engine, team_id=team_id, end=end, tz_name=tz_name),
        )
    )
