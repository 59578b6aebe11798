"""Render the weekly chart and upload it into a message's thread, never failing the message itself.

Used by the weekly summary job (bot/jobs/weekly.py) and `/crm admin summary`, each after its text
message is posted: a chart that cannot be drawn or uploaded is logged (ids only) and reported as
not sent, and the summary stands on its own. Files upload v2 (files.getUploadURLExternal, the
bytes' POST, files.completeUploadExternal with the thread's ts) with alt text for screen readers.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from crm.charts import weekly_chart_alt_text, weekly_chart_png
from crm.weekly_trends import WeeklyTrends
from handlers.runtime.errors import log_failure

log = logging.getLogger(__name__)

CHART_FILENAME = "weekly-crm-chart.png"


def upload_chart(
    client: WebClient, *, channel: str, thread_ts: str, trends: WeeklyTrends, title: str
) -> bool:
    """Upload the chart of `trends` as a reply in `channel`'s thread `thread_ts`; whether it went out."""
    try:
        png = weekly_chart_png(trends, title=title)
        alt_text = weekly_chart_alt_text(trends)
    except Exception as exc:  # a drawing bug must not cost the summary: logged with its frames
        log_failure(f"drawing the weekly chart for {channel}", exc)
        return False
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=png,
            filename=CHART_FILENAME,
            title=title,
            alt_txt=alt_text,
        )
    except Exception as exc:  # Slack refused or did not answer: the summary is already there
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("weekly chart upload to %s failed (%s)", channel, reason)
        return False
    return True
