"""The weekly admin summary job: last week's activity per workspace, posted once per ISO week,
with its chart uploaded into the post's thread.

The chart follows the post, never the other way round: it is drawn and uploaded only after the post
is recorded as sent, so a chart that fails leaves the text summary posted (and logged), and a
summary is never held back by its chart. It is uploaded once, by the run that recorded the post:
a summary already recorded as sent is never claimed again, and one whose earlier post's outcome was
unknown, then found in the channel, gets its chart from the run that found it (the earlier run
uploads only after recording the post, so it cannot have). A crash between recording the post and
the upload loses that week's chart: at most once, never twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db import transaction
from bot.demo_workspace import is_demo_team
from bot.jobs.context import JobContext, clock_for
from bot.jobs.maintenance import refresh_analytics
from bot.jobs.posting import post_once, release_unsettled, settle_unconfirmed, tally_post
from crm import analytics
from crm.clicks import period_clicks
from crm.reminders.deliveries import mark_failed, mark_sent
from crm.reminders.summaries import (
    SummaryClaim,
    claim_weekly_summaries,
    enqueue_weekly_summaries,
    posted_summaries,
    summary_week_start,
)
from crm.weekly_trends import weekly_trends
from handlers.blocks.weekly import chart_title, weekly_summary_message
from handlers.runtime.chart_upload import upload_chart

log = logging.getLogger(__name__)


@dataclass
class SummaryReport:
    posted: int = 0
    failed: int = 0
    skipped: str | None = None
    found_posted: int = 0  # summaries whose earlier post's outcome was unknown, found in the channel
    unknown: int = 0  # of `failed`: posts Slack may have made (looked for before the next try)
    demo: int = 0  # demo workspaces' summaries, recorded as done and never posted
    charts: int = 0  # charts uploaded into a summary's thread
    charts_failed: int = 0  # summaries posted without their chart (rendering or upload failed, logged)

    @property
    def noteworthy(self) -> bool:
        return bool(self.posted or self.failed or self.found_posted)

    def __str__(self) -> str:
        if self.skipped:
            return f"weekly-summary: nothing posted ({self.skipped})"
        text = f"weekly-summary: {self.posted} summaries posted, {self.failed} failed"
        if self.unknown:
            text += f" ({self.unknown} with unknown outcome)"
        if self.found_posted:
            text += f", {self.found_posted} earlier posts found"
        if self.demo:
            text += f", {self.demo} demo workspaces skipped"
        if self.charts or self.charts_failed:
            text += f", {self.charts} chart{'' if self.charts == 1 else 's'} uploaded"
            text += f" ({self.charts_failed} failed)" if self.charts_failed else ""
        return text


def _week_start(claim: SummaryClaim, ctx: JobContext) -> datetime:
    return summary_week_start(claim.due_at, ctx.settings.tz)


def _chart(ctx: JobContext, report: SummaryReport, claim: SummaryClaim, *, channel: str, ts: str) -> None:
    """Read the 8 weeks' figures and upload their chart into the summary's thread, after the post:
    any failure (the figures, the drawing, the upload) is logged and counted, no more."""
    try:
        with transaction(ctx.engine) as db:
            trends = weekly_trends(db, team_id=claim.team_id, end=_week_start(claim, ctx) + timedelta(days=7))
    except Exception as exc:  # the summary is posted; only its chart is missing
        log.warning("weekly chart data for %s failed: %s", claim.team_id, exc)
        report.charts_failed += 1
        return
    title = chart_title(trends, ctx.settings.timezone)
    if upload_chart(ctx.client, channel=channel, thread_ts=ts, trends=trends, title=title):
        report.charts += 1
    else:
        report.charts_failed += 1


def _chart_for_found(ctx: JobContext, report: SummaryReport, claims: list[SummaryClaim]) -> None:
    """Charts for summaries an earlier run posted without learning it (found in the channel now)."""
    with transaction(ctx.engine) as db:
        posted = posted_summaries(db, delivery_ids=[c.delivery_id for c in claims])
    for claim in claims:
        if claim.delivery_id not in posted:
            continue
        channel, ts = posted[claim.delivery_id]
        _chart(ctx, report, claim, channel=channel, ts=ts)


def post_weekly_summaries(ctx: JobContext, *, now: datetime | None = None) -> SummaryReport:
    """Record this week's summary slot for every workspace and post the ones nobody has posted yet.

    Runs at Monday 09:00 in CRM_TIMEZONE and, as a catch-up, at start and hourly: the dedupe key
    "<team>@<ISO week>" makes every run after the first a no-op, and only the latest slot is ever
    recorded, so a bot that was down for weeks posts one summary per workspace, not one per week.
    """
    channel = ctx.settings.admin_channel
    if not channel:
        return SummaryReport(skipped="CRM_ADMIN_CHANNEL is not set")
    clock = clock_for(now)
    tz = ctx.settings.tz
    with transaction(ctx.engine) as db:
        enqueue_weekly_summaries(db, tz=tz, now=clock())
    with transaction(ctx.engine) as db:
        claims = claim_weekly_summaries(db, worker_id=ctx.worker_id, lease=ctx.lease, now=clock())
    report = SummaryReport()
    # A demo workspace (bot/demo_workspace.py) is not the admin channel's workspace: its summary is
    # recorded as done, with no channel, and never posted.
    demo_ids = [c.delivery_id for c in claims if is_demo_team(c.team_id)]
    if demo_ids:
        with transaction(ctx.engine) as db:
            mark_sent(db, worker_id=ctx.worker_id, delivery_ids=demo_ids, now=clock())
        report.demo = len(demo_ids)
        claims = [c for c in claims if not is_demo_team(c.team_id)]
    if not claims:
        return report
    # A summary whose earlier post's outcome is unknown is looked for in the channel it went to.
    settled = settle_unconfirmed(ctx, delivery_ids=[c.delivery_id for c in claims], clock=clock)
    report.found_posted = len(settled.found)
    found = {i for post in settled.found for i in post.delivery_ids}
    if found:
        _chart_for_found(ctx, report, [c for c in claims if c.delivery_id in found])
    if settled.unsettled:
        release_unsettled(ctx, delivery_ids=list(settled.unsettled), clock=clock, what="post")
        report.failed += len(settled.unsettled)
        report.unknown += len(settled.unsettled)
    claims = [c for c in claims if c.delivery_id not in found and c.delivery_id not in settled.unsettled]
    if not claims:
        return report
    refresh_analytics(ctx.engine)  # the per-user rows come from the materialized view
    for claim in claims:
        ids = [claim.delivery_id]
        try:
            week_start = _week_start(claim, ctx)
            with transaction(ctx.engine) as db:
                summary = analytics.weekly_summary(
                    db, team_id=claim.team_id, week_start=week_start, now=clock()
                )
                links = None
                if ctx.settings.public_url:  # short links on: the week's top creators by clicks
                    week_end = week_start + timedelta(days=7)
                    links = period_clicks(db, team_id=claim.team_id, since=week_start, until=week_end)
            message = weekly_summary_message(summary, tz_name=ctx.settings.timezone, links=links)
        except Exception as exc:  # isolate per workspace; the row backs off and is retried
            log.warning("weekly summary for %s failed before posting: %s", claim.team_id, exc)
            with transaction(ctx.engine) as db:
                mark_failed(db, worker_id=ctx.worker_id, delivery_ids=ids, error=str(exc), now=clock())
            report.failed += 1
            continue
        result = post_once(ctx, delivery_ids=ids, channel=channel, message=message.to_dict(), clock=clock)
        if tally_post(result, report, log=log, what=f"weekly summary for {claim.team_id}"):
            report.posted += 1
            _chart(ctx, report, claim, channel=result.channel or channel, ts=result.ts)
    return report
